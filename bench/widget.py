"""The chat widget's weight and speed, against its budget and published figures of other widgets.

- Weight: what a shop's page downloads for the chat button — the `/widget.js` loader and the
  hashed bundle it loads — as the server sends them (scripts without indentation and comment
  lines), raw and gzipped (level 9).
- Speed, in Debian's Chromium against `samtale demo` in its own process, on the demo shop page,
  a fresh browser context per run:
  - button: from the start of navigation to the chat button being drawn;
  - first open: from the click on the button to an open, usable window (the window shown, the
    composer focused, the next frame painted) for a new visitor — the window is built on this
    first click;
  - returning visitor: the same click with a stored conversation of 20 messages, until the window
    is usable, and until the whole history is shown (one HTTP read).
  The click and the clock are in the page (`element.click()`, `performance.now()`), so the figures
  are the widget's own work, not the test driver's round trips.

The peer figures are published reference figures, not measured here: Chatwoot's widget transfers
about 170 KiB; Intercom's Messenger was once about 600 KB gzipped.

    .venv/bin/python -m bench.widget [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

import httpx

from bench.common import machine, percentile, server_process, table
from samtale.web.assets import Assets

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET_GZIP = 25_000  # bytes: 25 KB
HISTORY = 20  # messages of the returning visitor's conversation

CLICK_TO_USABLE = """async (history) => {
  const root = document.querySelector("samtale-widget").shadowRoot;
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const until = (ok) => new Promise((resolve) => {
    const check = () => (ok() ? resolve() : requestAnimationFrame(check));
    check();
  });
  const t0 = performance.now();
  root.querySelector('[data-samtale="launcher"]').click();
  await until(() => {
    const win = root.querySelector('[data-samtale="window"]');
    const input = root.querySelector('[data-samtale="composer"]');
    return win && !win.hidden && input && root.activeElement === input;
  });
  await frame();
  const usable = performance.now() - t0;
  if (!history) return [usable, null];
  await until(() => root.querySelectorAll('[data-samtale="reply"], [data-samtale="visitor-message"]').length >= history);
  await frame();
  return [usable, performance.now() - t0];
}"""
BUTTON_DRAWN = """async () => {
  const until = (ok) => new Promise((resolve) => {
    const check = () => (ok() ? resolve() : requestAnimationFrame(check));
    check();
  });
  await until(() => {
    const host = document.querySelector("samtale-widget");
    const b = host && host.shadowRoot.querySelector('[data-samtale="launcher"]');
    return b && b.getClientRects().length > 0;
  });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now();
}"""


def sizes() -> list[tuple[str, int, int]]:
    assets = Assets()
    bundle = assets.by_name["widget.js"]
    return [
        ("/widget.js (loader)", len(assets.loader.data), len(assets.loader.gzipped)),
        (bundle.url, len(bundle.data), len(bundle.gzipped)),
    ]


def returning_conversation(url: str) -> dict[str, object]:
    """A stored conversation of HISTORY messages, as the widget keeps it in localStorage."""
    with httpx.Client(base_url=url, timeout=60, headers={"origin": url}) as client:
        conv = client.post("/api/v1/widget/demo/conversations", json={"language": "da"}).json()
        auth = {"authorization": f"Bearer {conv['token']}"}
        cursor = 0
        while cursor < HISTORY:
            r = client.post(
                f"/api/v1/conversations/{conv['conversation_id']}/messages",
                json={"text": "hvad koster fragten til Sverige?"},
                headers=auth,
            )
            r.raise_for_status()
            turn = r.json()
            cursor = max(m["cursor"] for m in [turn["message"], *turn["replies"]])
    return {"id": conv["conversation_id"], "token": conv["token"], "cursor": 0, "read": cursor}


async def measure(url: str, runs: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    stored = returning_conversation(url)
    history = int(str(stored["read"]))
    found: dict[str, list[float]] = {
        "button": [],
        "first open": [],
        "returning: usable": [],
        "returning: history": [],
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One warm-up visit (browser and server caches), not counted.
        for i in range(runs + 1):
            for returning in (False, True):
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                if returning:
                    await context.add_init_script(
                        f"localStorage.setItem('samtale:demo', {json.dumps(json.dumps(stored))})"
                    )
                page = await context.new_page()
                await page.goto(url + "/")
                drawn = await page.evaluate(BUTTON_DRAWN)
                usable, shown = await page.evaluate(CLICK_TO_USABLE, history if returning else 0)
                if i:
                    if returning:
                        found["returning: usable"].append(usable)
                        found["returning: history"].append(shown)
                    else:
                        found["button"].append(drawn)
                        found["first open"].append(usable)
                await context.close()
        await browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"browser: Chromium ({CHROMIUM}), headless")
    print("load average at start: {:.1f} {:.1f} {:.1f}\n".format(*os.getloadavg()))
    rows = sizes()
    total_gz = sum(gz for _, _, gz in rows)
    print(
        table(
            ["file", "bytes", "gzipped", "gzipped KiB"],
            [(name, raw, gz, round(gz / 1024, 1)) for name, raw, gz in rows]
            + [
                (
                    "total for the chat button",
                    sum(r for _, r, _ in rows),
                    total_gz,
                    round(total_gz / 1024, 1),
                )
            ],
        )
    )
    print()
    print(
        table(
            ["widget", "transfer (gzipped)", "source"],
            [
                ("Samtale (this)", f"{total_gz / 1024:.1f} KiB", "measured here"),
                (
                    "budget",
                    f"{BUDGET_GZIP / 1000:.0f} KB ({BUDGET_GZIP / 1024:.1f} KiB)",
                    "the widget's target",
                ),
                ("Chatwoot widget", "~170 KiB", "published reference figure"),
                ("Intercom Messenger (once)", "~600 KB", "published reference figure"),
            ],
        )
    )
    verdict = "within" if total_gz <= BUDGET_GZIP else "OVER"
    print(f"\n{verdict} the budget: {total_gz} of {BUDGET_GZIP} bytes gzipped\n")

    started = time.perf_counter()
    with server_process() as url:
        found = asyncio.run(measure(url, args.runs))
    print(
        table(
            ["time (ms)", "runs", "p50", "p95", "max"],
            [
                (name, len(v), percentile(v, 0.5), percentile(v, 0.95), max(v))
                for name, v in found.items()
            ],
        )
    )
    print(
        "\nbutton: navigation start → chat button drawn; first open: click → window shown, "
        f"composer focused, next frame painted; returning: the same with a stored conversation "
        f"of {HISTORY}+ messages (usable, then the whole history shown). "
        f"({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
