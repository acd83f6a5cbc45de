"""Who may call what: every route of the application, read from the router itself, against every
role (anonymous, a visitor's token, agent, admin, operator) and against the caller's own shop and
another shop.

Routes are put in classes by rules, so a route added later is checked without being listed:

* by its role dependency, found in the route's dependency tree: `api_roles(...)` /
  `page_roles(...)` (the roles are read from the dependency itself) and the named dependencies
  in `ROLE_DEPENDENCIES` (the console's `agent_staff`, the admin pages' `AdminStaff`,
  `OperatorStaff`, `AdminOrOperator`, the privacy API's role checks, …);
* a visitor's conversation token (`visitor_conversation`) makes a visitor route;
* by path: `/account/…` (the e-mailed links: the link is the proof) and
  `/api/v1/widget/{widget_key}/…` (public by the widget key, like the script tag) are public;
* an explicit table only for the exceptions: the public pages and files, the console page
  (whose role check is in its body) and the websockets (which authenticate inside).

A route that fits no class fails the test, as does a route under `/admin` or `/api/v1/admin`
without a role dependency.

What is checked, per class: a refused caller gets the refusal (a page sends anonymous callers to
the log-in form, an API answers 401; a wrong role gets 403), and an allowed caller gets past the
checks (anything but a refusal or a server error). A shop's staff calling with another shop's
conversation, hand-off, offline message, person or publish job gets 404 (or 403). A path
parameter this test has no object for (a later feature's) gets a made-up id: its roles are still
checked, and "not found" counts as getting past them. Allowed calls of state-changing routes are
made so that they stop before changing anything: forms without their CSRF token (refused with
`csrf_failed` only after the role check), JSON with a body that does not validate (422); a
state-changing route without a body is checked for its refusals only.
"""

from __future__ import annotations

import inspect
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Route
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.bot.drafts import Drafts
from samtale.model import BotPublishJob, Tenant
from samtale.web import deps
from samtale.web.admin import home as admin
from samtale.web.admin import privacy as admin_privacy
from samtale.web.admin.bot import api as admin_bot_api
from samtale.web.console import api as console_api
from samtale.web.staff import session as staff
from tests.admin.conftest import AdminEnv
from tests.admin.small_bot import SMALL_BOT
from tests.insights.test_purge import sample as sample_item

STAFF = ("agent", "admin", "operator")
CALLERS = ("anonymous", "visitor", *STAFF)

# Named role dependencies → the staff roles they let through.
ROLE_DEPENDENCIES: dict[Callable[..., Any], frozenset[str]] = {
    staff.page_staff: frozenset(STAFF),
    staff.api_staff: frozenset(STAFF),
    console_api.agent_staff: frozenset({"agent", "admin"}),
    admin_privacy._agent_or_admin: frozenset({"agent", "admin", "operator"}),
    admin_privacy._admin: frozenset({"admin", "operator"}),
    admin._shop_admin: frozenset({"admin"}),
    admin._operator: frozenset({"operator"}),
    admin._admin_or_operator: frozenset({"admin", "operator"}),
    admin_bot_api._shop_admin: frozenset({"admin"}),
}

# The exceptions, by (method, path).
PUBLIC = {
    ("GET", "/"),
    ("GET", "/privatliv"),
    ("GET", "/help/{language}/{topic}"),  # the demo shop's help pages
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/widget.js"),
    ("GET", "/static/{name}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/ui-language/{code}"),
    ("GET", "/api/v1/print/{ticket}"),  # the ticket is the credential: signed, one use, a minute
}
EXPLICIT_ROLES = {("GET", "/console"): frozenset({"agent", "admin"})}
WEBSOCKETS = {
    "/api/v1/conversations/{conversation_id}/ws": "visitor",
    "/api/v1/agent/ws": "console",
}

