"""Operations: readiness and metrics."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from samtale.web.deps import ContainerDep, bearer_token
from samtale.web.errors import ApiError, not_found

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Ready to answer customers?")
async def healthz(runtime: ContainerDep) -> JSONResponse:
    """200 only when the database answers and every tenant's bot is loaded; 503 before."""
    checks = await runtime.ready()
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "starting", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(
    runtime: ContainerDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Only with `SAMTALE_METRICS_TOKEN` set, and only for `Authorization: Bearer <token>`;
    without a token configured the path does not exist (404), so a public port shows nothing."""
    token = runtime.settings.metrics_token
    if not token:
        raise not_found("resource")
    given = bearer_token(authorization) or ""
    if not secrets.compare_digest(given.encode(), token.encode()):
        raise ApiError(
            401,
            "unauthorized",
            "The metrics need the bearer token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
