"""The language of each verbatim, and which verbatims the sentiment scorer can read.

VADER (:mod:`cem_research.text.sentiment`) is an English lexicon: a Spanish or German comment scores
"neutral" or, worse, is scored on the few words it shares with English ("terrible").  Every verbatim is
therefore identified with py3langid (Lui & Baldwin 2012, *langid.py*; its model ships inside the package,
nothing is downloaded) when the client is processed, and only what VADER reads is scored: English texts,
and the English machine translation of another language when the client declares one
(``feedback: {translation: ...}`` in ``client.yaml``).  Every other comment is kept and counted, and its
sentiment stays missing (NaN), never a neutral 0.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cem_research.text.common import as_series, as_text

__all__ = ["DETECTOR", "SCORED_LANGUAGES", "CONFIDENT", "LANGUAGE_COLUMNS", "LANGUAGE_CODE", "language_name",
           "known_language", "detect_languages", "sentiment_sources", "analysed_text", "analysed_language",
           "language_summary", "scored_feedback"]

#: The library that identifies the language of each verbatim (its model ships with the package).
DETECTOR = "py3langid"
#: Languages the sentiment scorer reads (VADER's lexicon is English).
SCORED_LANGUAGES: frozenset[str] = frozenset({"en"})
#: A detection is *confident* when the model gives its best language at least this probability; the
#: languages of the confident detections are the client's languages (see :func:`detect_languages`).
CONFIDENT = 0.5
#: Columns :func:`detect_languages` returns (and the processed feedback table holds).
LANGUAGE_COLUMNS: tuple[str, ...] = ("language", "language_confidence", "language_source")
#: What ``language:`` in client.yaml accepts: an ISO 639 code (two or three lower-case letters).
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier with probabilities normalised (built once per process)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.lru_cache(maxsize=256)
def language_name(code: Any) -> str:
    """The English name of a language code (``"es"`` -> ``"Spanish"``).

    Parameters
    ----------
    code : str
        An ISO 639 code; a missing code gives ``"unknown language"``.

    Returns
    -------
    str
        The name from the Unicode CLDR data shipped with Babel, else the code itself.

    Examples
    --------
    >>> language_name("es"), language_name("de"), language_name(None)
    ('Spanish', 'German', 'unknown language')
    """
    code = as_text(code).strip()
    if not code:
        return "unknown language"
    from babel import Locale

    return Locale("en").languages.get(code, code)


def known_language(code: str) -> bool:
    """Whether the identifier knows ``code`` (or, failing that, the CLDR language list does).

    Parameters
    ----------
    code : str
        An ISO 639 code.

    Returns
    -------
    bool

    Examples
    --------
    >>> known_language("es"), known_language("xx")
    (True, False)
    """
    if code in set(_identifier().labels):
        return True
    from babel import Locale

    return code in Locale("en").languages


def detect_languages(texts: Iterable[Any] | pd.Series, language: str | None = None) -> pd.DataFrame:
    """The language of each text, with the confidence of that identification.

    Parameters
    ----------
    texts : Series or sequence of str
        The verbatims (a Series keeps its index).
    language : str, optional
        The client's declared language (``feedback: {language: ...}``): every non-empty text is taken to
        be in it and nothing is detected.

    Returns
    -------
    DataFrame
        Aligned to ``texts``: ``language`` (ISO 639 code; missing for an empty text),
        ``language_confidence`` (the probability of that language, 0-1; missing when declared) and
        ``language_source`` (``"declared"``, ``"detected"`` or ``"client languages"``, see Notes).
        ``attrs["client_languages"]`` maps the client's languages to their share of the confident
        detections.

    Notes
    -----
    py3langid (a naive Bayes model over byte n-grams, 97 languages plus variants; Lui & Baldwin 2012)
    gives every text a probability per language.  Short comments ("ok", "Nice staff") carry too few
    n-grams to be told apart, so identification goes in two passes:

    1. *detected*: a text whose best language has probability >= :data:`CONFIDENT` gets that language.
       The languages of these confident detections, with their shares, are the client's languages.
    2. *client languages*: every other text gets the most probable of the client's languages, each
       language's probability weighted by its share (the client's own mix is the prior), renormalised
       over the client's languages; that posterior is its confidence.

    So "ok" in an English survey is English, and in a survey of Spanish and German comments it is one of
    those two -- never Serbian, which is what the model alone says of a text without letters.  When no
    text is confident, the best languages of all texts (with their shares) are the client's languages.
    Each distinct text is identified once.

    Examples
    --------
    >>> out = detect_languages(["The coffee was cold and the staff rude.",
    ...                         "El café estaba frío y el personal fue grosero.",
    ...                         "Der Kaffee war kalt und das Personal unhöflich."])
    >>> out["language"].tolist()
    ['en', 'es', 'de']
    >>> detect_languages(["Hola"], language="es")["language_source"].tolist()
    ['declared']
    """
    series = as_series(texts)
    values = [as_text(t).strip() for t in series.tolist()]
    out = pd.DataFrame({"language": pd.Series([None] * len(values), dtype=object, index=series.index),
                        "language_confidence": np.full(len(values), np.nan),
                        "language_source": pd.Series([None] * len(values), dtype=object, index=series.index)},
                       index=series.index)
    filled = np.array([bool(v) for v in values], dtype=bool)
    if language is not None:
        out.loc[filled, "language"] = str(language)
        out.loc[filled, "language_source"] = "declared"
        out.attrs["client_languages"] = {str(language): 1.0} if filled.any() else {}
        return out
    distinct = list(dict.fromkeys(v for v in values if v))
    if not distinct:
        out.attrs["client_languages"] = {}
        return out
    ident = _identifier()
    ranked = [dict(ident.rank(t)) for t in distinct]
    best = [max(r.items(), key=lambda kv: kv[1]) for r in ranked]
    uses = Counter(v for v in values if v)  # comments, not distinct texts, give the shares
    confident = Counter()
    for text, (lang, p) in zip(distinct, best):
        if p >= CONFIDENT:
            confident[lang] += uses[text]
    if not confident:
        for text, (lang, _) in zip(distinct, best):
            confident[lang] += uses[text]
    total = sum(confident.values())
    prior = {lang: k / total for lang, k in confident.most_common()}
    chosen: dict[str, tuple[str, float, str]] = {}
    for text, probs, (lang, p) in zip(distinct, ranked, best):
        if p >= CONFIDENT:
            chosen[text] = (lang, float(p), "detected")
            continue
        weights = {k: share * probs.get(k, 0.0) for k, share in prior.items()}
        mass = sum(weights.values())
        if mass > 0:
            k, w = max(weights.items(), key=lambda kv: kv[1])
            chosen[text] = (k, float(w / mass), "client languages")
        else:  # pragma: no cover - softmax probabilities are never all zero
            k = next(iter(prior))
            chosen[text] = (k, float(prior[k]), "client languages")
    rows = [chosen.get(v) for v in values]
    out["language"] = pd.Series([r[0] if r else None for r in rows], dtype=object, index=series.index)
    out["language_confidence"] = np.array([r[1] if r else np.nan for r in rows], dtype=float)
    out["language_source"] = pd.Series([r[2] if r else None for r in rows], dtype=object, index=series.index)
    out.attrs["client_languages"] = prior
    return out


def sentiment_sources(language: pd.Series, translation: pd.Series | None = None) -> pd.Series:
    """Which text the sentiment scorer reads for each verbatim.

    Parameters
    ----------
    language : Series
        The language of each verbatim (:func:`detect_languages`).
    translation : Series, optional
        The client's English machine translation of each verbatim (``feedback: {translation: ...}``).

    Returns
    -------
    Series
        ``"text"`` (the verbatim is in a language of :data:`SCORED_LANGUAGES`), ``"translation"``
        (another language, with a non-blank translation) or missing (not scored), aligned to
        ``language``.

    Examples
    --------
    >>> sentiment_sources(pd.Series(["en", "es", "de"]), pd.Series(["Good", "Great", None])).tolist()
    ['text', 'translation', None]
    """
    lang = language.astype(object)
    reads = lang.isin(SCORED_LANGUAGES)
    out = pd.Series(np.where(reads, "text", None), index=language.index, dtype=object)
    if translation is not None:
        has = translation.map(lambda t: bool(as_text(t).strip())).astype(bool)
        out[~reads & has & lang.notna()] = "translation"
    return out.where(out.notna(), None)


def analysed_text(feedback: pd.DataFrame) -> pd.Series:
    """The text each verbatim is analysed in: its translation where sentiment was scored from the
    translation, else the verbatim itself.

    Parameters
    ----------
    feedback : DataFrame
        The processed feedback table (``text``; ``sentiment_source`` and ``translation`` when present).

    Returns
    -------
    Series
        Aligned to ``feedback``.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Good", "Muy bueno"], "translation": [None, "Very good"],
    ...                    "sentiment_source": ["text", "translation"]})
    >>> analysed_text(fb).tolist()
    ['Good', 'Very good']
    """
    text = feedback["text"]
    if "translation" not in feedback.columns or "sentiment_source" not in feedback.columns:
        return text
    use = (feedback["sentiment_source"] == "translation").fillna(False).astype(bool)
    return text.where(~use, feedback["translation"])


def scored_feedback(feedback: pd.DataFrame) -> pd.DataFrame:
    """The verbatims VADER reads, each with ``text`` in the language it is read in.

    Rows whose sentiment was not scored (a language VADER does not read, without a translation) are
    left out; a row scored from its English translation carries that translation as ``text``
    (:func:`analysed_text`).  A table without ``sentiment_source`` (no language step) is returned as is.

    Parameters
    ----------
    feedback : DataFrame
        The processed feedback table.

    Returns
    -------
    DataFrame
        A copy of the scored rows (index kept).

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Good", "Muy bueno", "Sehr gut"], "translation": [None, "Very good", None],
    ...                    "sentiment_source": ["text", "translation", None]})
    >>> scored_feedback(fb)["text"].tolist()
    ['Good', 'Very good']
    """
    if "sentiment_source" not in feedback.columns:
        return feedback.copy()
    kept = feedback[feedback["sentiment_source"].notna()]
    return kept.assign(text=analysed_text(kept))


def analysed_language(feedback: pd.DataFrame) -> pd.Series:
    """The language of :func:`analysed_text`: English where it was scored (from the text or its English
    translation), else the verbatim's own language (``"en"`` for a table without languages).

    Returns
    -------
    Series
        ISO 639 codes aligned to ``feedback`` (missing for an unidentified text).

    Examples
    --------
    >>> fb = pd.DataFrame({"language": ["en", "es", "de"], "sentiment_source": ["text", "translation", None]})
    >>> analysed_language(fb).tolist()
    ['en', 'en', 'de']
    """
    if "language" not in feedback.columns:
        return pd.Series("en", index=feedback.index, dtype=object)
    lang = feedback["language"].astype(object)
    if "sentiment_source" in feedback.columns:
        scored = feedback["sentiment_source"].notna()
        lang = lang.where(~scored, "en")
    return lang


def language_summary(feedback: pd.DataFrame | None) -> pd.DataFrame:
    """Comments per language, and how many of them were scored for sentiment.

    Parameters
    ----------
    feedback : DataFrame or None
        Verbatims with ``language`` and ``sentiment_source`` (a table without them counts as English and
        scored from the text, as before languages were identified).

    Returns
    -------
    DataFrame
        One row per language, most comments first: ``language`` (code), ``language_name``, ``comments``,
        ``scored_text`` (scored as written), ``scored_translation`` (scored from the translation),
        ``not_scored``, ``share_scored``.

    Examples
    --------
    >>> fb = pd.DataFrame({"language": ["en", "en", "es"], "sentiment_source": ["text", "text", None]})
    >>> language_summary(fb)[["language_name", "comments", "not_scored"]].values.tolist()
    [['English', 2, 0], ['Spanish', 1, 1]]
    """
    cols = ["language", "language_name", "comments", "scored_text", "scored_translation", "not_scored",
            "share_scored"]
    if feedback is None or len(feedback) == 0:
        return pd.DataFrame(columns=cols)
    lang = (feedback["language"] if "language" in feedback.columns
            else pd.Series("en", index=feedback.index)).astype(object).fillna("")
    source = (feedback["sentiment_source"] if "sentiment_source" in feedback.columns
              else pd.Series("text", index=feedback.index)).astype(object)
    frame = pd.DataFrame({"language": lang.to_numpy(), "text": (source == "text").to_numpy(),
                          "translation": (source == "translation").to_numpy()})
    g = frame.groupby("language", sort=False)
    out = pd.DataFrame({"comments": g.size(), "scored_text": g["text"].sum().astype(int),
                        "scored_translation": g["translation"].sum().astype(int)})
    out["not_scored"] = out["comments"] - out["scored_text"] - out["scored_translation"]
    out["share_scored"] = (out["scored_text"] + out["scored_translation"]) / out["comments"]
    out = out.reset_index()
    out.insert(1, "language_name", [language_name(c) for c in out["language"]])
    out = out.sort_values(["comments", "language"], ascending=[False, True], kind="mergesort")
    return out[cols].reset_index(drop=True)