# Path parameters that name one shop's object: called by another shop's staff, they must not
# be found.
TENANT_OBJECTS = {
    "conversation_id",
    "handoff_id",
    "offline_id",
    "user_id",
    "job_id",
    "item_id",
    "source_id",
    "page_id",
}


@dataclass(frozen=True)
class Access:
    kind: str  # public, visitor, staff
    roles: frozenset[str]  # staff roles let through (for staff routes)
    page: bool


def dependency_calls(route: APIRoute) -> list[Callable[..., Any]]:
    calls, stack = [], [route.dependant]
    while stack:
        dependant = stack.pop()
        for sub in dependant.dependencies:
            if sub.call is not None:
                calls.append(sub.call)
            stack.append(sub)
    return calls


def role_check_roles(call: Callable[..., Any]) -> frozenset[str] | None:
    """The roles of a `page_roles(...)` / `api_roles(...)` dependency."""
    if getattr(call, "__qualname__", "") != "_role_check.<locals>.check":
        return None
    return frozenset(inspect.getclosurevars(call).nonlocals["roles"])


def classify(method: str, route: Any) -> Access:
    path = route.path
    page = not path.startswith("/api/")
    if (method, path) in PUBLIC or path.startswith("/account/") or path == "/account/reset":
        return Access("public", frozenset(STAFF), page)
    if path.startswith("/api/v1/widget/{widget_key}/"):
        return Access("public", frozenset(STAFF), page)
    assert isinstance(route, APIRoute), f"{method} {path} fits no access class"
    calls = dependency_calls(route)
    if deps.visitor_conversation in calls:
        return Access("visitor", frozenset(), page)
    if (method, path) in EXPLICIT_ROLES:
        return Access("staff", EXPLICIT_ROLES[(method, path)], page)
    logged_in = any(call in (staff.page_staff, staff.api_staff) for call in calls)
    narrow: list[frozenset[str]] = []
    for call in calls:
        roles = role_check_roles(call)
        if roles is None and call not in (staff.page_staff, staff.api_staff):
            roles = ROLE_DEPENDENCIES.get(call)
        if roles is not None:
            narrow.append(roles)
    if narrow:
        return Access("staff", frozenset.intersection(*narrow), page)
    if logged_in and not path.startswith(("/admin", "/api/v1/admin")):
        return Access("staff", frozenset(STAFF), page)
    raise AssertionError(
        f"{method} {path} fits no access class: give it a role dependency, or add it to the "
        "exceptions of tests/admin/test_access_matrix.py"
    )


@dataclass
class Shop:
    tenant: Tenant
    conversation_id: str
    token: str
    handoff_id: str
    offline_id: str
    user_id: str
    job_id: str
    item_id: str


