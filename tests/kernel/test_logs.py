"""Logs carry ids and timings, never what a customer wrote."""

from __future__ import annotations

import io
import json

import httpx

from samtale.kernel.logs import configure_logging, get_logger
from samtale.web.app import create_app
from tests.conftest import new_tenant, start_conversation


def test_processor_removes_text_fields_and_exception_messages() -> None:
    stream = io.StringIO()
    configure_logging("debug", stream)
    log = get_logger("t")
    log.info("turn", text="anna@example.com", conversation_id="c1", email="x@y.dk")
    try:
        raise ValueError("input_value='anna@example.com'")
    except ValueError:
        log.exception("failed")
    import logging

    logging.getLogger("other.lib").warning("plain stdlib record")
    out = stream.getvalue()
    assert "anna@example.com" not in out and "x@y.dk" not in out
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["conversation_id"] == "c1" and lines[0]["text"] == "[removed]"
    assert lines[1]["exception"]["type"] == "builtins.ValueError"
    assert lines[2]["event"] == "plain stdlib record"


def test_a_workers_lines_name_the_worker() -> None:
    import logging

    stream = io.StringIO()
    configure_logging("info", stream, fields={"pid": 4242, "worker": 1})
    get_logger("t").info("bots_ready", tenants=3)
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["event"], line["pid"], line["worker"]) for line in lines] == [
        ("bots_ready", 4242, 1),
        ("Application startup complete.", 4242, 1),
    ]
    stream = io.StringIO()
    configure_logging("info", stream)  # one process: no such fields
    get_logger("t").info("again")
    assert "worker" not in json.loads(stream.getvalue())


def test_uvicorns_lines_never_show_a_token_or_the_websocket_client() -> None:
    import logging

    stream = io.StringIO()
    configure_logging("debug", stream)
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.info(
        '%s - "WebSocket %s" [accepted]',
        "203.0.113.7:5123",
        "/api/v1/conversations/c/ws?token=s3cr3t",
    )
    uvicorn_log.warning("Invalid HTTP request: %s", "/widget.js?token=s3cr3t&x=1")
    uvicorn_log.info("Application startup complete.")
    out = stream.getvalue()
    assert "s3cr3t" not in out and "203.0.113.7" not in out
    events = [json.loads(line)["event"] for line in out.splitlines()]
    assert events == ["Invalid HTTP request: /widget.js", "Application startup complete."]


async def test_a_conversation_leaves_no_text_in_the_logs(make_runtime, database_url: str) -> None:
    stream = io.StringIO()
    configure_logging("debug", stream)
    rt = await make_runtime(database_url)
    tenant = await new_tenant(rt.db, rt.clock)
    secret = "mit nummer er 20 30 40 50 og mail anna.hansen@example.com"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as c:
        conv = await start_conversation(c, tenant.widget_key)
        url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        await c.post(url, json={"text": secret}, headers=conv["headers"])
        await c.post(url, json={"text": "boom"}, headers=conv["headers"])  # the responder raises
        await c.post(url, json={"text": secret, "bogus": 1}, headers=conv["headers"])
    out = stream.getvalue()
    assert "request" in out and "responder_failed" in out
    for needle in ("anna.hansen@example.com", "20 30 40 50", conv["token"]):
        assert needle not in out
