"""Nobody is left with an empty chat: a customer who reloads the page or moves to another page
sees the whole conversation in every state (with the bot, queued, live with a person, closed);
and a queued customer is told at once when the last agent goes offline, and offered the
offline form. Screenshots go to `test-results/browser/handoff/`."""

from __future__ import annotations

from typing import Any

from tests.browser.test_handoff import (  # noqa: F401  (the module's server fixture)
    DemoServer,
    Page,
    agent_logs_in,
    demo_server,
    new_page,
)


async def ask_for_a_person(customer: Page, email: str) -> None:
    await customer.w("menu").click()
    await customer.w("human").click()
    form = customer.w("prechat")
    await form.wait_for()
    await form.locator("input[name=name]").fill("Ingeborg Skjoldager")
    await form.locator("input[name=email]").fill(email)
    await form.locator("input[name=order]").fill("1004711")
    await form.locator("select[name=topic]").select_option("delivery")
    await customer.w("prechat-submit").click()
    await customer.page.locator('[data-samtale="window"].st-queued').wait_for()


async def reopen(customer: Page, url: str, state: str) -> None:
    """Reload (or go to another page of the shop), open the chat, wait for the state."""
    await customer.page.goto(url)
    await customer.w("launcher").click()
    await customer.page.locator(f'[data-samtale="window"].st-{state}').wait_for()


async def shows(customer: Page, *texts: str) -> None:
    for text in texts:
        await customer.page.locator(".msgs .msg", has_text=text).first.wait_for()


async def test_a_reload_or_a_new_page_shows_the_whole_conversation_in_every_state(
    browser: Any,
    demo_server: DemoServer,  # noqa: F811
) -> None:
    agent = await agent_logs_in(browser, demo_server)
    customer = await new_page(browser)
    home = f"{demo_server.url}/"
    await customer.page.goto(home)
    await customer.w("launcher").click()
    await customer.w("composer").fill("Hvornår kommer min pakke?")
    await customer.w("composer").press("Enter")
    await customer.page.locator(
        '[data-samtale="reply"]', has_text="Svar: Hvornår kommer min pakke?"
    ).wait_for()

    # With the bot.
    await reopen(customer, home, "bot")
    await shows(customer, "Hvornår kommer min pakke?", "Svar: Hvornår kommer min pakke?")

    # Queued: the history, the queue line and the place in the queue.
    await ask_for_a_person(customer, "reload@kundepost.dk")
    await reopen(customer, f"{demo_server.url}/?side=2", "queued")
    await shows(customer, "Svar: Hvornår kommer min pakke?", "Du er i kø hos kundeservice")
    await customer.w("queue-position").wait_for()
    await customer.shot("20-widget-reload-queued")

    # Live with a person: everything, also what the agent wrote while the page was away.
    item = agent.c('[data-hook="queue-item"]', has_text="Ingeborg Skjoldager").first
    await item.locator('[data-hook="claim-item"]').click()
    await agent.c("#composer").wait_for()
    await customer.page.locator('[data-samtale="window"].st-live').wait_for()
    await agent.c('[data-hook="reply"]').fill("Hej Ingeborg, jeg kigger på det.")
    await agent.c('[data-hook="send"]').click()
    await customer.page.locator('[data-samtale="reply"]', has_text="jeg kigger på det").wait_for()
    await customer.page.goto("about:blank")
    await agent.c('[data-hook="reply"]').fill("Pakken er hos PostNord.")
    await agent.c('[data-hook="send"]').click()
    await reopen(customer, home, "live")
    await shows(
        customer,
        "Hvornår kommer min pakke?",
        "Du er i kø hos kundeservice",
        "fra kundeservice er med i samtalen",
        "jeg kigger på det",
        "Pakken er hos PostNord.",
    )
    await customer.shot("21-widget-reload-live")
    # Still live: a new message reaches the agent.
    await customer.w("composer").fill("Tak for hjælpen")
    await customer.w("composer").press("Enter")
    await agent.c('[data-hook="message"].visitor', has_text="Tak for hjælpen").wait_for()

    # Closed.
    await agent.c("#outcome").select_option("resolved")
    await agent.c('[data-hook="close"]').click()
    await customer.page.locator(".msg.system", has_text="har afsluttet samtalen").wait_for()
    await reopen(customer, home, "closed")
    await shows(
        customer,
        "Svar: Hvornår kommer min pakke?",
        "Pakken er hos PostNord.",
        "Tak for hjælpen",
        "har afsluttet samtalen",
    )
    await customer.shot("22-widget-reload-closed")
    # Each message once.
    texts = await customer.page.locator(".msgs .msg").all_inner_texts()
    assert sum("Pakken er hos PostNord." in t for t in texts) == 1
    assert agent.errors == [] and customer.errors == []
    await agent.page.context.close()
    await customer.page.context.close()


async def test_the_last_agent_going_offline_tells_the_queue_and_offers_the_offline_form(
    browser: Any,
    demo_server: DemoServer,  # noqa: F811
) -> None:
    agent = await agent_logs_in(browser, demo_server)
    customer = await new_page(browser)
    await customer.page.goto(f"{demo_server.url}/")
    await customer.w("launcher").click()
    await customer.w("composer").wait_for()
    await ask_for_a_person(customer, "alene@kundepost.dk")
    await customer.w("queue-position").wait_for()
    await agent.c('[data-hook="queue-item"]').first.wait_for()

    await agent.c("#presence").select_option("offline")
    await customer.page.locator(
        ".msg.system", has_text="Der er desværre ingen fra kundeservice ledige længere"
    ).wait_for()
    await customer.page.locator('[data-samtale="window"].st-bot').wait_for()
    form = customer.w("offline")
    await form.wait_for()
    assert await customer.w("queue-position").count() == 0
    await form.locator("#sw-oe").fill("alene@kundepost.dk")
    await form.locator("#sw-om").fill("Ring gerne om ordre 1004711.")
    await customer.shot("23-widget-queue-released")
    await customer.w("offline-submit").click()
    await customer.w("offline-sent").wait_for()
    assert agent.errors == [] and customer.errors == []
    await agent.page.context.close()
    await customer.page.context.close()
