"""New messages under mixed load: what customers feel while the bot embeds what it has not seen.

`bench/api.py` repeats one sentence, which the bot has cached. Here every message is new (a
random run of 3–14 everyday Danish shop words), so each turn embeds its text: 20 conversations
post messages back to back while 20 others read their conversation every 50 ms, as open widgets
and consoles do. The readers are the baseline in the same run: their latency shows whether a turn's
CPU work stalls the server's other requests. Server: `samtale demo` in its own process, SQLite.
The load comes from this process (httpx), which shares the machine's cores with the server.

    .venv/bin/python -m bench.mixed [--seconds 20] [--writers 20] [--readers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx

from bench.api import start_conversations
from bench.common import machine, percentile, server_process, table

WORDS = (
    "jeg vil gerne vide hvor min pakke er den skulle være kommet i går kan i hjælpe med retur "
    "af en kjole og hvad koster fragt til sverige tak faktura betaling størrelse bytte"
).split()


async def run(url: str, seconds: float, writers: int, readers: int) -> dict[str, list[float]]:
    convs = [
        (c["conversation_id"], {"authorization": f"Bearer {c['token']}"})
        for c in start_conversations(url, writers + readers)
    ]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        posts: list[float] = []
        reads: list[float] = []
        stop = time.perf_counter() + seconds
        rnd = random.Random(1)

        async def writer(cid: str, headers: dict[str, str]) -> None:
            n = 0
            while time.perf_counter() < stop:
                text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 14)))
                start = time.perf_counter()
                r = await client.post(
                    f"/api/v1/conversations/{cid}/messages",
                    json={"text": text, "client_id": f"m{n}"},
                    headers=headers,
                )
                if r.status_code == 201:
                    posts.append(time.perf_counter() - start)
                n += 1

        async def reader(cid: str, headers: dict[str, str]) -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                await client.get(f"/api/v1/conversations/{cid}", headers=headers)
                reads.append(time.perf_counter() - start)
                await asyncio.sleep(0.05)

        await asyncio.gather(
            *(writer(*c) for c in convs[:writers]), *(reader(*c) for c in convs[writers:])
        )
        return {"posts": posts, "reads": reads}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--readers", type=int, default=20)
    args = parser.parse_args()
    with server_process() as url:
        got = asyncio.run(run(url, args.seconds, args.writers, args.readers))
    rows = []
    for label, values in (
        (f"POST new message ({args.writers} writers)", got["posts"]),
        (f"GET conversation ({args.readers} readers, baseline)", got["reads"]),
    ):
        ms = [v * 1000 for v in values]
        rows.append(
            [
                label,
                f"{len(values) / args.seconds:.1f}",
                f"{percentile(ms, 0.50):.1f}",
                f"{percentile(ms, 0.99):.1f}",
                len(values),
            ]
        )
    print(f"bench/mixed.py — {args.seconds:g} s against `samtale demo` (SQLite), load from httpx")
    print(f"machine: {machine()}")
    print(table(["request", "per s", "p50 ms", "p99 ms", "requests"], rows))


if __name__ == "__main__":
    main()
