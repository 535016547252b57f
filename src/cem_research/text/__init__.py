"""Text analysis for customer verbatims.

Sentiment (VADER, offline lexicon) with a content-addressed cache and optional multiprocessing,
tokenization, document-frequency term counts, keyness (Dunning log-likelihood G²), characteristic and
rising terms, aspect mentions for the three brand elements of Schmitt's step 3, PII masking and
HTML-safe excerpts.

Every function returns plain Python values or tidy :class:`pandas.DataFrame` objects; nothing here
prints, plots or downloads anything. Customer text shown in any report must go through
:func:`safe_text`.

Submodules
----------
:mod:`~cem_research.text.sentiment`
    VADER analyzer, :func:`polarity`, :func:`score_sentiment` (cache, worker pool).
:mod:`~cem_research.text.language`
    :func:`detect_languages` (py3langid), which verbatims VADER reads (:func:`sentiment_sources`),
    :func:`language_summary`, :func:`language_name`.
:mod:`~cem_research.text.terms`
    :func:`tokenize`, stopwords (per language), n-gram sets, :func:`term_counts`.
:mod:`~cem_research.text.keyness`
    :func:`keyness`, :func:`characteristic_terms`, :func:`rising_terms`.
:mod:`~cem_research.text.safety`
    :func:`mask_pii`, :func:`safe_text`.
:mod:`~cem_research.text.aspects`
    aspect lexicon, :func:`aspect_mentions`, :func:`aspect_sentiment`.
:mod:`~cem_research.text.common`
    the shared input helpers.

Every public name is importable from here (``text.safe_text``, ``from cem_research.text import
NEGATIVE_THRESHOLD``).
"""

from __future__ import annotations

from cem_research.text.aspects import (aspect_mentions, aspect_sentiment, load_lexicon, mention_sentences,
                                       split_sentences)
from cem_research.text.language import (
    CONFIDENT, DETECTOR, LANGUAGE_COLUMNS, SCORED_LANGUAGES, analysed_language, analysed_text, detect_languages,
    known_language, language_name, language_summary, scored_feedback, sentiment_sources,
)
from cem_research.text.keyness import KEYNESS_COLUMNS, characteristic_terms, keyness, rising_terms
from cem_research.text.safety import mask_pii, safe_text
from cem_research.text.sentiment import (
    NEGATIVE_THRESHOLD, POOL_MIN_TEXTS, POSITIVE_THRESHOLD, SENTIMENT_COLUMNS, polarity, score_sentiment,
    sentiment_analyzer, text_key, vader_words,
)
from cem_research.text.terms import doc_freq, stopword_list, term_counts, term_sets, tokenize

__all__ = [
    "SENTIMENT_COLUMNS",
    "KEYNESS_COLUMNS",
    "NEGATIVE_THRESHOLD",
    "POSITIVE_THRESHOLD",
    "POOL_MIN_TEXTS",
    "sentiment_analyzer",
    "vader_words",
    "polarity",
    "text_key",
    "score_sentiment",
    "tokenize",
    "stopword_list",
    "term_sets",
    "doc_freq",
    "term_counts",
    "keyness",
    "characteristic_terms",
    "rising_terms",
    "mask_pii",
    "safe_text",
    "load_lexicon",
    "aspect_mentions",
    "aspect_sentiment",
    "DETECTOR",
    "SCORED_LANGUAGES",
    "CONFIDENT",
    "LANGUAGE_COLUMNS",
    "detect_languages",
    "known_language",
    "language_name",
    "sentiment_sources",
    "analysed_text",
    "analysed_language",
    "scored_feedback",
    "split_sentences",
    "mention_sentences",
    "language_summary",
]
