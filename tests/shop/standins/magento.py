"""A Magento 2 stand-in: the REST API's `searchCriteria` as the public reference describes it
(developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches).

- `Authorization: Bearer <integration token>`; otherwise 401 "The consumer isn't authorized to
  access %resources.";
- `searchCriteria[filter_groups][g][filters][f][field|value|condition_type]`: filters in a group
  are ORed, groups ANDed; conditions `eq`, `in`, `like`, `gt`; `eq` on text ignores case (as
  MySQL's default collation does); any other parameter is a 400, as Magento refuses a criteria
  property it has no accessor for;
- `pageSize`/`currentPage`, and the quirk: a page past the end answers the last page again;
- orders carry `entity_id` (the database id) and `increment_id` (the number customers see).
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "magento-integration-token-0123"
_PARAM = re.compile(
    r"searchCriteria\[(?:filter_groups\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|condition_type)"
    r"|(pageSize|currentPage)|sortOrders\]\[(\d+)\]\[(field|direction))\]"
)


@dataclass
class MagentoSwitches:
    delay: float = 0.0
    fail_next: int = 0
    malformed: bool = False
    orders: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def sample_orders() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    orders = [
        {
            "entity_id": 7,
            "increment_id": "000000123",
            "customer_email": "Mikko.Virtanen@Example.fi",
            "created_at": "2026-01-03 10:15:00",
            "state": "complete",
            "status": "complete",
            "order_currency_code": "EUR",
            "grand_total": 89.9,
            "billing_address": {"street": ["Mannerheimintie 1"], "telephone": "+358401234567"},
            "items": [
                {
                    "item_id": 1,
                    "sku": "SHIRT",
                    "name": "Pellavapaita",
                    "qty_ordered": 1,
                    "parent_item_id": None,
                },
                {
                    "item_id": 2,
                    "sku": "SHIRT-M",
                    "name": "Pellavapaita",
                    "qty_ordered": 1,
                    "parent_item_id": 1,
                },
            ],
        },
        {
            "entity_id": 123,
            "increment_id": "000000200",
            "customer_email": "other@example.fi",
            "created_at": "2026-01-04 08:00:00",
            "state": "processing",
            "status": "processing",
            "order_currency_code": "EUR",
            "grand_total": 20,
            "items": [],
        },
    ]
    shipments = [
        {
            "entity_id": 55,
            "order_id": 7,
            "created_at": "2026-01-04 12:00:00",
            "tracks": [
                {
                    "track_number": "JJFI12345678901234567",
                    "title": "Posti",
                    "carrier_code": "custom",
                    "created_at": "2026-01-04 12:00:00",
                }
            ],
        }
    ]
    return orders, shipments


def sample_products(count: int) -> list[dict[str, Any]]:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return [
        {
            "id": i + 1,
            "sku": f"LIN-{i + 1}",
            "name": f"Pellavapaita {i + 1}",
            "price": 49.9 + i,
            "status": 1,
            "visibility": 4,
            "type_id": "simple",
            "updated_at": (start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S"),
            "extension_attributes": {
                "stock_item": {"qty": 3 if i % 3 else 0, "is_in_stock": bool(i % 3)}
            },
            "custom_attributes": [
                {"attribute_code": "url_key", "value": f"pellavapaita-{i + 1}"},
                {"attribute_code": "short_description", "value": "<p>Kevyt pellava</p>"},
            ],
            "media_gallery_entries": [{"id": 1, "file": f"/p/l/lin-{i + 1}.jpg"}],
        }
        for i in range(count)
    ]


def _criteria(request: Request) -> tuple[list[list[dict[str, str]]], dict[str, str], str | None]:
    groups: dict[int, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    paging: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        m = _PARAM.fullmatch(key)
        if m is None:
            return [], {}, key
        if m[1] is not None:
            groups[int(m[1])][int(m[2])][m[3]] = value
        elif m[4] is not None:
            paging[m[4]] = value
        else:
            paging[f"sort_{m[6]}"] = value
    return [list(g.values()) for _, g in sorted(groups.items())], paging, None


def _matches(item: dict[str, Any], f: dict[str, str]) -> bool:
    value = item.get(f["field"])
    want, condition = f.get("value", ""), f.get("condition_type", "eq")
    if condition == "eq":
        return str(value).lower() == want.lower()
    if condition == "in":
        return str(value).lower() in [w.lower() for w in want.split(",")]
    if condition == "like":
        pattern = re.escape(want.lower()).replace("%", ".*")
        return re.fullmatch(pattern, str(value).lower()) is not None
    if condition == "gt":
        return str(value) > want
    raise ValueError(condition)


def _search(items: list[dict[str, Any]], request: Request) -> Response:
    groups, paging, bad = _criteria(request)
    if bad is not None:
        return JSONResponse({"message": f'"{bad}" is not a valid search criteria property.'}, 400)
    try:
        found = [i for i in items if all(any(_matches(i, f) for f in g) for g in groups)]
    except (ValueError, KeyError):
        return JSONResponse({"message": "Invalid condition type."}, 400)
    if paging.get("sort_field"):
        found.sort(
            key=lambda i: str(i.get(paging["sort_field"])),
            reverse=paging.get("sort_direction", "ASC") == "DESC",
        )
    total = len(found)
    if "pageSize" in paging:
        size = int(paging["pageSize"])
        pages = max(1, -(-total // size))
        page = min(int(paging.get("currentPage", "1")), pages)  # past the end: the last page
        found = found[(page - 1) * size : page * size]
    return JSONResponse({"items": found, "search_criteria": {}, "total_count": total})


def magento_app(state: MagentoSwitches, store: str = "default") -> Starlette:
    async def guard(request: Request) -> Response | None:
        state.paths.append(request.url.path)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse(
                {
                    "message": "The consumer isn't authorized to access %resources.",
                    "parameters": {"resources": "Magento_Sales::actions_view"},
                },
                401,
            )
        if request.path_params["store"] != store:
            return JSONResponse({"message": "Requested store is not found"}, 400)
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.fail_next > 0:
            state.fail_next -= 1
            return PlainTextResponse("Service Unavailable", status_code=503)
        if state.malformed:
            return PlainTextResponse('{"items": [', media_type="application/json")
        return None

    async def orders(request: Request) -> Response:
        return await guard(request) or _search(state.orders, request)

    async def shipments(request: Request) -> Response:
        return await guard(request) or _search(state.shipments, request)

    async def products(request: Request) -> Response:
        return await guard(request) or _search(state.products, request)

    async def store_configs(request: Request) -> Response:
        return await guard(request) or JSONResponse(
            [
                {
                    "id": 1,
                    "code": store,
                    "website_id": 1,
                    "store_group_id": 1,
                    "locale": "fi_FI",
                    "base_currency_code": "EUR",
                    "default_display_currency_code": "EUR",
                    "base_url": "http://pellava.example/",
                    "secure_base_url": "https://pellava.example/",
                    "secure_base_media_url": "https://pellava.example/media/",
                }
            ]
        )

    async def store_groups(request: Request) -> Response:
        return await guard(request) or JSONResponse(
            [
                {
                    "id": 1,
                    "website_id": 1,
                    "root_category_id": 2,
                    "default_store_id": 1,
                    "name": "Pellava Oy",
                    "code": "main_website_store",
                }
            ]
        )

    return Starlette(
        routes=[
            Route("/rest/{store}/V1/orders", orders),
            Route("/rest/{store}/V1/shipments", shipments),
            Route("/rest/{store}/V1/products", products),
            Route("/rest/{store}/V1/store/storeConfigs", store_configs),
            Route("/rest/{store}/V1/store/storeGroups", store_groups),
        ]
    )
