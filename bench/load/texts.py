"""Customer conversations for the API benchmarks: new text at every turn.

A benchmark that posts one sentence over and over measures the bot's embedding cache, not what a
shop's customers meet: a training example's vector is cached, a customer's own sentence is
embedded anew. So every turn here is made from templates with slots
(`bench/data/api/customers.yaml`: products, numbers, days, ways to pay, phrasing) in the five
languages, about delivery, returns, tracking with order numbers, products, payment, greetings,
complaints, asking for a person (rarely, and only as a conversation's last topic, so the queue
does not dominate) and things the shop does not do. Now and then a turn is written without
accents, with a typo, or with a sign-off, as people write in a chat.

No turn is one of the demo bot's training examples (the demo shop's content and the starter
content), exactly or nearly: texts are compared after folding case, accents, punctuation and
numbers, and a text within one word (added, dropped or changed) of an example is drawn again.
No text repeats within a generator's life, so a run of thousands of turns is thousands of
different texts.

Tracking turns name real demo orders (with their e-mail, given when the bot asks for it) as
well as numbers the shop does not know, so both the found and the not-found paths run.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "api" / "customers.yaml"
LANGUAGES = ("da", "sv", "nb", "fi", "en")  # the API's codes (Norwegian Bokmål is "nb")
LANGUAGE_WEIGHTS = (30, 25, 15, 15, 15)
SIZES = ["XS", "S", "M", "L", "XL", "36", "38", "40", "42", "44", "46"]
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "live.se", "online.no", "yahoo.fi", "mail.dk"]
_SLOT = re.compile(r"\{(\w+)(?:\.(\w+))?\}")


@dataclass(frozen=True)
class Conversation:
    language: str
    turns: tuple[str, ...]
    topics: tuple[str, ...]  # the topic of each turn ("email" and "closing" included)


def _fold(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_EMAIL = re.compile(r"\S+@\S+")
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> tuple[str, ...]:
    """Words after folding case and accents; e-mails become `@`, every number `0`."""
    folded = _EMAIL.sub(" emailaddress ", _fold(text))
    return tuple("0" if t.isdigit() else t for t in _TOKEN.findall(folded))


def _near_keys(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The words and every way of dropping one of them: two texts within one word (added,
    dropped or changed) of each other share a key."""
    keys = {words}
    if len(words) > 1:
        keys.update(words[:i] + words[i + 1 :] for i in range(len(words)))
    return keys


class TrainingExamples:
    """The texts the bot was trained on, for telling whether a new text is (nearly) one of them."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.exact: set[tuple[str, ...]] = set()
        self.keys: set[tuple[str, ...]] = set()
        for text in texts:
            words = tokens(text)
            if words:
                self.exact.add(words)
                self.keys |= _near_keys(words)

    def __len__(self) -> int:
        return len(self.exact)

    def matches(self, text: str) -> bool:
        words = tokens(text)
        return words in self.exact or not _near_keys(words).isdisjoint(self.keys)


@cache
def demo_training_examples() -> TrainingExamples:
    """Every example of the demo shop's content and of the starter content, in all languages."""
    from samtale.bot.content import load_content
    from samtale.bot.drafts import starter_content
    from samtale.demo.content_dir import DEMO_CONTENT_DIR

    demo = load_content(DEMO_CONTENT_DIR)
    starter = starter_content(list(LANGUAGES), "da")
    return TrainingExamples(t for c in (demo, starter) for t, _intent, _lang in c.training_rows())


@dataclass(frozen=True)
class _Order:
    number: str
    email: str
    tracking: tuple[str, ...]


@cache
def _demo_shop() -> tuple[list[_Order], dict[str, list[str]]]:
    """The demo shop's orders and its product names per language (the same in every demo
    database: both are pure functions of a seed)."""
    from samtale.demo.shop.catalogue import generate_catalogue
    from samtale.demo.shop.orders import generate_orders

    orders = [
        _Order(o.order.order_number, o.email, tuple(s.tracking_number for s in o.shipments))
        for o in generate_orders()
    ]
    names = {lang: sorted({p.names[lang] for p in generate_catalogue()}) for lang in LANGUAGES}
    return orders, names


