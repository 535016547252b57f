"""The implementation theme of the experiential platform: phrases from the customers' own words.

:func:`implementation_theme` finds, in the positive own-brand sentences about the chosen dimension, the
phrases that characterise them against the other verbatims (Dunning's G², corrected), with masked
representative quotes; :class:`Theme` holds them.  The platform proposal
(:mod:`cem_research.steps.platform.proposal`) states the theme; the researcher may reword it, the
evidence stays.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from cem_research.present import narrative as nv
from cem_research.steps.platform.common import POSITIVE_COMPOUND

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

__all__ = ["MIN_THEME_SENTENCES", "Theme", "implementation_theme"]

#: Fewest positive own-brand sentences about the chosen dimension needed to derive a theme from them.
MIN_THEME_SENTENCES = 10
#: Schmitt's module of an experience dimension, by the words of its name or label.
_MODULES = (("SENSE", ("sens",)), ("FEEL", ("affect", "emotion", "feel")), ("THINK", ("intellect", "cognit", "think")),
              ("ACT", ("behavio", "physical", "act")), ("RELATE", ("relat", "social")))



# ------------------------------------------------------------------------------------ the theme


def _module(cfg: "ClientConfig", dimension: str) -> str | None:
    """Schmitt's module a dimension stands for (SENSE, FEEL, THINK, ACT, RELATE), by its name or label."""
    words = re.split(r"[^a-z]+", f"{dimension} {nv.label(cfg, dimension)}".lower())
    for module, stems in _MODULES:
        if any(w == s or (len(s) > 3 and w.startswith(s)) for w in words for s in stems):
            return module
    return None


def _dimension_lexicon(cfg: "ClientConfig", dimension: str) -> tuple[list[str], str]:
    """Words that mark a sentence as being about a dimension, and where they come from."""
    from cem_research.client.options.modules import load_codebook

    words = {w for source in (dimension, nv.label(cfg, dimension))
             for w in re.split(r"[^a-z0-9]+", str(source).lower()) if len(w) >= 4}
    sources = ["the words of its name"]
    if (cfg.aspects or {}).get(dimension):
        words.update(cfg.aspects[dimension])
        sources.append(f"the client's aspects entry '{dimension}'")
    module = _module(cfg, dimension)
    if module:
        book = cfg.modules.codebook if getattr(cfg, "modules", None) is not None else load_codebook()
        if book.get(module):
            words.update(book[module])
            sources.append(f"Schmitt's {module} codebook")
    return sorted(words), nv.join(sources)


@dataclass(frozen=True)
class Theme:
    """The implementation theme's evidence: phrases and quotes from customers' words about one dimension.

    Attributes
    ----------
    dimension, label : str
    phrases : DataFrame
        Up to ``top`` rows: ``term`` (stopwords removed, as counted), ``phrase`` (as customers wrote it),
        the :func:`cem_research.text.keyness` columns and ``quote`` (a masked sentence using the phrase;
        unescaped: display only through :func:`cem_research.present.tables.show` or a finding, which
        escape).  Empty when there are too few sentences.
    quotes : list of str
        Two or three masked representative sentences (distinct).
    n_sentences, n_reference : int
        Positive own-brand sentences about the dimension (the target); verbatims compared against.
    lexicon_source : str
        Where the marker words come from (stated in the evidence).
    """

    dimension: str
    label: str
    phrases: pd.DataFrame
    quotes: list[str] = field(default_factory=list)
    n_sentences: int = 0
    n_reference: int = 0
    lexicon_source: str = ""

    @property
    def enough(self) -> bool:
        """Whether a theme could be derived (enough sentences and at least one phrase)."""
        return self.n_sentences >= MIN_THEME_SENTENCES and len(self.phrases) > 0


def _as_written(term: str, texts: pd.Series) -> tuple[str, str]:
    """The phrase as customers wrote it (stopwords between the words kept) and the most common sentence using it."""
    from cem_research import text as tx

    stop = "|".join(sorted(map(re.escape, tx.stopword_list()), key=len, reverse=True))
    gap = rf"(?:\W+(?:{stop}))*\W+"  # only stopwords (dropped before counting) between the words
    pat = re.compile(r"\b" + gap.join(map(re.escape, term.split())) + r"\b", re.IGNORECASE)
    hits = texts[texts.map(lambda t: bool(pat.search(t)))]
    if hits.empty:
        return term, ""
    sentence = hits.value_counts().index[0]
    phrase = pat.search(sentence).group(0)
    return (phrase[0].lower() + phrase[1:] if phrase[1:2].islower() else phrase), sentence


