"""A sequence model for person names: a linear-chain CRF over the words of a message.

The rules in `names` are precise where the evidence is explicit (an introduction, a closing, a
known given name next to a surname), but a lone surname in running text ("… sagde Lundbæk, at
…"), a foreign name ("Gheorge Funar") or a lowercase name in a chat ("karen holm") has no such
anchor. A CRF weighs many weak signals at once and the neighbouring decisions with them.

Features are chosen to carry across the five languages rather than to remember Danish words:

* the shape of the word (capitalised, all capitals, an initial, a hyphen, its last letters),
  where it stands (first word of a sentence, of a line, of the message, last word, a message of
  at most three words) and the punctuation just around it;
* what the name lists say (a given name of the Nordic/English or the wider lists, an ambiguous
  one, a listed surname or one shaped like a surname, a city, a common word or a month);
* a few classes of context words in all five languages (titles, verbs of saying, greetings,
  prepositions of place) and the identity of lowercase neighbours;
* the word's class, fine and coarse, and the coarse class of the words next to it
  (`word_classes`: clusters of the e5 vocabulary's word vectors), and for a capitalised word
  whether it is mostly written with a capital, so that what the model learnt of a word
  carries to the words like it;
* whether the word is in one of the message's e-mail local parts ("karen.holm@…");
* what the rules decided for the word (context, signature, run): the model learns when to
  trust them and when to add to them.

Capitalised words are never features by their identity, so the model cannot learn the names of
its training text by heart; it has to recognise them by shape, lists, classes and context.
Besides people (`P`) and other words (`O`) the model knows places (`L`), organisations (`G`)
and other names (`M`); the redactor reads only its probability of `P`.

The model is trained by `python -m samtale.privacy.pii.train_names` (see that module for the
data and its licence) and ships as `names.crfsuite` beside this file. Tagging a message costs a
fraction of a millisecond on one core. Without the file the redactor falls back to the rules.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .names import _PARTICLES, _SURNAME_SHAPE, _Reader, _Token, reader_for
from .word_classes import classes_of, word_classes

MODEL_PATH = Path(__file__).with_name("names.crfsuite")
PERSON = "P"
OTHER = "O"

_EMAIL_LOCAL = re.compile(r"([\w.+\-]+)@[\w\-]+\.[\w.\-]+")


def _cues(**classes: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, words in classes.items():
        for w in words.split():
            out[w] = name
    return out


# Words that say something about the word next to them, in da, sv, nb, fi and en.
CUES = _cues(
    title="""hr herr herra hr. fru frk fröken frøken rouva neiti mr mrs ms miss dr doktor
    professor prof direktør direktör direktor johtaja director formand ordförande leder
    puheenjohtaja chairman chair minister ministeri statsminister premierminister pääministeri
    president presidentti præsident presidenten kong kung kuningas king dronning drottning
    kuningatar queen prins prinsesse prinsessa prince princess pastor præst präst pappi
    biskop biskopp piispa bishop sanger sångare sangerinne laulaja singer forfatter
    författare kirjailija author writer skuespiller skådespelare näyttelijä actor actress
    træner tränare trener valmentaja coach chef chief boss sekretær sekreterare sihteeri
    secretary generalsekretær borgmester borgmästare ordfører pormestari mayor kaptajn kapten
    kaptein kapteeni captain general politimester advokat lawyer dommer domare judge
    redaktør redaktör redaktø päätoimittaja editor psykolog psychologist læge läkare lege
    lääkäri sygeplejerske agent konsulent kollega kollegan kollegaen kundeservice
    medarbejder medarbetare medarbeider sælger säljare selger myyjä seller kansler
    förbundskansler forbundskansler chancellor senator senaattori governor guvernør guvernör
    ambassadør ambassadör ambassador suurlähettiläs oberst överste colonel eversti løjtnant
    löjtnant lieutenant konsul consul rektor lektor docent dosentti overlæge överläkare
    fuldmægtig pave påve paavi pope kardinal cardinal ærkebiskop ärkebiskop archbishop
    sheikh emir""",
    say="""siger sagde sige fortæller fortalte mener mente skriver skrev spørger spurgte svarer
    svarede forklarer forklarede tilføjer tilføjede understreger säger sade sa berättar
    berättade menar skrev frågar svarar förklarar sier sa forteller fortalte mener skriver
    spør svarer forklarer sanoo sanoi kertoo kertoi kirjoittaa kysyy vastaa says said tells
    told writes wrote asks asked answers answered explains explained adds added""",
    greet="""hej hejsa hey hi hello hallo hei heippa moi terve kære kjære bästa dear goddag
    godmorgen morn tjena""",
    place="""i in på fra från from til till to mod mot towards ved vid near udenfor
    utanför outside""",
    thanks="""tak takk tack kiitos thanks thank""",
    closing="""mvh vh hilsen hilsner hälsningar hälsning terveisin regards sincerely cheers
    venlig vennlig vänliga""",
    intro="""hedder heter heder navn namn nimi nimeni name named kaldet kallad kalt kutsutaan
    called""",
    with_="""med with kanssa og och and ja samt""",
    relation="""mand kone kæreste søn datter mor far bror søster veninde ven nabo man fru
    sambo son dotter mamma pappa syster vän granne kompis mannen kona kjæresten sønnen datteren
    moren faren broren søsteren venninnen mieheni vaimoni poikani tyttäreni äitini isäni
    veljeni siskoni ystäväni husband wife partner daughter mother mum mom father dad brother
    sister friend colleague neighbour neighbor""",
    of="""af av of til""",
)


def mail_parts(text: str) -> set[str]:
    """The words of the e-mail local parts in `text`: "karen.holm@…" gives karen and holm."""
    out: set[str] = set()
    for m in _EMAIL_LOCAL.finditer(text):
        out.update(p for p in re.split(r"[\W\d_]+", m.group(1).lower()) if len(p) >= 2)
    return out


def _shape(word: str) -> str:
    """The word's letters as X (capital) and x (small), runs shortened: "McDonald" -> XxXx."""
    out: list[str] = []
    for c in word:
        k = "X" if c.isupper() else "x" if c.isalpha() else c
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out[:6])


