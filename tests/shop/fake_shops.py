"""Two small fake shop systems with differently shaped JSON, served over real HTTP on loopback,
each with switches for being slow, failing and malformed.

- "Fjord" answers REST with nested objects, per-language texts as objects, times in UTC, and
  checks nothing itself (the connector compares the e-mail it returns).
- "Kaamos" is an older system: it checks the e-mail itself (`/v2/lookup?order_id&mail`), spells
  statuses as numbers and events as letters, keeps times without a zone (Helsinki), prices as a
  list of currency/amount objects, and one search endpoint that is a POST.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


@dataclass
class Switches:
    delay: float = 0.0  # seconds before answering
    fail_next: int = 0  # answer this many requests with `fail_status`
    fail_status: int = 503
    malformed: bool = False  # answer with broken JSON
    hits: int = 0
    paths: list[str] = field(default_factory=list)


FJORD_ORDER = {
    "number": "104827361",
    "customer": {"email": "Anna.Holm@Example.com", "name": "Anna Holm"},
    "created": "2026-01-03T10:15:00Z",
    "market": "DK",
    "currency": "DKK",
    "sum": "638.00",
    "items": [
        {
            "sku": "F-100-BLK-M",
            "title": {"da": "Strikkjole Ingrid", "en": "Knitted dress Ingrid"},
            "qty": 1,
            "variant": {"color": "black", "size": "M"},
            "unit_price": "599.00",
        }
    ],
    "deliveries": [
        {
            "tracking": {
                "number": "RB123456785DK",
                "company": "PostNord",
                "state": "IN_TRANSIT",
                "eta": "2026-01-07",
                "url": "https://tracking.example/RB123456785DK",
                "point": {
                    "title": "Netto Nørrebrogade",
                    "street": "Nørrebrogade 12",
                    "zip": "2200",
                    "town": "København N",
                },
                "history": [
                    {"ts": "2026-01-04T15:02:00Z", "kind": "HANDED_OVER", "where": "Kolding"},
                    {"ts": "2026-01-04T22:40:00Z", "kind": "TERMINAL_IN", "where": "Fredericia"},
                    {
                        "ts": "2026-01-05T06:10:00Z",
                        "kind": "SORTED",
                        "where": "Fredericia",
                        "note": "Sorteret",
                    },
                ],
            }
        }
    ],
}
FJORD_PRODUCT = {
    "id": "F-100",
    "title": {
        "da": "Strikkjole Ingrid",
        "sv": "Stickad klänning Ingrid",
        "en": "Knitted dress Ingrid",
    },
    "body": {"da": "Blød strikkjole i merinould.", "en": "Soft knitted dress in merino wool."},
    "material": {"da": "100 % merinould", "en": "100% merino wool"},
    "pricing": {"DKK": "599.00", "SEK": "899", "EUR": "79.95"},
    "skus": [
        {"id": "F-100-BLK-M", "color": "black", "size": "M", "qty": 3},
        {"id": "F-100-BLK-L", "color": "black", "size": "L", "qty": 0},
        {"id": "F-100-GRY-M", "color": "grey", "size": "M", "qty": 5},
    ],
    "pictures": [{"src": "https://img.fjord.example/f-100-black.jpg"}],
    "link": "https://fjord.example/p/f-100",
}

FJORD_CONFIG: dict[str, Any] = {
    "type": "http",
    "headers": {"Authorization": "Bearer fjord-secret"},
    "timeout": 0.5,
    "deadline": 1.5,
    "retries": 2,
    "backoff": 0.05,
    "breaker_failures": 3,
    "breaker_reset_seconds": 30,
    "endpoints": {
        "order": {"path": "/api/v1/orders/{order_number}", "root": "order"},
        "shipment": {"path": "/api/v1/tracking/{tracking_number}", "root": "delivery"},
        "search": {"path": "/api/v1/catalog/search", "query": {"q": "{query}",
                   "locale": "{language}"}, "root": "results"},
        "product": {"path": "/api/v1/catalog/items/{sku}", "root": "item"},
    },
    "fields": {
        "order": {"order_number": "number", "email": "customer.email", "placed_at": "created",
                  "country": "market", "total": "sum", "lines": "items",
                  "shipments": "deliveries",
                  "line": {"name": "title", "quantity": "qty", "colour": "variant.color",
                           "size": "variant.size", "price": "unit_price"}},
        "shipment": {"tracking_number": "tracking.number", "carrier": "tracking.company",
                     "status": "tracking.state", "events": "tracking.history",
                     "expected_delivery": "tracking.eta", "tracking_url": "tracking.url",
                     "pickup_point": "tracking.point",
                     "event": {"at": "ts", "code": "kind", "location": "where",
                               "description": "note"},
                     "pickup": {"name": "title", "address": "street", "postcode": "zip",
                                "city": "town"}},
        "product": {"sku": "id", "names": "title", "descriptions": "body",
                    "materials": "material", "prices": "pricing", "variants": "skus",
                    "images": "pictures", "image_url_key": "src", "url": "link",
                    "variant": {"sku": "id", "colour": "color", "size": "size",
                                "stock": "qty"}},
        "status_values": {"IN_TRANSIT": "in_transit", "DELIVERED": "delivered",
                          "READY": "at_pickup_point"},
        "event_codes": {"HANDED_OVER": "handed_to_carrier", "TERMINAL_IN": "at_terminal"},
        "carrier_values": {"PostNord": "postnord"},
    },
}  # fmt: skip

KAAMOS_PARCEL = {
    "code": "JJFI12345678901234567",
    "carrier": "POSTI",
    "phase": 3,
    "arrival": "2026-01-08",
    "log": [
        {"when": "2026-01-04 17:30:00", "what": "L", "where": "Kolding"},
        {"when": "2026-01-05 08:05:00", "what": "T", "where": "Vantaa"},
    ],
}
KAAMOS_ORDER = {
    "orderId": "100555777",
    "placedAt": "2026-01-02 12:00:00",
    "country": "FI",
    "parcels": [KAAMOS_PARCEL],
}
KAAMOS_PRODUCT = {
    "code": "K-7",
    "label_fi": "Villasukat Aino",
    "label_en": "Wool socks Aino",
    "cost": [{"cur": "eur", "amt": 12.95}, {"cur": "sek", "amt": 149}],
    "stock": [{"ref": "K-7-GRY-39", "tone": "grey", "dim": "39-41", "n": 12}],
}
KAAMOS_CONFIG: dict[str, Any] = {
    "type": "http",
    "timeout": 0.5,
    "deadline": 1.5,
    "retries": 1,
    "backoff": 0.05,
    "endpoints": {
        "order": {"path": "/v2/lookup", "query": {"order_id": "{order_number}",
                  "mail": "{email}"}, "root": "data"},
        "shipment": {"path": "/v2/parcel/{tracking_number}", "root": "data"},
        "search": {"method": "POST", "path": "/v2/products/search",
                   "body": {"search": "{query}", "lng": "{language}"},
                   "root": "data.products"},
    },
    "fields": {
        "order": {"order_number": "orderId", "email": None, "placed_at": "placedAt",
                  "country": "country", "lines": None, "shipments": "parcels"},
        "shipment": {"tracking_number": "code", "carrier": "carrier", "status": "phase",
                     "events": "log", "expected_delivery": "arrival",
                     "event": {"at": "when", "code": "what", "location": "where",
                               "description": None}},
        "product": {"sku": "code", "names": {"fi": "label_fi", "en": "label_en"},
                    "descriptions": None, "prices": None, "price_list": "cost",
                    "currency_key": "cur", "amount_key": "amt", "variants": "stock",
                    "images": None, "url": None,
                    "variant": {"sku": "ref", "colour": "tone", "size": "dim", "stock": "n"}},
        "status_values": {"1": "created", "2": "handed_to_carrier", "3": "in_transit",
                          "4": "delivered"},
        "event_codes": {"L": "handed_to_carrier", "T": "at_terminal"},
        "carrier_values": {"POSTI": "posti"},
        "naive_time_zone": "Europe/Helsinki",
    },
}  # fmt: skip


def _guarded(switches: Switches, handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        switches.hits += 1
        switches.paths.append(request.url.path)
        if switches.delay:
            await asyncio.sleep(switches.delay)
        if switches.fail_next > 0:
            switches.fail_next -= 1
            return PlainTextResponse("down", status_code=switches.fail_status)
        if switches.malformed:
            return Response('{"order": {"number": ', media_type="application/json")
        result: Response = await handler(request)
        return result

    return endpoint


def fjord_app(switches: Switches) -> Starlette:
    async def order(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer fjord-secret":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if request.path_params["number"] != FJORD_ORDER["number"]:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"order": FJORD_ORDER})

    async def tracking(request: Request) -> Response:
        delivery = FJORD_ORDER["deliveries"][0]  # type: ignore[index]
        if request.path_params["number"] != delivery["tracking"]["number"]:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"delivery": delivery, "order": FJORD_ORDER["number"]})

    async def search(request: Request) -> Response:
        q = request.query_params.get("q", "").lower()
        hits = [FJORD_PRODUCT] if "strik" in q or "knit" in q or "kjole" in q else []
        return JSONResponse({"results": hits, "locale": request.query_params.get("locale")})

    async def item(request: Request) -> Response:
        if request.path_params["sku"] != FJORD_PRODUCT["id"]:
            return JSONResponse({}, status_code=404)
        return JSONResponse({"item": FJORD_PRODUCT})

    return Starlette(
        routes=[
            Route("/api/v1/orders/{number}", _guarded(switches, order)),
            Route("/api/v1/tracking/{number}", _guarded(switches, tracking)),
            Route("/api/v1/catalog/search", _guarded(switches, search)),
            Route("/api/v1/catalog/items/{sku}", _guarded(switches, item)),
        ]
    )


def kaamos_app(switches: Switches) -> Starlette:
    async def lookup(request: Request) -> Response:
        params = request.query_params
        if params.get("order_id") != KAAMOS_ORDER["orderId"] or params.get("mail") != (
            "liisa.virtanen@example.fi"
        ):
            return JSONResponse({"data": None}, status_code=404)
        return JSONResponse({"data": KAAMOS_ORDER})

    async def parcel(request: Request) -> Response:
        if request.path_params["code"] != KAAMOS_PARCEL["code"]:
            return JSONResponse({"data": None}, status_code=404)
        return JSONResponse({"data": KAAMOS_PARCEL})

    async def search(request: Request) -> Response:
        body = await request.json()
        found = [KAAMOS_PRODUCT] if "sukat" in body.get("search", "") else []
        return JSONResponse({"data": {"products": found, "lng": body.get("lng")}})

    return Starlette(
        routes=[
            Route("/v2/lookup", _guarded(switches, lookup)),
            Route("/v2/parcel/{code}", _guarded(switches, parcel)),
            Route("/v2/products/search", _guarded(switches, search), methods=["POST"]),
        ]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
