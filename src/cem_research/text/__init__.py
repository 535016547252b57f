"""Text analysis for customer verbatims.

Sentiment (VADER, offline lexicon) with a content-addressed cache and optional multiprocessing,
tokenization, document-frequency term counts, keyness (Dunning log-likelihood G²), characteristic and
rising terms, aspect mentions for the three brand elements of Schmitt's step 3, PII masking and
HTML-safe excerpts.

Every function returns plain Python values or tidy :class:`pandas.DataFrame` objects; nothing here
prints, plots or downloads anything. Customer text shown in any report must go through
:func:`safe_text`.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import html
import importlib.util
import itertools
import math
import multiprocessing
import os
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from cem_research.client.paths import RESOURCES

__all__ = [
    "SENTIMENT_COLUMNS",
    "KEYNESS_COLUMNS",
    "sentiment_analyzer",
    "polarity",
    "text_key",
    "score_sentiment",
    "tokenize",
    "stopword_list",
    "term_counts",
    "keyness",
    "characteristic_terms",
    "rising_terms",
    "mask_pii",
    "safe_text",
    "load_lexicon",
    "aspect_mentions",
    "aspect_sentiment",
]

#: Columns of every sentiment table (and of the sentiment cache), in this order.
SENTIMENT_COLUMNS: tuple[str, ...] = ("compound", "pos", "neu", "neg")

#: Columns returned by :func:`keyness`, in this order.
KEYNESS_COLUMNS: tuple[str, ...] = (
    "term",
    "n",
    "target_docs",
    "reference_docs",
    "target_share",
    "reference_share",
    "log_ratio",
    "g2",
    "p_unc",
    "p_corr",
    "significant",
    "direction",
)

#: VADER's conventional threshold: compound <= -0.05 is negative, >= 0.05 positive (Hutto & Gilbert 2014).
NEGATIVE_THRESHOLD = -0.05
POSITIVE_THRESHOLD = 0.05

_RESOURCES = RESOURCES
#: Fewest distinct texts worth a worker pool: VADER scores ~8,000 short comments a second per core,
#: and forking the workers costs ~30 ms (more on a busy machine), so below ~0.25 s of work one
#: process is as fast (measured on 2 cores: 1,000 texts 0.10 s alone vs 0.075 s with 2 workers).
POOL_MIN_TEXTS = 2_000
_ZERO_SCORES = (0.0, 0.0, 0.0, 0.0)


# --------------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """Return ``value`` as a ``str``: ``None``/NaN/NA -> ``""``, other non-strings via ``str()``."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if value is pd.NA or value is pd.NaT or (np.ndim(value) == 0 and pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _as_series(texts: Any) -> pd.Series:
    """Return ``texts`` as a Series (a Series keeps its index; anything else gets a RangeIndex)."""
    if isinstance(texts, pd.Series):
        return texts
    if isinstance(texts, pd.DataFrame):
        raise TypeError("texts must be a Series or a sequence of strings, not a DataFrame; pass one column")
    if isinstance(texts, str):
        return pd.Series([texts])
    return pd.Series(list(texts), dtype=object)


# --------------------------------------------------------------------------------------------------
# sentiment
# --------------------------------------------------------------------------------------------------

_ANALYZER_LOCK = threading.Lock()


def _vader_lexicon_dir() -> Path:
    """Folder of the installed ``vaderSentiment`` package that holds ``vader_lexicon.txt``."""
    try:
        spec = importlib.util.find_spec("vaderSentiment")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        if (Path(location) / "vader_lexicon.txt").is_file():
            return Path(location)
    raise RuntimeError(
        "VADER lexicon not found: cem_research.text needs the 'vadersentiment' package "
        "(pip install vadersentiment), whose folder ships vader_lexicon.txt; nothing is downloaded at run time."
    )


@functools.lru_cache(maxsize=1)
def sentiment_analyzer():
    """Return the (cached) NLTK VADER analyzer built from the offline lexicon.

    Returns
    -------
    nltk.sentiment.vader.SentimentIntensityAnalyzer
        One analyzer per process, built on first use and reused afterwards.

    Raises
    ------
    RuntimeError
        If the ``vadersentiment`` package (which ships ``vader_lexicon.txt``) is not installed.

    Notes
    -----
    NLTK's VADER normally reads its lexicon from the ``vader_lexicon`` download, which is not available
    offline, and NLTK 3.10 refuses lexicon paths outside its data path. The lexicon file shipped inside
    the installed ``vaderSentiment`` package (version 3.3.2: 7,506 entries) is therefore loaded by putting
    that package's folder on ``nltk.data.path`` for the duration of the constructor call
    (``SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")``); the path is restored afterwards.
    Nothing is downloaded or written. The scoring code is NLTK's (Hutto & Gilbert 2014, ICWSM-14).

    Examples
    --------
    >>> sia = sentiment_analyzer()
    >>> sia.polarity_scores("The coffee is great!")["compound"] > 0
    True
    """
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    folder = str(_vader_lexicon_dir())
    with _ANALYZER_LOCK:
        nltk.data.path.insert(0, folder)
        try:
            analyzer = SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")
        except LookupError as exc:  # pragma: no cover - only if the file vanished between check and load
            raise RuntimeError(
                f"VADER lexicon could not be loaded from {folder}: reinstall the 'vadersentiment' package"
            ) from exc
        finally:
            try:
                nltk.data.path.remove(folder)
            except ValueError:  # pragma: no cover
                pass
    return analyzer


def _scores_tuple(scores: Mapping[str, float]) -> tuple[float, float, float, float]:
    return (scores["compound"], scores["pos"], scores["neu"], scores["neg"])


def polarity(text: Any) -> dict[str, float]:
    """VADER scores of one text.

    Parameters
    ----------
    text : str
        Any text; ``None``, NaN and ``pd.NA`` count as the empty text, other non-strings are converted
        with ``str()``.

    Returns
    -------
    dict
        ``{"compound": ..., "pos": ..., "neu": ..., "neg": ...}``. ``compound`` is in [-1, 1]; the other
        three are proportions of the text that sum to 1 (all four are 0 for an empty or missing text).

    Notes
    -----
    The text is passed to VADER unchanged: VADER itself uses capitalisation, punctuation ("!!!"),
    emoticons, boosters and negation, so no preprocessing is applied (Hutto & Gilbert 2014).
    Conventional classes: compound >= 0.05 positive, <= -0.05 negative, otherwise neutral.

    Examples
    --------
    >>> polarity("The design is ugly.")["compound"] < 0
    True
    >>> polarity(None)
    {'compound': 0.0, 'pos': 0.0, 'neu': 0.0, 'neg': 0.0}
    """
    text = _as_text(text)
    if not text:
        return dict(zip(SENTIMENT_COLUMNS, _ZERO_SCORES))
    return dict(zip(SENTIMENT_COLUMNS, _scores_tuple(sentiment_analyzer().polarity_scores(text))))


