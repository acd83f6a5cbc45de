"""Demo traffic: made-up customers talking to the demo shop through the real HTTP API, so the
dashboard, the review inbox and the agent console have something to show
(`samtale demo --simulate-traffic`).

Customers write in all five languages, in proportions like a Nordic shop's. What they ask comes
from the demo content's examples (and, when a caller passes a file of questions the bot was not
trained on, those too), with the odd typo. Scenarios: plain
questions; tracking an order of the demo shop (order number and e-mail, so the bot's flow looks
it up); giving up a flow; questions no shop bot knows (fallbacks); and asking for a person, who
— the demo agent, played by the simulator — takes the chat after a while, answers, closes it,
and gets a rating. Outside the opening hours the customer leaves a message instead.

Every name, e-mail address and question is invented. After a first burst (paced under the
per-address limit on new conversations), a new customer arrives every half minute or so for as
long as the demo runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from samtale.bot.content import Content
from samtale.infra.database import Database
from samtale.kernel.logs import get_logger
from samtale.live.service import LiveService

log = get_logger(__name__)

LANGUAGE_WEIGHTS = {"da": 40, "sv": 22, "nb": 16, "fi": 12, "en": 10}
SCENARIOS = {"questions": 58, "track": 15, "abandon": 5, "unknown": 9, "person": 13}
CANCEL = {"da": "stop", "sv": "avbryt", "nb": "avbryt", "fi": "lopeta", "en": "stop"}
UNKNOWN = {
    "da": [
        "hvad er hovedstaden i Mongoliet",
        "kan I anbefale en god film",
        "hvor mange ben har en edderkop",
    ],
    "sv": [
        "vad är meningen med livet",
        "kan ni rekommendera en bra film",
        "hur långt är det till månen",
    ],
    "nb": [
        "hva er hovedstaden i Mongolia",
        "kan dere anbefale en god film",
        "hvor mange bein har en edderkopp",
    ],
    "fi": [
        "mikä on Mongolian pääkaupunki",
        "voitteko suositella hyvää elokuvaa",
        "kuinka pitkä matka on kuuhun",
    ],
    "en": [
        "what is the capital of Mongolia",
        "can you recommend a good film",
        "how far away is the moon",
    ],
}
THANKS = {
    "da": ["tak for hjælpen", "super, tak"],
    "sv": ["tack för hjälpen", "toppen, tack"],
    "nb": ["takk for hjelpen", "supert, takk"],
    "fi": ["kiitos avusta", "kiitos paljon"],
    "en": ["thanks for the help", "great, thank you"],
}
AGENT_LINES = {
    "da": ["Hej, det er Sofie. Jeg kigger på det nu.", "Nu er det ordnet. Er der andet?"],
    "sv": ["Hej, det är Sofie. Jag tittar på det nu.", "Nu är det fixat. Något mer?"],
    "nb": ["Hei, det er Sofie. Jeg ser på det nå.", "Nå er det ordnet. Noe mer?"],
    "fi": ["Hei, täällä Sofie. Katson asiaa nyt.", "Nyt se on hoidettu. Voinko auttaa muussa?"],
    "en": ["Hi, this is Sofie. I'm looking at it now.", "That's sorted now. Anything else?"],
}
CUSTOMER_LINES = {
    "da": "Jeg har et spørgsmål til min ordre",
    "sv": "Jag har en fråga om min beställning",
    "nb": "Jeg har et spørsmål om bestillingen min",
    "fi": "Minulla on kysymys tilauksestani",
    "en": "I have a question about my order",
}
FIRST_NAMES = ["Freja", "Oskar", "Ingrid", "Elias", "Aino", "Lukas", "Saga", "Noah", "Emma", "Onni"]
LAST_NAMES = ["Holm", "Lindqvist", "Berg", "Virtanen", "Dahl", "Nyström", "Lund", "Koskinen"]
OUTCOMES = ["resolved", "resolved", "resolved", "follow_up", "not_resolved"]


@dataclass
class Material:
    """What customers say, per language."""

    questions: dict[str, list[str]] = field(default_factory=dict)
    track: dict[str, list[str]] = field(default_factory=dict)
    person: dict[str, list[str]] = field(default_factory=dict)
    orders: list[tuple[str, str]] = field(default_factory=list)


def material(
    content: Content, orders: list[tuple[str, str]], held_out: Path | None = None
) -> Material:
    m = Material(orders=orders)
    special = {i.name for i in content.intents if i.flow or i.kind == "handoff"}
    for intent in content.intents:
        for lang, texts in intent.examples.items():
            if intent.flow == "track_order":
                m.track.setdefault(lang, []).extend(texts)
            elif intent.kind == "handoff":
                m.person.setdefault(lang, []).extend(texts)
            elif intent.name not in special:
                m.questions.setdefault(lang, []).extend(texts)
    if held_out is not None and held_out.exists():
        for line in held_out.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, KeyError):
                row = json.loads(line)
                if row["label"] not in special:
                    # Wordings the bot never saw: three times as likely as an example.
                    m.questions.setdefault(row["language"], []).extend([row["text"]] * 3)
    return m


def typo(text: str, rng: random.Random) -> str:
    """Now and then a customer's slip: a dropped letter, two swapped, no capital."""
    if len(text) < 8 or rng.random() > 0.25:
        return text
    i = rng.randrange(1, len(text) - 2)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


