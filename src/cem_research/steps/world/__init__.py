"""Step 1 of Schmitt's (2003) CEM framework: analyze the experiential world of the customer.

Five analyses, one per section of ``notebooks/01_experiential_world``:

1. **Who the customer is** -- the client's segments (B2C/B2B, purchasers vs users, usage,
   and loyalty groups derived from the NPS question or the loyalty outcome): size of each
   segment level and its outcome profile, and which differences between levels are real
   (:func:`segment_sizes`, :func:`segment_profiles`, :func:`segment_tests`,
   :func:`segment_pairs`, :func:`segment_finding`).
2. **The experiential layers** -- the constructs a client declared with ``layer:`` (the
   sociocultural/business *context*, the *usage* situation, the product *category*, the
   *brand*): scores of the own brand, by wave when there are several
   (:func:`layer_scores`, :func:`layer_changes`, :func:`layer_finding`).
3. **The experience along the journey** -- per journey stage, in the declared order: reach,
   satisfaction, effort and drop-out (:func:`journey_stages`, :func:`journey_finding`).
4. **The competitive landscape** -- own brand vs each competitor and each kind of competitor
   (direct, new entrant, outside the industry) on every construct (:func:`brand_profiles`,
   :func:`brand_tests`, :func:`brand_advantages`, :func:`competitive_finding`).
5. **What customers say** -- VADER sentiment by touchpoint and segment, characteristic terms,
   representative (masked, escaped) quotes (:func:`sentiment_summary`, :func:`feedback_terms`,
   :func:`representative_quotes`, :func:`feedback_finding`).

Every analysis takes a :class:`~cem_research.client.data.ClientData` and returns a tidy DataFrame,
or ``None`` when the client did not supply the data (then :func:`skip_reason` says why).
Functions never print; ``*_figure`` functions build a matplotlib Figure that the notebook shows
with :func:`cem_research.present.plots.show`.  Finding functions return the keyword arguments of
:func:`cem_research.present.findings.record` (``text``, ``key``, ``value``, ``ci``, ``headline``), with the
sentence built from the result frames.

Unless said otherwise, all waves present in ``data`` are analysed together (the notebook's
``wave`` parameter cuts later waves off); survey weights (``ClientData.weight``) are used where the
statistic supports them (means, shares, NPS, Games-Howell pairs, Welch t-tests of brands and waves), and
not by the Welch ANOVA, Cronbach's alpha, the journey (touchpoint events) and sentiment (verbatims).
Before segments are compared on a construct, its reliability within every segment level is checked
(:func:`segment_reliability`); :func:`segment_tests` carries ``min_group_alpha`` and ``unreliable_in``.
The optional "Survey weighting" section is built by :mod:`cem_research.stats.weighting`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.client.config import COMPETITOR_KINDS, LAYERS, ClientConfig
from cem_research.client.data import memoize

STEP = 1

#: Section titles (the notebook's ``##`` headings, passed to ``findings.record``/``skip``).
SECTIONS = {
    "segments": "Who the customer is",
    "layers": "The experiential layers",
    "journey": "The experience along the journey",
    "competition": "The competitive landscape",
    "feedback": "What customers say",
}

LOYALTY = "loyalty_group"
NPS_GROUPS = ("promoters", "passives", "detractors")
TERCILE_GROUPS = ("high", "medium", "low")
LAYER_LABELS = {
    "context": "sociocultural / business context",
    "usage": "usage situation",
    "category": "product category",
    "brand": "brand",
}
KIND_GROUP_LABELS = {
    "direct": "All direct competitors",
    "new_entrant": "All new entrants",
    "outside_industry": "All players outside the industry",
}
JOURNEY_MEASURES = ("reach", "satisfaction", "effort", "dropout")
MEASURE_LABELS = {
    "reach": "Reach: % of customers with a contact",
    "satisfaction": "Satisfaction (mean)",
    "effort": "Effort (mean; high = harder)",
    "dropout": "Drop-out: % whose last contact is here",
}
POLARITIES = ("positive", "negative")
KIND_LABELS = {"own": "own brand", "direct": "direct competitor", "new_entrant": "new entrant",
               "outside_industry": "outside the industry"}


# =============================================================================================
# small helpers
# =============================================================================================


def _num(x: float, digits: int = 2) -> str:
    """A number for a sentence (``'n/a'`` when missing)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return "n/a"
    return f"{x:.{digits}f}"


def _signed(x: float, digits: int = 2) -> str:
    if pd.isna(x):
        return "n/a"
    return f"{x:+.{digits}f}"


def _ci(lo: float, hi: float, digits: int = 2, pct: bool = False) -> str:
    """``'95% CI 5.60 to 6.00'`` (shares as percentages with ``pct``)."""
    if pd.isna(lo) or pd.isna(hi):
        return "95% CI not available"
    if pct:
        return f"95% CI {100 * lo:.0f}% to {100 * hi:.0f}%"
    return f"95% CI {_num(lo, digits)} to {_num(hi, digits)}"


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.0f}%"


