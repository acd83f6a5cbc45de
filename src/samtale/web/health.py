"""Operations: readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from samtale.web.deps import ContainerDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Ready to answer customers?")
async def healthz(runtime: ContainerDep) -> JSONResponse:
    """200 only when the database answers and every tenant's bot is loaded; 503 before."""
    checks = await runtime.ready()
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "starting", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(runtime: ContainerDep) -> Response:
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