async def prepare_shop(env: AdminEnv, tenant: Tenant, prefix: str) -> Shop:
    """A shop with a draft (with a flow), a publish job, a conversation queued for a person, an
    offline message and a question in the review inbox."""
    rt = env.runtime
    content = {
        **SMALL_BOT,
        "flows": [
            {
                "name": "ask_email",
                "action": "track_order",
                "slots": [
                    {
                        "name": "email",
                        "prompt": {"da": "E-mail?", "en": "E-mail?"},
                        "reprompt": {"da": "E-mail igen?", "en": "E-mail again?"},
                        "validator": {"type": "email"},
                    }
                ],
            }
        ],
    }
    from samtale.bot.content import Content

    async with rt.db.transaction() as session:
        row = await Drafts(session, tenant, rt.clock).save_draft(Content.model_validate(content))
        job = BotPublishJob(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            version_id=row.id,
            status="failed",
            stage="training",
            done=0,
            total=0,
            error="training_failed",
            evaluation=None,
            created_at=rt.clock.now(),
            updated_at=rt.clock.now(),
            finished_at=rt.clock.now(),
        )
        session.add(job)
    agent = await env.login(f"{prefix}agent")
    r = await agent.post("/api/v1/agent/presence", json={"status": "online"})
    assert r.status_code in (200, 204), r.text
    visitor = env.anonymous()
    origin = {"origin": "https://shop.example"}
    started = await visitor.post(
        f"/api/v1/widget/{tenant.widget_key}/conversations", json={}, headers=origin
    )
    assert started.status_code == 201, started.text
    conv = started.json()
    auth = {"authorization": f"Bearer {conv['token']}"}
    r = await visitor.post(
        f"/api/v1/conversations/{conv['conversation_id']}/handoff",
        json={"answers": {"email": "kunde@example.org"}},
        headers=auth,
    )
    assert r.status_code in (200, 201), r.text
    queue = (await agent.get("/api/v1/agent/queue")).json()
    handoff_id = next(
        item["handoff_id"] if "handoff_id" in item else item["id"]
        for item in queue.get("queue", queue.get("items", []))
    )
    offline = await visitor.post(
        f"/api/v1/widget/{tenant.widget_key}/offline-messages",
        json={"email": "kunde@example.org", "text": "Ring mig"},
        headers=origin,
    )
    assert offline.status_code in (200, 201), offline.text
    item = sample_item(tenant.id, uuid.UUID(conv["conversation_id"]), rt.clock, days=90)
    async with rt.db.transaction() as session:
        session.add(item)
    return Shop(
        tenant,
        conv["conversation_id"],
        conv["token"],
        str(handoff_id),
        offline.json()["id"],
        str(env.users[f"{prefix}agent"].id),
        str(job.id),
        str(item.id),
    )


def fill(path: str, shop: Shop, env: AdminEnv) -> str:
    values = {
        "conversation_id": shop.conversation_id,
        "handoff_id": shop.handoff_id,
        "offline_id": shop.offline_id,
        "user_id": shop.user_id,
        "job_id": shop.job_id,
        "item_id": shop.item_id,
        "widget_key": shop.tenant.widget_key,
        "slug": shop.tenant.slug,
        "name": "admin.css" if path.startswith("/static/") else "gift_cards",
        "version": "1",
        "fmt": "csv",
        "code": "en",
        "token": "not-a-real-token",
    }
    if "/flows/" in path:
        values["name"] = "ask_email"

    def value(m: re.Match[str]) -> str:
        # A parameter this test has no object for (a later feature's) gets a made-up id: the
        # roles are still checked; "not found" then counts as getting past them.
        return values.get(m.group(1), str(uuid.UUID(int=1)))

    return re.sub(r"\{(\w+)\}", value, path)


def sample(annotation: Any, name: str = "") -> Any:
    """A value that validates for `annotation` (for another shop's calls, which must be refused
    by the shop check, not by the body's validation)."""
    import types
    import typing

    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return sample(args[0], name)
    if origin is typing.Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), name)
    if origin is list:
        return []
    if origin is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {
            key: sample(f.annotation, key)
            for key, f in annotation.model_fields.items()
            if f.is_required()
        }
    if annotation is bool:
        return True
    if annotation in (int, float):
        return 1
    if annotation is uuid.UUID:
        return str(uuid.uuid4())
    if "email" in name:
        return "x@example.org"
    return "sample" if name == "name" else "x"


def sample_body(route: Any) -> str:
    params = route.dependant.body_params
    if len(params) == 1:
        return json.dumps(sample(params[0].field_info.annotation))
    return json.dumps({p.name: sample(p.field_info.annotation, p.name) for p in params})


KNOWN_PARAMS = TENANT_OBJECTS | {"widget_key", "slug", "name", "version", "fmt", "code", "token"}


