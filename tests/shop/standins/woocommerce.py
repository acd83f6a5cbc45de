"""A WooCommerce stand-in: REST API v3 and the Shipment Tracking extension's API, following the
public references (woocommerce.github.io/woocommerce-rest-api-docs, the extension's docs).

- HTTP Basic with the consumer key and secret; otherwise 401 `woocommerce_rest_cannot_view`;
- `per_page` above 100 is `rest_invalid_param` (400), as on WordPress; unlike WordPress, which
  ignores them, unknown query parameters are refused too, so a typo in the connector fails here;
- `/orders?search=` matches id, number and billing fields; order numbers differ from ids (a
  sequential-numbers plugin), and `/orders/<id>` answers 404 `woocommerce_rest_shop_order_invalid_id`;
- `/products` pages carry `X-WP-Total` and `X-WP-TotalPages`, a page past the end is 400
  `rest_post_invalid_page_number`; `modified_after` filters by change;
- the tracking API can be switched off (404 `rest_no_route`), leaving the order meta
  `_wc_shipment_tracking_items`.
"""

from __future__ import annotations

import asyncio
import base64
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

KEY = "ck_standin0123456789"
SECRET = "cs_standin9876543210"


@dataclass
class WooSwitches:
    tracking_api: bool = True
    delay: float = 0.0
    fail_next: int = 0
    malformed: bool = False
    orders: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    hits: int = 0
    paths: list[str] = field(default_factory=list)


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": {"status": status}}, status)


def sample_orders() -> list[dict[str, Any]]:
    def order(id_: int, number: str, email: str, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": id_,
            "number": number,
            "status": status,
            "currency": "SEK",
            "total": "849.00",
            "date_created_gmt": "2026-01-03T10:15:00",
            "billing": {
                "first_name": "Karin",
                "email": email,
                "phone": "+46701234567",
                "address_1": "Storgatan 1",
            },
            "shipping": {"address_1": "Storgatan 1", "city": "Umeå"},
            "line_items": [{"id": 1, "name": "Ullkappa Astrid", "quantity": 1, "sku": "UK-1"}],
            "meta_data": [],
            "trackings": [],
            **extra,
        }

    return [
        order(
            523,
            "SE-10023",
            "Karin.Berg@Example.se",
            "completed",
            trackings=[
                {
                    "tracking_id": "a1",
                    "tracking_provider": "PostNord Sweden",
                    "tracking_link": "",
                    "tracking_number": "RB123456785SE",
                    "date_shipped": "2026-01-04",
                }
            ],
        ),
        order(10023, "SE-10500", "someone@example.se", "processing"),
        order(
            600,
            "600",
            "per@example.no",
            "completed",
            meta_data=[
                {
                    "id": 9,
                    "key": "_wc_shipment_tracking_items",
                    "value": [
                        {
                            "tracking_provider": "",
                            "custom_tracking_provider": "Bring",
                            "custom_tracking_link": "",
                            "tracking_number": "370701234567890125",
                            "date_shipped": "1767571200",
                            "tracking_id": "b2",
                        }
                    ],
                }
            ],
            trackings=[
                {
                    "tracking_id": "b2",
                    "tracking_provider": "Bring",
                    "tracking_link": "",
                    "tracking_number": "370701234567890125",
                    "date_shipped": "2026-01-05",
                }
            ],
        ),
        order(601, "601", "lisa@example.se", "cancelled"),
    ]


