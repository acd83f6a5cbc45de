"""The agent console page (`/console`): one server-rendered page for a shop's agents and admins;
`static/console.js` brings it to life over the console's JSON API and websocket. Danish and
English, as the agent chooses."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samtale.kernel.i18n import catalogue
from samtale.web.errors import ApiError
from samtale.web.i18n import translator, ui_language
from samtale.web.staff.session import PageStaff, render

router = APIRouter(include_in_schema=False)


@router.get("/console", response_class=HTMLResponse)
async def console_page(request: Request, staff: PageStaff) -> HTMLResponse:
    if not staff.has_role("agent", "admin") or staff.tenant_id is None:
        raise ApiError(403, "forbidden", "The console is for a shop's agents.")
    lang = ui_language(request)
    t = translator(lang)
    texts = {key.removeprefix("console."): t(key) for key in catalogue("staff").keys("console.")}
    return render(
        request,
        "console/index.html",
        staff,
        texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"),
    )