def text_key(text: Any) -> str:
    """Stable content hash of a text, used as the sentiment-cache key.

    Parameters
    ----------
    text : str
        Any text (``None``/NaN hash like ``""``).

    Returns
    -------
    str
        SHA-1 hex digest (40 characters) of the UTF-8 encoding of the text. Lone surrogates are encoded
        with ``surrogatepass`` so that no text raises.

    Notes
    -----
    The key depends on the exact characters only, so it is stable across runs, processes and machines.
    SHA-1 is used as a content fingerprint, not for security.

    Examples
    --------
    >>> text_key("abc")
    'a9993e364706816aba3e25717850c26c9cd0d89d'
    """
    return hashlib.sha1(_as_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def _score_many(texts: Sequence[str]) -> np.ndarray:
    """Score texts in this process; returns a float array (n, 4) in SENTIMENT_COLUMNS order."""
    ps = sentiment_analyzer().polarity_scores
    rows = [
        ((s := ps(t))["compound"], s["pos"], s["neu"], s["neg"]) if t else _ZERO_SCORES for t in texts
    ]
    return np.array(rows, dtype=float).reshape(len(rows), 4)


def _worker_init() -> None:  # pragma: no cover - runs in worker processes
    # Objects inherited from the parent never become garbage here; freezing them keeps the cyclic
    # collector from scanning the parent's whole heap again and again in every worker.
    gc.freeze()
    sentiment_analyzer()


def _worker_score(texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - runs in worker processes
    return _score_many(texts)


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _score_parallel(texts: list[str], n_jobs: int, chunk_size: int) -> np.ndarray:
    from concurrent.futures import ProcessPoolExecutor

    chunks = [texts[i : i + chunk_size] for i in range(0, len(texts), chunk_size)]
    workers = min(n_jobs, len(chunks))
    ctx = _pool_context()
    if ctx.get_start_method() == "fork":
        sentiment_analyzer()  # build once in the parent: forked workers inherit it
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
        parts = list(pool.map(_worker_score, chunks))
    return np.concatenate(parts, axis=0) if parts else np.empty((0, 4))


def _check_cache(cache: pd.DataFrame | None) -> pd.DataFrame:
    empty = pd.DataFrame(
        {c: pd.Series(dtype=float) for c in SENTIMENT_COLUMNS}, index=pd.Index([], dtype=object, name="key")
    )
    if cache is None or len(cache) == 0:
        return empty
    if not isinstance(cache, pd.DataFrame):
        raise TypeError("cache must be a DataFrame indexed by text_key() with columns compound, pos, neu, neg")
    if "key" in cache.columns:  # e.g. read back from a file without its index
        cache = cache.set_index("key")
    missing = [c for c in SENTIMENT_COLUMNS if c not in cache.columns]
    if missing:
        raise ValueError(f"sentiment cache lacks column(s) {missing}; expected {list(SENTIMENT_COLUMNS)}")
    cache = cache.loc[:, list(SENTIMENT_COLUMNS)].astype(float)
    if cache.index.has_duplicates:
        cache = cache[~cache.index.duplicated(keep="last")]
    cache.index = cache.index.astype(object)
    cache.index.name = "key"
    return cache


def score_sentiment(
    texts: Iterable[Any] | pd.Series,
    cache: pd.DataFrame | None = None,
    n_jobs: int = 1,
    chunk_size: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """VADER-score many texts, each distinct text once, reusing a cache.

    Parameters
    ----------
    texts : Series or sequence of str
        Texts to score. A Series keeps its index in the result; anything else gets a RangeIndex.
        ``None``/NaN are scored as empty texts (all zeros).
    cache : DataFrame, optional
        Earlier scores: indexed by :func:`text_key`, with columns ``compound, pos, neu, neg`` (the second
        value returned by an earlier call; a ``key`` column instead of the index is accepted too). Texts
        whose key is in the cache are not scored again.
    n_jobs : int, default 1
        Number of worker processes for the texts that still need scoring; 1 scores in this process,
        -1 uses all CPUs.
    chunk_size : int, optional
        Texts per task sent to a worker. Default: about 16 tasks per worker, between 256 and 4,000 texts.
        The pool is used only when there is more than one chunk to score and, unless ``chunk_size``
        is given, at least ``POOL_MIN_TEXTS`` (2,000) distinct texts: below that, starting the workers
        costs about as much as they save.

    Returns
    -------
    scores : DataFrame
        Aligned to ``texts`` (same index and order), columns ``compound, pos, neu, neg`` (float).
        ``scores.attrs["scored"]`` is the number of distinct texts scored in this call (0 when every text
        was in the cache) and ``scores.attrs["cached"]`` the number of distinct texts taken from the cache.
    new_cache : DataFrame
        The cache plus the new scores: index ``key`` (:func:`text_key`), columns ``compound, pos, neu, neg``.
        Save it (e.g. as parquet) and pass it back next time.

    Notes
    -----
    Texts are deduplicated by their SHA-1 content key before scoring. With ``n_jobs > 1`` the texts still
    to score are cut into chunks and scored by a :class:`concurrent.futures.ProcessPoolExecutor` of
    ``n_jobs`` workers ("fork" start method on Linux, so each worker inherits the analyzer built once in
    the parent; "spawn" elsewhere, where each worker builds it once). Per text, a worker does nothing but
    call NLTK's ``polarity_scores`` and keep four floats, so results are identical to a plain loop and
    the overhead stays small. Inside a daemonic process (which may not start children) scoring falls
    back to this process.

    Examples
    --------
    >>> s, cache = score_sentiment(["Great coffee!", "Great coffee!", "Slow service."])
    >>> s.attrs["scored"], list(s.columns)
    (2, ['compound', 'pos', 'neu', 'neg'])
    >>> s2, cache = score_sentiment(["Great coffee!"], cache=cache)
    >>> s2.attrs["scored"]
    0
    """
    series = _as_series(texts)
    values = [_as_text(t) for t in series.tolist()]
    # distinct texts first (string hashing is cheap), then one SHA-1 key per distinct text
    position: dict[str, int] = {}
    codes = np.fromiter((position.setdefault(t, len(position)) for t in values), dtype=np.int64,
                        count=len(values))
    distinct_texts = list(position)
    del position
    distinct_keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in distinct_texts]
    cache_df = _check_cache(cache)

    distinct = dict(zip(distinct_keys, distinct_texts))  # key -> text
    known = set(cache_df.index) if len(cache_df) else set()
    todo_keys = [k for k in distinct if k not in known]
    todo = [distinct[k] for k in todo_keys]

    if n_jobs is None or n_jobs == 0:
        n_jobs = 1
    if n_jobs < 0:
        n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    few = len(todo) < POOL_MIN_TEXTS and chunk_size is None
    if chunk_size is None:
        chunk_size = int(min(4000, max(256, math.ceil(len(todo) / (16 * n_jobs))))) if todo else 256
    if chunk_size < 1:
        raise ValueError("chunk_size must be a positive integer")

    use_pool = n_jobs > 1 and len(todo) > chunk_size and not few and not multiprocessing.current_process().daemon
    if not todo:
        arr = np.empty((0, 4))
    elif use_pool:
        arr = _score_parallel(todo, n_jobs, chunk_size)
    else:
        arr = _score_many(todo)

    new = pd.DataFrame(arr, index=pd.Index(todo_keys, dtype=object, name="key"), columns=list(SENTIMENT_COLUMNS))
    if len(cache_df) == 0:
        new_cache = new
    elif len(new) == 0:
        new_cache = cache_df
    else:
        new_cache = pd.concat([cache_df, new])

    if len(series):
        per_text = new_cache.reindex(pd.Index(distinct_keys, dtype=object)).to_numpy(dtype=float)
        scores = pd.DataFrame(per_text[codes], index=series.index, columns=list(SENTIMENT_COLUMNS))
    else:
        scores = pd.DataFrame(
            {c: pd.Series(dtype=float) for c in SENTIMENT_COLUMNS}, index=series.index
        )
    scores = scores.astype(float)
    scores.columns.name = None
    scores.attrs["scored"] = len(todo)
    scores.attrs["cached"] = len(distinct) - len(todo)
    return scores, new_cache


# --------------------------------------------------------------------------------------------------
# tokenization and term counts
# --------------------------------------------------------------------------------------------------


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


@functools.lru_cache(maxsize=1)
def stopword_list() -> frozenset[str]:
    """The project's English stopword list (``resources/stopwords_en.txt``).

    Returns
    -------
    frozenset of str
        Lowercase words. Negations ("no", "not", "never", "nor") are deliberately not stopwords.

    Examples
    --------
    >>> "the" in stopword_list(), "not" in stopword_list()
    (True, False)
    """
    lines = (_RESOURCES / "stopwords_en.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#"))


def tokenize(text: Any, stopwords: bool = True) -> list[str]:
    """Lowercase word tokens of a text.

    Parameters
    ----------
    text : str
        Any text (``None``/NaN give ``[]``).
    stopwords : bool, default True
        Drop the words of the shipped English stopword list (``resources/stopwords_en.txt``).

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
    text = _as_text(text)
    if not text:
        return []
    text = unicodedata.normalize("NFC", text.lower())
    tokens = _token_pattern().findall(text)
    if "\u2019" in text or _HAS_DIGIT_OR_UNDERSCORE.search(text) is not None:
        tokens = [t.replace("\u2019", "'") for t in tokens if _HAS_DIGIT_OR_UNDERSCORE.search(t) is None]
    if stopwords:
        stop = stopword_list()
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


def term_sets(texts: Iterable[Any], ngram_range: tuple[int, int], stopwords: bool = True) -> list[frozenset[str]]:
    """The set of n-grams of each text; equal texts share one (immutable) set object.

    Comments repeat ("Great coffee", "ok"), so each distinct text is tokenized once, and
    :func:`_doc_freq` counts a shared set once with its multiplicity.
    """
    ngram_range = _check_ngram_range(ngram_range)
    memo: dict[str, frozenset[str]] = {}
    out = []
    for t in texts:
        t = _as_text(t)
        terms = memo.get(t)
        if terms is None:
            terms = memo[t] = _doc_terms(tokenize(t, stopwords=stopwords), ngram_range)
        out.append(terms)
    return out


def _doc_freq(term_sets: Iterable[frozenset[str]]) -> Counter:
    """Number of sets holding each term (a set object listed k times counts k times)."""
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
    texts = _as_series(texts)
    sets = term_sets(texts.tolist(), ngram_range, stopwords=stopwords)
    counts = _doc_freq(sets)
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


# --------------------------------------------------------------------------------------------------
# keyness
# --------------------------------------------------------------------------------------------------


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Rayson & Garside (2000) log-likelihood for term counts a, b in corpora of sizes c, d."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return np.maximum(2.0 * (t1 + t2), 0.0)


def _empty_keyness() -> pd.DataFrame:
    dtypes = {
        "term": object,
        "n": int,
        "target_docs": int,
        "reference_docs": int,
        "target_share": float,
        "reference_share": float,
        "log_ratio": float,
        "g2": float,
        "p_unc": float,
        "p_corr": float,
        "significant": bool,
        "direction": object,
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _keyness_from_sets(
    target: Sequence[frozenset[str]], reference: Sequence[frozenset[str]], min_count: int, alpha: float,
    total: Counter | None = None,
) -> pd.DataFrame:
    """Keyness of ``target`` against ``reference``; ``total`` (optional) is ``_doc_freq`` of both together."""
    c, d = len(target), len(reference)
    if c == 0 or d == 0:
        out = _empty_keyness()
        out.attrs.update(n_target=c, n_reference=d, alpha=alpha, correction="fdr_bh")
        return out
    tc = _doc_freq(target)
    if total is None:
        rc = _doc_freq(reference)
    else:  # reference = everything else: its counts are the total minus the target's
        rc = Counter({t: n - tc.get(t, 0) for t, n in total.items() if n > tc.get(t, 0)})
    terms = [t for t in set(tc) | set(rc) if tc.get(t, 0) + rc.get(t, 0) >= min_count]
    terms.sort()
    a = np.array([tc.get(t, 0) for t in terms], dtype=np.int64)
    b = np.array([rc.get(t, 0) for t in terms], dtype=np.int64)
    g2 = _g2(a, b, c, d)
    p_unc = stats.chi2.sf(g2, df=1)
    p_corr = stats.false_discovery_control(p_unc, method="bh") if len(p_unc) else p_unc
    t_share = a / c
    r_share = b / d
    out = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "n": a + b,
            "target_docs": a,
            "reference_docs": b,
            "target_share": t_share,
            "reference_share": r_share,
            "log_ratio": np.log2(((a + 0.5) / c) / ((b + 0.5) / d)),
            "g2": g2,
            "p_unc": p_unc,
            "p_corr": np.asarray(p_corr, dtype=float),
            "significant": np.asarray(p_corr, dtype=float) < alpha,
            "direction": np.where(t_share > r_share, "over", "under").astype(object),
        }
    )
    if len(out) == 0:
        out = _empty_keyness()
    out["_over"] = out["direction"] == "over"
    out = out.sort_values(["_over", "g2", "term"], ascending=[False, False, True], kind="mergesort")
    out = out.drop(columns="_over").reset_index(drop=True)
    out.attrs.update(n_target=c, n_reference=d, alpha=alpha, correction="fdr_bh")
    return out


def keyness(
    target_texts: Iterable[Any] | pd.Series,
    reference_texts: Iterable[Any] | pd.Series,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Terms over- and under-represented in target texts compared with reference texts.

    Parameters
    ----------
    target_texts, reference_texts : Series or sequence of str
        The two sets of documents (e.g. one brand's comments vs all others').
    ngram_range : (int, int), default (1, 2)
        N-gram lengths compared (see :func:`term_counts`).
    min_count : int, default 5
        Test only terms found in at least this many documents of both sets together.
    alpha : float, default 0.05
        False discovery rate for ``significant``.

    Returns
    -------
    DataFrame
        One row per tested term, columns:

        ``term``; ``n`` (documents containing it, both sets); ``target_docs``, ``reference_docs``;
        ``target_share``, ``reference_share`` (documents containing it / documents in the set);
        ``log_ratio`` (effect size: log2 of the ratio of shares, 0.5 added to both document counts, so
        +1 = twice as common in the target); ``g2`` (log-likelihood G²); ``p_unc`` (chi-square, 1 df);
        ``p_corr`` (Benjamini-Hochberg adjusted over all tested terms); ``significant``
        (``p_corr < alpha``); ``direction`` (``'over'`` if the target share is higher, else ``'under'``).
        Sorted over-represented first, each part by ``g2`` descending. ``attrs`` holds ``n_target`` and
        ``n_reference`` (numbers of documents). Empty (same columns) if either set is empty.

    Notes
    -----
    G² is Dunning's (1993) log-likelihood in the two-cell form of Rayson & Garside (2000), computed on
    document counts: with ``a``, ``b`` the numbers of target and reference documents containing the term
    and ``c``, ``d`` the numbers of documents in each set, ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)`` and
    ``G² = 2 (a ln(a/E1) + b ln(b/E2))`` (a zero count contributes 0). Document counts make each comment
    one independent observation. For terms in a large share of documents this form is conservative
    compared with the full 2×2 G² (which adds the cells of documents without the term). Log ratio after
    Hardie (2014). Many terms are tested, so p-values are adjusted with the Benjamini-Hochberg (1995)
    false-discovery-rate procedure (chosen over Holm because keyness is exploratory and tests thousands of
    correlated terms; Holm would control the family-wise error rate and miss most real differences).

    Examples
    --------
    >>> target = ["slow queue"] * 4 + ["nice coffee"] * 6
    >>> reference = ["nice coffee"] * 18 + ["slow queue"] * 2
    >>> k = keyness(target, reference, ngram_range=(1, 1), min_count=3)
    >>> k[["term", "target_docs", "reference_docs", "direction"]].head(2)
        term  target_docs  reference_docs direction
    0  queue            4               2      over
    1   slow            4               2      over
    """
    target = term_sets(_as_series(target_texts).tolist(), ngram_range)
    reference = term_sets(_as_series(reference_texts).tolist(), ngram_range)
    return _keyness_from_sets(target, reference, min_count, alpha)


def _ordered_levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [lv for lv in values.cat.categories if lv in present]
    levels = list(pd.unique(values.dropna()))
    try:
        return sorted(levels)
    except TypeError:
        return levels


def characteristic_terms(
    data: pd.DataFrame,
    text: str,
    group: str,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    top: int | None = 10,
    alpha: float = 0.05,
    significant_only: bool = False,
) -> pd.DataFrame:
    """Terms that characterise each group's texts compared with all other groups.

    Parameters
    ----------
    data : DataFrame
        One row per text.
    text : str
        Column holding the text.
    group : str
        Column whose levels are compared (e.g. brand, touchpoint, segment). Rows with a missing group are
        left out.
    ngram_range : (int, int), default (1, 2)
        N-gram lengths (see :func:`term_counts`).
    min_count : int, default 5
        Minimum number of documents containing a term (in the level and the rest together).
    top : int or None, default 10
        Keep the ``top`` over-represented terms per level by G² (None keeps all).
    alpha : float, default 0.05
        False discovery rate for ``significant``.
    significant_only : bool, default False
        Keep only significant terms.

    Returns
    -------
    DataFrame
        Columns ``group`` (the level), ``rank`` (1 = highest G² within the level) and the :func:`keyness`
        columns, only over-represented terms (``direction == 'over'``). Levels in category order, or
        sorted.

    Notes
    -----
    For each level, :func:`keyness` of the level's texts (target) against the texts of all other levels
    (reference). Texts are tokenized once. With k levels there are k separate keyness tables; the
    Benjamini-Hochberg adjustment is applied within each.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["slow queue"] * 5 + ["tasty cake"] * 5, "g": ["a"] * 5 + ["b"] * 5})
    >>> characteristic_terms(df, "c", "g", ngram_range=(1, 1), min_count=3, top=1)[["group", "term"]]
      group   term
    0     a  queue
    1     b   cake
    """
    sub = data.loc[data[group].notna(), [text, group]]
    sets = term_sets(sub[text].tolist(), ngram_range)
    groups = sub[group].to_numpy()
    total = _doc_freq(sets)
    frames = []
    for level in _ordered_levels(sub[group]):
        mask = groups == level
        target = [s for s, m in zip(sets, mask) if m]
        reference = [s for s, m in zip(sets, mask) if not m]
        if not target or not reference:
            continue
        k = _keyness_from_sets(target, reference, min_count, alpha, total=total)
        k = k[k["direction"] == "over"]
        if significant_only:
            k = k[k["significant"]]
        if top is not None:
            k = k.head(top)
        k = k.reset_index(drop=True)
        k.insert(0, "rank", np.arange(1, len(k) + 1))
        k.insert(0, "group", pd.Series([level] * len(k), dtype=object))
        frames.append(k)
    if not frames:
        out = _empty_keyness()
        out.insert(0, "rank", pd.Series(dtype=int))
        out.insert(0, "group", pd.Series(dtype=object))
        return out
    return pd.concat(frames, ignore_index=True)


def rising_terms(
    data: pd.DataFrame,
    text: str,
    wave: str,
    waves: Sequence[Hashable],
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Terms that became more (or less) frequent in the latest wave.

    Parameters
    ----------
    data : DataFrame
        One row per text. If it has a ``compound`` column (VADER compound per text), the mean sentiment of
        the texts containing each term is added.
    text : str
        Column holding the text.
    wave : str
        Column holding the wave label.
    waves : sequence
        Wave labels in chronological order (e.g. ``ClientData.waves``); the last one is the latest wave.
        Rows whose wave is not listed are ignored.
    ngram_range : (int, int), default (1, 2)
        N-gram lengths (see :func:`term_counts`).
    min_count : int, default 5
        Minimum number of documents (all listed waves) containing a term.
    alpha : float, default 0.05
        False discovery rate.

    Returns
    -------
    DataFrame
        The :func:`keyness` columns for latest wave (target) vs all earlier listed waves (reference), plus
        ``rising`` (significant and ``'over'``), one ``share_<wave>`` column per listed wave (share of
        that wave's texts containing the term, ``NaN`` if the wave has no texts), and, if ``data`` has a
        ``compound`` column, ``mean_compound`` (mean compound of all listed waves' texts containing the
        term) and ``mean_compound_latest`` (the same within the latest wave). Sorted as :func:`keyness`.
        ``attrs["waves"]`` is the list of wave labels, ``attrs["latest"]`` the latest one.

    Notes
    -----
    Keyness (Rayson & Garside 2000 G² on document counts, Benjamini-Hochberg adjusted) of the latest wave
    against the pooled earlier waves; see :func:`keyness`. Pooling earlier waves asks "what is new now",
    not whether a trend is monotonic; the per-wave shares show the path.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["nice cafe"] * 10 + ["oat milk sold out"] * 6 + ["nice cafe"] * 4,
    ...                    "w": ["Q1"] * 10 + ["Q2"] * 10})
    >>> r = rising_terms(df, "c", "w", ["Q1", "Q2"], ngram_range=(1, 1), min_count=3)
    >>> r[["term", "share_Q1", "share_Q2", "rising"]].head(1)
       term  share_Q1  share_Q2  rising
    0  milk       0.0       0.6    True
    """
    waves = list(waves)
    if len(waves) < 2:
        raise ValueError("rising_terms needs at least two waves (earlier waves and the latest one)")
    latest = waves[-1]
    sub = data[data[wave].isin(waves)]
    sets = term_sets(sub[text].tolist(), ngram_range)
    wave_values = sub[wave].to_numpy()
    is_latest = wave_values == latest
    target = [s for s, m in zip(sets, is_latest) if m]
    reference = [s for s, m in zip(sets, is_latest) if not m]
    out = _keyness_from_sets(target, reference, min_count, alpha)
    out.insert(len(out.columns), "rising", out["significant"].astype(bool) & (out["direction"] == "over"))
    terms = out["term"].tolist()
    for w in waves:
        w_sets = [s for s, v in zip(sets, wave_values) if v == w]
        counts = _doc_freq(w_sets)
        if w_sets:
            out[f"share_{w}"] = np.array([counts.get(t, 0) for t in terms], dtype=float) / len(w_sets)
        else:
            out[f"share_{w}"] = np.nan
    if "compound" in sub.columns:
        compound = pd.to_numeric(sub["compound"], errors="coerce").to_numpy(dtype=float)
        position = {t: i for i, t in enumerate(terms)}
        wanted = frozenset(position)
        # term positions of each distinct set; then per term the sums over its texts, added in text
        # order (np.bincount adds its weights in input order, like a loop over the texts would)
        in_set: dict[int, list[int]] = {}
        parts = []
        for s in sets:
            idx = in_set.get(id(s))
            if idx is None:
                idx = in_set[id(s)] = [position[t] for t in s & wanted]
            parts.append(idx)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = np.fromiter(itertools.chain.from_iterable(parts), dtype=np.int64, count=int(lengths.sum()))
        x_rep = np.repeat(compound, lengths)
        latest_rep = np.repeat(is_latest, lengths)
        ok = ~np.isnan(x_rep)
        m = len(terms)
        acc = np.column_stack([
            np.bincount(flat[ok], weights=x_rep[ok], minlength=m),
            np.bincount(flat[ok], minlength=m),
            np.bincount(flat[ok & latest_rep], weights=x_rep[ok & latest_rep], minlength=m),
            np.bincount(flat[ok & latest_rep], minlength=m),
        ]).astype(float).reshape(m, 4)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["mean_compound"] = np.where(acc[:, 1] > 0, acc[:, 0] / acc[:, 1], np.nan)
            out["mean_compound_latest"] = np.where(acc[:, 3] > 0, acc[:, 2] / acc[:, 3], np.nan)
    out.attrs.update(waves=waves, latest=latest)
    return out


# --------------------------------------------------------------------------------------------------
# PII masking and safe display
# --------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
# Card-like numbers: 13-19 digits, contiguous or grouped 4-4-4-x / 4-6-4(5) with single spaces or dashes.
_CARD = re.compile(
    r"(?<![\w+.,])"
    r"(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})"
    r"(?![\w]|[.,]\d)"
)
# Phone candidates: optional + / 00 prefix, digit groups (optionally in parentheses) separated by one space,
# dash, dot or no-break space. Whether a candidate is a phone number is decided in _phone_or_keep().
_PHONE = re.compile(
    r"(?<![\w+.,/\-])"
    r"(?:\+\s?)?\(?\d{1,5}\)?(?:[ \u00a0.\-]?\(?\d{1,5}\)?){1,7}"
    r"(?![\w/]|[.,]\d)"
)
_DIGIT_GROUP = re.compile(r"(?<![(\d])\d+")  # digit groups not opened by "(", e.g. "(0)20" -> ["20"]
_DATE = re.compile(r"\d{1,2}([.\- ])\d{1,2}\1\d{2,4}|\d{4}([.\-])\d{1,2}\2\d{1,2}")


def _phone_or_keep(match: re.Match) -> str:
    s = match.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if not 7 <= digits <= 15:
        return s
    plus = s.startswith("+")
    seps = [ch for ch in s if not ch.isdigit() and ch != "+"]
    if not plus and not seps:
        # contiguous digits: only national numbers with a trunk prefix (0...) or 00 international prefix
        return "[phone]" if s.startswith("0") and 10 <= digits <= 15 else s
    if not plus and _DATE.fullmatch(s):
        return s
    if not plus and set(seps) == {"."} and len(seps) < 2:
        return s  # a decimal number
    if any(len(g) == 1 for g in _DIGIT_GROUP.findall(s)[1:]):
        return s  # single digits after the first group: a list of numbers or an ISBN, not a phone
    return "[phone]"


def mask_pii(text: Any) -> str:
    """Replace e-mail addresses, card-like numbers and phone numbers in a text.

    Parameters
    ----------
    text : str
        Any text (``None``/NaN give ``""``).

    Returns
    -------
    str
        The text with e-mail addresses replaced by ``[email]``, card-like numbers by ``[card]`` and phone
        numbers by ``[phone]``.

    Notes
    -----
    Regular-expression rules, applied in this order:

    1. e-mail: ``local@domain.tld``.
    2. card: 13-19 digits, contiguous or grouped 4-4-4-(1..7) or 4-6-(4|5) with single spaces or dashes
       (no Luhn check: masking an order number is harmless, leaking a card number is not).
    3. phone: 7-15 digits written with a ``+`` prefix, or in groups separated by spaces, dashes, dots or
       parentheses, e.g. ``+44 20 7946 0958``, ``(555) 123-4567``, ``555.123.4567``, ``0151 2345 6789``;
       contiguous digit strings only when they start with ``0`` and have 10-15 digits (``07700900123``).
       Dates (``12.03.2025``, ``2025-03-12``), single decimals, short numbers and digit runs with
       single-digit groups after the first (``1 2 3 4 5 6 7``, ISBNs) are left alone.

    Ordinary numbers ("3 coffees", "2025", "10/10", "4.50") are not masked. The rules are heuristic:
    numbers written as words or unusual formats are not caught; long space-separated lists of numbers may
    be masked as phones.

    Examples
    --------
    >>> mask_pii("Mail jo.doe@example.com or call +44 20 7946 0958 about 3 coffees for 4.50")
    'Mail [email] or call [phone] about 3 coffees for 4.50'
    >>> mask_pii("card 4111 1111 1111 1111, rated 10/10 in 2025")
    'card [card], rated 10/10 in 2025'
    """
    text = _as_text(text)
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub(_phone_or_keep, text)


# Bidi embedding/override/isolate controls (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): an unbalanced one
# would reorder the report text after the quote. Plain LRM/RLM/ALM marks are harmless and kept.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def safe_text(text: Any, max_chars: int | None = 300) -> str:
    """Customer text made safe to show in a report: PII masked, shortened, HTML-escaped.

    Parameters
    ----------
    text : str
        A customer verbatim (``None``/NaN give ``""``).
    max_chars : int or None, default 300
        Maximum length in characters before escaping, ellipsis included; None keeps the whole text.

    Returns
    -------
    str
        HTML-safe text: may be inserted into HTML element content or attribute values as is.

    Notes
    -----
    Steps: :func:`mask_pii` on the whole text; lone surrogates replaced by U+FFFD (so the report can be
    written as UTF-8), control characters (except tab and newline) replaced by a space and bidi
    embedding/override/isolate controls removed (so an unbalanced right-to-left override cannot reorder
    the report around the quote); if longer than ``max_chars``, cut at the last space within the limit
    (or at the limit if the last word would lose more than half the text) and ``…`` appended; finally
    :func:`html.escape` with ``quote=True``. Every report must use this for customer text.

    Examples
    --------
    >>> safe_text("<script>alert(1)</script> mail me: a@b.com")
    '&lt;script&gt;alert(1)&lt;/script&gt; mail me: [email]'
    >>> safe_text("The latte was lovely and warm", max_chars=16)
    'The latte was…'
    """
    if max_chars is not None and max_chars < 1:
        raise ValueError("max_chars must be a positive integer or None")
    text = mask_pii(text)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _CONTROL_CHARS.sub(" ", text.translate(_BIDI_CONTROLS))
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > (max_chars - 1) // 2:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------------------------------
# aspects (Schmitt step 3: product, look and feel, communications)
# --------------------------------------------------------------------------------------------------


def _normalise_lexicon(raw: Any, source: str) -> dict[str, list[str]]:
    if isinstance(raw, Mapping) and set(raw) == {"aspects"} and isinstance(raw["aspects"], Mapping):
        raw = raw["aspects"]
    if not isinstance(raw, Mapping):
        raise ValueError(f"aspect lexicon {source}: expected a mapping aspect -> list of words/phrases")
    out: dict[str, list[str]] = {}
    for aspect, entries in raw.items():
        name = str(aspect).strip()
        if not name:
            raise ValueError(f"aspect lexicon {source}: empty aspect name")
        if entries is None:
            entries = []
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, (list, tuple)):
            raise ValueError(f"aspect lexicon {source}: aspect {name!r} must be a list of words/phrases")
        words: list[str] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise ValueError(f"aspect lexicon {source}: aspect {name!r}: {entry!r} is not a string")
            word = " ".join(entry.lower().split())
            if "*" in word[:-1]:
                raise ValueError(
                    f"aspect lexicon {source}: aspect {name!r}: {entry!r}: '*' is allowed only at the end"
                )
            if word.rstrip("*").strip() and word not in words:
                words.append(word)
        out[name] = words
    return out


def load_lexicon(
    path: str | os.PathLike | Mapping | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, list[str]]:
    """Load an aspect lexicon (aspect -> words/phrases).

    Parameters
    ----------
    path : str, path or mapping, optional
        YAML file with a mapping aspect -> list of words/phrases (optionally under a top-level
        ``aspects:`` key), or such a mapping itself. Default: the shipped ``resources/aspects.yaml``
        (product, look_and_feel, communications).
    overrides : mapping, optional
        A client's ``aspects:`` mapping from ``client.yaml``: each aspect listed replaces that aspect's
        list, new aspects are added, an empty list removes an aspect.

    Returns
    -------
    dict
        Aspect name -> list of lowercase entries (whitespace collapsed, duplicates removed, file order
        kept). Entries are single words, phrases (several words) or prefixes with a trailing ``*``.

    Raises
    ------
    ValueError
        If the file is not a mapping of lists of strings or ``*`` is used other than at the end.

    Notes
    -----
    The default lexicon is the project's own list for the three brand elements of Schmitt's (2003)
    step 3, "design the brand experience"; see the comments in ``resources/aspects.yaml``.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> list(lex)
    ['product', 'look_and_feel', 'communications']
    >>> load_lexicon(overrides={"communications": [], "service": ["staff", "barista*"]})["service"]
    ['staff', 'barista*']
    """
    import yaml

    if path is None:
        path = _RESOURCES / "aspects.yaml"
    if isinstance(path, Mapping):
        lexicon = _normalise_lexicon(path, "mapping")
    else:
        p = Path(path)
        with open(p, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        lexicon = _normalise_lexicon(raw if raw is not None else {}, str(p))
    if overrides:
        for aspect, words in _normalise_lexicon(overrides, "overrides").items():
            if words:
                lexicon[aspect] = words
            else:
                lexicon.pop(aspect, None)
    return lexicon


class _AspectMatcher:
    """Compiled lexicon: exact tokens, prefix tokens and multi-token phrases per aspect."""

    def __init__(self, lexicon: Mapping[str, Sequence[str]]):
        self.aspects = list(lexicon)
        self.rules: list[tuple[str, set[str], tuple[str, ...], list[tuple[tuple[str, ...], bool]]]] = []
        for aspect, entries in lexicon.items():
            exact: set[str] = set()
            prefixes: list[str] = []
            phrases: list[tuple[tuple[str, ...], bool]] = []
            for entry in entries:
                wildcard = entry.endswith("*")
                toks = tuple(tokenize(entry.rstrip("*"), stopwords=False))
                if not toks:
                    continue
                if len(toks) == 1:
                    (prefixes.append(toks[0]) if wildcard else exact.add(toks[0]))
                else:
                    phrases.append((toks, wildcard))
            self.rules.append((aspect, exact, tuple(prefixes), phrases))
        self._has_phrases = any(rule[3] for rule in self.rules)
        self._word_rules: dict[str, tuple[int, ...]] = {}  # token -> rules whose word entries match it

    def _rules_of(self, token: str) -> tuple[int, ...]:
        hit = self._word_rules.get(token)
        if hit is None:
            hit = self._word_rules[token] = tuple(
                i for i, (_, exact, prefixes, _) in enumerate(self.rules)
                if token in exact or (prefixes and token.startswith(prefixes))
            )
        return hit

    def match(self, tokens: list[str]) -> dict[str, list[str]]:
        """Aspect -> matched words/phrases (as found in the text) for one token list."""
        found: dict[str, list[str]] = {}
        if not tokens:
            return found
        words: dict[int, list[str]] = {}
        for t in tokens:
            for i in self._rules_of(t):
                words.setdefault(i, []).append(t)
        starts: dict[str, list[int]] = {}
        if self._has_phrases:
            for p, t in enumerate(tokens):
                starts.setdefault(t, []).append(p)
        for i, (aspect, _, _, phrases) in enumerate(self.rules):
            hits = words.get(i, [])
            for toks, wildcard in phrases:
                n = len(toks)
                head, last = toks[:-1], toks[-1]
                for p in starts.get(toks[0], ()):
                    if p + n <= len(tokens) and tuple(tokens[p : p + n - 1]) == head and (
                        tokens[p + n - 1].startswith(last) if wildcard else tokens[p + n - 1] == last
                    ):
                        hits.append(" ".join(tokens[p : p + n]))
            if hits:
                found[aspect] = hits
        return found


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?\u2026])\s+|(?<=[\u3002\uff01\uff1f])\s*|[\r\n]+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def aspect_mentions(
    data: pd.DataFrame,
    text: str,
    lexicon: Mapping[str, Sequence[str]] | None = None,
    keep: Sequence[str] | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Find aspect mentions in texts, with the sentiment of the sentences that mention them.

    Parameters
    ----------
    data : DataFrame
        One row per text.
    text : str
        Column holding the text.
    lexicon : mapping, optional
        Aspect -> words/phrases (see :func:`load_lexicon`); default: the shipped lexicon.
    keep : sequence of str, optional
        Columns of ``data`` to carry into the result (e.g. brand, wave for :func:`aspect_sentiment`'s
        ``by``). Default: all columns except ``text`` and those whose names clash with output columns
        (``aspect, terms, sentence, n_sentences, compound``; a row-level ``compound`` is thus not carried).
    n_jobs : int, default 1
        Worker processes for sentence scoring (see :func:`score_sentiment`).

    Returns
    -------
    DataFrame
        One row per (text row, aspect) mentioned; the index holds the row's index label in ``data`` (so
        ``data.loc[result.index]`` works). Columns: ``aspect``; ``terms`` (the words/phrases found,
        comma-separated, as they occur); ``sentence`` (the mentioning sentence(s), raw customer text:
        pass through :func:`safe_text` before display); ``n_sentences``; ``compound`` (mean VADER compound
        of the mentioning sentences); then the carried columns. Rows in data order, aspects in lexicon
        order. ``attrs["aspects"]`` lists the lexicon's aspects and ``attrs["n_texts"]`` the number of
        texts searched.

    Notes
    -----
    Each text is split into sentences with a simple regular expression (after ``.``, ``!``, ``?`` or
    ``…`` followed by white space, after the CJK full stop, exclamation and question marks, and at line
    breaks; NLTK's Punkt model is not available offline, so abbreviations like "Mr." also end a
    sentence). Each sentence is tokenized with :func:`tokenize`
    (stopwords kept) and matched against the lexicon: single words exactly, ``word*`` as a prefix,
    phrases as consecutive tokens. The sentence is scored with VADER unchanged (each distinct sentence
    once), so the sentiment refers to the aspect's own sentence rather than the whole comment.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Great coffee. The design is ugly.", "Nothing to add"]})
    >>> m = aspect_mentions(df, "comment")
    >>> m[["aspect", "terms", "sentence"]]
              aspect   terms             sentence
    0        product  coffee        Great coffee.
    0  look_and_feel  design  The design is ugly.
    >>> bool(m["compound"].iloc[1] < 0)
    True
    """
    if lexicon is None:
        lexicon = load_lexicon()
    elif not isinstance(lexicon, Mapping):
        raise TypeError("lexicon must be a mapping aspect -> list of words/phrases (see load_lexicon)")
    else:
        lexicon = _normalise_lexicon(lexicon, "argument")
    matcher = _AspectMatcher(lexicon)
    out_cols = ["aspect", "terms", "sentence", "n_sentences", "compound"]
    if keep is None:
        keep = [c for c in data.columns if c != text and c not in out_cols]
    else:
        keep = list(keep)
        bad = [c for c in keep if c in out_cols]
        if bad:
            raise ValueError(f"keep: column(s) {bad} clash with output columns {out_cols}")

    positions: list[int] = []
    aspects: list[str] = []
    terms: list[str] = []
    sentences: list[list[str]] = []
    order = {a: i for i, a in enumerate(matcher.aspects)}
    # each distinct text is split and matched once (comments repeat); its mentions are shared
    seen: dict[str, list[tuple[str, str, list[str]]]] = {}
    for pos, raw in enumerate(data[text].tolist()):
        t = _as_text(raw)
        if not t:
            continue
        mentions = seen.get(t)
        if mentions is None:
            per_aspect: dict[str, tuple[list[str], list[str]]] = {}
            for sentence in _sentences(t):
                for aspect, hits in matcher.match(tokenize(sentence, stopwords=False)).items():
                    found, sents = per_aspect.setdefault(aspect, ([], []))
                    found.extend(h for h in hits if h not in found)
                    sents.append(sentence)
            mentions = seen[t] = [(aspect, ", ".join(per_aspect[aspect][0]), per_aspect[aspect][1])
                                  for aspect in sorted(per_aspect, key=order.__getitem__)]
        for aspect, found, sents in mentions:
            positions.append(pos)
            aspects.append(aspect)
            terms.append(found)
            sentences.append(sents)
    del seen

    unique = list(dict.fromkeys(s for sents in sentences for s in sents))
    scores, _ = score_sentiment(unique, n_jobs=n_jobs)
    compound_of = dict(zip(unique, scores["compound"].to_numpy()))
    joined: dict[int, tuple[str, float]] = {}  # per distinct sentence list: its text and mean compound
    for sents in sentences:
        if id(sents) not in joined:
            joined[id(sents)] = (" ".join(sents), float(np.mean([compound_of[x] for x in sents])))
    result = pd.DataFrame(
        {
            "aspect": pd.Series(aspects, dtype=object),
            "terms": pd.Series(terms, dtype=object),
            "sentence": pd.Series([joined[id(s)][0] for s in sentences], dtype=object),
            "n_sentences": pd.Series([len(s) for s in sentences], dtype=int),
            "compound": pd.Series([joined[id(s)][1] for s in sentences], dtype=float),
        }
    )
    carried = data.iloc[positions][keep].reset_index(drop=True) if keep else None
    if carried is not None:
        result = pd.concat([result, carried], axis=1)
    result.index = data.index[positions]
    result.attrs["aspects"] = list(matcher.aspects)
    result.attrs["n_texts"] = int(len(data))
    return result


def aspect_sentiment(
    mentions: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Summarise aspect mentions: how often, and how positive.

    Parameters
    ----------
    mentions : DataFrame
        Output of :func:`aspect_mentions` (columns ``aspect`` and ``compound`` at least).
    by : str or list of str, optional
        Further grouping columns carried in ``mentions`` (e.g. ``"brand"``, ``["brand", "wave"]``).
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per (``by`` levels, aspect): the ``by`` columns, ``aspect``, ``n`` (mentions = texts
        mentioning the aspect), ``compound`` (mean compound), ``sd``, ``ci_low``, ``ci_high``
        (t-interval of the mean; NaN for n < 2), ``share_negative`` (compound <= -0.05) and
        ``share_positive`` (compound >= 0.05). Without ``by``, aspects of the lexicon that were never
        mentioned appear with ``n = 0``. Aspects in lexicon order.

    Notes
    -----
    Mean ± t(1 - (1 - confidence)/2, n - 1) · sd/√n, with sd the sample standard deviation (ddof = 1).
    Negative/positive at VADER's conventional ±0.05 thresholds (Hutto & Gilbert 2014). Each mention is
    one text, so mentions are independent across respondents only if each respondent wrote one text.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["The design is ugly.", "Lovely design!", "Ugly logo."]})
    >>> aspect_sentiment(aspect_mentions(df, "c"))[["aspect", "n", "share_negative"]]
               aspect  n  share_negative
    0         product  0             NaN
    1   look_and_feel  3        0.666667
    2  communications  0             NaN
    """
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    keys = by_cols + ["aspect"]
    aspect_order = list(mentions.attrs.get("aspects") or [])
    rows = []
    if len(mentions):
        grouped = mentions.groupby(keys, sort=False, dropna=False, observed=True)["compound"]
        for key, x in grouped:
            key = key if isinstance(key, tuple) else (key,)
            v = pd.to_numeric(x, errors="coerce").dropna().to_numpy(dtype=float)
            n = len(v)
            mean = float(v.mean()) if n else np.nan
            sd = float(v.std(ddof=1)) if n > 1 else np.nan
            if n > 1:
                half = stats.t.ppf(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
                lo, hi = mean - half, mean + half
            else:
                lo = hi = np.nan
            rows.append(
                (*key, n, mean, sd, lo, hi,
                 float(np.mean(v <= NEGATIVE_THRESHOLD)) if n else np.nan,
                 float(np.mean(v >= POSITIVE_THRESHOLD)) if n else np.nan)
            )
    cols = keys + ["n", "compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"]
    out = pd.DataFrame(rows, columns=cols)
    if not by_cols and aspect_order:
        missing = [a for a in aspect_order if a not in set(out["aspect"])]
        if missing:
            extra = pd.DataFrame({"aspect": missing, "n": 0})
            out = pd.concat([out, extra], ignore_index=True) if len(out) else extra.reindex(columns=cols)
    if len(out):
        seen = list(dict.fromkeys(aspect_order + [a for a in out["aspect"] if a not in aspect_order]))
        rank = {a: i for i, a in enumerate(seen)}
        out = out.assign(_r=out["aspect"].map(rank))
        sort_cols = by_cols + ["_r"]
        out = out.sort_values(sort_cols, kind="mergesort").drop(columns="_r").reset_index(drop=True)
    out["n"] = out["n"].fillna(0).astype(int)
    for c in ["compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"]:
        out[c] = out[c].astype(float)
    return out
