"""Stand-ins for the carriers' tracking APIs, following their public references: PostNord's
track and trace (`findByIdentifier.json`, `apikey` parameter), Bring's tracking API v2 (Mybring
headers) and DHL's Shipment Tracking - Unified (`DHL-API-Key` header).

Each checks its credentials the way the real one does (PostNord: 403 for a wrong `apikey`;
Bring: 401 without the Mybring headers; DHL: 401 problem document), rejects parameters it does
not know, and answers "not found" in its own way (PostNord: an empty `shipments`; Bring: a
consignment with an `error`; DHL: a 404 problem document). `CarrierSwitches` make it slow,
rate-limited or malformed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

POSTNORD_KEY = "pn-key-123"
BRING_UID = "ops@shop.example"
BRING_KEY = "bring-key-456"
DHL_KEY = "dhl-key-789"

POSTNORD_NUMBER = "RB123456785DK"
BRING_NUMBER = "370701234567890125"
DHL_NUMBER = "340401234567890121"


@dataclass
class CarrierSwitches:
    delay: float = 0.0
    rate_limited: bool = False
    malformed: bool = False
    hits: int = 0


async def _switched(switches: CarrierSwitches) -> Response | None:
    switches.hits += 1
    if switches.delay:
        await asyncio.sleep(switches.delay)
    if switches.rate_limited:
        return JSONResponse({"message": "Too many requests"}, status_code=429)
    if switches.malformed:
        return PlainTextResponse('{"shipments": [', media_type="application/json")
    return None


def _unknown(request: Request, allowed: set[str]) -> Response | None:
    extra = set(request.query_params) - allowed
    if extra:
        return JSONResponse({"message": f"Unknown parameter {sorted(extra)[0]}"}, 400)
    return None


def postnord_app(switches: CarrierSwitches) -> Starlette:
    async def find(request: Request) -> Response:
        if (bad := _unknown(request, {"apikey", "id", "locale"})) is not None:
            return bad
        if request.query_params.get("apikey") != POSTNORD_KEY:
            return JSONResponse({"message": "Forbidden: invalid apikey"}, status_code=403)
        if (switched := await _switched(switches)) is not None:
            return switched
        number = request.query_params.get("id", "")
        locale = request.query_params.get("locale", "en")
        shipments = []
        if number == POSTNORD_NUMBER:
            words = {"da": "Forsendelsen er ude til levering", "en": "Out for delivery"}
            shipments.append(
                {
                    "shipmentId": number,
                    "status": "EN_ROUTE",
                    "statusText": {"header": "På vej", "body": "…"},
                    "estimatedTimeOfArrival": "2026-01-06T16:00:00",
                    "items": [
                        {
                            "itemId": number,
                            "status": "EN_ROUTE",
                            "events": [
                                {
                                    "eventTime": "2026-01-05T06:40:00",
                                    "eventCode": "71",
                                    "status": "EN_ROUTE",
                                    "eventDescription": words.get(locale, words["en"]),
                                    "location": {"displayName": "Brøndby", "countryCode": "DK"},
                                },
                                {
                                    "eventTime": "2026-01-04T18:02:00",
                                    "eventCode": "10",
                                    "status": "INFORMED",
                                    "eventDescription": "Electronic notification received",
                                    "location": {"displayName": "Kolding"},
                                },
                            ],
                        }
                    ],
                }
            )
        return JSONResponse({"TrackingInformationResponse": {"shipments": shipments}})

    return Starlette(routes=[Route("/rest/shipment/v5/trackandtrace/findByIdentifier.json", find)])


def bring_app(switches: CarrierSwitches) -> Starlette:
    async def tracking(request: Request) -> Response:
        if (bad := _unknown(request, {"q", "lang"})) is not None:
            return bad
        headers = request.headers
        if (
            headers.get("x-mybring-api-uid") != BRING_UID
            or headers.get("x-mybring-api-key") != BRING_KEY
            or not headers.get("x-bring-client-url")
        ):
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        if (switched := await _switched(switches)) is not None:
            return switched
        number = request.query_params.get("q", "")
        if number != BRING_NUMBER:
            return JSONResponse(
                {"consignmentSet": [{"error": {"code": 404, "message": "Not found"}}]}
            )
        return JSONResponse(
            {
                "consignmentSet": [
                    {
                        "consignmentId": "70701234567890",
                        "packageSet": [
                            {
                                "packageNumber": number,
                                "dateOfEstimatedDelivery": "2026-01-06T00:00:00+01:00",
                                "eventSet": [
                                    {
                                        "description": "Sendingen er klar til henting",
                                        "status": "READY_FOR_PICKUP",
                                        "dateIso": "2026-01-05T09:12:00+01:00",
                                        "city": "OSLO",
                                        "countryCode": "NO",
                                    },
                                    {
                                        "description": "Sendingen er levert inn",
                                        "status": "HANDED_IN",
                                        "dateIso": "2026-01-03T15:00:00+01:00",
                                        "city": "BERGEN",
                                        "countryCode": "NO",
                                    },
                                ],
                            }
                        ],
                    }
                ]
            }
        )

    return Starlette(routes=[Route("/tracking/api/v2/tracking.json", tracking)])


def dhl_app(switches: CarrierSwitches) -> Starlette:
    async def shipments(request: Request) -> Response:
        if (bad := _unknown(request, {"trackingNumber", "language", "service"})) is not None:
            return bad
        if request.headers.get("dhl-api-key") != DHL_KEY:
            return JSONResponse(
                {"status": 401, "title": "Unauthorized", "detail": "Invalid API key"}, 401
            )
        if (switched := await _switched(switches)) is not None:
            return switched
        number = request.query_params.get("trackingNumber", "")
        if number != DHL_NUMBER:
            return JSONResponse(
                {"status": 404, "title": "No result found", "detail": "No shipment found"}, 404
            )
        delivered = {
            "timestamp": "2026-01-02T11:05:00+01:00",
            "location": {"address": {"addressLocality": "Hamburg"}},
            "statusCode": "delivered",
            "status": "DELIVERED",
            "description": "The shipment has been successfully delivered",
        }
        return JSONResponse(
            {
                "shipments": [
                    {
                        "id": number,
                        "service": "parcel-de",
                        "status": delivered,
                        "events": [
                            delivered,
                            {
                                "timestamp": "2026-01-01T08:00:00+01:00",
                                "location": {"address": {"addressLocality": "Hamburg"}},
                                "statusCode": "transit",
                                "status": "TRANSIT",
                                "description": "The shipment is on its way",
                            },
                        ],
                    }
                ]
            }
        )

    return Starlette(routes=[Route("/track/shipments", shipments)])