def _kind(tok: _Token, reader: _Reader) -> list[str]:
    """The word's own facts: shape and what the lists say."""
    low = tok.low
    f: list[str] = []
    if tok.initial:
        f.append("init")
    elif tok.text.isupper() and len(tok.text) > 1:
        f.append("upper")
    elif tok.cap:
        f.append("cap")
    else:
        f.append("low")
    first = reader.first(low)
    if first:
        f.append("fn=" + first)
    if reader.surname(low, shape=False):
        f.append("sn")
    elif reader.surname(low):
        f.append("snshape")
    if not first and not any(x.startswith("sn") for x in f):
        world = reader.world(low)
        if world:
            f.append("fn=world" if world == "first" else "snworld")
    if reader.city(low):
        f.append("city")
    if reader.is_stop(low):
        f.append("stop")
    if low in _PARTICLES:
        f.append("particle")
    cue = CUES.get(low.rstrip("."))
    if cue:
        f.append("cue=" + cue)
    return f


LEXICAL = ("fn=", "sn", "snshape", "city")


_OFFSETS = (-2, -1, 1, 2)


@functools.lru_cache(maxsize=4096)
def _word(
    text: str, initial: bool, finnish: bool, hidden: bool
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """What a word says of itself wherever it stands, and what it says as the neighbour at each
    of `_OFFSETS`: computed once per word, since messages repeat their words."""
    low = text.lower()
    cap = text[0].isupper()
    tok = _Token(0, len(text), text, low, cap, initial, False)
    kind = _kind(tok, reader_for(("fi",) if finnish else ()))
    classes = () if hidden else classes_of(text, word_classes())
    if hidden:
        kind = [k for k in kind if not k.startswith(LEXICAL)]
    f = ["b", *kind, "len=" + str(min(len(text), 9)), "suf3=" + low[-3:], "suf2=" + low[-2:]]
    if cap and len(low) > 4:
        f.append("suf4=" + low[-4:])
    f.append("shape=" + _shape(text))
    if "-" in text:
        f.append("hyphen")
    if "'" in text or "’" in text:
        f.append("apos")
    if not cap or "stop" in kind:
        f.append("w=" + low)
    if _SURNAME_SHAPE.match(low):
        f.append("sshape")
    if classes:
        fine, coarse, casing, _ = classes
        f += ["wc=" + fine, "wc1=" + coarse]
        if cap:
            f.append("case=" + casing)
    elif not hidden:
        f.append("wc=none")
    around: list[tuple[str, ...]] = []
    cue = CUES.get(low.rstrip("."))
    for d in _OFFSETS:
        near = abs(d) == 1
        g = [f"{d}:{k}" for k in kind if near or not k.startswith("cue=")]
        if not cap:
            g.append(f"{d}:w={low}")
        if classes and near:
            g.append(f"{d}:wc1={classes[1]}")
        if not near and cue:
            g.append(f"{d}:cue={cue}")
        around.append(tuple(g))
    return tuple(f), tuple(around)


def features(
    text: str,
    tokens: list[_Token],
    reader: _Reader,
    rules: list[tuple[int, int, int]],
    hide: frozenset[int] = frozenset(),
) -> list[list[str]]:
    """One list of feature strings per token. The tokens in `hide` are shown without what the
    name lists and the word classes say of them, and without what the rules decided
    (training uses it, so that the model learns context too)."""
    n = len(tokens)
    mail = mail_parts(text)
    words = [_word(t.text, t.initial, reader.finnish, i in hide) for i, t in enumerate(tokens)]
    out: list[list[str]] = []
    for i, tok in enumerate(tokens):
        f = list(words[i][0])
        if tok.sent_start:
            f.append("bos")
        if tok.after_article:
            f.append("art")
        before = text[tokens[i - 1].end if i else 0 : tok.start]
        after = text[tok.end : tokens[i + 1].start if i + 1 < n else len(text)]
        f.append("pb=" + before.strip()[-1:])
        f.append("pa=" + after.strip()[:1])
        if i == 0:
            f.append("first")
        if i == n - 1:
            f.append("last")
        if "\n" in before or i == 0:
            f.append("linestart")
        if "\n" in after or i == n - 1:
            f.append("lineend")
        if n <= 3:
            f.append("short")
        if tok.cap:
            run = 1
            for step in (-1, 1):
                j = i + step
                while 0 <= j < n and tokens[j].cap and abs(j - i) < 4:
                    run += 1
                    j += step
            f.append("crun=" + str(min(run, 4)))
        if tok.low in mail:
            f.append("inmail")
        if i not in hide:
            for s, e, how in rules:
                if s <= tok.start and tok.end <= e:
                    f.append(f"rule={how}")
        for k, d in enumerate(_OFFSETS):
            j = i + d
            if 0 <= j < n:
                f.extend(words[j][1][k])
            else:
                f.append(f"{d}:none")
        out.append(f)
    return out


@functools.cache
def _tagger() -> object | None:
    if not MODEL_PATH.exists():
        return None
    return open_tagger(MODEL_PATH)


def model_available() -> bool:
    return _tagger() is not None


def open_tagger(path: Path) -> object:
    """A tagger for the model at `path` (training's cross-validation reads its fold models)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def marginals(
    text: str,
    tokens: list[_Token],
    reader: _Reader,
    rules: list[tuple[int, int, int]],
    tagger: object | None = None,
) -> list[float]:
    """For each token, the model's probability that it is part of a person's name (all zero
    when the model file is missing). `tagger` replaces the shipped model (cross-validation)."""
    tagger = tagger if tagger is not None else _tagger()
    if tagger is None or not tokens:
        return [0.0] * len(tokens)
    tagger.set(features(text, tokens, reader, rules))  # type: ignore[attr-defined]
    return [tagger.marginal(PERSON, i) for i in range(len(tokens))]  # type: ignore[attr-defined]
