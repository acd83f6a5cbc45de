"""Attachments in real Chromium. On a shop page under the strict Content-Security-Policy, a
customer attaches a photo with the paperclip, drops a PDF on the window, pastes a picture, and
sees the previews (no CSP violation, axe-clean); a renamed program is refused with a clear,
translated message. On the demo shop, a customer sends a photo of a damaged item, the agent sees
it in the console and sends a PDF back, the customer downloads it and the transcript, then
deletes the conversation, and both files are gone. Screenshots go to
`test-results/browser/attachments/` and the visit's own folder."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import func, select

from samtale.model import Attachment
from tests.browser.conftest import RESULTS
from tests.browser.test_handoff import (  # noqa: F401 (the module's server fixture)
    DemoServer,
    agent_logs_in,
    demo_server,
    new_page,
)
from tests.files import pdf, photo, windows_program

SHOTS = RESULTS / "attachments"

# Drop (or paste) a file made in the page: what a person does with a file from their desktop.
DROP = """async ([selector, b64, name, type, event]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type}));
  const target = document.querySelector("samtale-widget").shadowRoot.querySelector(selector);
  const e = event === "drop"
    ? new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true})
    : new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  target.dispatchEvent(e);
}"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def serious_axe(page: Any) -> list[str]:
    from tests.browser.conftest import axe_source

    await page.add_script_tag(content=axe_source())
    result = await page.evaluate(
        """async () => {
          const r = await axe.run(document.querySelector("samtale-widget"), {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
          });
          return r.violations
            .filter(x => x.impact === "serious" || x.impact === "critical")
            .map(x => x.id + ": " + x.nodes.map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return list(result)


async def test_paperclip_drop_and_paste_under_the_strict_csp(visit: Any) -> None:
    v = await visit(csp=True)
    await v.open()
    await v.say("Hej")
    await v.reply("Svar: Hej")

    # The paperclip: a file chooser for photos and PDFs.
    await v.page.locator('samtale-widget input[type="file"]').set_input_files(
        files=[{"name": "vase.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    files = v.page.locator('[data-samtale="visitor-message"] [data-samtale="files"]')
    await files.first.wait_for()
    img = files.first.locator("img")
    await v.page.wait_for_function(
        """() => {
          const img = document.querySelector("samtale-widget").shadowRoot
            .querySelector("[data-samtale=files] img");
          return img && img.src.startsWith("data:image/jpeg") && img.naturalWidth > 0;
        }"""
    )
    assert await img.get_attribute("alt") == "vase.jpg"
    assert "Hent vase.jpg" in await files.first.inner_text()

    # Dropped on the window, pasted into the composer.
    await v.page.evaluate(DROP, [".window", b64(pdf()), "faktura.pdf", "application/pdf", "drop"])
    await v.page.locator('[data-samtale="file"]', has_text="faktura.pdf").wait_for()
    await v.page.evaluate(
        DROP, ["textarea", b64(photo(fmt="PNG")), "image.png", "image/png", "paste"]
    )
    await v.page.locator('[data-samtale="file"]', has_text="image.png").wait_for()
    await v.shot("files")

    # A program with a photo's name: refused, said in the customer's language.
    await v.page.locator('samtale-widget input[type="file"]').set_input_files(
        files=[{"name": "ferie.jpg", "mimeType": "image/jpeg", "buffer": windows_program()}]
    )
    counter = v.part("counter")
    await v.page.locator(
        '[data-samtale="counter"]', has_text="Kun billeder (JPEG, PNG, WebP, HEIC) og PDF-filer"
    ).wait_for()
    assert "over" in (await counter.get_attribute("class") or "")
    await v.shot("refused")

    assert v.csp_violations() == []
    assert [line for line in v.console if line.startswith("pageerror")] == []

    # Accessible with files in it (axe is injected, so on a page without the strict CSP).
    v = await visit()
    await v.open()
    await v.page.locator('samtale-widget input[type="file"]').set_input_files(
        files=[{"name": "vase.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await v.page.locator('[data-samtale="file"]', has_text="vase.jpg").wait_for()
    await v.page.evaluate(DROP, [".window", b64(pdf()), "faktura.pdf", "application/pdf", "drop"])
    await v.page.locator('[data-samtale="file"]', has_text="faktura.pdf").wait_for()
    assert await serious_axe(v.page) == []


async def test_a_photo_of_a_damaged_item_both_ways_then_deleted(
    browser: Any,
    demo_server: DemoServer,  # noqa: F811
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    rt = demo_server.runtime
    agent = await agent_logs_in(browser, demo_server)
    customer = await new_page(browser)
    await customer.page.goto(f"{demo_server.url}/")
    await customer.w("launcher").click()
    await customer.w("composer").wait_for()
    await customer.w("menu").click()
    await customer.w("human").click()
    form = customer.w("prechat")
    await form.wait_for()
    await form.locator("input[name=name]").fill("Ingeborg Skjoldager")
    await form.locator("input[name=email]").fill("ingeborg.foto@kundepost.dk")
    await form.locator("select[name=topic]").select_option("delivery")
    await customer.w("prechat-submit").click()
    await customer.w("queue-position").wait_for()
    item = agent.c('[data-hook="queue-item"]', has_text="Ingeborg Skjoldager").first
    await item.locator('[data-hook="claim-item"]').click()
    await agent.c("#composer").wait_for()
    await customer.page.locator('[data-samtale="window"].st-live').wait_for()

    # The customer writes in Danish and attaches the photo of the broken vase.
    await customer.w("composer").fill("Vasen var knust, da pakken kom. Her er et billede.")
    await customer.w("composer").press("Enter")
    await customer.page.locator('samtale-widget input[type="file"]').set_input_files(
        files=[{"name": "knust-vase.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await customer.page.locator('[data-samtale="file"]', has_text="knust-vase.jpg").wait_for()

    # The agent sees it in the console, with its preview.
    link = agent.c('[data-hook="file"]', has_text="knust-vase.jpg")
    await link.wait_for()
    await agent.page.wait_for_function(
        """() => { const i = document.querySelector('[data-hook=file] img');
                   return i && i.complete && i.naturalWidth > 0; }"""
    )
    await agent.shot("attachments-console-photo")

    # The agent sends a credit note back as a PDF.
    await agent.c('[data-hook="reply"]').fill("Vi sender en ny vase. Her er din kreditnota.")
    await agent.c("#attach-file").set_input_files(
        files=[{"name": "kreditnota.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    await agent.c('[data-hook="file"]', has_text="kreditnota.pdf").wait_for()
    got = customer.page.locator('[data-samtale="file"]', has_text="kreditnota.pdf")
    await got.wait_for()
    await customer.shot("attachments-widget")
    async with customer.page.expect_download() as info:
        await got.click()
    download = await info.value
    assert download.suggested_filename == "kreditnota.pdf"
    assert (await download.path()).read_bytes() == pdf()

    # The transcript lists both files.
    cid = await customer.page.evaluate("JSON.parse(localStorage.getItem('samtale:' + 'demo')).id")
    await customer.w("menu").click()
    async with customer.page.expect_download() as info:
        await customer.w("download").click()
    text = (await (await info.value).path()).read_text()
    assert "knust-vase.jpg" in text and "kreditnota.pdf" in text and "Vedhæftede filer" in text

    # The customer deletes the conversation: both files are gone.
    folder = rt.settings.data_dir / "attachments"
    tenant_dirs = [p for p in folder.iterdir()] if folder.exists() else []
    assert any((d / cid).exists() for d in tenant_dirs)
    await customer.w("menu").click()
    await customer.w("delete").click()
    await customer.w("confirm-delete").click()
    for _ in range(50):
        if not any((d / cid).exists() for d in tenant_dirs):
            break
        await customer.page.wait_for_timeout(100)
    assert not any((d / cid).exists() for d in tenant_dirs)
    async with rt.db.session() as s:
        left = await s.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.conversation_id == uuid.UUID(cid))
        )
    assert left == 0
    assert agent.errors == [] and customer.errors == []
    await agent.page.context.close()
    await customer.page.context.close()