def _p(p: float) -> str:
    if pd.isna(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _scale_text(scale: tuple[float, float]) -> str:
    return f"{scale[0]:g}\u2013{scale[1]:g}"


def _title(cfg: ClientConfig, construct: str) -> str:
    c = cfg.constructs.get(construct)
    return c.title if c is not None else str(construct).replace("_", " ").capitalize()


def _join(words: Sequence[str]) -> str:
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(n: int, noun: str) -> str:
    """``'1 comparison'``, ``'3 comparisons'``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _weights(data) -> str | None:
    return getattr(data, "weight", None)


def _memo(data, key, build: Callable[[], object]):
    """``build()`` once per data object (:func:`cem_research.client.data.memoize`); the result is read-only."""
    return memoize(data, ("world", key), build)


def _own(data) -> pd.DataFrame:
    """``data.own``, filtered once (read-only)."""
    return _memo(data, "own", lambda: data.own)


def _finding(text: str, key: str | None = None, value: float | None = None,
             ci: tuple[float, float] | None = None, headline: bool = False) -> dict:
    """Keyword arguments for :func:`cem_research.present.findings.record`."""
    value = None if value is None or pd.isna(value) else float(value)
    if ci is not None and (pd.isna(ci[0]) or pd.isna(ci[1])):
        ci = None
    elif ci is not None:
        ci = (float(ci[0]), float(ci[1]))
    return {"text": text, "key": key, "value": value, "ci": ci, "headline": bool(headline)}


def main_outcome(cfg: ClientConfig) -> str:
    """The construct the step-1 findings are stated on.

    The first declared outcome; without outcomes the NPS construct; else the first construct.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    str
        A construct name.
    """
    if cfg.main_outcome:
        return cfg.main_outcome
    return next(iter(cfg.constructs))


def outcome_constructs(cfg: ClientConfig) -> list[str]:
    """Outcomes profiled per segment: the declared outcomes, else the NPS construct, else all constructs."""
    if cfg.outcomes:
        return list(cfg.outcomes)
    if cfg.nps:
        return [cfg.nps]
    return list(cfg.constructs)


def skip_reason(data, section: str) -> str | None:
    """Why a section cannot be analysed for this client (``None`` when it can).

    Parameters
    ----------
    data : ClientData
    section : {"segments", "layers", "journey", "competition", "feedback"}

    Returns
    -------
    str or None
        A sentence naming the data that would be needed.
    """
    cfg = data.config
    if section == "segments":
        if not segment_columns(data):
            return ("the client declares no segment columns ('segments:' in client.yaml) and no NPS or "
                    "loyalty outcome from which loyalty groups could be formed")
        return None
    if section == "layers":
        if not [c for c in cfg.constructs.values() if c.layer]:
            return ("no construct in client.yaml declares an experiential layer ('layer: context | usage | "
                    "category | brand'), so none of the four layers was measured")
        return None
    if section == "journey":
        tp = data.touchpoints
        if tp is None or tp.empty:
            return "the client supplies no touchpoint file ('touchpoints:' in client.yaml)"
        if "stage" not in tp or tp["stage"].isna().all():
            return "the touchpoint file has no journey stage column ('touchpoints.stage')"
        return None
    if section == "competition":
        if not data.has_competitors:
            return ("no ratings of competitors: the survey has no rows for competitor brands and there is "
                    "no 'competitor_ratings' file")
        return None
    if section == "feedback":
        fb = data.feedback
        if fb is None or fb.empty:
            return "the client supplies no verbatim feedback file ('feedback:' in client.yaml)"
        if own_feedback(data).empty:
            return "the feedback file holds no comments about the client's own brand"
        return None
    raise ValueError(f"unknown section {section!r}; use one of {', '.join(SECTIONS)}")


def sample_overview(data) -> pd.DataFrame:
    """Ratings analysed: one row per brand and wave (own brand first).

    Returns
    -------
    DataFrame
        Columns ``brand, brand_kind, wave, n`` (rows of the ratings table), brands in the order own
        brand then declared competitors, waves in analysis order.
    """
    r = data.ratings
    order = {b: i for i, b in enumerate(_brand_order(data))}
    worder = {w: i for i, w in enumerate(data.waves)}
    out = r.groupby(["brand", "brand_kind", "wave"], observed=True, dropna=False).size().rename("n").reset_index()
    out = out.assign(_b=out["brand"].map(order), _w=out["wave"].map(worder))
    out = out.sort_values(["_b", "_w"], kind="mergesort").drop(columns=["_b", "_w"]).reset_index(drop=True)
    out["brand_kind"] = out["brand_kind"].map(lambda k: KIND_LABELS.get(k, k))
    return out


# =============================================================================================
# 1. who the customer is
# =============================================================================================


def loyalty_construct(cfg: ClientConfig) -> tuple[str | None, str | None]:
    """The construct loyalty groups are derived from, and how.

    Returns
    -------
    (construct, method)
        ``(cfg.nps, "nps")`` when an NPS construct is declared; else the first outcome whose name or
        label mentions loyalty, with ``"terciles"``; else ``(None, None)``.
    """
    if cfg.nps:
        return cfg.nps, "nps"
    for name in cfg.outcomes:
        c = cfg.constructs[name]
        if "loyal" in name.lower() or "loyal" in (c.label or "").lower():
            return name, "terciles"
    return None, None


def loyalty_groups(values: pd.Series, method: str) -> pd.Series:
    """Loyalty group of each respondent.

    Parameters
    ----------
    values : Series
        Likelihood to recommend (0-10) for ``method="nps"``, or a loyalty score for ``"terciles"``.
    method : {"nps", "terciles"}
        ``nps``: promoters (9-10), passives (7-8), detractors (0-6) (Reichheld 2003).
        ``terciles``: ``high`` above the 2/3 quantile, ``low`` at or below the 1/3 quantile,
        ``medium`` in between (ties stay together, so a group may be empty).

    Returns
    -------
    Series
        Ordered categorical (promoters/high first), missing where the value is missing.

    Examples
    --------
    >>> loyalty_groups(pd.Series([10, 8, 3, None]), "nps").tolist()
    ['promoters', 'passives', 'detractors', nan]
    """
    x = pd.to_numeric(values, errors="coerce").astype(float)
    out = pd.Series(pd.NA, index=values.index, dtype=object)
    if method == "nps":
        out[x >= 9] = "promoters"
        out[(x >= 7) & (x < 9)] = "passives"
        out[x < 7] = "detractors"
        cats = NPS_GROUPS
    elif method == "terciles":
        if x.notna().any():
            q1, q2 = x.quantile([1 / 3, 2 / 3])
            out[x <= q1] = "low"
            out[(x > q1) & (x <= q2)] = "medium"
            out[x > q2] = "high"
        cats = TERCILE_GROUPS
    else:
        raise ValueError(f"method must be 'nps' or 'terciles', got {method!r}")
    out[x.isna()] = pd.NA
    return pd.Series(pd.Categorical(out, categories=list(cats), ordered=True), index=values.index,
                     name=LOYALTY)


def segment_columns(data) -> dict[str, str]:
    """Segment columns analysed in step 1, with their labels.

    The declared ``segments:`` present in the ratings, then the derived loyalty group (see
    :func:`loyalty_construct`) under the column name :data:`LOYALTY`.

    Returns
    -------
    dict
        Column name -> label (in the order shown in the report).
    """
    cfg = data.config
    cols = {c: lab for c, lab in cfg.segments.items() if c in data.ratings.columns}
    construct, method = loyalty_construct(cfg)
    if construct is not None and construct in data.ratings.columns and _own(data)[construct].notna().any():
        how = ("promoters / passives / detractors" if method == "nps"
               else f"terciles of {_title(cfg, construct)}")
        cols[LOYALTY] = f"Loyalty group ({how})"
    return cols


def segment_constructs(cfg: ClientConfig) -> list[str]:
    """Constructs profiled and compared per segment: outcomes first, then drivers, then the rest.

    Returns
    -------
    list of str
        Every declared construct once, in the order outcomes, drivers, other constructs.
    """
    return list(dict.fromkeys([*outcome_constructs(cfg), *cfg.drivers, *cfg.constructs]))


def _role(cfg: ClientConfig, construct: str) -> str:
    if construct in cfg.outcomes:
        return "outcome"
    if construct in cfg.drivers:
        return "driver"
    return "other"


def customer_segments(data) -> pd.DataFrame:
    """Own-brand survey rows with the segment columns, the loyalty group and the construct scores.

    Returns
    -------
    DataFrame
        One row per own-brand rating: ``respondent, wave``, the declared segment columns,
        :data:`LOYALTY` (when derivable), every construct score and ``weight`` if present.
        Segment columns are categorical (loyalty groups in their natural order, others sorted).
    """
    return _customer_segments(data).copy()


def _str_categorical(values: pd.Series) -> pd.Categorical:
    """``values`` as text, categorical with the sorted texts as categories (missing stays missing)."""
    codes, uniques = pd.factorize(values)
    uniq = list(uniques)
    if all(type(u) is str for u in uniq):  # text already: recode the distinct values only
        cats = sorted(uniq)
        pos = {u: i for i, u in enumerate(cats)}
        remap = np.array([pos[u] for u in uniq] + [-1], dtype=np.int64)  # code -1 (missing) stays -1
        return pd.Categorical.from_codes(remap[codes], categories=cats)
    vals = values.astype(object).where(values.notna())
    vals = vals.map(lambda v: v if pd.isna(v) else str(v))
    return pd.Categorical(vals, categories=sorted(vals.dropna().unique()))


def _customer_segments(data) -> pd.DataFrame:
    """:func:`customer_segments`, built once per data object (read-only)."""

    def build():
        cfg = data.config
        own = _own(data)
        keep = ["respondent", "wave", *[c for c in cfg.segments if c in own.columns]]
        keep += [c for c in segment_constructs(cfg) if c in own.columns and c not in keep]
        if _weights(data):
            keep.append(_weights(data))
        out = own[keep].copy()
        for seg in cfg.segments:
            if seg in out.columns:
                out[seg] = _str_categorical(out[seg])
        if LOYALTY in segment_columns(data):
            construct, method = loyalty_construct(cfg)
            out[LOYALTY] = loyalty_groups(own[construct], method).array
        return out.reset_index(drop=True)

    return _memo(data, "customer_segments", build)


def _segment_frame(data):
    """The (read-only) :func:`customer_segments` frame and :func:`segment_columns`."""
    return _customer_segments(data), segment_columns(data)


def segment_sizes(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Size of each segment level among own-brand respondents (share with Wilson CI).

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, level, n, count, share, ci_low, ci_high``: ``n`` respondents
        answering the segment question, ``count`` in the level, ``share`` (weighted if weights exist)
        with its Wilson interval (:func:`cem_research.stats.share_ci`). ``None`` without segments.
    """
    frame, cols = _segment_frame(data)
    if not cols:
        return None
    parts = []
    for seg, label in cols.items():
        s = stats.share_ci(frame, seg, weights=_weights(data), confidence=confidence)
        s = s.rename(columns={seg: "level"})
        s.insert(0, "segment_label", label)
        s.insert(0, "segment", seg)
        parts.append(s[["segment", "segment_label", "level", "n", "count", "share", "ci_low", "ci_high"]])
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out


def segment_profiles(data, constructs: Sequence[str] | None = None,
                     confidence: float = 0.95) -> pd.DataFrame | None:
    """Construct means per segment level (own brand), with t intervals.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs` (outcomes first, then drivers, then the rest).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, level, construct, label, role, n, mean, sd, ci_low, ci_high,
        scale_min, scale_max`` (:func:`cem_research.stats.mean_ci`, weighted if weights exist);
        ``role`` is ``outcome``, ``driver`` or ``other``. ``None`` without segments.
    """
    frame, cols = _segment_frame(data)
    if not cols:
        return None
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    parts = []
    for seg, label in cols.items():
        for c in constructs:
            if c not in frame or frame[c].notna().sum() == 0:
                continue
            m = stats.mean_ci(frame, c, by=seg, weights=_weights(data), confidence=confidence)
            m = m.rename(columns={seg: "level"}).drop(columns="n_eff")
            m.insert(0, "role", _role(cfg, c))
            m.insert(0, "label", _title(cfg, c))
            m.insert(0, "construct", c)
            m.insert(0, "segment_label", label)
            m.insert(0, "segment", seg)
            m["scale_min"], m["scale_max"] = cfg.constructs[c].scale
            parts.append(m)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out[["segment", "segment_label", "level", "construct", "label", "role", "n", "mean", "sd",
                "ci_low", "ci_high", "scale_min", "scale_max"]]


def _circular(data, segment: str, construct: str) -> bool:
    """A loyalty group compared on the construct it was formed from."""
    return segment == LOYALTY and construct == loyalty_construct(data.config)[0]


def _testable(frame: pd.DataFrame, seg: str, construct: str, weight: str | None = None,
              seg_text=None) -> pd.DataFrame | None:
    """Rows of ``frame`` comparable on ``construct`` across the levels of ``seg``, or ``None``.

    Levels with fewer than 2 answers are left out; ``seg`` is returned as text (see :func:`_level_text`;
    ``seg_text`` passes it in when the caller tests several constructs on the same segment).
    """
    cols = [seg, construct] + ([weight] if weight else [])
    col = frame[seg]
    if not isinstance(col.dtype, pd.CategoricalDtype):
        sub = frame[cols].dropna(subset=[seg, construct])
        counts = sub.groupby(seg, observed=True)[construct].count()
        ok = list(counts[counts >= 2].index)
        if len(ok) < 2:
            return None
        sub = sub[sub[seg].isin(ok)].copy()
        if sub[construct].nunique() < 2:
            return None
        sub[seg] = sub[seg].astype(str)
        return sub
    # categorical segment (as built by customer_segments): count the answers per level on the codes
    codes = col.cat.codes.to_numpy()
    rows = (codes >= 0) & frame[construct].notna().to_numpy()
    counts = np.bincount(codes[rows], minlength=len(col.cat.categories))
    level_ok = counts >= 2
    if int(level_ok.sum()) < 2:
        return None
    rows &= level_ok[codes]
    sub = frame.loc[rows, cols]
    if sub[construct].nunique() < 2:
        return None
    text = _level_text(col) if seg_text is None else seg_text
    sub[seg] = text[rows]
    return sub


def _level_text(col: pd.Series):
    """The levels of a categorical segment as text, for the tests and pairs of :func:`_segment_loop`.

    ``col.astype(str)``; when the categories are text already, the same texts as a categorical whose
    categories are in sorted order instead -- the group order of a groupby on the texts -- so that
    :func:`cem_research.stats.omnibus` and :func:`cem_research.stats.compare_groups` see the same groups,
    values and labels in the same order without re-encoding the texts for every construct.
    """
    cats = list(col.cat.categories)
    if not all(type(c) is str for c in cats):
        return col.astype(str).array
    order = sorted(range(len(cats)), key=cats.__getitem__)
    remap = np.empty(len(cats) + 1, dtype=np.int64)
    remap[order] = np.arange(len(cats))
    remap[-1] = -1  # missing stays missing
    return pd.Categorical.from_codes(remap[col.cat.codes.to_numpy()], categories=[cats[i] for i in order])


def _segment_loop(data, constructs, wanted: set | None = None):
    """``(segment, label, construct, rows)`` for every testable segment x construct (only ``wanted`` pairs)."""
    frame, cols = _segment_frame(data)
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    for seg, label in cols.items():
        seg_text = None
        for c in constructs:
            if c not in frame or _circular(data, seg, c):
                continue
            if wanted is not None and (seg, c) not in wanted:
                continue
            if seg_text is None and isinstance(frame[seg].dtype, pd.CategoricalDtype):
                seg_text = _level_text(frame[seg])
            sub = _testable(frame, seg, c, _weights(data), seg_text=seg_text)
            if sub is not None:
                yield seg, label, c, sub


def _label_columns(frame: pd.DataFrame, cfg: ClientConfig, seg: str, label: str, construct: str) -> pd.DataFrame:
    frame.insert(0, "role", _role(cfg, construct))
    frame.insert(0, "label", _title(cfg, construct))
    frame.insert(0, "construct", construct)
    frame.insert(0, "segment_label", label)
    frame.insert(0, "segment", seg)
    return frame


def segment_reliability(data, constructs: Sequence[str] | None = None,
                        threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Is each multi-item construct reliable within every segment level? (own brand)

    Shown before segments are compared: a construct that is unreliable in one level of a segment
    compares noise there (:func:`cem_research.stats.group_reliability`).

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs`; single-item constructs are left out (no alpha).
    threshold : float, default 0.70

    Returns
    -------
    DataFrame or None
        One row per segment x construct x level: ``segment, segment_label, construct, label, level, n,
        k, alpha, alpha_ci_low, alpha_ci_high, flag, unreliable``. Levels with fewer than 2 answers on
        the construct are left out (as in :func:`segment_tests`). ``None`` without segments or
        multi-item constructs.
    """
    key = ("segment_reliability", None if constructs is None else tuple(constructs), threshold)
    try:
        hash(key)
    except TypeError:
        return _segment_reliability(data, constructs, threshold)
    out = _memo(data, key, lambda: _segment_reliability(data, constructs, threshold))
    return None if out is None else out.copy()


def _segment_reliability(data, constructs, threshold):
    frame, cols = _segment_frame(data)
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    own = _own(data)
    multi = [c for c in constructs if c in cfg.constructs and len(cfg.constructs[c].items) >= 2
             and all(i in own.columns for i in cfg.constructs[c].items)]
    if not cols or not multi:
        return None
    items = own[list(dict.fromkeys(i for c in multi for i in cfg.constructs[c].items))].reset_index(drop=True)
    blocks: dict[str, np.ndarray] = {}
    parts = []
    for seg, label in cols.items():
        level = None
        if not (isinstance(frame[seg].dtype, pd.CategoricalDtype)
                and all(type(v) is str for v in frame[seg].cat.categories)):
            level = frame[seg].astype(str).where(frame[seg].notna())
        for c in multi:
            c_items = list(cfg.constructs[c].items)
            if level is not None:
                counts = frame.loc[frame[c].notna(), seg].value_counts()
                ok = [str(v) for v in _levels(frame[seg]) if counts.get(v, 0) >= 2]  # as in segment_tests
                if len(ok) < 2:
                    continue
                block = items.assign(level=pd.Categorical(level, categories=ok))
                r = stats.group_reliability(block, c_items, "level", threshold=threshold, name=c)
            else:
                r = _level_reliability(frame[seg], frame[c].notna().to_numpy(), items, c_items, c, threshold,
                                       blocks)
                if r is None:
                    continue
            r.insert(0, "label", _title(cfg, c))
            r.insert(0, "segment_label", label)
            r.insert(0, "segment", seg)
            parts.append(r)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out[["segment", "segment_label", "construct", "label", "level", "n", "k", "alpha", "alpha_ci_low",
                "alpha_ci_high", "flag", "unreliable"]]


def _level_reliability(seg: pd.Series, answered: np.ndarray, items: pd.DataFrame, c_items: list[str],
                       construct: str, threshold: float, blocks: dict) -> pd.DataFrame | None:
    """:func:`cem_research.stats.group_reliability` of ``construct`` within the levels of the categorical
    segment ``seg`` that have at least 2 answers on it (``answered``); ``None`` with fewer than 2 such levels.

    The same rows (one per level, in category order) as ``group_reliability`` on ``items`` with a level
    column limited to those levels, computed from the category codes instead of the level texts.
    """
    codes = seg.cat.codes.to_numpy()
    cats = seg.cat.categories
    counts = np.bincount(codes[(codes >= 0) & answered], minlength=len(cats))
    ok = [(i, str(v)) for i, v in enumerate(cats) if counts[i] >= 2]  # as in segment_tests
    if len(ok) < 2:
        return None
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"group_reliability: expected a numeric threshold, got {threshold!r}")
    if construct not in blocks:
        blocks[construct] = items[c_items].to_numpy(dtype=float)
    return stats.group_reliability_table(blocks[construct], codes, ok, c_items, construct, threshold, "level")


def _levels(series: pd.Series) -> list:
    """Levels in categorical order (else order of appearance), missing dropped."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return list(pd.unique(series.dropna()))


def reliability_grid(reliability: pd.DataFrame | None, threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """:func:`segment_reliability` condensed: the lowest alpha of each construct within a segment.

    Returns
    -------
    DataFrame or None
        One row per construct (``construct`` label), one column per segment label; a cell reads
        ``"0.81"`` (the lowest within-level alpha) or ``"0.55 ⚠ in 60+"`` when it is below
        `threshold` (with the level(s) where it is).
    """
    if reliability is None or reliability.empty:
        return None
    rows: dict[str, dict[str, str]] = {}
    for (seg_label, lab), sub in reliability.groupby(["segment_label", "label"], sort=False):
        a = sub["alpha"].astype(float)
        low = sub.loc[sub["unreliable"], "level"].tolist()
        cell = "n/a" if a.isna().all() else f"{a.min():.2f}"
        if low:
            cell += f" \u26a0 in {', '.join(low)}"
        rows.setdefault(lab, {})[seg_label] = cell
    out = pd.DataFrame.from_dict(rows, orient="index").fillna("")
    out.index.name = "construct"
    return out.reset_index()


def _unreliable_columns(reliability: pd.DataFrame | None, frame: pd.DataFrame) -> pd.DataFrame:
    """``min_group_alpha`` and ``unreliable_in`` per (segment, construct) row of ``frame``."""
    mins, lows = [], []
    for seg, c in zip(frame["segment"], frame["construct"]):
        r = (reliability[(reliability["segment"] == seg) & (reliability["construct"] == c)]
             if reliability is not None else pd.DataFrame())
        a = r["alpha"].astype(float) if len(r) else pd.Series(dtype=float)
        mins.append(float(a.min()) if a.notna().any() else np.nan)
        lows.append(", ".join(r.loc[r["unreliable"], "level"].astype(str)) if len(r) else "")
    frame = frame.copy()
    frame["min_group_alpha"] = mins
    frame["unreliable_in"] = lows
    return frame


def segment_tests(data, constructs: Sequence[str] | None = None, correction: str = "holm",
                  reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Do the segment levels differ? Welch ANOVA per segment and construct.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs`.
    correction : str, default "holm"
        Across all segment x construct tests (:func:`cem_research.stats.adjust_pvalues`).
    reliability : DataFrame, optional
        :func:`segment_reliability` (computed when not given).

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, construct, label, role, k, n, F, ddof1, ddof2, p_unc, p_corr,
        significant, np2, omega2, min_group_alpha, unreliable_in`` (:func:`cem_research.stats.omnibus`,
        unweighted). Levels with fewer than 2 answers are left out; the loyalty group is not tested on
        the construct it is formed from. ``min_group_alpha`` is the lowest Cronbach alpha of the
        construct within a compared level (NaN for single items), ``unreliable_in`` the levels where it
        is below .70 ("" when none): a difference there may be measurement noise.
        ``None`` without segments or without anything testable.
    """
    rows = []
    for seg, label, c, sub in _segment_loop(data, constructs):
        o = stats.omnibus(sub, c, seg).drop(columns=["dv", "between"])
        rows.append(_label_columns(o, data.config, seg, label, c))
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.concat(rows, ignore_index=True), "p_unc", correction)
    if reliability is None:
        reliability = segment_reliability(data, constructs)
    out = _unreliable_columns(reliability, out)
    return out[["segment", "segment_label", "construct", "label", "role", "k", "n", "F", "ddof1", "ddof2",
                "p_unc", "p_corr", "significant", "np2", "omega2", "min_group_alpha", "unreliable_in"]]


def segment_pairs(data, tests: pd.DataFrame | None = None, constructs: Sequence[str] | None = None,
                  correction: str = "holm") -> pd.DataFrame | None:
    """Which segment levels differ? Games-Howell pairs per segment and construct.

    Parameters
    ----------
    data : ClientData
    tests : DataFrame, optional
        :func:`segment_tests`. When given, pairs are computed only where the Welch ANOVA is
        significant (a protected post-hoc procedure), and for the derived loyalty group only on
        :func:`main_outcome` (loyalty groups differ on most constructs by definition). Without it every
        segment x construct is followed up (slow: each Games-Howell interval needs studentized-range
        quantiles, about 0.1 s per pair).
    constructs : list of str, optional
        Default :func:`segment_constructs`.
    correction : str, default "holm"

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, construct, label, role, A, B, n_A, n_B, mean_A, mean_B, diff,
        ci_low, ci_high, hedges, p_gameshowell, p_unc, p_corr, significant`` from
        :func:`cem_research.stats.compare_groups` (``diff = mean_A - mean_B`` with its Games-Howell
        interval; weighted if weights exist). ``p_corr`` is `correction` (Holm) applied to the per-pair
        Welch p-values across *all* pairs in the table. Same exclusions as :func:`segment_tests`.
    """
    wanted = None
    if tests is not None:
        main = main_outcome(data.config)
        keep = tests[tests["significant"] & ((tests["segment"] != LOYALTY) | (tests["construct"] == main))]
        wanted = set(zip(keep["segment"], keep["construct"]))
    rows = []
    for seg, label, c, sub in _segment_loop(data, constructs, wanted):
        g = stats.compare_groups(sub, c, seg, weights=_weights(data)).drop(columns="dv")
        rows.append(_label_columns(g, data.config, seg, label, c))
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.concat(rows, ignore_index=True), "p_unc", correction)
    out["A"], out["B"] = out["A"].astype(str), out["B"].astype(str)
    return out[["segment", "segment_label", "construct", "label", "role", "A", "B", "n_A", "n_B", "mean_A",
                "mean_B", "diff", "ci_low", "ci_high", "hedges", "p_gameshowell", "p_unc", "p_corr",
                "significant"]]


def segment_gap(profiles: pd.DataFrame | None, tests: pd.DataFrame | None, pairs: pd.DataFrame | None,
                construct: str | None = None, prefer_declared: bool = True) -> dict | None:
    """The segment that makes the largest difference, with its top-vs-bottom gap.

    Among the Welch ANOVAs (on ``construct``, or on every construct when ``None``), the significant one
    (Holm ``p_corr``) with the largest omega squared; if none is significant, the largest omega squared.
    Within that segment and construct, the highest and the lowest scoring level and their Games-Howell
    difference. With ``prefer_declared`` the derived loyalty group is used only when no declared segment
    was tested (loyalty groups differ on most constructs almost by definition).

    Parameters
    ----------
    profiles, tests, pairs : DataFrame or None
        Outputs of :func:`segment_profiles`, :func:`segment_tests`, :func:`segment_pairs`.
    construct : str, optional
        Restrict to one construct (e.g. :func:`main_outcome`).
    prefer_declared : bool, default True

    Returns
    -------
    dict or None
        ``segment, segment_label, construct, label, scale, top, bottom, mean_top, ci_top, n_top,
        mean_bottom, ci_bottom, n_bottom, diff, ci, p_corr, hedges, significant, omnibus_p_corr,
        omnibus_significant, omega2``; ``diff``/``ci``/``p_corr``/``hedges``/``significant`` refer to the
        Games-Howell pair top minus bottom. ``None`` if nothing was tested.
    """
    if tests is None or profiles is None:
        return None
    t = tests if construct is None else tests[tests["construct"] == construct]
    if prefer_declared and (t["segment"] != LOYALTY).any():
        t = t[t["segment"] != LOYALTY]
    t = t.dropna(subset=["omega2"])
    if t.empty:
        return None
    sig = t[t["significant"]]
    best = (sig if len(sig) else t).sort_values(["omega2", "np2"], ascending=False, kind="mergesort").iloc[0]
    prof = profiles[(profiles["segment"] == best["segment"]) & (profiles["construct"] == best["construct"])]
    prof = prof[prof["n"] >= 2].dropna(subset=["mean"])
    top = prof.loc[prof["mean"].idxmax()]
    bottom = prof.loc[prof["mean"].idxmin()]
    out = {"segment": best["segment"], "segment_label": best["segment_label"], "construct": best["construct"],
           "label": best["label"], "scale": (float(top["scale_min"]), float(top["scale_max"])),
           "top": str(top["level"]), "bottom": str(bottom["level"]),
           "mean_top": float(top["mean"]), "ci_top": (float(top["ci_low"]), float(top["ci_high"])),
           "n_top": int(top["n"]), "mean_bottom": float(bottom["mean"]),
           "ci_bottom": (float(bottom["ci_low"]), float(bottom["ci_high"])), "n_bottom": int(bottom["n"]),
           "diff": float(top["mean"] - bottom["mean"]), "ci": (np.nan, np.nan), "p_corr": np.nan,
           "hedges": np.nan, "significant": False, "omnibus_p_corr": float(best["p_corr"]),
           "omnibus_significant": bool(best["significant"]), "omega2": float(best["omega2"])}
    if pairs is not None:
        pr = pairs[(pairs["segment"] == best["segment"]) & (pairs["construct"] == best["construct"])]
        fwd = pr[(pr["A"] == out["top"]) & (pr["B"] == out["bottom"])]
        rev = pr[(pr["A"] == out["bottom"]) & (pr["B"] == out["top"])]
        if len(fwd):
            r = fwd.iloc[0]
            out.update(diff=float(r["diff"]), ci=(float(r["ci_low"]), float(r["ci_high"])), hedges=float(r["hedges"]))
        elif len(rev):
            r = rev.iloc[0]
            out.update(diff=-float(r["diff"]), ci=(-float(r["ci_high"]), -float(r["ci_low"])),
                       hedges=-float(r["hedges"]))
        if len(fwd) or len(rev):
            out.update(p_corr=float(r["p_corr"]), significant=bool(r["significant"]))
    return out


def _gap_sentence(gap: dict, sizes: pd.DataFrame | None) -> str:
    """``'<segment>: '<top>' (share) scores highest, mean ... above '<bottom>' (...)'``."""
    size = ""
    if sizes is not None:
        s = sizes[(sizes["segment"] == gap["segment"]) & (sizes["level"] == gap["top"])]
        if len(s):
            s = s.iloc[0]
            size = f" ({_pct(s['share'])} of customers, {_ci(s['ci_low'], s['ci_high'], pct=True)})"
    head = (f"'{gap['top']}'{size} scores highest, mean {_num(gap['mean_top'])} "
            f"({_ci(*gap['ci_top'])}, n = {gap['n_top']:,}), {_num(abs(gap['diff']))} points above "
            f"'{gap['bottom']}'")
    if pd.isna(gap["ci"][0]):
        return head + f" (mean {_num(gap['mean_bottom'])}, {_ci(*gap['ci_bottom'])}, n = {gap['n_bottom']:,})"
    return head + (f" (difference {_ci(*gap['ci'])}; Games-Howell, Holm-adjusted {_p(gap['p_corr'])}; "
                   f"Hedges g = {_num(gap['hedges'])})")


def segment_finding(profiles: pd.DataFrame | None, tests: pd.DataFrame | None, pairs: pd.DataFrame | None,
                    construct: str | None = None, sizes: pd.DataFrame | None = None,
                    headline: bool | str = False) -> dict:
    """A sentence about segments: which level scores highest, by how much, and whether it is real.

    Parameters
    ----------
    profiles, tests, pairs : DataFrame or None
        Outputs of :func:`segment_profiles`, :func:`segment_tests`, :func:`segment_pairs`.
    construct : str, optional
        State the finding on this construct (e.g. :func:`main_outcome`); ``None``: the largest
        significant segment difference on any construct.
    sizes : DataFrame, optional
        :func:`segment_sizes`, to add the size of the top level.
    headline : bool or "auto", default False
        Whether the executive summary shows the finding; ``"auto"``: only when the difference is
        significant (a null result stays in its section).

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record`: ``key`` is ``"segment_difference"``
        (any construct) or ``"segment_<construct>"``; ``value`` the top-minus-bottom difference and ``ci``
        its Games-Howell interval (``None`` when the pair was not followed up because the Welch ANOVA was
        not significant).
    """
    key = "segment_difference" if construct is None else f"segment_{construct}"
    gap = segment_gap(profiles, tests, pairs, construct)
    if gap is None:
        what = "any construct" if construct is None else _title_from_profiles(profiles, construct)
        return _finding(f"No segment could be compared on {what}: fewer than two segment levels with at "
                        "least two answers.", key=key)
    on = f"{gap['label']} ({_scale_text(gap['scale'])})"
    by = f"{gap['segment_label']}"
    body = _gap_sentence(gap, sizes)
    if gap["significant"]:
        text = f"On {on}, the largest segment difference is by {by}: {body}."
    elif gap["omnibus_significant"]:
        text = (f"On {on}, the levels of {by} differ (Welch ANOVA, Holm-adjusted {_p(gap['omnibus_p_corr'])}): "
                f"{body}; no single pair is significant after Holm correction.")
    elif construct is None:
        text = (f"No segment differs significantly on any construct (Welch ANOVA, Holm-corrected); the largest, "
                f"not significant gap is by {by} on {on}: {body}. Treat it as noise until more data confirm it.")
    else:
        text = (f"No segment differs significantly on {on} (Welch ANOVA, Holm-corrected); the largest, not "
                f"significant gap is by {by}: {body}. Treat it as noise until more data confirm it.")
    if construct is None and gap["omnibus_significant"]:
        n_sig = int(tests[tests["significant"] & (tests["segment"] != LOYALTY)].shape[0])
        text += (f" In all, {_count(n_sig, 'segment-by-construct comparison')} "
                 f"{'differs' if n_sig == 1 else 'differ'} significantly (Welch ANOVA, Holm).")
    text += _reliability_caveat(tests, gap, construct)
    if headline == "auto":
        headline = bool(gap["significant"])
    return _finding(text, key=key, value=gap["diff"], ci=gap["ci"], headline=headline)


def _reliability_caveat(tests: pd.DataFrame | None, gap: dict, construct: str | None) -> str:
    """A sentence on constructs that are unreliable (alpha < .70) within compared segment levels."""
    if tests is None or "unreliable_in" not in tests:
        return ""
    flagged = tests[tests["unreliable_in"].astype(str) != ""]
    if construct is not None:
        flagged = flagged[flagged["construct"] == construct]
    if flagged.empty:
        return ""
    hit = flagged[(flagged["segment"] == gap["segment"]) & (flagged["construct"] == gap["construct"])]
    text = ""
    if len(hit):
        r = hit.iloc[0]
        text = (f" Caution: {r['label']} is not reliably measured within {r['segment_label']} (Cronbach's alpha "
                f"below .70 in {r['unreliable_in']}; lowest {_num(r['min_group_alpha'])}), so this gap may partly "
                "be measurement noise.")
    if construct is None:
        rest = flagged.drop(hit.index)
        if len(rest):
            counts = rest.groupby("label", sort=False)["segment"].nunique().sort_values(ascending=False,
                                                                                        kind="mergesort")
            parts = [f"{lab} ({_count(int(k), 'segment')})" for lab, k in counts.items()]
            text += (" Cronbach's alpha falls below .70 within some compared levels for " + _join(parts)
                     + "; read those segment comparisons with care (see the reliability table).")
    return text


def _title_from_profiles(profiles: pd.DataFrame | None, construct: str) -> str:
    if profiles is not None and (profiles["construct"] == construct).any():
        return str(profiles.loc[profiles["construct"] == construct, "label"].iloc[0])
    return construct


def segment_figure(sizes: pd.DataFrame, profiles: pd.DataFrame | None, construct: str):
    """Segment sizes (left) and mean ``construct`` per level (right), one row per segment.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    segs = list(pd.unique(sizes["segment"]))
    heights = [max(1.2, 0.42 * sizes[sizes["segment"] == s]["level"].nunique() + 0.7) for s in segs]
    fig, axes = plt.subplots(len(segs), 2, figsize=(11, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    prof = profiles[profiles["construct"] == construct] if profiles is not None else None
    xlim = None
    if prof is not None and len(prof):
        lo, hi = prof["ci_low"].min(), prof["ci_high"].max()
        pad = 0.05 * (hi - lo) if np.isfinite(hi - lo) and hi > lo else 0.5
        xlim = (lo - pad, hi + pad) if np.isfinite(lo) and np.isfinite(hi) else None
    for i, seg in enumerate(segs):
        s = sizes[sizes["segment"] == seg].assign(pct=lambda d: 100 * d["share"], lo=lambda d: 100 * d["ci_low"],
                                                  hi=lambda d: 100 * d["ci_high"])
        plots.dot_interval(s.assign(n=s["count"]), x="pct", y="level", low="lo", high="hi", ax=axes[i, 0],
                           xlabel="share of customers (%)", title=s["segment_label"].iloc[0],
                           palette={lv: plots.OWN for lv in s["level"]})
        axes[i, 0].set_xlim(0, 100)
        ax = axes[i, 1]
        if prof is not None and (prof["segment"] == seg).any():
            p = prof[prof["segment"] == seg]
            name = p["label"].iloc[0]
            plots.dot_interval(p, x="mean", y="level", ax=ax, palette={lv: plots.OWN for lv in p["level"]},
                               xlabel=f"{name}: mean ({_scale_text((p['scale_min'].iloc[0], p['scale_max'].iloc[0]))})",
                               title=f"{name} by level")
            if xlim is not None:
                ax.set_xlim(*xlim)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"not compared on {construct}\n(loyalty groups are formed from it)",
                    ha="center", va="center", transform=ax.transAxes, fontsize=9)
    fig.suptitle("Who the customer is: segment sizes and scores (own brand, 95% CI)", fontweight="bold", y=1.02)
    return fig


def segment_gap_figure(profiles: pd.DataFrame, tests: pd.DataFrame, pairs: pd.DataFrame | None,
                       construct: str | None = None):
    """The segment that makes the largest difference (see :func:`segment_gap`): its levels' means.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when nothing was tested.
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    gap = segment_gap(profiles, tests, pairs, construct)
    if gap is None:
        return None
    p = profiles[(profiles["segment"] == gap["segment"]) & (profiles["construct"] == gap["construct"])]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(p) + 1.6))
    plots.dot_interval(p, x="mean", y="level", ax=ax, palette={lv: plots.OWN for lv in p["level"]},
                       xlabel=f"{gap['label']}: mean ({_scale_text(gap['scale'])}), 95% CI",
                       title=(f"{gap['label']} by {gap['segment_label']}: '{gap['top']}' - '{gap['bottom']}' = "
                              f"{_signed(gap['diff'])}" + ("" if pd.isna(gap["ci"][0]) else
                                                           f" [{_num(gap['ci'][0])}, {_num(gap['ci'][1])}]")))
    return fig


# =============================================================================================
# 2. the experiential layers
# =============================================================================================


def missing_layers(cfg: ClientConfig) -> list[str]:
    """Experiential layers (context, usage, category, brand) with no declared construct."""
    have = {c.layer for c in cfg.constructs.values() if c.layer}
    return [lay for lay in LAYERS if lay not in have]


def layer_coverage(cfg: ClientConfig) -> pd.DataFrame:
    """Which of Schmitt's four experiential layers the client measured, and with which constructs.

    Returns
    -------
    DataFrame
        One row per layer (context, usage, category, brand): ``layer, layer_label, measured, constructs``
        (construct titles, comma-separated; empty when not measured).
    """
    rows = []
    for lay in LAYERS:
        names = [c.title for c in cfg.constructs.values() if c.layer == lay]
        rows.append({"layer": lay, "layer_label": LAYER_LABELS[lay], "measured": bool(names),
                     "constructs": ", ".join(names)})
    return pd.DataFrame(rows)


def layer_scores(data, by_wave: bool = False, confidence: float = 0.95) -> pd.DataFrame | None:
    """Own-brand scores of the constructs declared with ``layer:``.

    Parameters
    ----------
    data : ClientData
    by_wave : bool, default False
        One row per construct and wave (in wave order) instead of all waves pooled.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``layer, layer_label, construct, label, [wave], n, mean, sd, ci_low, ci_high, scale_min,
        scale_max, pomp, pomp_low, pomp_high``; layers in the order context, usage, category, brand.
        ``pomp`` is the percent of the scale maximum, ``100 (mean - min) / (max - min)``, so constructs on
        different scales can share an axis. ``None`` if no construct declares a layer.
    """
    cfg = data.config
    layered = [c for c in cfg.constructs.values() if c.layer and c.name in data.ratings.columns]
    if not layered:
        return None
    layered.sort(key=lambda c: LAYERS.index(c.layer))
    own = _own(data)
    if by_wave:
        own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves)))
    parts = []
    for c in layered:
        m = stats.mean_ci(own, c.name, by="wave" if by_wave else None, weights=_weights(data),
                          confidence=confidence).drop(columns="n_eff")
        m.insert(0, "label", c.title)
        m.insert(0, "construct", c.name)
        m.insert(0, "layer_label", LAYER_LABELS[c.layer])
        m.insert(0, "layer", c.layer)
        lo, hi = c.scale
        m["scale_min"], m["scale_max"] = lo, hi
        for col, src in (("pomp", "mean"), ("pomp_low", "ci_low"), ("pomp_high", "ci_high")):
            m[col] = 100 * (m[src] - lo) / (hi - lo)
        parts.append(m)
    out = pd.concat(parts, ignore_index=True)
    if by_wave:
        out["wave"] = out["wave"].astype(str)
    return out


def layer_changes(data, correction: str = "holm") -> pd.DataFrame | None:
    """Change of each layer construct between consecutive waves (own brand, Welch t, Holm).

    Returns
    -------
    DataFrame or None
        Columns ``layer, construct, label`` and those of :func:`cem_research.stats.wave_changes`
        (``from_wave, to_wave, n_from, n_to, mean_from, mean_to, diff, ci_low, ci_high, hedges, p_unc,
        p_corr, significant``), Holm-corrected across all rows. ``None`` with fewer than two waves or no
        layered construct.
    """
    cfg = data.config
    waves = list(data.waves)
    layered = [c for c in cfg.constructs.values() if c.layer and c.name in data.ratings.columns]
    if len(waves) < 2 or not layered:
        return None
    layered.sort(key=lambda c: LAYERS.index(c.layer))
    parts = []
    for c in layered:
        w = stats.wave_changes(_own(data), c.name, "wave", waves, weights=_weights(data), correction="none")
        w = w.drop(columns=["dv"])
        w.insert(0, "label", c.title)
        w.insert(0, "construct", c.name)
        w.insert(0, "layer", c.layer)
        parts.append(w)
    out = stats.adjust_pvalues(pd.concat(parts, ignore_index=True), "p_unc", correction)
    return out[["layer", "construct", "label", "from_wave", "to_wave", "n_from", "n_to", "mean_from",
                "mean_to", "diff", "ci_low", "ci_high", "hedges", "p_unc", "p_corr", "significant"]]


def layer_finding(scores: pd.DataFrame | None, missing: Sequence[str],
                  changes: pd.DataFrame | None = None) -> dict:
    """Plain-words summary of the layers: measured/missing, highest and lowest construct, changes.

    Parameters
    ----------
    scores : DataFrame or None
        :func:`layer_scores` (pooled).
    missing : list of str
        :func:`missing_layers`.
    changes : DataFrame, optional
        :func:`layer_changes`.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="layer_top"``, value = the top construct's
        percent of scale maximum, with its interval).
    """
    miss = (f" Not measured: {_join([LAYER_LABELS[m] for m in missing])} \u2014 the report cannot say how "
            "customers experience these layers; add items for them to the next survey wave."
            if missing else " All four layers were measured.")
    if scores is None or scores.empty:
        return _finding("No construct declares an experiential layer." + miss, key="layer_top")
    s = scores.dropna(subset=["mean"])
    if "wave" in s:
        raise ValueError("layer_finding expects pooled scores (layer_scores(data, by_wave=False))")
    top = s.loc[s["pomp"].idxmax()]
    low = s.loc[s["pomp"].idxmin()]
    measured = list(dict.fromkeys(s["layer"]))
    text = (f"Measured layers: {_join([LAYER_LABELS[m] for m in measured])}. The own brand does best on "
            f"{top['label']} ({top['layer_label']} layer: mean {_num(top['mean'])} on "
            f"{_scale_text((top['scale_min'], top['scale_max']))}, {_ci(top['ci_low'], top['ci_high'])}, "
            f"{top['pomp']:.0f}% of the scale)")
    if low["construct"] != top["construct"]:
        text += (f" and worst on {low['label']} ({low['layer_label']} layer: mean {_num(low['mean'])}, "
                 f"{_ci(low['ci_low'], low['ci_high'])}, {low['pomp']:.0f}% of the scale).")
    else:
        text += "."
    if changes is not None and len(changes):
        sig = changes[changes["significant"]]
        if len(sig):
            parts = [f"{r['label']} {_signed(r['diff'])} from {r['from_wave']} to {r['to_wave']} "
                     f"({_ci(r['ci_low'], r['ci_high'])})" for _, r in sig.iterrows()]
            text += " Significant changes between waves (Holm): " + "; ".join(parts) + "."
        else:
            text += " No layer construct changed significantly between waves (Holm-corrected)."
    text += miss
    return _finding(text, key="layer_top", value=top["pomp"], ci=(top["pomp_low"], top["pomp_high"]))


def layer_figure(scores: pd.DataFrame):
    """Own-brand layer constructs on a common 0-100 axis (% of scale maximum) with 95% CIs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    s = scores.assign(row=lambda d: d["label"] + " \u2014 " + d["layer"])
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * len(s) + 1.2)))
    if "wave" in s:
        from matplotlib.colors import to_hex

        n_wave = s.groupby("wave", sort=False)["n"].max()
        s = s.assign(wave_n=s["wave"].map(lambda w: plots.with_n(str(w), n_wave[w])))
        waves = list(pd.unique(s["wave_n"]))
        reds = [to_hex(c) for c in plt.get_cmap("Reds")(np.linspace(0.35, 0.9, len(waves)))]
        plots.dot_interval(s, x="pomp", y="row", low="pomp_low", high="pomp_high", hue="wave_n",
                           palette=dict(zip(waves, reds)), ax=ax, n=None,
                           xlabel="% of scale maximum (0 = lowest answer, 100 = highest)")
    else:
        plots.dot_interval(s, x="pomp", y="row", low="pomp_low", high="pomp_high",
                           palette={r: plots.OWN for r in s["row"]}, ax=ax,
                           xlabel="% of scale maximum (0 = lowest answer, 100 = highest)")
    ax.set_xlim(0, 100)
    ax.set_title("The experiential layers: own brand (95% CI)")
    return fig


# =============================================================================================
# 3. the experience along the journey
# =============================================================================================


def _last_stage_codes(tp: pd.DataFrame, stage_order: np.ndarray, stage_codes: np.ndarray,
                      resp_codes: np.ndarray) -> np.ndarray:
    """Stage code of each respondent's last event (by time if known, then stage order, then file row).

    ``stage_order`` is the journey position of every event's stage (NaN when not in the journey; missing
    times and positions sort first), ``stage_codes``/``resp_codes`` the factorized stage and respondent
    (-1: missing respondent, left out). One entry per respondent code.
    """
    use_time = "time" in tp and tp["time"].notna().any()
    row = tp["row"]

    def plain(col, kinds):
        return isinstance(col.dtype, np.dtype) and col.dtype.kind in kinds

    if plain(row, "iu") and (not use_time or plain(tp["time"], "M")):
        # np.lexsort is stable like the sort below; missing values first: NaT is the smallest int64 and
        # stage positions are >= 0, so a stage outside the journey gets -1
        keys = [row.to_numpy(), np.where(np.isnan(stage_order), -1.0, stage_order)]
        if use_time:
            keys.append(tp["time"].to_numpy().view(np.int64))
        perm = np.lexsort(keys)
    else:
        keys = pd.DataFrame({"_order": stage_order, "row": row.array})
        cols = ["_order", "row"]
        if use_time:
            keys.insert(0, "time", tp["time"].array)
            cols = ["time", *cols]
        perm = keys.sort_values(cols, kind="mergesort", na_position="first").index.to_numpy()
    resp = resp_codes[perm]
    keep = resp >= 0
    last = np.full(int(resp.max(initial=-1)) + 1, -1, dtype=np.int64)
    np.maximum.at(last, resp[keep], np.flatnonzero(keep))  # position of each respondent's last event
    return stage_codes[perm][last]


def journey_stages(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Reach, satisfaction, effort and drop-out per journey stage, in the declared stage order.

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Long format, one row per stage and measure, stages in ``cfg.journey`` order (stages without
        events are kept with ``n = 0``), measures in the order ``reach, satisfaction, effort, dropout``.
        Columns ``stage, stage_order, measure, n, count, estimate, ci_low, ci_high, scale_min,
        scale_max``:

        * ``reach`` -- share of respondents in the touchpoint file with at least one event at the
          stage (``count`` of ``n``), Wilson interval;
        * ``satisfaction``, ``effort`` -- mean over respondents (each respondent's events at the stage
          averaged first, so frequent contacts do not weigh more), t interval; ``n`` respondents;
        * ``dropout`` -- share of respondents whose last event (by time, else stage order) is at the
          stage, Wilson interval. At the final stage this is the share who completed the journey.

        ``None`` without touchpoint events or stages (see :func:`skip_reason`).
    """
    if skip_reason(data, "journey"):
        return None
    cfg = data.config
    tp = data.touchpoints
    if tp["stage"].isna().any():
        tp = tp.dropna(subset=["stage"])
    journey = list(cfg.journey)
    order = {s: i for i, s in enumerate(journey)}
    sat_scale = tuple(cfg.touchpoints.options.get("scale", [1, 5]))
    eff_scale = tuple(cfg.touchpoints.options.get("effort_scale", [1, 7]))
    # stages and respondents as codes in sorted order: the groups below come out in the same order as a
    # groupby on the texts, so every mean is computed from the same values in the same order
    stage_codes, stages = pd.factorize(tp["stage"], sort=True)
    resp_codes, resps = pd.factorize(tp["respondent"], sort=True)
    base = len(resps)
    measures = ["satisfaction", *(["effort"] if "effort" in tp else [])]
    ev = pd.DataFrame({"stage": stage_codes, "respondent": resp_codes, **{m: tp[m].array for m in measures}})
    ev = ev[ev["respondent"] >= 0]
    per_resp = ev.groupby(["stage", "respondent"]).agg(**{m: (m, "mean") for m in measures}).reset_index()
    resp_stage = per_resp["stage"].to_numpy()
    stage_pos = {st: i for i, st in enumerate(stages)}
    stage_order = np.array([order.get(st, np.nan) for st in stages] + [np.nan], dtype=float)[stage_codes]
    last = np.bincount(_last_stage_codes(tp, stage_order, stage_codes, resp_codes), minlength=len(stages))
    rows = []
    for stage in journey:
        code = stage_pos.get(stage, -1)
        sub = per_resp[resp_stage == code]
        reached = len(sub)
        lo, hi = stats.proportion_ci(reached, base, confidence) if base else (np.nan, np.nan)
        rows.append({"stage": stage, "measure": "reach", "n": base, "count": reached,
                     "estimate": reached / base if base else np.nan, "ci_low": lo, "ci_high": hi,
                     "scale_min": 0.0, "scale_max": 1.0})
        for measure, scale in (("satisfaction", sat_scale), ("effort", eff_scale)):
            if measure not in sub:
                continue
            vals = sub[[measure]].dropna()
            if len(vals):
                m = stats.mean_ci(vals, measure, confidence=confidence).iloc[0]
                est, mlo, mhi, n = m["mean"], m["ci_low"], m["ci_high"], int(m["n"])
            else:
                est = mlo = mhi = np.nan
                n = 0
            rows.append({"stage": stage, "measure": measure, "n": n, "count": n, "estimate": est,
                         "ci_low": mlo, "ci_high": mhi, "scale_min": float(scale[0]),
                         "scale_max": float(scale[1])})
        dropped = int(last[code]) if code >= 0 else 0
        lo, hi = stats.proportion_ci(dropped, base, confidence) if base else (np.nan, np.nan)
        rows.append({"stage": stage, "measure": "dropout", "n": base, "count": dropped,
                     "estimate": dropped / base if base else np.nan, "ci_low": lo, "ci_high": hi,
                     "scale_min": 0.0, "scale_max": 1.0})
    out = pd.DataFrame(rows)
    out.insert(1, "stage_order", out["stage"].map(order).astype(int))
    measures = [m for m in JOURNEY_MEASURES if m in set(out["measure"])]
    out["measure"] = pd.Categorical(out["measure"], categories=measures, ordered=True)
    out = out.sort_values(["stage_order", "measure"], kind="mergesort").reset_index(drop=True)
    out["measure"] = out["measure"].astype(str)
    out["n"] = out["n"].astype(int)
    out["count"] = out["count"].astype(int)
    return out


def journey_table(stages: pd.DataFrame) -> pd.DataFrame:
    """:func:`journey_stages` in wide form for reading: one row per stage.

    Returns
    -------
    DataFrame
        ``stage``, then per measure ``<measure>``, ``<measure>_low``, ``<measure>_high`` and ``n`` (the
        respondents in the touchpoint file), ``n_satisfaction`` (respondents rating at the stage).
    """
    rows = []
    for _, sub in stages.groupby("stage_order", sort=True):
        row = {"stage": sub["stage"].iloc[0]}
        for _, r in sub.iterrows():
            m = r["measure"]
            row[m], row[f"{m}_low"], row[f"{m}_high"] = r["estimate"], r["ci_low"], r["ci_high"]
            if m == "reach":
                row["n"] = int(r["n"])
            if m == "satisfaction":
                row["n_satisfaction"] = int(r["n"])
        rows.append(row)
    return pd.DataFrame(rows)


def journey_finding(stages: pd.DataFrame | None) -> dict:
    """Plain-words summary of the journey: weakest stage, highest effort, biggest drop-out.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="journey_low_stage"``, value = mean
        satisfaction at the weakest stage, with its interval).
    """
    if stages is None or stages.empty:
        return _finding("No touchpoint events to analyse.", key="journey_low_stage")
    sat = stages[(stages["measure"] == "satisfaction") & (stages["n"] >= 2)].dropna(subset=["estimate"])
    reach = stages[stages["measure"] == "reach"]
    parts = []
    first, last = reach.iloc[0], reach.iloc[-1]
    parts.append(f"Reach runs from {_pct(first['estimate'])} of customers at {first['stage']} to "
                 f"{_pct(last['estimate'])} at {last['stage']}")
    value = ci = None
    if len(sat):
        low = sat.loc[sat["estimate"].idxmin()]
        high = sat.loc[sat["estimate"].idxmax()]
        scale = _scale_text((low["scale_min"], low["scale_max"]))
        parts.append(f"satisfaction is lowest at {low['stage']} (mean {_num(low['estimate'])} on {scale}, "
                     f"{_ci(low['ci_low'], low['ci_high'])}, n = {int(low['n']):,}) and highest at "
                     f"{high['stage']} ({_num(high['estimate'])}, {_ci(high['ci_low'], high['ci_high'])})")
        value, ci = low["estimate"], (low["ci_low"], low["ci_high"])
        overlap = low["ci_high"] >= high["ci_low"]
        if overlap:
            parts[-1] += ", though the two intervals overlap"
    eff = stages[(stages["measure"] == "effort") & (stages["n"] >= 2)].dropna(subset=["estimate"])
    if len(eff):
        e = eff.loc[eff["estimate"].idxmax()]
        parts.append(f"effort is highest at {e['stage']} (mean {_num(e['estimate'])} on "
                     f"{_scale_text((e['scale_min'], e['scale_max']))}, {_ci(e['ci_low'], e['ci_high'])})")
    drop = stages[stages["measure"] == "dropout"]
    drop = drop[drop["stage_order"] < drop["stage_order"].max()]
    if len(drop) and drop["estimate"].max() > 0:
        d = drop.loc[drop["estimate"].idxmax()]
        parts.append(f"the largest drop-out is after {d['stage']}, where {_pct(d['estimate'])} of customers "
                     f"have their last contact ({_ci(d['ci_low'], d['ci_high'], pct=True)})")
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    return _finding(text, key="journey_low_stage", value=value, ci=ci)


def journey_figure(stages: pd.DataFrame):
    """Four panels (reach, satisfaction, effort, drop-out) along the journey stages, with 95% CIs.

    Drawn with seaborn point plots in the declared stage order; tick labels carry the sample sizes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from cem_research.present import plots

    measures = [m for m in JOURNEY_MEASURES if m in set(stages["measure"])]
    order = list(stages.sort_values("stage_order")["stage"].drop_duplicates())
    ncols = 2 if len(measures) > 2 else len(measures)
    nrows = math.ceil(len(measures) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 4.2 * nrows), squeeze=False)
    for ax in list(axes.flat)[len(measures):]:
        ax.set_axis_off()
    for ax, m in zip(axes.flat, measures):
        sub = stages[stages["measure"] == m].set_index("stage").reindex(order).reset_index()
        share = m in ("reach", "dropout")
        k = 100 if share else 1
        sns.pointplot(data=sub.assign(est=sub["estimate"] * k), x="stage", y="est", order=order,
                      color=plots.OWN, errorbar=None, markers="o", ax=ax)
        x = np.arange(len(order))
        ok = sub["ci_low"].notna().to_numpy()
        ax.vlines(x[ok], (sub["ci_low"] * k)[ok], (sub["ci_high"] * k)[ok], color=plots.OWN, lw=2, alpha=0.7)
        ax.set_xticks(x, [plots.with_n(s, n) for s, n in zip(order, sub["n"].fillna(0))], rotation=40,
                      ha="right", fontsize=8)
        ax.set_xlabel("")
        if share:
            ax.set_ylim(0, 100)
            ax.set_ylabel("% of customers")
        else:
            ax.set_ylim(sub["scale_min"].dropna().iloc[0] if sub["scale_min"].notna().any() else None,
                        sub["scale_max"].dropna().iloc[0] if sub["scale_max"].notna().any() else None)
            ax.set_ylabel("mean rating")
        ax.set_title(MEASURE_LABELS[m], fontsize=10)
    fig.suptitle("The experience along the journey (stages in journey order, 95% CI)", fontweight="bold", y=1.02)
    return fig


# =============================================================================================
# 4. the competitive landscape
# =============================================================================================


def _competitor_kinds_with_groups(data) -> list[str]:
    """Competitor kinds rated for at least two brands (a one-brand kind equals that brand)."""
    r = data.ratings
    comp = r.loc[(r["brand_kind"] != "own").to_numpy(), ["brand_kind", "brand"]]
    per_kind = comp.groupby("brand_kind")["brand"].nunique()
    return [k for k in COMPETITOR_KINDS if per_kind.get(k, 0) >= 2]


def _compared_constructs(data) -> list[str]:
    cfg = data.config
    r = data.ratings
    other = (r["brand_kind"] != "own").to_numpy()
    own = _own(data)
    return [c for c in cfg.constructs if c in r.columns
            and own[c].notna().sum() >= 2 and r[c][other].notna().sum() >= 2]


def _brand_order(data) -> list[str]:
    present = set(data.ratings["brand"].dropna().unique())
    order = [b for b in data.config.brands if b in present]
    return order + sorted(present - set(order))


def brand_profiles(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Mean of every construct for the own brand, each competitor and each competitor kind.

    Returns
    -------
    DataFrame or None
        Columns ``level, level_type, brand_kind, construct, label, n, mean, sd, ci_low, ci_high, scale_min,
        scale_max``. ``level_type`` is ``brand`` (own brand first, then competitors in declared order) or
        ``kind`` (all brands of a competitor kind pooled, e.g. "All direct competitors"; only for kinds
        with at least two rated brands -- with one brand the kind *is* that brand). Constructs in declared
        order, only those rated for the own brand and at least one competitor. ``None`` without
        competitor ratings.
    """
    if skip_reason(data, "competition"):
        return None
    cfg = data.config
    constructs = _compared_constructs(data)
    if not constructs:
        return None
    r = data.ratings
    w = _weights(data)
    narrow = r[list(dict.fromkeys([*constructs, "brand_kind", *([w] if w else [])]))]  # the columns used below
    frames = [("brand", b, narrow[(r["brand"] == b).to_numpy()]) for b in _brand_order(data)]
    frames += [("kind", KIND_GROUP_LABELS[k], narrow[(r["brand_kind"] == k).to_numpy()])
               for k in _competitor_kinds_with_groups(data)]
    rows = []
    for c in constructs:
        lo, hi = cfg.constructs[c].scale
        for level_type, level, sub in frames:
            m = stats.mean_ci(sub, c, weights=_weights(data), confidence=confidence).iloc[0]
            kind = (sub["brand_kind"].iloc[0] if level_type == "brand" else
                    next(k for k, v in KIND_GROUP_LABELS.items() if v == level))
            rows.append({"level": level, "level_type": level_type, "brand_kind": kind, "construct": c,
                         "label": _title(cfg, c), "n": int(m["n"]), "mean": m["mean"], "sd": m["sd"],
                         "ci_low": m["ci_low"], "ci_high": m["ci_high"], "scale_min": lo, "scale_max": hi})
    out = pd.DataFrame(rows)
    return out[out["n"] > 0].reset_index(drop=True)


def brand_tests(data, correction: str = "holm", confidence: float = 0.95) -> pd.DataFrame | None:
    """Own brand vs each competitor and each competitor kind on every construct (Welch t, Hedges g).

    Parameters
    ----------
    data : ClientData
    correction : str, default "holm"
        Applied once across *all* rows (every construct x competitor and kind).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``comparison`` (``brand`` or ``kind``), ``competitor``, ``brand_kind``, ``construct``,
        ``label``, ``n_own, n_other, mean_own, mean_other, diff, ci_low, ci_high, T, df, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant`` from
        :func:`cem_research.stats.compare_to_reference` with ``diff = mean_own - mean_other`` (weighted when
        the ratings carry survey weights; competitor rows have weight 1). Pairs where
        the competitor has fewer than 2 ratings are dropped. ``None`` without competitor ratings.

    Notes
    -----
    When the same respondents rate the own brand and competitors, the ratings are not independent; the
    Welch t-test then ignores the pairing and is conservative for positively correlated ratings.
    """
    if skip_reason(data, "competition"):
        return None
    cfg = data.config
    constructs = _compared_constructs(data)
    if not constructs:
        return None
    r = data.ratings
    own = cfg.brand
    kinds = _competitor_kinds_with_groups(data)
    parts = []
    w = _weights(data)
    frame = r[[*constructs, "brand", *([w] if w else [])]].assign(_level=r["brand"].astype(str))
    t = stats.compare_to_reference(frame, constructs, "_level", own, correction="none", confidence=confidence,
                                   weights=w)
    t.insert(0, "comparison", "brand")
    parts.append(t)
    if kinds:
        rows = r["brand_kind"].isin(["own", *kinds]).to_numpy()
        kind = r["brand_kind"][rows]
        level = (kind.map({**KIND_GROUP_LABELS, "own": own}) if _is_text(kind)
                 else kind.map(lambda k: own if k == "own" else KIND_GROUP_LABELS[k]))
        kf = r.loc[rows, [*constructs, *([w] if w else [])]].assign(_level=level)
        t = stats.compare_to_reference(kf, constructs, "_level", own, correction="none", confidence=confidence,
                                       weights=w)
        t.insert(0, "comparison", "kind")
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["n_other"] >= 2].reset_index(drop=True)
    out = stats.adjust_pvalues(out, "p_unc", correction)
    label_kind = {v: k for k, v in KIND_GROUP_LABELS.items()}
    out["brand_kind"] = [cfg.brand_kind(g) if c == "brand" else label_kind[g]
                         for c, g in zip(out["comparison"], out["group"])]
    out["label"] = out["dv"].map(lambda c: _title(cfg, c))
    out = out.rename(columns={"group": "competitor", "dv": "construct", "n_ref": "n_own",
                              "mean_ref": "mean_own"})
    return out[["comparison", "competitor", "brand_kind", "construct", "label", "n_own", "n_other", "mean_own",
                "mean_other", "diff", "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low",
                "hedges_ci_high", "p_unc", "p_corr", "significant"]]


def brand_advantages(tests: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per construct: against how many competitors the own brand is significantly ahead or behind.

    Parameters
    ----------
    tests : DataFrame
        :func:`brand_tests`.

    Returns
    -------
    DataFrame or None
        One row per construct (test order): ``construct, label, n_competitors, n_ahead, n_behind,
        min_diff, max_diff, closest_competitor, closest_ci_low, closest_ci_high, advantage, disadvantage``.
        ``advantage`` = significantly higher than *every* competitor brand; ``disadvantage`` = significantly
        lower than at least one; ``closest_*`` the competitor with the smallest difference and its interval.
        Sorted with advantages first, then by ``min_diff`` descending.
    """
    if tests is None or tests.empty:
        return None
    b = tests[tests["comparison"] == "brand"]
    rows = []
    for c, sub in b.groupby("construct", sort=False):
        sub = sub.dropna(subset=["diff"])
        if sub.empty:
            continue
        ahead = sub["significant"] & (sub["diff"] > 0)
        behind = sub["significant"] & (sub["diff"] < 0)
        close = sub.loc[sub["diff"].idxmin()]
        rows.append({"construct": c, "label": sub["label"].iloc[0], "n_competitors": len(sub),
                     "n_ahead": int(ahead.sum()), "n_behind": int(behind.sum()),
                     "min_diff": float(sub["diff"].min()), "max_diff": float(sub["diff"].max()),
                     "closest_competitor": close["competitor"], "closest_ci_low": float(close["ci_low"]),
                     "closest_ci_high": float(close["ci_high"]), "advantage": bool(ahead.all()),
                     "disadvantage": bool(behind.any())})
    if not rows:
        return None
    out = pd.DataFrame(rows)
    return out.sort_values(["advantage", "min_diff"], ascending=[False, False], kind="mergesort").reset_index(drop=True)


def competitive_finding(tests: pd.DataFrame | None, brand: str, headline: bool = True) -> dict:
    """The step-1 sentence about competitors: where the own brand leads every rival, where it trails.

    Parameters
    ----------
    tests : DataFrame
        :func:`brand_tests`.
    brand : str
        The own brand's name (for the sentence).
    headline : bool, default True

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="brand_advantage"``, value = the smallest
        lead on the strongest advantage, i.e. the gap to the closest competitor, with its interval).
    """
    adv = brand_advantages(tests)
    if adv is None:
        return _finding("No competitor comparison could be made.", key="brand_advantage")
    n_comp = int(adv["n_competitors"].max())
    lead = adv[adv["advantage"]]
    if len(lead):
        top = lead.iloc[0]
        text = (f"{brand} is rated significantly higher than all {n_comp} competitors on {top['label']} "
                f"(lead of {_num(top['min_diff'])} to {_num(top['max_diff'])} points; closest rival "
                f"{top['closest_competitor']}: {_signed(top['min_diff'])}, "
                f"{_ci(top['closest_ci_low'], top['closest_ci_high'])}; Welch t, Holm-adjusted)")
        others = list(lead["label"].iloc[1:])
        if others:
            text += f", and also leads every competitor on {_join(others)}"
        value, ci = top["min_diff"], (top["closest_ci_low"], top["closest_ci_high"])
    else:
        best = adv.iloc[0]
        text = (f"{brand} does not lead every competitor on any construct; its best is {best['label']}, "
                f"ahead of {int(best['n_ahead'])} of {int(best['n_competitors'])} competitors "
                f"(closest rival {best['closest_competitor']}: {_signed(best['min_diff'])}, "
                f"{_ci(best['closest_ci_low'], best['closest_ci_high'])})")
        value, ci = best["min_diff"], (best["closest_ci_low"], best["closest_ci_high"])
    b = tests[(tests["comparison"] == "brand") & tests["significant"] & (tests["diff"] < 0)]
    if len(b):
        worst = b.loc[b["diff"].idxmin()]
        kind = {"direct": "direct competitor", "new_entrant": "new entrant",
                "outside_industry": "player from outside the industry"}.get(worst["brand_kind"], "competitor")
        text += (f". It is significantly behind in {_count(len(b), 'comparison')} "
                 f"({_count(int(b['construct'].nunique()), 'construct')}); the largest gap is to the {kind} "
                 f"{worst['competitor']} on {worst['label']} ({_signed(worst['diff'])}, "
                 f"{_ci(worst['ci_low'], worst['ci_high'])})")
    else:
        text += ". It is not significantly behind any competitor on any construct"
    return _finding(text + ".", key="brand_advantage", value=value, ci=ci, headline=headline)


def competitive_figure(profiles: pd.DataFrame, ncols: int = 3):
    """One dot-and-interval panel per construct: own brand (red) vs competitors (grey by kind).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    constructs = list(pd.unique(profiles["construct"]))
    ncols = min(ncols, len(constructs))
    nrows = math.ceil(len(constructs) / ncols)
    levels = profiles["level"].nunique()
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, (0.32 * levels + 1.4) * nrows), squeeze=False)
    palette = dict(zip(profiles["level"], profiles["brand_kind"].map(plots.KIND_COLORS)))
    for ax, c in zip(axes.flat, constructs):
        sub = profiles[profiles["construct"] == c]
        plots.dot_interval(sub, x="mean", y="level", ax=ax, palette=palette,
                           xlabel=f"mean ({_scale_text((sub['scale_min'].iloc[0], sub['scale_max'].iloc[0]))})",
                           title=sub["label"].iloc[0])
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[len(constructs):]:
        ax.set_axis_off()
    fig.suptitle("The competitive landscape: own brand (red) vs competitors, mean with 95% CI",
                 fontweight="bold", y=1.02)
    return fig


# =============================================================================================
# 5. what customers say
# =============================================================================================


def own_feedback(data) -> pd.DataFrame:
    """Comments about the own brand (or no brand) with a sentiment score (read-only)."""

    def build():
        fb = data.feedback
        if fb is None:
            return pd.DataFrame()
        own = data.config.brand
        keep = fb["brand"].isna() | (fb["brand"] == own) if "brand" in fb else pd.Series(True, index=fb.index)
        return fb[keep & fb["compound"].notna()]

    return _memo(data, "own_feedback", build)


def _touchpoint_ranks(data) -> dict[str, int]:
    """Earliest journey position (index in ``cfg.journey``) of each touchpoint in the touchpoint file."""

    def build():
        tp = data.touchpoints
        if tp is None or "stage" not in tp or not data.config.journey:
            return {}
        order = {st: i for i, st in enumerate(data.config.journey)}
        col = tp["touchpoint"]
        if not _is_text(col):
            ranks = tp.assign(_o=tp["stage"].map(order)).groupby("touchpoint")["_o"].min()
            return {str(k): int(v) for k, v in ranks.dropna().items()}
        # on codes: map each distinct stage once, then the minimum per touchpoint
        stage_codes, stages = pd.factorize(tp["stage"])
        pos = np.array([order.get(st, np.nan) for st in stages] + [np.nan], dtype=float)[stage_codes]
        codes, names = pd.factorize(col)
        has = codes >= 0
        ranks = pd.Series(pos[has]).groupby(codes[has]).min().dropna()
        return {str(names[k]): int(v) for k, v in ranks.items()}

    return _memo(data, "touchpoint_ranks", build)


def touchpoint_order(data, touchpoints: Sequence[str]) -> list[str]:
    """Touchpoints in journey order: by the earliest stage at which they occur in the touchpoint file
    (stage order of ``cfg.journey``), then alphabetically; touchpoints without events last."""
    rank = _touchpoint_ranks(data)
    big = len(data.config.journey) + 1
    return sorted(dict.fromkeys(map(str, touchpoints)), key=lambda t: (rank.get(t, big), t))


def feedback_frame(data) -> pd.DataFrame | None:
    """Own-brand verbatims with sentiment, polarity and the respondent's segments.

    Segments are joined from the own-brand survey rows on the respondent id (and wave, when both files
    carry it; otherwise the respondent's latest survey wave).

    Returns
    -------
    DataFrame or None
        The feedback columns (``row, respondent, wave, brand, touchpoint, text, compound, pos, neu, neg``),
        ``polarity`` (``positive`` if compound >= 0.05, ``negative`` if <= -0.05, else ``neutral``) and
        the segment columns of :func:`segment_columns` (missing where the respondent is not in the survey).
        ``None`` without own-brand feedback.
    """
    out = _feedback_frame(data)
    return None if out is None else out.copy()


def _is_text(col: pd.Series) -> bool:
    """A column of a pandas string dtype (not object)."""
    return pd.api.types.is_string_dtype(col.dtype) and col.dtype != object


def _touchpoint_categorical(data, col: pd.Series) -> pd.Categorical:
    """Touchpoints as text, categorical in :func:`touchpoint_order`."""
    if not _is_text(col):
        tps = col.astype("string").astype(object).where(col.notna())
        return pd.Categorical(tps, categories=touchpoint_order(data, tps.dropna().unique()))
    codes, names = pd.factorize(col)  # distinct texts: convert and place each once
    names = [str(t) for t in pd.Series(names, dtype=col.dtype).astype("string").astype(object)]
    cats = touchpoint_order(data, names)
    pos = {t: i for i, t in enumerate(cats)}
    remap = np.array([pos[t] for t in names] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=cats)


def _survey_rows(data, fb: pd.DataFrame, cs: pd.DataFrame, use_wave: bool) -> np.ndarray | None:
    """Row of ``cs`` (the segment frame) matching each comment, -1 when none (see :func:`feedback_frame`).

    ``None`` when the ids are not all present text (the caller then joins by labels).
    """
    cols = ["respondent", *(["wave"] if use_wave else [])]
    if not all(_is_text(f[c]) and not f[c].isna().any() for f in (fb, cs) for c in cols):
        return None
    n = len(cs)
    if n == 0:
        return np.full(len(fb), -1, dtype=np.int64)

    def codes(col):
        return pd.factorize(pd.concat([cs[col], fb[col]], ignore_index=True))[0].astype(np.int64)

    key = codes("respondent")
    if use_wave:  # drop_duplicates(["respondent", "wave"], keep="last"): the last survey row of each pair
        w = codes("wave")
        key = key * (int(w.max()) + 1) + w
        order = np.arange(n)
    else:  # the respondent's latest wave (in wave order; waves not in the order sort last), then last row
        worder = {w: i for i, w in enumerate(data.waves)}
        order = cs["wave"].astype(str).map(worder).sort_values(kind="mergesort").index.to_numpy()
    cs_key, fb_key = key[:n][order], key[n:]
    uniq, first = np.unique(cs_key[::-1], return_index=True)  # first in reversed order = last row
    rows = order[::-1][first]
    at = np.minimum(np.searchsorted(uniq, fb_key), len(uniq) - 1)
    return np.where(uniq[at] == fb_key, rows[at], -1)


def _feedback_frame(data) -> pd.DataFrame | None:
    """:func:`feedback_frame`, built once per data object (read-only)."""
    return _memo(data, "feedback_frame", lambda: _build_feedback_frame(data))


def _build_feedback_frame(data) -> pd.DataFrame | None:
    if skip_reason(data, "feedback"):
        return None
    from cem_research.text import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    fb = own_feedback(data).copy()
    if "touchpoint" in fb and fb["touchpoint"].notna().any():
        fb["touchpoint"] = _touchpoint_categorical(data, fb["touchpoint"])
    fb["polarity"] = np.where(fb["compound"] >= POSITIVE_THRESHOLD, "positive",
                              np.where(fb["compound"] <= NEGATIVE_THRESHOLD, "negative", "neutral"))
    segs = list(segment_columns(data))
    if segs and "respondent" in fb and fb["respondent"].notna().any():
        cs = _customer_segments(data)
        use_wave = "wave" in fb and fb["wave"].notna().any()
        rows = _survey_rows(data, fb, cs, use_wave)
        if rows is not None:
            for s in segs:
                codes = cs[s].cat.codes.to_numpy()
                fb[s] = pd.Categorical.from_codes(np.where(rows >= 0, codes[rows], -1), dtype=cs[s].dtype)
            return fb.reset_index(drop=True)
        cs = cs.assign(respondent=cs["respondent"].astype(str), wave=cs["wave"].astype(str))
        fb_resp = fb["respondent"].astype("string").astype(object)
        if use_wave:
            key = pd.Series(list(zip(fb_resp, fb["wave"].astype("string").astype(object))), index=fb.index)
            look = cs.drop_duplicates(["respondent", "wave"], keep="last").set_index(["respondent", "wave"])
            idx = pd.MultiIndex.from_tuples(key.tolist(), names=["respondent", "wave"])
        else:
            order = {w: i for i, w in enumerate(data.waves)}
            cs = cs.assign(_o=cs["wave"].map(order)).sort_values("_o", kind="mergesort")
            look = cs.drop_duplicates("respondent", keep="last").set_index("respondent")
            idx = pd.Index(fb_resp.tolist(), name="respondent")
        matched = look.reindex(idx)
        for s in segs:
            col = matched[s]
            fb[s] = pd.Categorical(col.to_numpy(), categories=cs[s].cat.categories,
                                   ordered=bool(cs[s].cat.ordered))
    return fb.reset_index(drop=True)


def sentiment_summary(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Sentiment of own-brand comments overall, by touchpoint and by segment.

    Returns
    -------
    DataFrame or None
        Columns ``dimension`` (``all``, ``touchpoint`` or a segment column), ``dimension_label``,
        ``level``, ``n``, ``compound`` (mean VADER compound, -1..1) with ``ci_low, ci_high`` (t interval,
        :func:`cem_research.stats.mean_ci`), ``share_positive`` (compound >= 0.05) with ``positive_low,
        positive_high`` and ``share_negative`` (<= -0.05) with ``negative_low, negative_high`` (Wilson,
        :func:`cem_research.stats.proportion_ci`). Comments are the unit: a respondent who wrote several
        comments counts several times. ``None`` without own-brand feedback.
    """
    fb = _feedback_frame(data)
    if fb is None:
        return None
    dims = [("all", "All comments")]
    if "touchpoint" in fb and fb["touchpoint"].notna().any():
        dims.append(("touchpoint", "Touchpoint"))
    dims += [(s, lab) for s, lab in segment_columns(data).items() if s in fb and fb[s].notna().any()]
    is_pos = (fb["polarity"] == "positive").to_numpy()
    is_neg = (fb["polarity"] == "negative").to_numpy()
    parts = []
    for dim, label in dims:
        frame = fb.assign(all="all comments") if dim == "all" else fb
        m = stats.mean_ci(frame, "compound", by=dim, confidence=confidence).drop(columns=["n_eff", "sd"])
        m = m.rename(columns={dim: "level", "mean": "compound"})
        polarity = frame.assign(_pos=is_pos, _neg=is_neg).groupby(dim, observed=True, sort=False)
        pos, neg = polarity["_pos"].sum(), polarity["_neg"].sum()
        m["share_positive"] = m["level"].map(pos).to_numpy(dtype=float) / m["n"]
        m["share_negative"] = m["level"].map(neg).to_numpy(dtype=float) / m["n"]
        m["positive_low"], m["positive_high"] = stats.proportion_ci(m["level"].map(pos).to_numpy(dtype=float),
                                                                    m["n"].to_numpy(dtype=float), confidence)
        m["negative_low"], m["negative_high"] = stats.proportion_ci(m["level"].map(neg).to_numpy(dtype=float),
                                                                    m["n"].to_numpy(dtype=float), confidence)
        m.insert(0, "dimension_label", label)
        m.insert(0, "dimension", dim)
        parts.append(m)
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out[["dimension", "dimension_label", "level", "n", "compound", "ci_low", "ci_high", "share_positive",
                "positive_low", "positive_high", "share_negative", "negative_low", "negative_high"]]


def feedback_terms(data, top: int = 6, min_count: int | None = None) -> pd.DataFrame | None:
    """Words and two-word phrases that characterise each touchpoint's comments (keyness, G²).

    Parameters
    ----------
    data : ClientData
    top : int, default 6
        Terms kept per touchpoint.
    min_count : int, optional
        Minimum number of comments containing a term; default 5, or 3 with fewer than 300 comments.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.text.characteristic_terms` with ``group`` renamed ``touchpoint``: columns
        ``touchpoint, rank, term, n, target_docs, reference_docs, target_share, reference_share,
        log_ratio, g2, p_unc, p_corr, significant, direction``. ``None`` without feedback or touchpoints.
    """
    from cem_research import text as textmod

    fb = _feedback_frame(data)
    if fb is None or "touchpoint" not in fb or fb["touchpoint"].nunique() < 2:
        return None
    if min_count is None:
        min_count = 5 if len(fb) >= 300 else 3
    out = textmod.characteristic_terms(fb, "text", "touchpoint", ngram_range=(1, 2), min_count=min_count, top=top)
    return out.rename(columns={"group": "touchpoint"})


def terms_table(terms: pd.DataFrame) -> pd.DataFrame:
    """:func:`feedback_terms` condensed for reading: one row per touchpoint, terms joined.

    Returns
    -------
    DataFrame
        Columns ``touchpoint, n_terms, significant_terms, terms`` (terms in rank order, ``*`` marks
        terms significant after Benjamini-Hochberg correction).
    """
    rows = []
    for tp, sub in terms.groupby("touchpoint", sort=False):
        words = [f"{t}{'*' if s else ''}" for t, s in zip(sub["term"], sub["significant"])]
        rows.append({"touchpoint": tp, "n_terms": len(sub), "significant_terms": int(sub["significant"].sum()),
                     "terms": ", ".join(words)})
    return pd.DataFrame(rows, columns=["touchpoint", "n_terms", "significant_terms", "terms"])


def representative_quotes(data, n: int = 3, max_chars: int = 240) -> pd.DataFrame | None:
    """``n`` representative comments per polarity, masked and escaped for display.

    A comment is representative when its compound score is close to the median of its polarity
    (positive: compound >= 0.05; negative: <= -0.05) -- typical rather than extreme. Quotes are spread
    over touchpoints (at most one per touchpoint while others remain), duplicates are dropped.

    Parameters
    ----------
    data : ClientData
    n : int, default 3
    max_chars : int, default 240
        Passed to :func:`cem_research.text.safe_text`.

    Returns
    -------
    DataFrame or None
        Columns ``polarity, rank, touchpoint, compound, quote``; ``quote`` (and ``touchpoint``) are
        HTML-escaped with PII masked, so they may be inserted into HTML as they are (see
        :func:`quotes_html`). ``None`` without own-brand feedback.
    """
    from cem_research.text import safe_text

    fb = _feedback_frame(data)
    if fb is None:
        return None
    rows = []
    for pol in POLARITIES:
        sub = fb[fb["polarity"] == pol].copy()
        if sub.empty:
            continue
        sub["_dist"] = (sub["compound"] - sub["compound"].median()).abs()
        sub["_key"] = sub["text"].astype(str).str.strip().str.lower()
        sub = sub.drop_duplicates("_key").sort_values(["_dist", "row"], kind="mergesort")
        tps = sub["touchpoint"].astype("string").fillna("") if "touchpoint" in sub else pd.Series("", index=sub.index)
        chosen, seen = [], set()
        for idx in sub.index:
            if tps[idx] not in seen:
                chosen.append(idx)
                seen.add(tps[idx])
            if len(chosen) == n:
                break
        for idx in sub.index:
            if len(chosen) >= n:
                break
            if idx not in chosen:
                chosen.append(idx)
        for rank, idx in enumerate(chosen, start=1):
            r = sub.loc[idx]
            rows.append({"polarity": pol, "rank": rank, "touchpoint": html.escape(str(tps[idx])),
                         "compound": float(r["compound"]), "quote": safe_text(r["text"], max_chars=max_chars)})
    return pd.DataFrame(rows, columns=["polarity", "rank", "touchpoint", "compound", "quote"])


def quotes_html(quotes: pd.DataFrame | None) -> str:
    """Quotes as HTML block quotes, grouped by polarity (content already escaped by ``safe_text``).

    Returns
    -------
    str
        HTML fragment (no scripts, no attributes from data).
    """
    if quotes is None or quotes.empty:
        return "<p><em>No quotes to show.</em></p>"
    parts = []
    for pol in POLARITIES:
        sub = quotes[quotes["polarity"] == pol]
        if sub.empty:
            continue
        parts.append(f"<h4>Typical {pol} comments</h4>")
        for _, r in sub.iterrows():
            where = f" \u2014 <em>{r['touchpoint']}</em>" if r["touchpoint"] else ""
            parts.append(f"<blockquote>\u201c{r['quote']}\u201d{where} (compound {r['compound']:+.2f})</blockquote>")
    return "\n".join(parts)


def feedback_finding(summary: pd.DataFrame | None, terms: pd.DataFrame | None = None) -> dict:
    """Plain-words summary of the verbatims: tone overall, weakest and strongest touchpoint, its words.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="share_negative"``, value = share of negative
        comments overall, with its Wilson interval).
    """
    if summary is None or summary.empty:
        return _finding("No customer comments to analyse.", key="share_negative")
    a = summary[summary["dimension"] == "all"].iloc[0]
    text = (f"Of {int(a['n']):,} comments on the own brand, {_pct(a['share_positive'])} are positive "
            f"({_ci(a['positive_low'], a['positive_high'], pct=True)}) and {_pct(a['share_negative'])} negative "
            f"({_ci(a['negative_low'], a['negative_high'], pct=True)}); mean VADER compound "
            f"{_signed(a['compound'])} ({_ci(a['ci_low'], a['ci_high'])})")
    tp = summary[(summary["dimension"] == "touchpoint") & (summary["n"] >= 5)]
    if len(tp) >= 2:
        lo = tp.loc[tp["compound"].idxmin()]
        hi = tp.loc[tp["compound"].idxmax()]
        text += (f". Sentiment is lowest for {lo['level']} (compound {_signed(lo['compound'])}, "
                 f"{_ci(lo['ci_low'], lo['ci_high'])}; {_pct(lo['share_negative'])} negative, n = {int(lo['n']):,}) "
                 f"and highest for {hi['level']} ({_signed(hi['compound'])}, "
                 f"{_ci(hi['ci_low'], hi['ci_high'])})")
        if terms is not None and len(terms):
            words = terms[terms["touchpoint"].astype(str) == lo["level"]]["term"].head(3).tolist()
            if words:
                text += f"; what sets {lo['level']} comments apart: {_join([repr(w) for w in words])}"
    return _finding(text + ".", key="share_negative", value=a["share_negative"],
                    ci=(a["negative_low"], a["negative_high"]))


def sentiment_figure(summary: pd.DataFrame):
    """Mean compound sentiment with 95% CI by touchpoint and by segment (one panel per dimension).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    dims = [d for d in pd.unique(summary["dimension"]) if d != "all"] or ["all"]
    heights = [0.42 * (summary["dimension"] == d).sum() + 0.9 for d in dims]
    fig, axes = plt.subplots(len(dims), 1, figsize=(8, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, d in zip(axes[:, 0], dims):
        sub = summary[summary["dimension"] == d]
        plots.dot_interval(sub, x="compound", y="level", ax=ax, palette={lv: plots.OWN for lv in sub["level"]},
                           xlabel="mean VADER compound (\u22121 negative \u2026 +1 positive)",
                           title=sub["dimension_label"].iloc[0])
        ax.axvline(0, color="#9aa5b1", lw=1, ls="--")
        ax.set_xlim(-1, 1)
    fig.suptitle("What customers say: sentiment of own-brand comments (95% CI)", fontweight="bold", y=1.02)
    return fig
