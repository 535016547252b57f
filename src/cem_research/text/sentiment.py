"""Sentiment of customer verbatims: NLTK's VADER with the offline lexicon, a content-addressed cache
and an optional worker pool.

The worker pool sends :func:`_worker_init` and :func:`_worker_score` of this module to its processes
(by module path), so they stay module-level functions here.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.util
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cem_research.text.common import as_series, as_text

__all__ = ["SENTIMENT_COLUMNS", "NEGATIVE_THRESHOLD", "POSITIVE_THRESHOLD", "POOL_MIN_TEXTS",
           "sentiment_analyzer", "vader_words", "polarity", "text_key", "score_sentiment"]

#: Columns of every sentiment table (and of the sentiment cache), in this order.
SENTIMENT_COLUMNS: tuple[str, ...] = ("compound", "pos", "neu", "neg")

#: VADER's conventional threshold: compound <= -0.05 is negative, >= 0.05 positive (Hutto & Gilbert 2014).
NEGATIVE_THRESHOLD = -0.05
POSITIVE_THRESHOLD = 0.05
#: Fewest distinct texts worth a worker pool: VADER scores ~8,000 short comments a second per core,
#: and forking the workers costs ~30 ms (more on a busy machine), so below ~0.25 s of work one
#: process is as fast (measured on 2 cores: 1,000 texts 0.10 s alone vs 0.075 s with 2 workers).
POOL_MIN_TEXTS = 2_000
_ZERO_SCORES = (0.0, 0.0, 0.0, 0.0)


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
def vader_words() -> frozenset[str]:
    """The words and emoticons of VADER's lexicon (the keys of ``sentiment_analyzer().lexicon``), read
    from the lexicon file without importing NLTK.

    Returns
    -------
    frozenset of str

    Examples
    --------
    >>> "great" in vader_words() and "coffee" not in vader_words()
    True
    """
    lines = (_vader_lexicon_dir() / "vader_lexicon.txt").read_text(encoding="utf-8").split("\n")
    return frozenset(line.strip().split("\t")[0] for line in lines if line.strip())


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
    text = as_text(text)
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
    return hashlib.sha1(as_text(text).encode("utf-8", "surrogatepass")).hexdigest()


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
    series = as_series(texts)
    values = [as_text(t) for t in series.tolist()]
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
