"""Conversations as customers have them: a battery of single- and multi-turn probes in the five
languages against the real demo bot, in this process (the visitor API over ASGI, the demo tenant,
its trained bot, its shop actions and handoff), each turn with what the reply must and must not
contain. Prints the pass rate per language and per category, and every failed turn.

A check is a case-insensitive substring of the turn's replies (their texts and quick-reply
labels), `a|b` for either; `!text` must not appear. Checks starting with `@` look at more than
the text: `@lang=en` the conversation's language after the turn, `@handoff` a handoff (pre-chat
form, offline form or queue), `@tracking` a tracking card, `@products` product cards, `@person`
the offer of a person (the button), `@fallback` the rephrase or the offer after two.

The bot's model is trained into `--data-dir` on first use (a few minutes; later runs load it):

    PYTHONPATH=src .venv/bin/python bench/conversations.py [--data-dir .cache/test-bot] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, machine, table

LANGS = ("da", "sv", "nb", "fi", "en")

PERSON = {
    "da": "Tal med en person",
    "sv": "Prata med en person",
    "nb": "Snakk med en person",
    "fi": "Juttele ihmisen kanssa",
    "en": "Talk to a person",
}
FALLBACK = {
    "da": "forstod jeg desværre ikke|kan desværre ikke finde et svar",
    "sv": "förstod jag tyvärr inte|hittar tyvärr inget svar",
    "nb": "skjønte jeg dessverre ikke|finner dessverre ikke noe svar",
    "fi": "en ymmärtänyt|en valitettavasti löydä",
    "en": "didn't quite understand|can't find an answer",
}
THANKS = {
    "da": "så lidt|selv tak",
    "sv": "varsågod|så lite",
    "nb": "bare hyggelig|så lite",
    "fi": "ole hyvä|eipä kestä",
    "en": "you're welcome|happy to help",
}
CAPABILITIES = {
    "da": "Nordhjems chatbot|hjælper gerne med at finde din pakke",
    "sv": "Nordhjems chattbot|hjälper gärna till att hitta",
    "nb": "Nordhjems chatbot|hjelper gjerne med å finne",
    "fi": "Nordhjemin chattibotti|Autan mielelläni",
    "en": "Nordhjem's chatbot|happy to help you find your parcel",
}
RECLAMATION = "nordhjem.example/reklamation"
PHONE_SUPPORT = {
    "da": "ikke telefon",
    "sv": "ingen telefon",
    "nb": "ikke telefon",
    "fi": "puhelin",
    "en": "phone support",
}
NOT = {lang: [f"!{FALLBACK[lang]}"] for lang in LANGS}


@dataclass
class Probe:
    language: str  # the customer's language
    category: str
    page: str  # the page's language (where the widget starts)
    turns: list[tuple[str, list[str]]]


def P(lang: str, cat: str, *turns: tuple[str, list[str]], page: str | None = None) -> Probe:
    return Probe(lang, cat, page or lang, list(turns))


def _battery() -> list[Probe]:
    b: list[Probe] = []
    # -- language: the reply follows the customer's language when it is clear --------------
    for page in ("da", "sv", "nb", "fi"):
        b += [
            P("en", "language", ("hello", ["@lang=en"]), page=page),
            P("en", "language", ("I want to talk to a human", ["@lang=en", "@handoff"]), page=page),
            P("en", "language", ("hi, where is my order?", ["@lang=en"]), page=page),
            P("en", "language", ("thanks", ["@lang=en"]), page=page),
        ]
    b += [
        P("fi", "language", ("moi", ["@lang=fi"]), page="da"),
        P("fi", "language", ("kiitos", ["@lang=fi"]), page="sv"),
        P("fi", "language", ("haluan puhua ihmisen kanssa", ["@lang=fi", "@handoff"]), page="da"),
        P("sv", "language", ("hejsan, jag undrar var mitt paket är", ["@lang=sv"]), page="da"),
        P("sv", "language", ("tack så mycket för hjälpen", ["@lang=sv"]), page="nb"),
        P("nb", "language", ("takk for hjelpen", ["@lang=nb"]), page="da"),
        P("nb", "language", ("hva koster frakten til Norge?", ["@lang=nb", "Norge"]), page="da"),
        P("da", "language", ("hvad koster det at sende en pakke retur", ["@lang=da"]), page="en"),
        P("da", "language", ("hej", ["@lang=da"]), page="da"),
        P("en", "language", ("ok", ["@lang=da"]), page="da"),
        P("en", "language", ("104827361", ["@lang=da"]), page="da"),
        P("da", "language", ("tak", ["@lang=da"]), page="sv"),
        P("sv", "language", ("okej", ["@lang=sv"]), page="sv"),
        P(
            "da",
            "language",
            ("hvor er min pakke", ["@lang=da"]),
            ("thanks", ["@lang=da"]),
            page="da",
        ),
        P(
            "en",
            "language",
            ("where is my parcel?", ["@lang=en"]),
            ("ok", ["@lang=en"]),
            page="da",
        ),
        P("sv", "language", ("hej", ["@lang=sv"]), page="sv"),
        P("nb", "language", ("hei", ["@lang=nb"]), page="nb"),
    ]
    # The pre-chat form and the payment answer follow the conversation's language.
    b += [
        P(
            "en",
            "language",
            ("hello", []),
            ("talk to a person please", ["@lang=en", "@handoff"]),
            page="da",
        ),
        P(
            "nb",
            "payment",
            ("Kan jeg betale med Vipps?", ["Vipps", "Norge", "!Dankort"]),
            page="nb",
        ),
    ]

    # -- complaints and frustration ----------------------------------------------------------
    complaints = {
        "da": [
            "jeg er simpelthen så skuffet over jer",
            "det her er fuldstændig uacceptabelt",
            "I er virkelig elendige",
            "jeg er pissesur på jer",
            "sikke en dårlig service, fy for den",
            "jeg vil gerne klage over hvordan I har behandlet mig",
            "I er de dårligste jeg nogensinde har handlet hos",
            "jeg er mega utilfreds",
        ],
        "sv": [
            "jag är så otroligt besviken på er",
            "det här är helt oacceptabelt",
            "ni är verkligen usla",
            "jag är skitarg på er",
            "vilken dålig service",
            "jag vill klaga på hur ni har behandlat mig",
            "sämsta butiken jag har handlat i",
            "jag är jättemissnöjd",
        ],
        "nb": [
            "jeg er så utrolig skuffet over dere",
            "dette er helt uakseptabelt",
            "dere er virkelig elendige",
            "jeg er drittsint på dere",
            "for en dårlig service",
            "jeg vil klage på hvordan dere har behandlet meg",
            "dårligste butikken jeg har handlet i",
            "jeg er kjempemisfornøyd",
        ],
        "fi": [
            "olen tosi pettynyt teihin",
            "tämä on aivan kestämätöntä",
            "olette todella surkeita",
            "olen raivoissani",
            "aivan kamalaa palvelua",
            "haluan valittaa siitä miten minua kohdeltiin",
            "huonoin kauppa jossa olen asioinut",
            "olen erittäin tyytymätön",
        ],
        "en": [
            "I'm so disappointed in you",
            "this is absolutely unacceptable",
            "you are truly awful",
            "I'm really pissed off with you",
            "what a terrible service",
            "I want to complain about how you treated me",
            "you're the worst shop I've ever ordered from",
            "you are useless idiots",
        ],
    }
    for lang, texts in complaints.items():
        for text in texts:
            b.append(P(lang, "complaint", (text, ["@person", f"!{RECLAMATION}", *NOT[lang]])))
        b.append(
            P(
                lang,
                "complaint",
                (texts[0], ["@person"]),
                (
                    {"da": "ja", "sv": "ja", "nb": "ja", "fi": "kyllä", "en": "yes"}[lang],
                    ["@handoff"],
                ),
            )
        )

    more_complaints = {
        "da": [
            "nu gider jeg snart ikke mere, det er tredje gang I roder det",
            "hvor er det bare skuffende",
            "elendigt, simpelthen elendigt",
        ],
        "sv": [
            "nu får det vara nog, tredje gången ni klantar till det",
            "vad besviken jag blev",
            "uselt, helt uselt",
        ],
        "nb": [
            "nå får det være nok, tredje gang dere roter det til",
            "så skuffende",
            "elendig, rett og slett elendig",
        ],
        "fi": [
            "nyt riittää, kolmas kerta kun sotkette asian",
            "olipa pettymys",
            "surkeaa, aivan surkeaa",
        ],
        "en": [
            "that's it, third time you've messed this up",
            "how disappointing",
            "pathetic, just pathetic",
        ],
    }
    for lang, texts in more_complaints.items():
        for text in texts:
            b.append(P(lang, "complaint", (text, ["@person", f"!{RECLAMATION}", *NOT[lang]])))
    for page in ("da", "sv", "fi"):
        b.append(P("en", "language", ("good morning", ["@lang=en"]), page=page))
        b.append(P("en", "language", ("can someone help me please", ["@lang=en"]), page=page))

    # -- direct answers: yes or no first, from the shop's data --------------------------------
    direct: dict[str, list[tuple[str, list[str]]]] = {
        "da": [
            ("kan jeg betale med paypal?", ["nej", "PayPal"]),
            ("tager I klarna", ["nej", "Klarna"]),
            ("kan man betale med mobilepay", ["ja", "MobilePay"]),
            ("kan jeg bruge dankort", ["ja", "Dankort"]),
            ("kan jeg betale med faktura?", ["ja", "faktura"]),
            ("kan jeg betale med apple pay", ["nej", "Apple Pay"]),
            ("leverer I med GLS?", ["ja", "GLS"]),
            ("sender I med DHL", ["nej", "DHL"]),
            ("kan I levere til Norge?", ["ja", "Norge"]),
            ("leverer I til Tyskland?", ["nej", "kun til"]),
            ("tager I imod mobilepay?", ["ja", "MobilePay"]),
            ("kan jeg få det leveret med budbee", ["ja", "Budbee"]),
        ],
        "sv": [
            ("kan jag betala med paypal?", ["nej", "PayPal"]),
            ("går det att betala med swish", ["ja", "Swish"]),
            ("tar ni klarna?", ["nej", "Klarna"]),
            ("kan jag betala med faktura", ["ja", "faktura"]),
            ("kan man betala med mobilepay", ["nej", "MobilePay"]),
            ("skickar ni med postnord?", ["ja", "PostNord"]),
            ("levererar ni med DHL", ["nej", "DHL"]),
            ("levererar ni till Finland?", ["ja", "Finland"]),
            ("kan jag betala med google pay", ["nej", "Google Pay"]),
            ("skickar ni till Tyskland", ["nej", "bara till"]),
            ("funkar klarna hos er", ["nej", "Klarna"]),
            ("kör ni med budbee", ["ja", "Budbee"]),
        ],
        "nb": [
            ("kan jeg betale med vipps?", ["ja", "Vipps"]),
            ("kan jeg betale med paypal", ["nei", "PayPal"]),
            ("tar dere klarna?", ["nei", "Klarna"]),
            ("kan jeg betale med faktura", ["ja", "faktura"]),
            ("går det an å betale med mobilepay", ["nei", "MobilePay"]),
            ("sender dere med bring?", ["ja", "Bring"]),
            ("sender dere med postnord", ["nei", "PostNord"]),
            ("leverer dere til Sverige?", ["ja", "Sverige"]),
            ("kan jeg betale med apple pay", ["nei", "Apple Pay"]),
            ("sender dere til Tyskland", ["nei", "bare til"]),
            ("går det å betale med faktura", ["ja", "faktura"]),
        ],
        "fi": [
            ("voinko maksaa paypalilla?", ["ei", "PayPal"]),
            ("voiko maksaa mobilepaylla", ["kyllä", "MobilePay"]),
            ("käykö klarna", ["ei", "Klarna"]),
            ("voinko maksaa laskulla", ["kyllä", "lasku"]),
            ("voiko maksaa verkkopankissa", ["kyllä", "verkkopankki"]),
            ("toimitatteko postin kautta", []),
            ("käytättekö DHL:ää", ["ei", "DHL"]),
            ("toimitatteko Ruotsiin?", ["kyllä", "Ruotsiin"]),
            ("voinko maksaa swishillä", ["ei", "Swish"]),
            ("toimitatteko Saksaan", ["ei", "vain"]),
            ("voinko maksaa applepaylla", ["ei", "Apple Pay"]),
        ],
        "en": [
            ("can I pay with PayPal?", ["no", "PayPal"]),
            ("do you take Klarna", ["no", "Klarna"]),
            ("can I pay with MobilePay?", ["yes", "MobilePay"]),
            ("can I pay by invoice", ["yes", "invoice"]),
            ("do you accept Visa?", ["yes", "Visa"]),
            ("can I pay with apple pay", ["no", "Apple Pay"]),
            ("do you ship with GLS?", ["yes", "GLS"]),
            ("do you deliver with UPS", ["no", "UPS"]),
            ("do you deliver to Sweden?", ["yes", "Sweden"]),
            ("do you ship to Germany", ["no", "only deliver"]),
            ("is paypal accepted", ["no", "PayPal"]),
            ("do you ship to Norway", ["yes", "Norway"]),
        ],
    }
    for lang, rows in direct.items():
        for text, must in rows:
            first = [f"^{m}" for m in must[:1]]  # the verdict comes first
            b.append(P(lang, "direct", (text, [*first, *must[1:], *NOT[lang]])))

    # -- small talk and short answers --------------------------------------------------------
    smalltalk = {
        "da": ["hvordan går det?", "hvordan har du det i dag", "går det godt?"],
        "sv": ["hur mår du?", "hur är läget idag", "hur går det för dig"],
        "nb": ["hvordan går det?", "hvordan har du det i dag", "går det bra?"],
        "fi": ["mitä kuuluu?", "miten menee tänään", "kuinka voit"],
        "en": ["how are you?", "how's your day going", "how are you doing today"],
    }
    for lang, texts in smalltalk.items():
        for text in texts:
            b.append(P(lang, "smalltalk", (text, [f"!{CAPABILITIES[lang]}", *NOT[lang]])))
    ok_words = {"da": "ok", "sv": "okej", "nb": "ok", "fi": "selvä", "en": "ok"}
    yes_words = {
        "da": "ja tak",
        "sv": "ja tack",
        "nb": "ja takk",
        "fi": "kyllä kiitos",
        "en": "yes please",
    }
    no_words = {
        "da": "nej tak",
        "sv": "nej tack",
        "nb": "nei takk",
        "fi": "ei kiitos",
        "en": "no thanks",
    }
    bare_yes = {"da": "ja", "sv": "ja", "nb": "ja", "fi": "joo", "en": "yes"}
    bare_no = {"da": "nej", "sv": "nej", "nb": "nei", "fi": "ei", "en": "no"}
    gibberish = ["qwpoe zxmv", "xkcd lkjh poiu"]
    for lang in LANGS:
        b += [
            P(lang, "short_answer", (ok_words[lang], [f"!{THANKS[lang]}", *NOT[lang]])),
            P(lang, "short_answer", (bare_yes[lang], [f"!{FALLBACK[lang]}"])),
            P(
                lang,
                "short_answer",
                (complaints[lang][1], ["@person"]),
                (yes_words[lang], ["@handoff"]),
            ),
            P(
                lang,
                "short_answer",
                (complaints[lang][2], ["@person"]),
                (bare_no[lang], ["!@handoff", *NOT[lang]]),
            ),
            P(
                lang,
                "short_answer",
                (complaints[lang][3], ["@person"]),
                (no_words[lang], ["!@handoff", *NOT[lang]]),
            ),
            P(
                lang,
                "short_answer",
                (gibberish[0], ["@fallback"]),
                (gibberish[1], ["@person"]),
                (bare_yes[lang], ["@handoff"]),
            ),
            P(
                lang,
                "short_answer",
                (smalltalk[lang][0], []),
                (ok_words[lang], [f"!{THANKS[lang]}", *NOT[lang]]),
            ),
        ]

    # -- misread intent: a phone number given is not a question about phone support -----------
    phones = {
        "da": ["mit telefonnummer er 20 30 40 50", "I kan ringe til mig på 22 33 44 55"],
        "sv": ["mitt telefonnummer är 070 123 45 67", "ni kan ringa mig på 0701234567"],
        "nb": ["telefonnummeret mitt er 412 34 567", "dere kan ringe meg på 41234567"],
        "fi": ["puhelinnumeroni on 040 123 4567", "voitte soittaa minulle numeroon 0401234567"],
        "en": ["my phone number is 20 30 40 50", "you can call me on +45 22 33 44 55"],
    }
    for lang, texts in phones.items():
        for text in texts:
            b.append(P(lang, "misread", (text, [f"!{PHONE_SUPPORT[lang]}", *NOT[lang]])))

    # -- formatting ---------------------------------------------------------------------------
    b += [
        P(
            "en",
            "formatting",
            ("what payment methods do you have", ["DKK 1,000", "!1.000 kr."]),
            page="en",
        ),
        P("en", "formatting", ("how much is shipping", ["DKK", "!kr."]), page="en"),
        P("da", "formatting", ("hvad koster fragt", ["kr."]), page="da"),
        P("da", "formatting", ("hvilke betalingsmetoder har I", ["1.000 kr."]), page="da"),
        P("sv", "formatting", ("vilka betalsätt finns det", ["1 000 kr"]), page="sv"),
        P("nb", "formatting", ("hvordan kan jeg betale", ["1 000 kr"]), page="nb"),
        P("fi", "formatting", ("mitä maksutapoja on", ["100 €"]), page="fi"),
        P(
            "nb",
            "formatting",
            ("hvor lang returrett har dere", ["15. januar", "15. november"]),
            page="nb",
        ),
        P(
            "da",
            "formatting",
            ("hvor lang tid har jeg til at returnere", ["15. januar"]),
            page="da",
        ),
        P(
            "en",
            "formatting",
            ("how long do I have to return something", ["15 January"]),
            page="en",
        ),
    ]

    # -- what works today: tracking, returns, handoff, delivery ------------------------------
    track = {
        "da": "hvor er min pakke?",
        "sv": "var är mitt paket?",
        "nb": "hvor er pakken min?",
        "fi": "missä pakettini on?",
        "en": "where is my parcel?",
    }
    returns = {
        "da": [
            "hvordan returnerer jeg en vare",
            "hvor lang returret har I",
            "hvad koster det at returnere",
        ],
        "sv": ["hur returnerar jag en vara", "hur lång returrätt har ni", "vad kostar en retur"],
        "nb": [
            "hvordan returnerer jeg en vare",
            "hvor lang returrett har dere",
            "hva koster retur",
        ],
        "fi": ["miten palautan tuotteen", "kuinka pitkä palautusoikeus on", "mitä palautus maksaa"],
        "en": [
            "how do I return an item",
            "how long is your return period",
            "what does a return cost",
        ],
    }
    handoff = {
        "da": ["jeg vil gerne tale med et menneske", "kan jeg få en medarbejder"],
        "sv": ["jag vill prata med en människa", "kan jag få prata med personal"],
        "nb": ["jeg vil snakke med et menneske", "kan jeg få snakke med en ansatt"],
        "fi": ["haluan puhua ihmisen kanssa", "voinko puhua asiakaspalvelijan kanssa"],
        "en": ["I want to talk to a human", "can I speak to an agent"],
    }
    delivery = {
        "da": "hvad koster levering",
        "sv": "vad kostar frakten",
        "nb": "hva koster frakt",
        "fi": "paljonko toimitus maksaa",
        "en": "what does delivery cost",
    }
    thanks = {
        "da": "mange tak",
        "sv": "tack så mycket",
        "nb": "tusen takk",
        "fi": "kiitos paljon",
        "en": "thank you so much",
    }
    b += _product_probes()
    for lang in LANGS:
        b.append(
            P(
                lang,
                "tracking",
                (track[lang], [*NOT[lang]]),
                ("{order}", []),
                ("{email}", ["@tracking"]),
            )
        )
        b.append(P(lang, "tracking", ("{tracking}", ["@tracking"])))
        b.append(
            P(lang, "tracking", (track[lang] + " ordre {order}", []), ("{email}", ["@tracking"]))
        )
        for text in returns[lang]:
            b.append(P(lang, "returns", (text, [*NOT[lang]])))
        b.append(P(lang, "returns", (returns[lang][1], ["30"])))
        for text in handoff[lang]:
            b.append(P(lang, "handoff", (text, ["@handoff", f"@lang={lang}"])))
        b.append(P(lang, "delivery", (delivery[lang], [*NOT[lang]])))
        b.append(P(lang, "thanks", (thanks[lang], [THANKS[lang]])))
    return b


def _product_probes() -> list[Probe]:
    """Products by everyday words (inflections, compounds, the neighbours' words) and questions
    about the product just shown ("hvad koster den?"), in the five languages."""
    in_stock = {
        "da": "på lager|udsolgt|tilbage|findes ikke i størrelse",
        "sv": "i lager|slutsåld|kvar|finns inte i storlek",
        "nb": "på lager|utsolgt|igjen|finnes ikke i størrelse",
        "fi": "varastossa|loppuunmyyty|jäljellä|ei ole koossa",
        "en": "in stock|sold out|left|doesn't come in size",
    }
    cost = {"da": "koster", "sv": "kostar", "nb": "koster", "fi": "maksaa", "en": "costs"}
    sweater = {"da": "striktrøje", "sv": "stickad tröja", "nb": "strikkegenser",
               "fi": "neulepusero", "en": "knitted jumper"}  # fmt: skip
    follow_ups = {
        "da": ("har I uldsweatre?", "hvad koster den?", "har I den i str. M?"),
        "sv": ("har ni ylletröjor?", "vad kostar den?", "finns den i M?"),
        "nb": ("har dere ullgensere?", "hva koster den?", "har dere den i M?"),
        "fi": ("onko teillä villapaitoja?", "paljonko se maksaa?", "onko sitä koossa M?"),
        "en": ("do you have wool jumpers?", "what does it cost?", "do you have it in M?"),
    }
    searches = {
        "da": ["jeg leder efter en uldsweater", "har I regnjakker", "har I plaider til sofaen"],
        "sv": ["jag söker en ylletröja", "har ni regnjackor", "har ni plädar"],
        "nb": ["ser etter en ullgenser", "har dere regnjakker", "har dere pledd"],
        "fi": ["etsin villapaitaa", "onko teillä sadetakkeja", "onko teillä torkkupeittoja"],
        "en": ["I'm looking for a wool sweater", "do you sell rain jackets", "a wool throw"],
    }
    b: list[Probe] = []
    for lang in LANGS:
        first, price, size = follow_ups[lang]
        b.append(
            P(
                lang,
                "products",
                (first, ["@products", sweater[lang], f"@lang={lang}"]),
                (price, ["@products", cost[lang], sweater[lang]]),
                (size, ["@products", in_stock[lang], sweater[lang]]),
            )
        )
        for text in searches[lang]:
            b.append(P(lang, "products", (text, ["@products", *NOT[lang]])))
    # What the demo shop's front page shows is what the bot knows (`demo/shop/window.py`).
    for name in ("Plaid Rauma", "Striktrøje Elli", "Regnjakke Otto"):
        b.append(P("da", "products", (f"har I {name}?", ["@products", name])))
    return b


# -- running -----------------------------------------------------------------------------------


HANDOFF_TYPES = {"handoff_form", "offline_form", "queue", "handoff"}


def _plain(text: str) -> str:
    """Case-folded, with Babel's no-break and narrow spaces as plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ").casefold()


def _check(check: str, turn: dict[str, Any], lang: str) -> bool:
    negate = check.startswith("!")
    check = check[1:] if negate else check
    replies = turn.get("replies", [])
    payloads = [r.get("payload") or {} for r in replies]
    labels = [str(b.get("label", "")) for p in payloads for b in p.get("buttons", [])]
    text = _plain(" ".join([r.get("text", "") for r in replies] + labels))
    first = _plain(replies[0].get("text", "") if replies else "")
    if check.startswith("@lang="):
        ok = turn.get("language") == check.split("=", 1)[1]
    elif check == "@handoff":
        ok = any(p.get("type") in HANDOFF_TYPES for p in payloads) or turn.get("state") in (
            "queued",
            "live",
        )
    elif check == "@tracking":
        ok = any(p.get("type") == "tracking" for p in payloads)
    elif check == "@products":
        ok = any(p.get("type") in ("products", "product") for p in payloads)
    elif check == "@person":
        ok = PERSON[turn.get("language") or lang].casefold() in text
    elif check == "@fallback":
        ok = any(
            alt.casefold() in text for alt in FALLBACK[turn.get("language") or lang].split("|")
        )
    elif check.startswith("^"):
        ok = any(first.startswith(alt.casefold()) for alt in check[1:].split("|"))
    else:
        ok = any(alt.casefold() in text for alt in check.split("|"))
    return ok != negate


async def run(data_dir: Path, verbose: bool) -> dict[str, Any]:
    import httpx

    from samtale.app.container import Container
    from samtale.cli.shop import demo_orders
    from samtale.demo.tenant import ensure_demo
    from samtale.infra.database import Database
    from samtale.infra.migrate import upgrade
    from samtale.kernel.config import Settings
    from samtale.web.app import create_app

    order = demo_orders()[0]
    values = {
        "order": order["order_number"],
        "email": order["email"],
        "tracking": order["tracking_number"],
    }
    battery = _battery()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        db = Database(url)
        await upgrade(db)
        await db.dispose()
        settings = Settings(
            database_url=url,
            data_dir=data_dir,
            secret_key="bench-conversations-secret",
            messages_per_minute=1_000_000,
            conversations_per_minute_per_ip=1_000_000,
            log_level="warning",
        )
        rt = Container.build(settings)
        await rt.start()
        try:
            async with rt.db.transaction() as session:
                await ensure_demo(session, rt.clock, data_dir, [])
            registry: Any = rt.responders
            await registry.wait_ready()
            await registry.refresh()
            app = create_app(rt, manage_runtime=False)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
            ) as client:
                results = []
                started = time.perf_counter()
                for probe in battery:
                    results.append(await _run_probe(client, probe, values))
                seconds = time.perf_counter() - started
        finally:
            await rt.close()
    return _report(battery, results, seconds, verbose)