def implementation_theme(data: "ClientData", dimension: str, min_compound: float = POSITIVE_COMPOUND,
                         top: int = 5, min_sentences: int = MIN_THEME_SENTENCES) -> Theme | None:
    """Phrases (two or three words) and quotes from positive verbatims about one experience dimension.

    Parameters
    ----------
    data : ClientData
    dimension : str
        The chosen positioning dimension.
    min_compound : float, default 0.5
        A sentence is *positive* when the VADER compound of the sentence(s) mentioning the dimension is at
        least this.
    top : int, default 5
        Phrases kept.
    min_sentences : int, default :data:`MIN_THEME_SENTENCES`
        Fewest target sentences needed; with fewer the theme is "not enough verbatims".

    Returns
    -------
    Theme or None
        ``None`` when the client supplies no verbatims.

    Notes
    -----
    Rule: a sentence of an own-brand comment *concerns* the dimension when it contains a word of the
    dimension's lexicon -- the words of its name and label, the client's ``aspects:`` entry of the same
    name and the codebook of Schmitt's module it stands for (sensory = SENSE, affective = FEEL,
    intellectual = THINK, behavioral = ACT; the client's ``modules: codebook:`` when declared) -- matched by
    :func:`cem_research.text.aspect_mentions`.  The target is those sentences with compound ≥
    ``min_compound``; the reference every other verbatim (own brand's and competitors').  Phrases are the
    bigrams and trigrams over-represented in the target (Dunning's G² on document counts, BH-FDR;
    :func:`cem_research.text.keyness`, at least 3 documents), dropping phrases made only of brand-name
    or sentiment words and phrases found in no target sentence that a better-ranked phrase does not
    already cover.  Each kept phrase is shown as written, with the most common sentence using it
    (masked by :func:`cem_research.text.safe_text`).
    """
    from cem_research import text as tx

    fb = data.feedback
    if fb is None or fb.empty:
        return None
    cfg = data.config
    label = nv.label(cfg, dimension)
    words, source = _dimension_lexicon(cfg, dimension)
    fb = tx.scored_feedback(fb)  # the verbatims VADER reads (English, or their English translation)
    own = fb["brand"].fillna(cfg.brand) == cfg.brand
    m = tx.aspect_mentions(fb.loc[own, ["text"]], "text", lexicon={dimension: words}, keep=[],
                           cache=data.sentiment_cache)
    target = m[m["compound"] >= min_compound]
    ref = fb.loc[~fb.index.isin(target.index), "text"]
    empty = pd.DataFrame(columns=["term", "phrase", "target_docs", "reference_docs", "target_share",
                                  "reference_share", "log_ratio", "g2", "p_corr", "significant", "quote"])
    theme = Theme(dimension, label, empty, [], int(len(target)), int(len(ref)), source)
    if len(target) < min_sentences or len(ref) == 0:
        return theme
    sentences = target["sentence"].astype(str).reset_index(drop=True)
    k = tx.keyness(sentences, ref, ngram_range=(2, 3), min_count=3)
    k = k[(k["direction"] == "over") & (k["target_docs"] >= 3)]
    brand_words = {w for b in cfg.brands for w in tx.tokenize(b, stopwords=False)}
    valence = tx.vader_words()
    k = k[~k["term"].map(lambda t: all(w in brand_words or w in valence for w in t.split()))]
    sets = tx.term_sets(sentences.tolist(), (2, 3))
    kept, covered = [], []
    for i, r in k.iterrows():
        docs = frozenset(j for j, s in enumerate(sets) if r["term"] in s)
        if any(docs <= c for c in covered):
            continue  # the same sentences as a better-ranked phrase: redundant
        kept.append(i)
        covered.append(docs)
        if len(kept) == top:
            break
    k = k.loc[kept].reset_index(drop=True)
    written = [_as_written(t, sentences) for t in k["term"]]
    k.insert(1, "phrase", [w[0] for w in written])
    k["quote"] = [html.unescape(tx.safe_text(w[1], max_chars=160)) for w in written]
    quotes = list(dict.fromkeys(q for q in k["quote"] if q))[:3]
    return replace(theme, phrases=k[list(empty.columns)], quotes=quotes)
