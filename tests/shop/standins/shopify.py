"""A Shopify stand-in: the Admin GraphQL API executed by graphql-core against a schema subset
(`shopify.graphql`) written from Shopify's public reference, so a query naming a field Shopify
does not have fails the way Shopify fails it (200 with `errors`).

What it follows from the reference:
- `POST /admin/api/{version}/graphql.json` for the supported versions only (404 otherwise), with
  `X-Shopify-Access-Token` (401 `[API] Invalid API key or access token` otherwise);
- `POST /admin/oauth/access_token` with `grant_type=client_credentials`, `client_id` and
  `client_secret` (form or JSON) → `access_token`, `scope`, `expires_in`; tokens expire;
- connections need `first` or `last` (at most 250) and page with opaque cursors;
- search syntax for the fields used: `name:`, `handle:`, `title:*…*`, `updated_at:>'…'`,
  joined by `OR`/`AND`; order names match with or without `#`, case-insensitively;
- cost-based throttling: a leaky bucket (`bucket`, `restore_rate` per second); each answer
  carries `extensions.cost` with `requestedQueryCost`, `actualQueryCost` and `throttleStatus`;
  a query that costs more than what is left gets `THROTTLED` in `errors`, with no data.

`ShopifySwitches` make it slow, failing (503), malformed, or answer the next queries with an
internal GraphQL error in a 200.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    execute,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SCHEMA: GraphQLSchema = build_schema((Path(__file__).parent / "shopify.graphql").read_text())
VERSIONS = frozenset({"2025-10", "2026-01"})
MAX_COST = 1000  # Shopify's single-query limit
BAD_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


@dataclass
class ShopifySwitches:
    token: str = "shpat_standin_0123456789abcdef"
    client_id: str = "standin-client-id"
    client_secret: str = "standin-client-secret"
    token_ttl: int = 86399
    bucket: float = 2000.0
    restore_rate: float = 100.0
    delay: float = 0.0
    fail_next: int = 0
    malformed: bool = False
    graphql_error_next: int = 0
    orders: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    locales: list[tuple[str, bool]] = field(default_factory=lambda: [("da", True), ("sv", False),
                                                                     ("nb", False)])  # fmt: skip
    # What happened:
    queries: list[str] = field(default_factory=list)
    token_requests: int = 0
    throttled: int = 0
    hits: int = 0
    issued: dict[str, float] = field(default_factory=dict)
    available: float = -1.0
    refilled: float = field(default_factory=time.monotonic)

    def revoke_all(self) -> None:
        self.issued.clear()

    def _refill(self) -> float:
        now = time.monotonic()
        if self.available < 0:
            self.available = self.bucket
        self.available = min(
            self.bucket, self.available + (now - self.refilled) * self.restore_rate
        )
        self.refilled = now
        return self.available


# -- data ----------------------------------------------------------------------------------


def sample_orders() -> list[dict[str, Any]]:
    return [
        {
            "name": "#1001",
            "email": "Anna.Holm@Example.com",
            "phone": "+4512345678",
            "createdAt": "2026-01-03T10:15:00Z",
            "cancelledAt": None,
            "displayFinancialStatus": "PAID",
            "displayFulfillmentStatus": "FULFILLED",
            "statusPageUrl": "https://nordhjem.example/123/orders/abc/authenticate?key=k",
            "shippingAddress": {"name": "Anna Holm", "address1": "Vestergade 1", "city": "Aarhus"},
            "lineItems": [
                {"title": "Strikkjole Ingrid", "quantity": 1, "sku": "KD-1"},
                {"title": "Uldsokker", "quantity": 2, "sku": "WS-2"},
            ],
            "fulfillments": [
                {
                    "name": "#1001-F1",
                    "status": "SUCCESS",
                    "displayStatus": "IN_TRANSIT",
                    "createdAt": "2026-01-03T15:00:00Z",
                    "estimatedDeliveryAt": "2026-01-06T23:00:00Z",
                    "deliveredAt": None,
                    "trackingInfo": [
                        {"company": "PostNord DK", "number": "RB123456785DK", "url": None}
                    ],
                },
                {
                    "name": "#1001-F2",
                    "status": "CANCELLED",
                    "displayStatus": "LABEL_VOIDED",
                    "createdAt": "2026-01-03T14:00:00Z",
                    "trackingInfo": [{"company": "GLS", "number": "12345678901", "url": None}],
                },
            ],
        },
        {
            "name": "#1002",
            "email": "bo@example.se",
            "createdAt": "2026-01-04T08:00:00Z",
            "cancelledAt": None,
            "displayFinancialStatus": "PAID",
            "displayFulfillmentStatus": "UNFULFILLED",
            "statusPageUrl": "https://nordhjem.example/123/orders/def/authenticate?key=k",
            "lineItems": [{"title": "Bordlampe Lys", "quantity": 1}],
            "fulfillments": [],
        },
    ]


KINDS = [
    ("Strikkjole", "Stickad klänning", "Strikkekjole", "Dresses"),
    ("Uldfrakke", "Ullkappa", "Ullfrakk", "Coats"),
    ("Bordlampe", "Bordslampa", "Bordlampe", "Lamps"),
    ("Hørskjorte", "Linneskjorta", "Linskjorte", "Shirts"),
]
COLOURS = ["Sort", "Navy", "Rød", "Grøn"]


def sample_products(count: int, start: datetime | None = None) -> list[dict[str, Any]]:
    start = start or datetime(2025, 6, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        da, sv, nb, kind = KINDS[i % len(KINDS)]
        handle = f"{da.lower()}-{i + 1}".replace("ø", "o")
        out.append(
            {
                "handle": handle,
                "title": f"{da} {i + 1}",
                "description": f"<p>{da} nr. {i + 1} &amp; mere</p>",
                "productType": kind,
                "vendor": "Nordhjem",
                "tags": ["uld", "vinter"] if i % 2 else ["sommer"],
                "status": "ACTIVE",
                "updatedAt": (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "onlineStoreUrl": f"https://nordhjem.example/products/{handle}",
                "featuredImage": {"url": f"https://cdn.example/{handle}.jpg"},
                "options": [
                    {"name": "Farve", "values": COLOURS[:2]},
                    {"name": "Størrelse", "values": ["S", "M"]},
                ],
                "variants": [
                    {
                        "sku": f"{handle.upper()}-{colour[:3].upper()}-{size}",
                        "price": f"{299 + i % 7 * 100}.00",
                        "availableForSale": not (colour == "Navy" and size == "S"),
                        "inventoryQuantity": 0 if colour == "Navy" and size == "S" else 4,
                        "selectedOptions": [
                            {"name": "Farve", "value": colour},
                            {"name": "Størrelse", "value": size},
                        ],
                    }
                    for colour in COLOURS[:2]
                    for size in ("S", "M")
                ],
                "translations": {
                    "sv": {"title": f"{sv} {i + 1}", "body_html": f"<p>{sv} nr {i + 1}</p>"},
                    "nb": {"title": f"{nb} {i + 1}"},
                },
            }
        )
    return out


# -- search and connections ----------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last_id": index}).encode()).decode()


def _index(cursor: str) -> int:
    try:
        return int(json.loads(base64.b64decode(cursor))["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def connection(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    size = first if first is not None else last
    if size > 250:
        raise GraphQLError("The first argument cannot exceed 250")
    start = _index(args["after"]) + 1 if args.get("after") else 0
    page = items[start : start + size]
    return {
        "nodes": page,
        "edges": [{"cursor": _cursor(start + i), "node": n} for i, n in enumerate(page)],
        "pageInfo": {
            "hasNextPage": start + size < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if page else None,
            "endCursor": _cursor(start + len(page) - 1) if page else None,
        },
    }


_TERM = re.compile(r"""(\w+):(>|<)?(?:"([^"]*)"|'([^']*)'|(\S+))""")