def unknown_params(path: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", path)) - KNOWN_PARAMS


def refused(
    response: httpx.Response, page: bool, anonymous: bool, visitor_route: bool = False
) -> bool:
    if visitor_route and response.status_code in (401, 404):
        return True  # a missing, wrong or foreign token: not found
    if anonymous:
        if page:
            return response.status_code == 303 and response.headers.get("location", "").startswith(
                "/login"
            )
        return response.status_code == 401
    if response.status_code == 403:
        return _code(response) != "csrf_failed"
    return response.status_code in (401, 404)


def _code(response: httpx.Response) -> str | None:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    route: APIRoute,
    *,
    csrf: str | None,
    allowed: bool,
    headers: dict[str, str] | None = None,
    valid_body: bool = False,
) -> httpx.Response | None:
    """One request. Callers that should be refused get a CSRF token, so that the role check is
    what refuses them; allowed callers get a request that stops before changing anything."""
    headers = dict(headers or {})
    unsafe = method not in ("GET", "HEAD")
    is_api = url.startswith("/api/")
    if unsafe and allowed:
        if is_api:
            if not getattr(route, "dependant", None) or not route.dependant.body_params:
                return None  # would change state; its refusals are checked
            headers["content-type"] = "application/json"
            return await client.request(
                method, url, content="[]", headers={**headers, "x-csrf-token": csrf or ""}
            )
        return await client.request(method, url, data={}, headers=headers)  # no CSRF field
    if unsafe:
        if is_api:
            if csrf:
                headers["x-csrf-token"] = csrf
            headers["content-type"] = "application/json"
            body = "{}"
            if valid_body and getattr(route, "dependant", None) and route.dependant.body_params:
                body = sample_body(route)
            return await client.request(method, url, content=body, headers=headers)
        return await client.request(method, url, data={"csrf": csrf or ""}, headers=headers)
    return await client.request(method, url, headers=headers)


@pytest.fixture
async def matrix_env(admin_env: AdminEnv) -> tuple[AdminEnv, Shop, Shop]:
    from samtale.demo.mailbox import MailCatcher
    from tests.admin.test_team import Outbox

    # With a mail server, answering an offline message gets as far as finding the message.
    admin_env.runtime.live.mailer = Outbox()
    # As in the demo: its caught e-mails have a page (the catcher need not run to list none).
    admin_env.runtime.mail_catcher = MailCatcher()
    own = await prepare_shop(admin_env, admin_env.shop, "")
    other = await prepare_shop(admin_env, admin_env.other, "other-")
    return admin_env, own, other