class TrafficSimulator:
    def __init__(
        self,
        db: Database,
        live: LiveService,
        base_url: str,
        widget_key: str = "demo",
        *,
        burst: int = 60,
        pace: float = 4.0,
        every: tuple[float, float] = (20.0, 60.0),
        seed: int | None = None,
        speed: float = 1.0,
    ) -> None:
        self.db = db
        self.live = live
        # Every pause is divided by this (tests run the same customers in a fraction of the time).
        self.speed = speed
        self.base_url = base_url.rstrip("/")
        self.widget_key = widget_key
        self.burst = burst
        self.pace = pace
        self.every = every
        self.rng = random.Random(seed)
        self.material = Material()
        self.agent: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._main: asyncio.Task[None] | None = None
        self.done = 0

    def start(self) -> None:
        if self._main is None:
            self._main = asyncio.create_task(self.run(), name="demo-traffic")

    async def stop(self) -> None:
        tasks = [t for t in (self._main, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task

    async def _prepare(self) -> Any:
        from samtale.bot.store import ContentVersions
        from samtale.live.service import Agent
        from samtale.model import ShopOrder, User
        from samtale.tenants.service import tenant_by_widget_key

        async with self.db.session() as session:
            tenant = await tenant_by_widget_key(session, self.widget_key)
            if tenant is None:
                raise LookupError("no demo shop")
            version = await ContentVersions(session, tenant.id).published()
            content = Content.model_validate(version.content) if version else Content()
            orders = [
                (row.order_number, row.email)
                for row in (
                    await session.execute(
                        select(ShopOrder.order_number, ShopOrder.email)
                        .where(ShopOrder.tenant_id == tenant.id)
                        .limit(200)
                    )
                ).all()
            ]
            user = await session.scalar(
                select(User).where(User.tenant_id == tenant.id, User.role == "agent").limit(1)
            )
        self.material = material(content, orders)
        if user is not None:
            self.agent = Agent(user.id, tenant.id, user.display_name or "Sofie")
        return tenant

    async def run(self) -> None:
        try:
            await self._prepare()
        except Exception:
            log.exception("demo_traffic_unavailable")
            return
        log.info("demo_traffic_started", burst=self.burst)
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=30, headers={"origin": self.base_url}
        ) as http:
            beat = asyncio.create_task(self._heartbeat())
            self._tasks.add(beat)
            for i in itertools.count():
                self._spawn(self.customer(http))
                if i < self.burst:
                    await self.sleep(self.pace)
                else:
                    await self.sleep(self.rng.uniform(*self.every))

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _heartbeat(self) -> None:
        """The simulated agent stays online while the simulation runs."""

        if self.agent is None:
            return
        live = self.live
        with contextlib.suppress(Exception):
            await live.set_presence(self.agent, "online")
        while True:
            await asyncio.sleep(15)
            with contextlib.suppress(Exception):
                await live.heartbeat(self.agent, force=True)

    def _pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    async def customer(self, http: httpx.AsyncClient) -> None:
        lang = self._pick(LANGUAGE_WEIGHTS)
        scenario = self._pick(SCENARIOS)
        try:
            r = await http.post(
                f"/api/v1/widget/{self.widget_key}/conversations", json={"language": lang}
            )
            if r.status_code != 201:
                return
            conv = r.json()
            chat = Chat(http, conv["conversation_id"], conv["token"], self)
            await getattr(self, f"_{scenario}")(chat, lang)
            self.done += 1
        except (httpx.HTTPError, KeyError, ValueError):
            log.warning("demo_traffic_customer_failed", scenario=scenario)

    def _say(self, pool: dict[str, list[str]], lang: str) -> str:
        texts = pool.get(lang) or pool.get("en") or ["hej"]
        return typo(self.rng.choice(texts), self.rng)

    async def _questions(self, chat: Chat, lang: str) -> None:
        for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
            await chat.say(self._say(self.material.questions, lang))
        if self.rng.random() < 0.4:
            await chat.say(self.rng.choice(THANKS[lang]))

    async def _track(self, chat: Chat, lang: str) -> None:
        await chat.say(self._say(self.material.track, lang))
        if self.material.orders:
            number, email = self.rng.choice(self.material.orders)
            await chat.say(number)
            await chat.say(email)
        if self.rng.random() < 0.3:
            await self._questions(chat, lang)

    async def _abandon(self, chat: Chat, lang: str) -> None:
        await chat.say(self._say(self.material.track, lang))
        await chat.say(CANCEL[lang])

    async def _unknown(self, chat: Chat, lang: str) -> None:
        for text in self.rng.sample(UNKNOWN[lang], 2):
            await chat.say(text)

    async def _person(self, chat: Chat, lang: str) -> None:

        replies = await chat.say(self._say(self.material.person, lang))
        kinds = {(r.get("payload") or {}).get("type") for r in replies}
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        email = f"{name.split()[0].lower()}.{self.rng.randrange(100, 999)}@example.com"
        if "handoff_form" not in kinds or self.agent is None:
            if "offline_form" in kinds and self.rng.random() < 0.6:
                await chat.http.post(
                    f"/api/v1/widget/{self.widget_key}/offline-messages",
                    json={
                        "email": email,
                        "name": name,
                        "text": CUSTOMER_LINES[lang],
                        "language": lang,
                    },
                )
            return
        r = await chat.post(
            "/handoff",
            {
                "answers": {
                    "name": name,
                    "email": email,
                    "topic": "other",
                    "description": CUSTOMER_LINES[lang],
                }
            },
        )
        if r.status_code != 201:
            return
        live = self.live
        # The wait: most are taken within a minute or two; some give up first.
        await self.sleep(self.rng.expovariate(1 / 35))
        if self.rng.random() < 0.08:
            await chat.delete_handoff()
            return
        status = (await chat.get("/handoff")).json()
        handoff_id = status.get("handoff_id")
        if status.get("status") == "queued" and handoff_id:
            for _ in range(20):
                try:
                    await live.claim(self.agent, uuid.UUID(handoff_id))
                    break
                except Exception as exc:  # taken by someone, or the agent is full: wait
                    if type(exc).__name__ != "AtCapacity":
                        break
                    await self.sleep(10)
        status = (await chat.get("/handoff")).json()
        if status.get("status") != "live" or status.get("agent_name") is None:
            return
        cid = uuid.UUID(chat.conversation_id)
        with contextlib.suppress(Exception):
            await self.sleep(self.rng.uniform(3, 20))
            await live.send(self.agent, cid, AGENT_LINES[lang][0])
            await chat.say(CUSTOMER_LINES[lang])
            await self.sleep(self.rng.uniform(5, 30))
            await live.send(self.agent, cid, AGENT_LINES[lang][1])
            await self.sleep(self.rng.uniform(2, 10))
            await live.close(self.agent, cid, self.rng.choice(OUTCOMES))
            if self.rng.random() < 0.7:
                rating = self.rng.choices([5, 4, 3, 2, 1], weights=[50, 25, 10, 8, 7])[0]
                await chat.post("/rating", {"rating": rating})


class Chat:
    """One customer's conversation through the visitor API."""

    def __init__(
        self, http: httpx.AsyncClient, conversation_id: str, token: str, sim: TrafficSimulator
    ) -> None:
        self.http = http
        self.conversation_id = conversation_id
        self.headers = {"authorization": f"Bearer {token}"}
        self.sim = sim

    @property
    def url(self) -> str:
        return f"/api/v1/conversations/{self.conversation_id}"

    async def say(self, text: str) -> list[dict[str, Any]]:
        # A customer reads the answer and types the next message.
        await self.sim.sleep(self.sim.rng.uniform(1.0, 4.0))
        r = await self.http.post(self.url + "/messages", json={"text": text}, headers=self.headers)
        if r.status_code != 201:
            return []
        replies: list[dict[str, Any]] = r.json().get("replies", [])
        return replies

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(self.url + path, json=body, headers=self.headers)

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(self.url + path, headers=self.headers)

    async def delete_handoff(self) -> None:
        await self.http.delete(self.url + "/handoff", headers=self.headers)