def matches(item: dict[str, Any], query: str | None) -> bool:
    """Shopify search syntax, the part Samtale uses: terms joined by OR / AND."""
    if not query:
        return True
    for group in re.split(r"\s+OR\s+", query.strip()):
        terms = [t for t in re.split(r"\s+AND\s+", group) if t]
        if all(_term(item, t) for t in terms):
            return True
    return False


def _term(item: dict[str, Any], term: str) -> bool:
    m = _TERM.fullmatch(term.strip())
    if m is None:
        return False
    name, op = m[1], m[2]
    value = next(v for v in (m[3], m[4], m[5]) if v is not None)
    if name == "name":
        return str(item.get("name", "")).lstrip("#").lower() == value.lstrip("#").lower()
    if name == "handle":
        return item.get("handle") == value
    if name == "title":
        word = value.strip("*").lower()
        return word in str(item.get("title", "")).lower()
    if name == "updated_at" and op:
        mine = item["updatedAt"]
        return mine > value if op == ">" else mine < value
    return False


# -- objects with arguments ----------------------------------------------------------------


def _order(o: dict[str, Any]) -> dict[str, Any]:
    def fulfillments(info: Any, first: int | None = None) -> list[dict[str, Any]]:
        items = [
            {
                **f,
                "id": f"gid://shopify/Fulfillment/{i}",
                "trackingInfo": lambda info, first=None, f=f: f.get("trackingInfo", [])[:first],
            }
            for i, f in enumerate(o["fulfillments"])
        ]
        return items[:first] if first is not None else items

    return {
        **o,
        "id": f"gid://shopify/Order/{o['name'].lstrip('#')}",
        "updatedAt": o["createdAt"],
        "totalPriceSet": {"shopMoney": {"amount": "100.00", "currencyCode": "DKK"}},
        "lineItems": lambda info, **a: connection(
            [{**li, "id": f"li{i}"} for i, li in enumerate(o["lineItems"])], a
        ),
        "fulfillments": fulfillments,
    }


