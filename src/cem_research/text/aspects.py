"""Aspect mentions in verbatims (Schmitt's step 3 brand elements: product, look and feel,
communications) with the sentiment of the sentences that mention them."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cem_research.client.paths import RESOURCES
from cem_research.text.common import as_text
from cem_research.text.sentiment import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, score_sentiment
from cem_research.text.terms import tokenize

__all__ = ["load_lexicon", "aspect_mentions", "aspect_sentiment", "split_sentences", "mention_sentences"]


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
        path = RESOURCES / "aspects.yaml"
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


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, as :func:`aspect_mentions` splits it (see its Notes).

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_sentences("Great coffee. Slow service!  ")
    ['Great coffee.', 'Slow service!']
    """
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]


_sentences = split_sentences


def mention_sentences(texts: Iterable[Any]) -> list[str]:
    """Every distinct sentence of ``texts`` (split as :func:`aspect_mentions` splits them), in order.

    Processing scores them into the sentiment cache, so :func:`aspect_mentions` given that cache
    scores nothing again.

    Returns
    -------
    list of str

    Examples
    --------
    >>> mention_sentences(["Great coffee. Slow service!", "Great coffee.", None])
    ['Great coffee.', 'Slow service!']
    """
    out: dict[str, None] = {}
    for raw in texts:
        t = as_text(raw)
        if t:
            out.update(dict.fromkeys(split_sentences(t)))
    return list(out)


def aspect_mentions(
    data: pd.DataFrame,
    text: str,
    lexicon: Mapping[str, Sequence[str]] | None = None,
    keep: Sequence[str] | None = None,
    n_jobs: int = 1,
    cache: pd.DataFrame | None = None,
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
    cache : DataFrame, optional
        Earlier VADER scores (:func:`score_sentiment`'s cache; ``ClientData.sentiment_cache`` holds every
        sentence of a processed client's verbatims): cached sentences are not scored again.

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
        t = as_text(raw)
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
    scores, _ = score_sentiment(unique, cache=cache, n_jobs=n_jobs)
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
                from scipy import stats  # here, not at import: processing imports this module

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