def routes(app: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for route in app.routes:
        if isinstance(route, APIWebSocketRoute):
            out.append(("WS", route))
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                out.append((method, route))
        elif isinstance(route, Route) and route.methods:
            # Plain Starlette routes (the API docs): public only by the explicit table.
            for method in sorted(route.methods - {"HEAD"}):
                assert (method, route.path) in PUBLIC, f"{method} {route.path} fits no class"
                out.append((method, route))
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return out


def test_every_route_fits_a_class(tmp_path: Any) -> None:
    from samtale.app.container import Container
    from samtale.conversations.responder import StaticRegistry
    from samtale.web.app import create_app
    from tests.conftest import make_settings

    rt = Container.build(
        make_settings(f"sqlite+aiosqlite:///{tmp_path}/routes.db", tmp_path),
        responders=StaticRegistry(),
    )
    app = create_app(rt, manage_runtime=False)
    for method, route in routes(app):
        if method == "WS":
            assert route.path in WEBSOCKETS, f"websocket {route.path} is not in the matrix"
        else:
            classify(method, route)


async def test_access_matrix(matrix_env: tuple[AdminEnv, Shop, Shop], serve: Any) -> None:
    env, own, other = matrix_env
    clients: dict[str, httpx.AsyncClient] = {
        "anonymous": env.anonymous(),
        "visitor": env.anonymous(),
        "agent": await env.login("agent"),
        "admin": await env.login("admin"),
        "operator": await env.login("operator"),
    }
    problems: list[str] = []
    checked = 0
    for method, route in routes(env.app):
        if method == "WS":
            continue
        access = classify(method, route)
        for caller in CALLERS:
            client = clients[caller]
            csrf = client.headers.get("x-csrf-token")
            headers = {}
            if caller == "visitor":
                headers["authorization"] = f"Bearer {own.token}"
            if access.kind == "public":
                allowed = True
            elif access.kind == "visitor":
                allowed = caller == "visitor"
            else:
                allowed = caller in access.roles
            anonymous = caller in ("anonymous", "visitor") and access.kind == "staff"
            if access.kind == "visitor" and caller != "visitor":
                anonymous = True
            url = fill(route.path, own, env)
            response = await call(
                client, method, url, route, csrf=csrf, allowed=allowed, headers=headers
            )
            if response is not None:
                checked += 1
                if response.status_code >= 500:
                    problems.append(f"{caller} {method} {url}: {response.status_code}")
                elif access.kind == "public":
                    if response.status_code in (401, 403) and _code(response) != "csrf_failed":
                        problems.append(f"{caller} {method} {url}: {response.status_code}")
                elif (
                    allowed
                    and refused(response, access.page, False)
                    and not (response.status_code == 404 and unknown_params(route.path))
                ):
                    problems.append(
                        f"{caller} {method} {url}: refused ({response.status_code}) but allowed"
                    )
                elif not allowed and not refused(
                    response, access.page, anonymous, access.kind == "visitor"
                ):
                    problems.append(
                        f"{caller} {method} {url}: {response.status_code}, expected a refusal"
                    )
            # Another shop's objects, for the roles that may call the route.
            params = set(re.findall(r"\{(\w+)\}", route.path))
            if allowed and params & TENANT_OBJECTS and caller in ("visitor", "agent", "admin"):
                foreign = fill(route.path, other, env)
                response = await call(
                    client,
                    method,
                    foreign,
                    route,
                    csrf=csrf,
                    allowed=False,
                    headers=headers,
                    valid_body=True,
                )
                if response is not None:
                    checked += 1
                    # A form post may answer like the page does for a vanished object: back
                    # to the page with "not found" (and nothing changed).
                    back = response.status_code == 303 and "error=not_found" in (
                        response.headers.get("location", "")
                    )
                    if response.status_code not in (403, 404) and not back:
                        problems.append(
                            f"{caller} {method} {foreign} (another shop's): "
                            f"{response.status_code}, expected 404"
                        )
    assert not problems, "\n".join(problems)
    assert checked > 300

    # The websockets, on a served instance of the same runtime.
    server = await serve(env.runtime)
    ws_url = server.ws_url
    origin = server.url

    async def visitor_socket(conversation_id: str, token: str | None) -> str:
        try:
            async with connect(f"{ws_url}/api/v1/conversations/{conversation_id}/ws") as ws:
                if token is not None:
                    await ws.send(json.dumps({"type": "auth", "token": token}))
                else:
                    await ws.send(json.dumps({"type": "hello"}))
                frame = json.loads(await ws.recv())
                return str(frame.get("type"))
        except ConnectionClosed as exc:
            return f"closed {exc.rcvd.code if exc.rcvd else ''}"

    assert await visitor_socket(own.conversation_id, own.token) == "ready"
    assert await visitor_socket(own.conversation_id, None) == "error"
    assert await visitor_socket(other.conversation_id, own.token) == "error"

    async def agent_socket(caller: str) -> str:
        client = clients[caller]
        session = client.cookies.get(staff.SESSION_COOKIE)
        headers = {"origin": origin}
        if session:
            headers["cookie"] = f"{staff.SESSION_COOKIE}={session}"
        try:
            async with connect(f"{ws_url}/api/v1/agent/ws", additional_headers=headers) as ws:
                frame = json.loads(await ws.recv())
                return "error" if frame.get("type") == "error" else "accepted"
        except ConnectionClosed:
            return "error"

    assert await agent_socket("agent") == "accepted"
    assert await agent_socket("admin") == "accepted"
    for caller in ("anonymous", "visitor", "operator"):
        assert await agent_socket(caller) == "error", caller