class CustomerText:
    """Draws conversations; never the same text twice, never a training example."""

    def __init__(
        self,
        seed: int = 1,
        examples: TrainingExamples | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.data = data or yaml.safe_load(DATA.read_text(encoding="utf-8"))
        self.examples = examples if examples is not None else demo_training_examples()
        self.orders, self.catalogue = _demo_shop()
        self.known = {o.number for o in self.orders}
        self.seen: set[str] = set()
        self.rejected = 0  # drawn texts dropped as (nearly) a training example
        topics = self.data["topics"]
        self.topics = list(topics)
        self.topic_weights = [topics[t]["weight"] for t in self.topics]

    # -- one text --------------------------------------------------------------------------

    def _value(self, lang: str, slot: str, form: str | None, fill: dict[str, str]) -> str:
        key = f"{slot}.{form}" if form else slot
        if key in fill:
            return fill[key]
        rng = self.rng
        if slot == "n":
            value = str(rng.randint(2, 12))
        elif slot == "amount":
            value = (
                str(rng.randint(2, 30) * 10 - 1)
                if lang == "fi"
                else str(rng.randint(2, 30) * 100 - 1)
            )
        elif slot == "size":
            value = rng.choice(SIZES)
        elif slot == "catalogue":
            value = rng.choice(self.catalogue[lang])
        elif slot == "order":
            value = fill.setdefault("order", self._order_number(fill))
        elif slot == "email":
            value = fill.get("email_known") or self._email(lang)
        elif slot == "tracking":
            value = self._tracking()
        elif slot == "opener":
            value = rng.choice(self.data["openers"][lang])
        else:
            options = self.data["slots"][lang][slot]
            choice = fill.get(f"{slot}#") or rng.choice(options)
            fill[f"{slot}#"] = choice  # every form of a slot in one text is the same thing
            forms = self.data.get("forms", {}).get(slot, {}).get(lang)
            parts = choice.split("|")
            index = forms.index(form) if forms and form else 0
            value = parts[index]
        fill[key] = value
        return value

    def _order_number(self, fill: dict[str, str]) -> str:
        if self.rng.random() < 0.6:
            order = self.rng.choice(self.orders)
            fill["email_known"] = order.email
            return order.number
        while True:
            number = str(self.rng.randint(100_000_000, 109_999_999))
            if number not in self.known:
                return number

    def _email(self, lang: str) -> str:
        name = _fold(self.rng.choice(self.data["slots"][lang]["name"]))
        return f"{name}.{self.rng.choice(['', 'h', 'k', 'm'])}{self.rng.randint(1, 999)}@{self.rng.choice(DOMAINS)}"

    def _tracking(self) -> str:
        numbers = [n for o in self.orders for n in o.tracking]
        number = self.rng.choice(numbers)
        if self.rng.random() < 0.3:  # one the carrier does not know, in the same format
            digits = [i for i, c in enumerate(number) if c.isdigit()]
            if digits:
                i = self.rng.choice(digits)
                number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        return number

    def _dress(self, lang: str, text: str, first: bool) -> str:
        """As people write in a chat: an opener, an ending, no accents, a typo, now and then."""
        rng = self.rng
        if first and "{opener}" not in text and rng.random() < 0.3:
            text = f"{rng.choice(self.data['openers'][lang])}{rng.choice([', ', ' ', '! '])}{text}"
        if rng.random() < 0.3:
            ending = rng.choice(self.data["endings"][lang])
            text += ending.replace("{name}", rng.choice(self.data["slots"][lang]["name"]))
        if lang != "en" and rng.random() < 0.1:
            text = (
                "".join(
                    c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
                )
                .replace("ø", "o")
                .replace("æ", "ae")
            )
        if rng.random() < 0.05:
            words = text.split(" ")
            long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
            if long:
                i = rng.choice(long)
                w = words[i]
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
                text = " ".join(words)
        if rng.random() < 0.15:
            text = text[:1].upper() + text[1:]
        return text

    def _fill(self, lang: str, templates: Sequence[str], fill: dict[str, str], first: bool) -> str:
        for _ in range(200):
            attempt = dict(fill)
            template = self.rng.choice(templates)

            def slot(m: re.Match[str], fill: dict[str, str] = attempt) -> str:
                return self._value(lang, m.group(1), m.group(2), fill)

            text = self._dress(
                lang, _SLOT.sub(slot, template), first and "{opener}" not in template
            )
            if text in self.seen:
                continue
            if self.examples.matches(text):
                self.rejected += 1
                continue
            self.seen.add(text)
            fill.clear()
            fill.update(attempt)
            return text
        raise RuntimeError(f"no new text from {templates[:2]}… in {lang}: the templates run dry")

    # -- conversations ---------------------------------------------------------------------

    def conversation(self, language: str | None = None) -> Conversation:
        rng = self.rng
        lang = language or rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        topics_data = self.data["topics"]
        turns: list[str] = []
        kinds: list[str] = []
        count = rng.choices([1, 2, 3], [35, 45, 20])[0]
        if rng.random() < 0.12:
            turns.append(self._fill(lang, topics_data["greeting"][lang], {}, True))
            kinds.append("greeting")
        for i in range(count):
            topic = rng.choices(self.topics, self.topic_weights)[0]
            while topic == "greeting" or (topic == "person" and i < count - 1):
                topic = rng.choices(self.topics, self.topic_weights)[0]
            fill: dict[str, str] = {}
            turns.append(self._fill(lang, topics_data[topic][lang], fill, not turns))
            kinds.append(topic)
            if "order" in fill and "email" not in fill and topic != "person":
                turns.append(self._fill(lang, self.data["email"][lang], dict(fill), False))
                kinds.append("email")
            if topic == "person":
                break
        short = len(turns) < 2 and rng.random() < 0.5
        if kinds[-1] != "person" and (short or rng.random() < 0.15):
            turns.append(self._fill(lang, self.data["closing"][lang], {}, False))
            kinds.append("closing")
        return Conversation(lang, tuple(turns), tuple(kinds))

    def conversations(self, n: int) -> list[Conversation]:
        return [self.conversation() for _ in range(n)]


def turns_of(conversations: Iterable[Conversation]) -> list[str]:
    return [t for c in conversations for t in c.turns]


if __name__ == "__main__":  # a look at what the generator makes
    import sys
    from collections import Counter

    gen = CustomerText(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    convs = gen.conversations(int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    for c in convs[:40]:
        print(c.language, " | ".join(c.turns))
    kinds = Counter(k for c in convs for k in c.topics)
    print(f"{len(turns_of(convs))} turns, {gen.rejected} drawn texts dropped as training examples")
    print(dict(kinds))
