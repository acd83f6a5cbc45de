"""Messages per second and latency of `POST /api/v1/conversations/{id}/messages`.

50 concurrent conversations on loopback against `samtale demo` in its own process, on SQLite and
on PostgreSQL. The load comes from `wrk` (Debian package `wrk`) when it is installed — a C load
generator, so the figures are the server's and not the client's — else from an httpx client in
this process (slower; the table says which). The baseline measured in the same run is the
cheapest authenticated call of the same server (`GET /api/v1/conversations/{id}`: token check
and one read), so the table shows what storing a turn costs over the HTTP-and-auth floor.

    .venv/bin/python -m bench.api [--conversations 50] [--seconds 10] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import machine, percentile, postgres_database, server_process, table

LUA = """
local convs = {}
for line in io.lines("%(path)s") do
  local id, token = line:match("([^ ]+) ([^ ]+)")
  table.insert(convs, {id = id, token = token})
end
local n = 0
request = function()
  n = n + 1
  local c = convs[(n %% #convs) + 1]
  local headers = {["Authorization"] = "Bearer " .. c.token, ["Content-Type"] = "application/json"}
  if "%(kind)s" == "post" then
    return wrk.format("POST", "/api/v1/conversations/" .. c.id .. "/messages", headers,
      '{"text": "hvor er min pakke", "client_id": "m' .. n .. '"}')
  end
  return wrk.format("GET", "/api/v1/conversations/" .. c.id, headers)
end
response = function(status, headers, body)
  if status ~= 200 and status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\\n")
  end
end
"""


def start_conversations(url: str, n: int) -> list[dict[str, str]]:
    with httpx.Client(base_url=url, timeout=30) as client:
        return [
            client.post("/api/v1/widget/demo/conversations", json={"language": "da"}).json()
            for _ in range(n)
        ]


def _ms(value: str) -> float:
    num, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(num) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, convs: list[dict[str, str]], kind: str, seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ids = Path(tmp) / "convs.txt"
        ids.write_text("".join(f"{c['conversation_id']} {c['token']}\n" for c in convs))
        script = Path(tmp) / "load.lua"
        script.write_text(LUA % {"path": ids, "kind": kind})
        out = subprocess.run(
            ["wrk", "-t1", f"-c{len(convs)}", f"-d{seconds}s", "--latency", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        )
    if "unexpected status" in out.stderr:
        raise RuntimeError(out.stderr.splitlines()[0])
    text = out.stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": _ms(lat["50"]), "p99": _ms(lat["99"]), "n": total}


async def run_httpx(
    url: str, convs: list[dict[str, str]], kind: str, seconds: int
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=len(convs))
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker(conv: dict[str, str]) -> None:
            headers = {"authorization": f"Bearer {conv['token']}"}
            path = f"/api/v1/conversations/{conv['conversation_id']}"
            i = 0
            while time.perf_counter() < deadline:
                i += 1
                start = time.perf_counter()
                if kind == "post":
                    r = await client.post(
                        f"{path}/messages",
                        json={"text": "hvor er min pakke", "client_id": f"m{i}"},
                        headers=headers,
                    )
                else:
                    r = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - start)
                r.raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in convs))
        elapsed = time.perf_counter() - t0
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "n": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SAMTALE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="empty to skip PostgreSQL",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None

    rows, figures = [], []
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    for name, base in backends:
        ctx = postgres_database(base) if base else None
        db_url = ctx.__enter__() if ctx else None
        try:
            with server_process(db_url) as url:
                convs = start_conversations(url, args.conversations)
                for kind, label in (
                    ("get", "GET conversation (baseline)"),
                    ("post", "POST message"),
                ):
                    if use_wrk:
                        res = run_wrk(url, convs, kind, args.seconds)
                    else:
                        res = asyncio.run(run_httpx(url, convs, kind, args.seconds))
                    rows.append(
                        [
                            name,
                            label,
                            f"{res['rps']:.0f}",
                            f"{res['p50']:.1f}",
                            f"{res['p99']:.1f}",
                            int(res["n"]),
                        ]
                    )
                    figures.append({"database": name, "request": kind, **res})
        finally:
            if ctx:
                ctx.__exit__(None, None, None)
    print(
        f"bench/api.py — {args.conversations} concurrent conversations on loopback for {args.seconds} s each; "
        f"server: `samtale demo` in its own process (the demo shop's bot answers); load: {'wrk' if use_wrk else 'httpx (wrk not installed)'}"
    )
    print(f"machine: {machine()}")
    print(table(["database", "request", "req/s", "p50 ms", "p99 ms", "requests"], rows))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
