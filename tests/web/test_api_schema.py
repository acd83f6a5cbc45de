"""A bounded schemathesis run over the visitor API: no 5xx, every response matches the schema.

The server runs on loopback in its own thread and event loop (schemathesis calls are blocking).
Cases that address a conversation use a real conversation and its token half the time, so the
fuzzed bodies reach the real handlers, not only the 404 path.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from samtale.app.container import Container
from samtale.conversations.responder import StaticRegistry
from samtale.kernel.clock import SystemClock
from samtale.web.app import create_app
from tests.conftest import EchoResponder, free_port, make_settings, new_tenant


class ThreadedServer:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ready = threading.Event()
        self.info: dict[str, Any] = {}
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.server: uvicorn.Server | None = None

    async def _main(self) -> None:
        rt = Container.build(
            make_settings(f"sqlite+aiosqlite:///{self.data_dir / 'fuzz.db'}", self.data_dir),
            responders=StaticRegistry(EchoResponder()),
        )
        await rt.start(migrate=True)
        tenant = await new_tenant(rt.db, SystemClock())
        conv, token = await rt.conversations.start(tenant.id, "da")
        self.info = {
            "widget_key": tenant.widget_key,
            "conversation_id": str(conv.id),
            "token": token,
        }
        self.server = uvicorn.Server(
            uvicorn.Config(
                create_app(rt, manage_runtime=False),
                host="127.0.0.1",
                port=self.port,
                log_config=None,
                lifespan="off",
            )
        )
        serve = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.01)
        self.ready.set()
        await serve
        await rt.close()

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        assert self.ready.wait(30), "server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server:
            self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    with ThreadedServer(tmp_path_factory.mktemp("fuzz")) as server:
        yield server


def _call(case: Any, server: ThreadedServer, rng: random.Random) -> None:
    info = server.info
    headers: dict[str, str] = {}
    if "conversation_id" in (case.path_parameters or {}) and rng.random() < 0.5:
        case.path_parameters["conversation_id"] = info["conversation_id"]
        headers["authorization"] = f"Bearer {info['token']}"
    if "widget_key" in (case.path_parameters or {}) and rng.random() < 0.5:
        case.path_parameters["widget_key"] = info["widget_key"]
    case.call_and_validate(
        base_url=server.url,
        headers=headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_visitor_api_conforms_to_its_schema(fuzz_server: ThreadedServer) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    api = [op for op in operations if op.path.startswith("/api/")]
    # Deleting the conversation ends every later case addressed to it: deletions go last.
    api.sort(key=lambda op: op.method.upper() == "DELETE")
    assert len(api) >= 4
    rng = random.Random(7)
    for operation in api:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def run(case: Any) -> None:
            _call(case, fuzz_server, rng)

        run()