def sample_products(count: int) -> list[dict[str, Any]]:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return [
        {
            "id": 1000 + i,
            "name": f"Ullkappa {i + 1}",
            "slug": f"ullkappa-{i + 1}",
            "sku": f"UK-{i + 1}",
            "status": "publish",
            "permalink": f"https://fjeldhus.example/produkt/ullkappa-{i + 1}/",
            "date_modified_gmt": (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S"),
            "price": f"{1299 + i}",
            "stock_status": "outofstock" if i % 5 == 4 else "instock",
            "stock_quantity": None if i % 2 else 7,
            "short_description": "<p>Varm kappa i <strong>ull</strong></p>",
            "description": "",
            "categories": [{"id": 1, "name": "Kappor", "slug": "kappor"}],
            "tags": [{"id": 2, "name": "vinter"}],
            "images": [{"id": 5, "src": f"https://fjeldhus.example/img/uk-{i + 1}.jpg"}],
            "attributes": [
                {"id": 1, "name": "Färg", "options": ["Svart", "Grå"]},
                {"id": 2, "name": "Storlek", "options": ["S", "M", "L"]},
            ],
        }
        for i in range(count)
    ]


ORDER_PARAMS = {"search", "per_page", "page"}
PRODUCT_PARAMS = {
    "status",
    "per_page",
    "page",
    "orderby",
    "order",
    "modified_after",
    "dates_are_gmt",
    "search",
    "sku",
}


def woocommerce_app(state: WooSwitches) -> Starlette:
    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        return header == expected

    async def guard(request: Request, allowed: set[str]) -> Response | None:
        state.hits += 1
        state.paths.append(request.url.path)
        if not authorised(request):
            return _error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401)
        extra = set(request.query_params) - allowed
        if extra:
            name = sorted(extra)[0]
            return _error("rest_invalid_param", f"Invalid parameter(s): {name}", 400)
        per_page = request.query_params.get("per_page")
        if per_page is not None and not (per_page.isdigit() and 1 <= int(per_page) <= 100):
            return _error("rest_invalid_param", "Invalid parameter(s): per_page", 400)
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.fail_next > 0:
            state.fail_next -= 1
            return PlainTextResponse("Bad gateway", status_code=502)
        if state.malformed:
            return PlainTextResponse("<html>Fatal error</html>", media_type="application/json")
        return None

    def public(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if k != "trackings"}

    async def index(request: Request) -> Response:
        return JSONResponse(
            {"name": "Fjeldhus", "description": "Ull och linne", "url": "https://fjeldhus.example"}
        )

    async def orders(request: Request) -> Response:
        if (bad := await guard(request, ORDER_PARAMS)) is not None:
            return bad
        query = request.query_params.get("search", "").lower()
        found = [
            o
            for o in state.orders
            if not query
            or query in str(o["id"])
            or query in o["number"].lower()
            or query in o["billing"]["email"].lower()
        ]
        per_page = int(request.query_params.get("per_page", "10"))
        return JSONResponse([public(o) for o in found[:per_page]])

    async def order(request: Request) -> Response:
        if (bad := await guard(request, set())) is not None:
            return bad
        for o in state.orders:
            if str(o["id"]) == request.path_params["id"]:
                return JSONResponse(public(o))
        return _error("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)

    async def trackings(request: Request) -> Response:
        if not state.tracking_api:
            return _error(
                "rest_no_route", "No route was found matching the URL and request method.", 404
            )
        if (bad := await guard(request, set())) is not None:
            return bad
        for o in state.orders:
            if str(o["id"]) == request.path_params["id"]:
                return JSONResponse(o["trackings"])
        return _error("woocommerce_rest_order_invalid_id", "Invalid order ID.", 404)

    async def currency(request: Request) -> Response:
        if (bad := await guard(request, set())) is not None:
            return bad
        return JSONResponse({"code": "SEK", "name": "Swedish krona", "symbol": "kr"})

    async def products(request: Request) -> Response:
        if (bad := await guard(request, PRODUCT_PARAMS)) is not None:
            return bad
        params = request.query_params
        found = [p for p in state.products if p["status"] == params.get("status", "publish")]
        if "modified_after" in params:
            found = [p for p in found if p["date_modified_gmt"] > params["modified_after"]]
        if "search" in params:
            found = [p for p in found if params["search"].lower() in p["name"].lower()]
        if "sku" in params:
            found = [p for p in found if p["sku"] == params["sku"]]
        if params.get("orderby") == "modified":
            found.sort(key=lambda p: p["date_modified_gmt"], reverse=params.get("order") != "asc")
        per_page = int(params.get("per_page", "10"))
        page = int(params.get("page", "1"))
        pages = max(1, math.ceil(len(found) / per_page))
        if page > pages:
            return _error(
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
                400,
            )
        chunk = found[(page - 1) * per_page : page * per_page]
        return JSONResponse(
            chunk, headers={"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
        )

    return Starlette(
        routes=[
            Route("/wp-json/", index),
            Route("/wp-json/wc/v3/orders", orders),
            Route("/wp-json/wc/v3/orders/{id}", order),
            Route("/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings", trackings),
            Route("/wp-json/wc/v3/data/currencies/current", currency),
            Route("/wp-json/wc/v3/products", products),
        ]
    )
