"""Shop-supplied regular expressions: refused with a field message when saved (never a 500),
run in RE2 when used (a catastrophic pattern cannot stall the instance)."""

from __future__ import annotations

import time

import pytest

from samtale.admin.settings import save_formats
from samtale.bot.entities import find_pattern
from samtale.kernel.errors import Invalid
from samtale.kernel.patterns import PatternError, compile_pattern, pattern_problem, usable
from samtale.tenants.formats import format_problems
from tests.admin.conftest import AdminEnv, csrf_of

CATASTROPHIC = "^(a+)+$"


def test_invalid_pattern_is_a_clear_problem() -> None:
    assert pattern_problem("(") == "not a valid regular expression (missing ))"
    assert pattern_problem(r"\d{4,10}") is None
    assert pattern_problem(r"(\w)\1") is not None  # back-references cannot run in linear time
    with pytest.raises(PatternError):
        compile_pattern("[")
    assert usable([r"\d+", "(", 5]) == (r"\d+",)


def test_catastrophic_pattern_runs_in_linear_time() -> None:
    pattern = compile_pattern(CATASTROPHIC)
    started = time.perf_counter()
    for n in (27, 1000, 100_000):
        assert pattern.search("a" * n + "!") is None
    assert time.perf_counter() - started < 0.5
    started = time.perf_counter()
    assert find_pattern("a" * 5000 + "!", [CATASTROPHIC, "(", r"\b\d{5}\b"]) == []
    assert find_pattern("ordre 12345", [CATASTROPHIC, "(", r"\b\d{5}\b"]) == ["12345"]
    assert time.perf_counter() - started < 0.5


def test_tenant_formats_are_checked_per_field() -> None:
    problems = format_problems({"order_number_patterns": [r"\d{5}", "("]})
    assert problems == [
        {
            "field": "order_number_patterns.1",
            "code": "invalid_pattern",
            "message": "not a valid regular expression (missing ))",
        }
    ]
    assert format_problems({"tracking_number_patterns": [CATASTROPHIC]}) == []


async def test_save_formats_refuses_an_invalid_pattern(admin_env: AdminEnv) -> None:
    async with admin_env.runtime.db.transaction() as session:
        with pytest.raises(Invalid) as caught:
            await save_formats(session, admin_env.shop.id, tracking_number_patterns=["(x"])
        assert caught.value.fields and caught.value.fields[0]["field"] == (
            "tracking_number_patterns.0"
        )
        tenant = await save_formats(session, admin_env.shop.id, order_number_patterns=[r"\d{6}"])
        assert tenant.settings["order_number_patterns"] == [r"\d{6}"]


FLOW = {
    "name": "ask_code",
    "action": "track_order",
    "max_reprompts": "2",
    "slots.count": "1",
    "slots.0.name": "code",
    "slots.0.type": "regex",
    "slots.0.prompt.da": "Koden?",
    "slots.0.reprompt.da": "Igen?",
    "slots.0.prompt.en": "The code?",
    "slots.0.reprompt.en": "Again?",
}


async def test_flow_form_with_an_invalid_regex_is_a_422(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    data = {**FLOW, "csrf": csrf_of(client), "slots.0.pattern": "("}
    r = await client.post("/admin/bot/flows/new", data=data, headers={"accept-language": "en"})
    assert r.status_code == 422
    assert 'id="f-slots-0-pattern-error"' in r.text and "missing )" in r.text


async def test_draft_api_with_an_invalid_regex_is_a_422(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    content = (await client.get("/api/v1/admin/bot/draft")).json()["content"]
    content["flows"] = [
        *content.get("flows", []),
        {
            "name": "ask_code",
            "action": "track_order",
            "slots": [
                {
                    "name": "code",
                    "prompt": {"da": "Koden?", "en": "The code?"},
                    "reprompt": {"da": "Igen?", "en": "Again?"},
                    "validator": {"type": "regex", "pattern": "("},
                }
            ],
        },
    ]
    r = await client.put("/api/v1/admin/bot/draft", json=content)
    assert r.status_code == 422, r.text
    fields = r.json()["error"]["fields"]
    assert any(
        f["field"].endswith("validator.pattern") and "missing )" in f["message"] for f in fields
    )
    content["flows"][-1]["slots"][0]["validator"]["pattern"] = CATASTROPHIC
    r = await client.put("/api/v1/admin/bot/draft", json=content)
    assert r.status_code == 200, r.text
