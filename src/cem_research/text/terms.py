"""Tokenization, stopwords, word n-grams and document-frequency term counts."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cem_research.client.paths import RESOURCES
from cem_research.text.common import as_series, as_text

__all__ = ["NEGATIONS", "stopword_list", "tokenize", "term_sets", "doc_freq", "term_counts"]


@functools.lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern:
    # \w in Python's re does not include combining marks (Unicode category M: Devanagari vowel signs,
    # viramas, Arabic harakat ...), which would split many non-Latin words; add them explicitly.
    ranges: list[tuple[int, int]] = []
    start = prev = None
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                ranges.append((start, prev))
                start = prev = cp
    if start is not None:
        ranges.append((start, prev))
    marks = "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)
    word = rf"[\w{marks}]+"
    return re.compile(rf"{word}(?:['\u2019]{word})*")


_HAS_DIGIT_OR_UNDERSCORE = re.compile(r"[\d_]")


#: Negations are never stopwords ("not good" must stay "not good"), in any language.
NEGATIONS = frozenset({"no", "not", "never", "nor", "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie",
                       "niemals", "nunca", "nada", "ni", "sin", "jamás", "ne", "pas", "jamais", "non", "mai",
                       "não", "nem", "niet", "geen", "nooit", "inte", "ikke", "aldrig"})


@functools.lru_cache(maxsize=None)
def stopword_list(language: str = "en") -> frozenset[str]:
    """The stopwords of a language.

    Parameters
    ----------
    language : str, default "en"
        ISO 639-1 code. English is the project's own list (``resources/stopwords_en.txt``); other
        languages come from the ``stop-words`` package (its lists ship with it: 30-odd languages).

    Returns
    -------
    frozenset of str
        Lowercase words, without negations (:data:`NEGATIONS`: "no", "not", "nicht", "sin" ... are
        deliberately not stopwords). Empty for a language without a list.

    Examples
    --------
    >>> "the" in stopword_list(), "not" in stopword_list()
    (True, False)
    >>> "el" in stopword_list("es"), "nicht" in stopword_list("de"), len(stopword_list("xx"))
    (True, False, 0)
    """
    if language == "en":
        lines = (RESOURCES / "stopwords_en.txt").read_text(encoding="utf-8").splitlines()
        return frozenset(w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#"))
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    if language not in LANGUAGE_MAPPING:
        return frozenset()
    words = (unicodedata.normalize("NFC", w.strip().lower()) for w in get_stop_words(language))
    return frozenset(w for w in words if w and w not in NEGATIONS)


def tokenize(text: Any, stopwords: bool | str = True) -> list[str]:
    """Lowercase word tokens of a text.

    Parameters
    ----------
    text : str
        Any text (``None``/NaN give ``[]``).
    stopwords : bool or str, default True
        Drop the words of the shipped English stopword list (``resources/stopwords_en.txt``); a language
        code drops that language's stopwords instead (:func:`stopword_list`); ``False`` keeps every word.

    Returns
    -------
    list of str
        Alphabetic word tokens in text order, lowercased (NFC-normalised). Letters of any script count
        (é, 日本語, عربي, हिन्दी); words joined by an apostrophe stay one token (``don't``, typographic
        ``’`` becomes ``'``); punctuation, numbers and tokens containing digits or ``_`` are dropped.

    Notes
    -----
    The tokenizer is NLTK's ``wordpunct_tokenize`` idea (a regular-expression tokenizer splitting runs of
    word characters from punctuation; no Punkt model is needed) with two changes: apostrophe-joined words
    are kept together and Unicode combining marks count as word characters. Mixed tokens such as
    ``mp3`` are dropped entirely, as when filtering ``wordpunct_tokenize`` output with ``str.isalpha``.

    Examples
    --------
    >>> tokenize("The latte wasn't hot -- 2 stars!")
    ['latte', "wasn't", 'hot', 'stars']
    >>> tokenize("The latte", stopwords=False)
    ['the', 'latte']
    """
    text = as_text(text)
    if not text:
        return []
    text = unicodedata.normalize("NFC", text.lower())
    tokens = _token_pattern().findall(text)
    if "\u2019" in text or _HAS_DIGIT_OR_UNDERSCORE.search(text) is not None:
        tokens = [t.replace("\u2019", "'") for t in tokens if _HAS_DIGIT_OR_UNDERSCORE.search(t) is None]
    if stopwords:
        stop = stopword_list() if stopwords is True else stopword_list(str(stopwords))
        tokens = [t for t in tokens if t not in stop]
    return tokens


def _check_ngram_range(ngram_range: tuple[int, int]) -> tuple[int, int]:
    lo, hi = (int(x) for x in ngram_range)
    if lo < 1 or hi < lo:
        raise ValueError(f"ngram_range must be (min_n, max_n) with 1 <= min_n <= max_n, got {ngram_range!r}")
    return lo, hi


def _doc_terms(tokens: list[str], ngram_range: tuple[int, int]) -> frozenset[str]:
    lo, hi = ngram_range
    terms: list[str] = []
    for n in range(lo, hi + 1):
        if n == 1:
            terms.extend(tokens)
        else:
            terms.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return frozenset(terms)


def term_sets(texts: Iterable[Any], ngram_range: tuple[int, int], stopwords: bool | str = True) -> list[frozenset[str]]:
    """The set of word n-grams of each text; equal texts share one (immutable) set object.

    Parameters
    ----------
    texts : sequence of str
        The documents (missing texts count as empty documents).
    ngram_range : (int, int)
        Smallest and largest n-gram length.
    stopwords : bool or str, default True
        Remove stopwords (English, or of the language code given) before forming n-grams (see
        :func:`tokenize`).

    Returns
    -------
    list of frozenset of str
        One set per text, in order; n-grams are words joined by one space.

    Notes
    -----
    Comments repeat ("Great coffee", "ok"), so each distinct text is tokenized once, and
    :func:`doc_freq` counts a shared set once with its multiplicity.

    Examples
    --------
    >>> sets = term_sets(["Great coffee", "Great coffee", "slow"], (1, 2))
    >>> sorted(sets[0]), sets[0] is sets[1]
    (['coffee', 'great', 'great coffee'], True)
    """
    ngram_range = _check_ngram_range(ngram_range)
    memo: dict[str, frozenset[str]] = {}
    out = []
    for t in texts:
        t = as_text(t)
        terms = memo.get(t)
        if terms is None:
            terms = memo[t] = _doc_terms(tokenize(t, stopwords=stopwords), ngram_range)
        out.append(terms)
    return out


def doc_freq(term_sets: Iterable[frozenset[str]]) -> Counter:
    """Document frequency of each term: the number of sets holding it.

    Parameters
    ----------
    term_sets : iterable of frozenset of str
        One set of terms per document, e.g. from :func:`term_sets`.

    Returns
    -------
    collections.Counter
        Term -> number of sets holding it (a set object listed k times counts k times).

    Notes
    -----
    A set object that appears several times (equal texts share one in :func:`term_sets`) is
    counted once and multiplied, which is much faster for repetitive comments.

    Examples
    --------
    >>> doc_freq(term_sets(["Great coffee", "Great coffee", "slow"], (1, 1)))["coffee"]
    2
    """
    sets = term_sets if isinstance(term_sets, list) else list(term_sets)
    counts: Counter = Counter()
    repeats = Counter(map(id, sets))
    if len(repeats) == len(sets):
        for terms in sets:
            counts.update(terms)
        return counts
    by_id = dict(zip(map(id, sets), sets))
    for key, k in repeats.items():
        if k == 1:
            counts.update(by_id[key])
        else:
            for term in by_id[key]:
                counts[term] += k
    return counts


def term_counts(
    texts: Iterable[Any] | pd.Series,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 1,
    stopwords: bool = True,
) -> pd.DataFrame:
    """Document frequency of every word n-gram.

    Parameters
    ----------
    texts : Series or sequence of str
        The documents (one text each; missing texts count as empty documents).
    ngram_range : (int, int), default (1, 2)
        Smallest and largest n-gram length (1 = words, 2 = word pairs ...).
    min_df : int, default 1
        Keep terms that occur in at least this many documents.
    stopwords : bool, default True
        Remove stopwords before forming n-grams (see :func:`tokenize`).

    Returns
    -------
    DataFrame
        Columns ``term`` (n-gram, words joined by one space), ``ngram`` (its length), ``docs`` (number of
        texts containing the term at least once) and ``share`` (``docs`` / number of texts); sorted by
        ``docs`` descending, then ``term``. ``attrs["n_docs"]`` holds the number of texts.

    Notes
    -----
    Counts are document frequencies, not token frequencies: a term repeated within one comment counts
    once, so a single long rant cannot dominate. N-grams are formed after stopword removal (as in
    scikit-learn's ``CountVectorizer``), so "no milk at all" yields the bigram "no milk".

    Examples
    --------
    >>> term_counts(["Great coffee", "great coffee, slow service"], ngram_range=(1, 1)).head(2)
         term  ngram  docs  share
    0  coffee      1     2    1.0
    1   great      1     2    1.0
    """
    texts = as_series(texts)
    sets = term_sets(texts.tolist(), ngram_range, stopwords=stopwords)
    counts = doc_freq(sets)
    items = sorted(((t, c) for t, c in counts.items() if c >= min_df), key=lambda tc: (-tc[1], tc[0]))
    n_docs = len(sets)
    out = pd.DataFrame(
        {
            "term": pd.Series([t for t, _ in items], dtype=object),
            "ngram": pd.Series([t.count(" ") + 1 for t, _ in items], dtype=int),
            "docs": pd.Series([c for _, c in items], dtype=int),
        }
    )
    out["share"] = out["docs"] / n_docs if n_docs else np.nan
    out.attrs["n_docs"] = n_docs
    return out