def _product(p: dict[str, Any], index: int) -> dict[str, Any]:
    def translations(info: Any, locale: str, marketId: str | None = None) -> list[dict[str, Any]]:
        return [
            {"key": k, "locale": locale, "value": v, "outdated": False}
            for k, v in p.get("translations", {}).get(locale, {}).items()
        ]

    def description(info: Any, truncateAt: int | None = None) -> str:
        text = " ".join(re.sub(r"<[^>]+>", " ", p["description"]).replace("&amp;", "&").split())
        return text[:truncateAt] if truncateAt else text

    image = p.get("featuredImage")
    return {
        **p,
        "id": f"gid://shopify/Product/{index}",
        "createdAt": p["updatedAt"],
        "descriptionHtml": p["description"],
        "description": description,
        "translations": translations,
        "featuredImage": {"url": lambda info, transform=None: image["url"]} if image else None,
        "options": lambda info, first=None: [
            {**o, "id": f"o{i}", "position": i + 1} for i, o in enumerate(p["options"])
        ][:first],
        "variants": lambda info, **a: connection(
            [{**v, "id": f"v{i}", "title": v["sku"]} for i, v in enumerate(p["variants"])], a
        ),
    }


def _root(state: ShopifySwitches) -> dict[str, Any]:
    def orders(info: Any, **args: Any) -> dict[str, Any]:
        found = [_order(o) for o in state.orders if matches(o, args.get("query"))]
        return connection(found, args)

    def products(info: Any, **args: Any) -> dict[str, Any]:
        chosen = [(i, p) for i, p in enumerate(state.products) if matches(p, args.get("query"))]
        if args.get("sortKey") == "UPDATED_AT":
            chosen.sort(key=lambda ip: ip[1]["updatedAt"])
        return connection([_product(p, i) for i, p in chosen], args)

    return {
        "shop": {
            "id": "gid://shopify/Shop/1",
            "name": "Nordhjem",
            "email": "shop@nordhjem.example",
            "currencyCode": "DKK",
            "primaryDomain": {"host": "nordhjem.example", "url": "https://nordhjem.example"},
        },
        "shopLocales": lambda info, published=None: [
            {"locale": loc, "name": loc, "primary": primary, "published": True}
            for loc, primary in state.locales
        ],
        "orders": orders,
        "products": products,
        "productsCount": lambda info, query=None, limit=10000: {
            "count": sum(1 for p in state.products if matches(p, query)),
            "precision": "EXACT",
        },
    }


# -- cost ----------------------------------------------------------------------------------