async def _run_probe(
    client: Any, probe: Probe, values: dict[str, str]
) -> list[tuple[str, list[str], dict[str, Any]]]:
    r = await client.post("/api/v1/widget/demo/conversations", json={"language": probe.page})
    r.raise_for_status()
    body = r.json()
    headers = {"authorization": f"Bearer {body['token']}"}
    failed: list[tuple[str, list[str], dict[str, Any]]] = []
    for text, checks in probe.turns:
        text = text.format(**values)
        r = await client.post(
            f"/api/v1/conversations/{body['conversation_id']}/messages",
            json={"text": text},
            headers=headers,
        )
        r.raise_for_status()
        turn = r.json()
        bad = [c for c in checks if not _check(c, turn, probe.language)]
        if bad:
            failed.append((text, bad, turn))
    return failed


def _report(
    battery: list[Probe], results: list[Any], seconds: float, verbose: bool
) -> dict[str, Any]:
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for probe, failed in zip(battery, results, strict=True):
        for key, bucket in ((probe.language, by_lang), (probe.category, by_cat)):
            bucket[key][0] += not failed
            bucket[key][1] += 1
    passed = sum(not f for f in results)
    print(f"# Conversations: {len(battery)} probes, {sum(len(p.turns) for p in battery)} turns")
    print(f"machine: {machine()}; {seconds:.1f} s\n")

    def rows(bucket: dict[str, list[int]]) -> list[list[object]]:
        return [[k, f"{v[0]}/{v[1]}", f"{100 * v[0] / v[1]:.1f} %"] for k, v in bucket.items()]

    print(table(["language", "passed", "rate"], rows(by_lang)))
    print()
    print(table(["category", "passed", "rate"], rows(by_cat)))
    print(f"\nall: {passed}/{len(battery)} = {100 * passed / len(battery):.1f} %")
    if verbose:
        print("\n## Failed")
        for probe, failed in zip(battery, results, strict=True):
            for text, bad, turn in failed:
                replies = " / ".join(r.get("text", "")[:140] for r in turn.get("replies", []))
                print(
                    f"- [{probe.language}/{probe.category}, page {probe.page}] {text!r} "
                    f"→ [{turn.get('language')}] {replies!r}; failed {bad}"
                )
    return {"passed": passed, "total": len(battery)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / ".cache" / "test-bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failed turn")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    from samtale.kernel.logs import configure_logging

    configure_logging("warning")
    asyncio.run(run(args.data_dir, args.verbose))


if __name__ == "__main__":
    main()
