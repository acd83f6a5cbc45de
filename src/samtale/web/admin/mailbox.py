"""The demo's caught e-mails (`/demo/mail`): what the demo sent — answers to offline
messages, invitations, password resets — as its mail catcher received them (see
`demo/mailbox.py`). Only while the catcher runs (`samtale demo` without `SAMTALE_SMTP_URL`;
404 otherwise), for the demo's admins and operator.

Mails are shown as data, never as markup of ours: headers and the plain text are escaped by
the template; an HTML part is shown as its escaped source and in a sandboxed frame (no scripts,
no forms, no requests beyond the page's own policy)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samtale.demo.mailbox import MailCatcher
from samtale.web.admin.home import AdminOrOperator, admin_render
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found

router = APIRouter(prefix="/demo/mail", include_in_schema=False)


def _catcher(runtime: ContainerDep) -> MailCatcher:
    if runtime.mail_catcher is None:
        raise not_found("page")
    return runtime.mail_catcher


@router.get("", response_class=HTMLResponse)
async def mailbox(request: Request, staff: AdminOrOperator, runtime: ContainerDep) -> HTMLResponse:
    catcher = _catcher(runtime)
    return admin_render(
        request,
        "admin/demo_mail.html",
        staff,
        title="E-mail",
        mails=catcher.mails(),
        port=catcher.port,
    )


@router.get("/{mail_id}", response_class=HTMLResponse)
async def one_mail(
    mail_id: int, request: Request, staff: AdminOrOperator, runtime: ContainerDep
) -> HTMLResponse:
    mail = _catcher(runtime).get(mail_id)
    if mail is None:
        raise not_found("mail")
    message = mail.parsed()
    text, html = mail.parts()
    return admin_render(
        request,
        "admin/demo_mail_message.html",
        staff,
        title=mail.subject,
        mail=mail,
        headers=[
            (key, str(message.get(name, "")))
            for key, name in (("from", "From"), ("to", "To"), ("subject", "Subject"))
            if message.get(name)
        ],
        text=text,
        html=html,
    )