def _first(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            value = arg.value
            if value.kind == "variable":
                return int(variables.get(value.name.value) or 0)  # type: ignore[attr-defined]
            return int(value.value)  # type: ignore[attr-defined]
    return None


def _cost(selection: SelectionSetNode | None, variables: dict[str, Any]) -> int:
    """Shopify's rule of thumb: an object costs 1, a connection 2 + its size × its node."""
    total = 0
    for node in selection.selections if selection else ():
        if not isinstance(node, FieldNode) or node.selection_set is None:
            continue
        inner = _cost(node.selection_set, variables)
        size = _first(node, variables)
        total += 1 + inner if size is None else 2 + size * max(inner, 1)
    return total


def _actual(selection: SelectionSetNode | None, data: Any) -> int:
    """What the answer really held: connections cost 2 plus what they returned."""
    total = 0
    for node in selection.selections if selection else ():
        if not isinstance(node, FieldNode) or node.selection_set is None:
            continue
        key = node.alias.value if node.alias else node.name.value
        value = data.get(key) if isinstance(data, dict) else None
        sized = any(a.name.value in ("first", "last") for a in node.arguments or ())
        total += 2 if sized else 1
        for item in value if isinstance(value, list) else [value] if value is not None else []:
            total += _actual(node.selection_set, item)
    return total


def query_cost(document: Any, variables: dict[str, Any]) -> int:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return max(1, sum(_cost(op.selection_set, variables) for op in ops))


# -- the app -------------------------------------------------------------------------------


def shopify_app(state: ShopifySwitches) -> Starlette:
    async def access_token(request: Request) -> Response:
        state.token_requests += 1
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = dict(await request.form())
        if body.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if body.get("client_id") != state.client_id or not secrets.compare_digest(
            str(body.get("client_secret", "")), state.client_secret
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = "shpat_" + secrets.token_hex(16)
        state.issued[token] = time.monotonic() + state.token_ttl
        return JSONResponse(
            {
                "access_token": token,
                "scope": "read_orders,read_products,read_inventory",
                "expires_in": state.token_ttl,
            }
        )

    async def graphql_endpoint(request: Request) -> Response:
        state.hits += 1
        if request.path_params["version"] not in VERSIONS:
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        token = request.headers.get("x-shopify-access-token", "")
        static = secrets.compare_digest(token, state.token)
        if not static and state.issued.get(token, 0) < time.monotonic():
            return JSONResponse({"errors": BAD_TOKEN}, status_code=401)
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.fail_next > 0:
            state.fail_next -= 1
            return PlainTextResponse("Service Unavailable", status_code=503)
        if state.malformed:
            return PlainTextResponse('{"data": {"orders": ', media_type="application/json")
        try:
            body = await request.json()
            source, variables = body["query"], body.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"errors": {"query": "Required parameter missing or invalid"}}, status_code=400
            )
        state.queries.append(source)
        try:
            document = parse(source)
        except GraphQLError as exc:
            return JSONResponse({"errors": [_error(exc, "parseError")]})
        problems = validate(SCHEMA, document)
        if problems:
            return JSONResponse({"errors": [_error(e, "undefinedField") for e in problems]})
        requested = query_cost(document, variables)
        if requested > MAX_COST:
            message = (
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({MAX_COST})."
            )
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": message,
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                                "maxCost": MAX_COST,
                            },
                        }
                    ]
                }
            )
        available = state._refill()
        status = {"maximumAvailable": state.bucket, "restoreRate": state.restore_rate}
        if requested > available:
            state.throttled += 1
            return JSONResponse(
                {
                    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                    "extensions": {
                        "cost": {
                            "requestedQueryCost": requested,
                            "actualQueryCost": None,
                            "throttleStatus": {**status, "currentlyAvailable": available},
                        }
                    },
                }
            )
        state.available -= requested
        if state.graphql_error_next > 0:
            state.graphql_error_next -= 1
            return JSONResponse(
                {"errors": [{"message": "Internal error. Looks like something went wrong on "
                             "our end.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
            )  # fmt: skip
        result = execute(SCHEMA, document, root_value=_root(state), variable_values=variables)
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        actual = min(requested, sum(_actual(op.selection_set, result.data) for op in ops))
        state.available += requested - actual  # the difference is refunded
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [_error(e, "argumentError") for e in result.errors]
        answer["extensions"] = {"cost": {
            "requestedQueryCost": requested, "actualQueryCost": actual,
            "throttleStatus": {**status, "currentlyAvailable": state.available},
        }}  # fmt: skip
        return JSONResponse(answer)

    return Starlette(
        routes=[
            Route("/admin/oauth/access_token", access_token, methods=["POST"]),
            Route("/admin/api/{version}/graphql.json", graphql_endpoint, methods=["POST"]),
        ]
    )


def _error(exc: GraphQLError, code: str) -> dict[str, Any]:
    out: dict[str, Any] = {"message": exc.message, "extensions": {"code": code}}
    if exc.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in exc.locations]
    if exc.path:
        out["path"] = list(exc.path)
    return out
