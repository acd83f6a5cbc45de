"""The `/admin` shell: who gets in, the navigation, and how another feature adds a page."""

from __future__ import annotations

from samtale.web.admin.home import GROUPS, NAV, nav_for
from tests.admin.conftest import AdminEnv


async def test_anonymous_is_sent_to_the_login_form(admin_env: AdminEnv) -> None:
    r = await admin_env.anonymous().get("/admin")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fadmin"


async def test_agent_is_refused(admin_env: AdminEnv) -> None:
    r = await (await admin_env.login("agent")).get("/admin")
    assert r.status_code == 403


async def test_admin_sees_the_shell_in_both_languages(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.get("/admin", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert 'aria-label="Administration"' in r.text and admin_env.shop.name in r.text
    assert 'data-nav="dashboard"' in r.text and "Review inbox" in r.text
    assert "<script src=" in r.text and "<script>" not in r.text
    r = await client.get("/admin", headers={"accept-language": "da"})
    assert "Oversigt" in r.text and "Gennemsyn" in r.text


async def test_operator_lands_on_the_tenants(admin_env: AdminEnv) -> None:
    r = await (await admin_env.login("operator")).get("/admin")
    assert r.status_code == 303 and r.headers["location"] == "/admin/tenants"


async def test_every_navigation_entry_is_a_page_the_app_serves(admin_env: AdminEnv) -> None:
    pages = {getattr(route, "path", "") for route in admin_env.app.routes}
    assert [item.href for item in NAV if item.href not in pages] == []
    assert len({item.key for item in NAV}) == len(NAV)
    assert {item.group for item in NAV} <= set(GROUPS)


def test_the_current_entry_is_the_longest_prefix_of_the_path() -> None:
    groups = dict(nav_for("admin", "/admin/dashboard/week"))
    links = {link.item.key: link for link in groups["insights"]}
    assert links["dashboard"].current and links["dashboard"].item.href == "/admin/dashboard"
    assert not any(link.current for link in groups["home"])
    assert not any(link.current for link in dict(nav_for("admin", "/admin/bot/flows"))["home"])
    bot = {link.item.key: link for link in dict(nav_for("admin", "/admin/bot/flows"))["bot"]}
    assert bot["bot-flows"].current and not bot["bot"].current
    assert "insights" not in dict(nav_for("operator", "/admin"))
