"""Soak: many customers for a long time, and the promise that nothing acknowledged is lost and
nothing is stored twice.

`samtale demo` runs in its own process (SQLite, or PostgreSQL with `--postgres`, Redis with
`--redis`). Simulated customers in five languages open conversations and send turns through the
public API, as the widget does:

- every message carries a `client_id`; a 503, a 429 or a broken connection is retried with the
  same `client_id` after the server's `Retry-After` (the widget's behaviour), up to a bound;
- a share of the messages (5 % by default) is sent twice at the same moment with the same
  `client_id`, as a double click or a retry racing a slow first attempt would;
- each customer starts a new conversation every few turns, and thinks a little between turns.

The texts are made up per turn from parts (greetings, questions, order numbers, products,
countries), so the server sees new customer text, not a fixed set of sentences it could cache.

At the end every conversation is read back. **Lost** is a message the server acknowledged (201 or
200) that is not stored; **duplicated** is a `client_id` stored more than once. The report gives
the status codes, the latency of turns (first attempt to final answer, retries included), and the
server's resident memory over time. The run stops by itself after `--turns` turns or
`--max-seconds`, whichever comes first.

    .venv/bin/python -m bench.soak [--turns 100000] [--customers 500] [--max-seconds 1800]
                                   [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.common import (
    machine,
    percentile,
    postgres_database,
    resident_mb,
    server,
    settle,
    table,
)

LANGUAGES = ["da", "sv", "no", "fi", "en"]

PARTS: dict[str, dict[str, list[str]]] = {
    "da": {
        "hello": ["hej", "hejsa", "goddag", "hallo", "", "", ""],
        "ask": [
            "hvor er min pakke med ordre {order}",
            "hvornår kommer ordre {order}?",
            "hvad koster fragt til {country}",
            "kan jeg betale med {method}",
            "har I {product} i str. {size}?",
            "hvordan returnerer jeg {product}",
            "min {product} er i stykker, hvad gør jeg",
            "hvor lang tid tager levering til {country}",
            "jeg vil gerne tale med en medarbejder",
            "tak for hjælpen",
            "hvad er jeres åbningstider",
            "kan jeg bytte {product} til en anden størrelse",
        ],
        "country": ["Sverige", "Norge", "Tyskland", "Finland", "Danmark"],
    },
    "sv": {
        "hello": ["hej", "hallå", "tjena", "", ""],
        "ask": [
            "var är mitt paket, order {order}",
            "vad kostar frakt till {country}",
            "kan jag betala med {method}?",
            "finns {product} i storlek {size}",
            "hur returnerar jag {product}",
            "min {product} är trasig",
            "jag vill prata med en människa",
            "tack så mycket",
        ],
        "country": ["Danmark", "Norge", "Finland", "Sverige"],
    },
    "no": {
        "hello": ["hei", "heisann", "", ""],
        "ask": [
            "hvor er pakken min, ordre {order}",
            "hva koster frakt til {country}",
            "kan jeg betale med {method}",
            "har dere {product} i str {size}",
            "hvordan returnerer jeg {product}",
            "jeg vil snakke med et menneske",
            "takk for hjelpen",
        ],
        "country": ["Sverige", "Danmark", "Norge"],
    },
    "fi": {
        "hello": ["hei", "moi", "terve", "", ""],
        "ask": [
            "missä on pakettini, tilaus {order}",
            "paljonko toimitus maksaa {country}",
            "voinko maksaa {method}",
            "onko {product} kokoa {size}",
            "miten palautan tuotteen",
            "haluan puhua ihmisen kanssa",
            "kiitos paljon",
        ],
        "country": ["Suomeen", "Ruotsiin", "Tanskaan"],
    },
    "en": {
        "hello": ["hi", "hello", "hey there", "", ""],
        "ask": [
            "where is my parcel, order {order}",
            "when will order {order} arrive?",
            "how much is shipping to {country}",
            "can I pay with {method}?",
            "do you have the {product} in size {size}",
            "how do I return a {product}",
            "my {product} arrived broken",
            "I want to talk to a human",
            "thanks a lot",
            "what are your opening hours",
        ],
        "country": ["Sweden", "Norway", "Germany", "the UK", "Denmark"],
    },
}
PRODUCTS = ["regnjakke", "uldsweater", "strik", "hue", "sneakers", "jakke", "bukser", "sweater"]
METHODS = ["MobilePay", "Klarna", "PayPal", "Vipps", "Swish", "kort", "faktura"]
SIZES = ["S", "M", "L", "XL", "38", "40", "42"]


def customer_text(rng: random.Random, language: str) -> str:
    """A new customer message in `language` (the API's code for Norwegian is "nb")."""
    parts = PARTS["no" if language == "nb" else language]
    ask = rng.choice(parts["ask"]).format(
        order=rng.randint(1000, 99999),
        country=rng.choice(parts["country"]),
        method=rng.choice(METHODS),
        product=rng.choice(PRODUCTS),
        size=rng.choice(SIZES),
    )
    hello = rng.choice(parts["hello"])
    text = f"{hello} {ask}".strip() if hello else ask
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.2:
        text += rng.choice(["?", "!", " :)", "??", "."])
    return text


async def stored_client_ids(
    http: httpx.AsyncClient, conversations: dict[str, dict[str, str]]
) -> Counter[tuple[str, str]]:
    """Read every conversation back: how often each (conversation, client id) of a visitor's
    message is stored."""
    stored: Counter[tuple[str, str]] = Counter()
    sem = asyncio.Semaphore(20)

    async def read(cid: str, conv: dict[str, str]) -> None:
        headers = {"authorization": f"Bearer {conv['token']}"}
        after = 0
        async with sem:
            while True:
                r = await http.get(
                    f"/api/v1/conversations/{cid}/messages",
                    params={"after": after, "limit": 500},
                    headers=headers,
                )
                r.raise_for_status()
                page = r.json()
                for m in page["messages"]:
                    if m["author"] == "visitor" and m["client_id"]:
                        stored[(cid, m["client_id"])] += 1
                if not page["more"]:
                    return
                after = page["cursor"]

    await asyncio.gather(*(read(cid, c) for cid, c in conversations.items()))
    return stored


@dataclass
class Counts:
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    acked: dict[tuple[str, str], str] = field(default_factory=dict)  # (conv, client_id) -> text
    conversations: dict[str, dict[str, str]] = field(default_factory=dict)
    turns: int = 0
    gave_up: int = 0
    duplicate_sends: int = 0
    retries: int = 0


class Soak:
    def __init__(self, url: str, args: argparse.Namespace, seed: int = 7) -> None:
        self.url = url
        self.args = args
        self.rng = random.Random(seed)
        self.counts = Counts()
        self.stop_at = time.monotonic() + args.max_seconds
        self.started = time.monotonic()

    def done(self) -> bool:
        return self.counts.turns >= self.args.turns or time.monotonic() >= self.stop_at

    async def send(
        self, http: httpx.AsyncClient, path: str, body: dict[str, object], headers: dict[str, str]
    ) -> httpx.Response | None:
        """One request with the widget's retry policy: same body (same client id), waiting for
        `Retry-After` on 503/429 and a short backoff on a broken connection."""
        for attempt in range(self.args.attempts):
            if attempt:
                self.counts.retries += 1
            try:
                r = await http.post(path, json=body, headers=headers)
            except httpx.HTTPError as exc:
                self.counts.statuses[type(exc).__name__] += 1
                await asyncio.sleep(min(0.2 * 2**attempt, 5))
                continue
            self.counts.statuses[str(r.status_code)] += 1
            if r.status_code in (429, 503):
                await asyncio.sleep(min(float(r.headers.get("retry-after", "1")), 5))
                continue
            return r
        return None

    async def customer(self, n: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(n)
        while not self.done():
            language = rng.choice(LANGUAGES)
            started = await self.send(
                http, "/api/v1/widget/demo/conversations", {"language": language}, {}
            )
            if started is None or started.status_code != 201:
                self.counts.gave_up += 1
                continue
            conv = started.json()
            cid = conv["conversation_id"]
            self.counts.conversations[cid] = conv
            headers = {"authorization": f"Bearer {conv['token']}"}
            path = f"/api/v1/conversations/{cid}/messages"
            for i in range(rng.randint(3, 12)):
                if self.done():
                    return
                self.counts.turns += 1
                text = customer_text(rng, language)
                body = {"text": text, "client_id": f"s{n}-{i}-{rng.getrandbits(32):x}"}
                t0 = time.perf_counter()
                if rng.random() < self.args.duplicates:
                    self.counts.duplicate_sends += 1
                    results = await asyncio.gather(
                        self.send(http, path, body, headers), self.send(http, path, body, headers)
                    )
                else:
                    results = [await self.send(http, path, body, headers)]
                self.counts.latencies.append(time.perf_counter() - t0)
                ok = [r for r in results if r is not None and r.status_code in (200, 201)]
                if ok:
                    self.counts.acked[(cid, str(body["client_id"]))] = text
                elif all(r is None for r in results):
                    self.counts.gave_up += 1
                await asyncio.sleep(rng.expovariate(1 / self.args.think) if self.args.think else 0)

    async def memory(self, pid: int, samples: list[tuple[float, int, float, float]]) -> None:
        last_turns, last_t = 0, time.monotonic()
        while True:
            await asyncio.sleep(self.args.sample_seconds)
            now = time.monotonic()
            rate = (self.counts.turns - last_turns) / (now - last_t)
            last_turns, last_t = self.counts.turns, now
            samples.append((now - self.started, self.counts.turns, rate, resident_mb(pid)))

    async def verify(self, http: httpx.AsyncClient) -> tuple[int, int, int]:
        """Read every conversation back: (stored, lost, duplicated)."""
        stored = await stored_client_ids(http, self.counts.conversations)
        lost = sum(1 for key in self.counts.acked if stored[key] == 0)
        duplicated = sum(1 for n in stored.values() if n > 1)
        return sum(stored.values()), lost, duplicated

    async def run(self, pid: int) -> None:
        limits = httpx.Limits(max_connections=self.args.customers, max_keepalive_connections=None)
        samples: list[tuple[float, int, float, float]] = [(0.0, 0, 0.0, resident_mb(pid))]
        async with httpx.AsyncClient(base_url=self.url, timeout=60, limits=limits) as http:
            sampler = asyncio.create_task(self.memory(pid, samples))
            await asyncio.gather(*(self.customer(n, http) for n in range(self.args.customers)))
            elapsed = time.monotonic() - self.started
            sampler.cancel()
            samples.append((elapsed, self.counts.turns, float("nan"), resident_mb(pid)))
            stored, lost, duplicated = await self.verify(http)
        self.report(elapsed, samples, stored, lost, duplicated)

    def report(
        self,
        elapsed: float,
        samples: list[tuple[float, int, float, float]],
        stored: int,
        lost: int,
        duplicated: int,
    ) -> None:
        c, a = self.counts, self.args
        lat = c.latencies
        print(
            f"bench/soak.py — {c.turns} turns from {a.customers} customers in {elapsed:.0f} s "
            f"({c.turns / elapsed:.1f} turns/s); {a.duplicates:.0%} sent twice at once; think "
            f"time {a.think} s on average; server: `samtale demo` in its own process on {a.backend}"
        )
        print(f"machine: {machine()}")
        print()
        print(
            table(
                ["turns", "conversations", "acknowledged", "stored", "lost", "duplicated",
                 "sent twice", "retries", "gave up"],
                [[c.turns, len(c.conversations), len(c.acked), stored, lost, duplicated,
                  c.duplicate_sends, c.retries, c.gave_up]],
            )
        )  # fmt: skip
        print()
        print(table(["answer", "count"], sorted(c.statuses.items(), key=lambda kv: -kv[1])))
        print()
        print(
            table(
                ["turn latency", "p50 ms", "p90 ms", "p99 ms", "max ms"],
                [["first attempt to answer", percentile(lat, 0.5) * 1000,
                  percentile(lat, 0.9) * 1000, percentile(lat, 0.99) * 1000,
                  max(lat, default=float("nan")) * 1000]],
            )
        )  # fmt: skip
        print()
        step = max(1, len(samples) // 12)
        picked = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
        print(
            table(
                ["seconds", "turns", "turns/s (window)", "resident MB"],
                [[f"{t:.0f}", n, "" if r != r else f"{r:.1f}", f"{mb:.0f}"]
                 for t, n, r, mb in picked],
            )
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between turns")
    parser.add_argument("--attempts", type=int, default=6)
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--redis", default="", help="a Redis URL (default: the in-process hub)")
    args = parser.parse_args()
    args.backend = ("PostgreSQL" if args.postgres else "SQLite") + (
        " + Redis" if args.redis else ""
    )
    env = {"SAMTALE_REDIS_URL": args.redis} if args.redis else {}
    with (
        postgres_database(args.postgres) if args.postgres else contextlib.nullcontext() as db_url,
        server(db_url, env) as running,
    ):
        settle(running.pid)
        asyncio.run(Soak(running.url, args).run(running.pid))


if __name__ == "__main__":
    main()
