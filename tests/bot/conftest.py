"""Fixtures for the intent classifier tests: a small multilingual shop and one shared embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from samtale.bot.classifier import IntentClassifier
from samtale.bot.embeddings import Embedder

# (intent, language, examples): a miniature of a shop's content, in the five languages.
SHOP: list[tuple[str, str, list[str]]] = [
    (
        "track_order",
        "da",
        [
            "Hvor er min pakke?",
            "Hvornår kommer min ordre?",
            "Jeg vil spore min pakke",
            "Min pakke er ikke kommet endnu",
            "Kan du tjekke status på min bestilling?",
            "Hvor langt er min levering?",
        ],
    ),
    (
        "track_order",
        "sv",
        [
            "Var är mitt paket?",
            "När kommer min beställning?",
            "Jag vill spåra mitt paket",
            "Mitt paket har inte kommit",
            "Status på min order?",
        ],
    ),
    (
        "track_order",
        "nb",
        [
            "Hvor er pakken min?",
            "Når kommer bestillingen min?",
            "Jeg vil spore pakken",
            "Pakken min har ikke kommet",
        ],
    ),
    (
        "track_order",
        "fi",
        [
            "Missä pakettini on?",
            "Milloin tilaukseni saapuu?",
            "Haluan seurata pakettia",
            "Pakettini ei ole vielä tullut",
        ],
    ),
    (
        "track_order",
        "en",
        [
            "Where is my parcel?",
            "When will my order arrive?",
            "Track my package",
            "My order hasn't arrived yet",
            "What's the status of my order?",
        ],
    ),
    (
        "return_item",
        "da",
        [
            "Jeg vil returnere en vare",
            "Hvordan sender jeg noget retur?",
            "Kan jeg bytte mine sko?",
            "Varen passer ikke, jeg vil have pengene tilbage",
            "Hvordan fortryder jeg mit køb?",
        ],
    ),
    (
        "return_item",
        "sv",
        [
            "Jag vill returnera en vara",
            "Hur skickar jag tillbaka något?",
            "Kan jag byta mina skor?",
            "Hur gör jag en retur?",
        ],
    ),
    (
        "return_item",
        "nb",
        [
            "Jeg vil returnere en vare",
            "Hvordan sender jeg noe i retur?",
            "Kan jeg bytte skoene mine?",
            "Hvordan angrer jeg kjøpet?",
        ],
    ),
    (
        "return_item",
        "fi",
        [
            "Haluan palauttaa tuotteen",
            "Miten palautan tilauksen?",
            "Voinko vaihtaa kengät?",
            "Palautusohjeet kiitos",
        ],
    ),
    (
        "return_item",
        "en",
        [
            "I want to return an item",
            "How do I send something back?",
            "Can I exchange my shoes?",
            "I want a refund for this product",
        ],
    ),
    (
        "payment_methods",
        "da",
        [
            "Kan jeg betale med MobilePay?",
            "Hvilke betalingsmetoder har I?",
            "Tager I imod kreditkort?",
            "Kan jeg betale med faktura?",
        ],
    ),
    (
        "payment_methods",
        "sv",
        [
            "Kan jag betala med Swish?",
            "Vilka betalsätt finns det?",
            "Kan jag betala med Klarna?",
            "Tar ni kort?",
        ],
    ),
    (
        "payment_methods",
        "nb",
        [
            "Kan jeg betale med Vipps?",
            "Hvilke betalingsmåter har dere?",
            "Kan jeg betale med kort?",
        ],
    ),
    (
        "payment_methods",
        "fi",
        ["Voinko maksaa MobilePaylla?", "Mitä maksutapoja teillä on?", "Voiko maksaa laskulla?"],
    ),
    (
        "payment_methods",
        "en",
        [
            "Can I pay with PayPal?",
            "Which payment methods do you accept?",
            "Do you take credit cards?",
            "Can I pay by invoice?",
        ],
    ),
    (
        "opening_hours",
        "da",
        [
            "Hvornår har I åbent?",
            "Hvad er jeres åbningstider?",
            "Har butikken åbent søndag?",
            "Hvornår lukker I i dag?",
        ],
    ),
    (
        "opening_hours",
        "sv",
        ["När har ni öppet?", "Vilka är era öppettider?", "Har ni öppet på söndag?"],
    ),
    (
        "opening_hours",
        "nb",
        ["Når har dere åpent?", "Hva er åpningstidene?", "Har dere åpent søndag?"],
    ),
    (
        "opening_hours",
        "fi",
        ["Milloin olette auki?", "Mitkä ovat aukioloajat?", "Oletteko auki sunnuntaina?"],
    ),
    (
        "opening_hours",
        "en",
        ["When are you open?", "What are your opening hours?", "Are you open on Sunday?"],
    ),
    (
        "talk_to_human",
        "da",
        [
            "Jeg vil tale med et menneske",
            "Kan jeg få fat i en medarbejder?",
            "Stil mig videre til en person",
            "Jeg vil have en rigtig person",
        ],
    ),
    (
        "talk_to_human",
        "sv",
        [
            "Jag vill prata med en människa",
            "Kan jag få prata med personal?",
            "Koppla mig till en person",
        ],
    ),
    ("talk_to_human", "nb", ["Jeg vil snakke med et menneske", "Kan jeg få snakke med en ansatt?"]),
    (
        "talk_to_human",
        "fi",
        ["Haluan puhua ihmisen kanssa", "Voinko puhua asiakaspalvelijan kanssa?"],
    ),
    (
        "talk_to_human",
        "en",
        ["I want to talk to a human", "Can I speak to an agent?", "Connect me with a real person"],
    ),
]

# Paraphrases never seen in training: typos, missing diacritics, another wording.
HELD_OUT: list[tuple[str, str]] = [
    ("hvor er min pakke henne", "track_order"),
    ("hvornar kommer min pakke", "track_order"),
    ("var ar mitt paket nu", "track_order"),
    ("where's my package", "track_order"),
    ("jeg vil gerne returnere mine sko", "return_item"),
    ("how can i return this", "return_item"),
    ("kan man betale med mobilepay", "payment_methods"),
    ("what payment options do you have", "payment_methods"),
    ("hvad er abningstiderne", "opening_hours"),
    ("what time do you open", "opening_hours"),
    ("jag vill prata med en person", "talk_to_human"),
    ("let me talk to a human please", "talk_to_human"),
]

# Clearly nothing a shop's bot was taught.
UNRELATED: list[str] = [
    "What is the capital of Mongolia?",
    "Hur många ben har en spindel?",
    "Explain quantum chromodynamics",
    "asdfgh qwerty",
]


def _shop_rows() -> list[tuple[str, str, str]]:
    return [(text, intent, lang) for intent, lang, texts in SHOP for text in texts]


@pytest.fixture(scope="session")
def shop_rows() -> list[tuple[str, str, str]]:
    """(text, intent, language) rows of the miniature shop."""
    return _shop_rows()


@pytest.fixture(scope="session")
def held_out() -> list[tuple[str, str]]:
    """(text, intent) paraphrases the classifier never saw."""
    return list(HELD_OUT)


@pytest.fixture(scope="session")
def unrelated() -> list[str]:
    return list(UNRELATED)


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """One embedder for the whole session, with a disk cache in a temporary folder."""
    return Embedder(tmp_path_factory.mktemp("embeddings"))


@pytest.fixture(scope="session")
def shop_classifier(embedder: Embedder, shop_rows: list[tuple[str, str, str]]) -> IntentClassifier:
    rows = shop_rows
    return IntentClassifier(embedder).fit([r[0] for r in rows], [r[1] for r in rows])


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    return tmp_path / "model.joblib"
