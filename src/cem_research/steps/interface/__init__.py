"""Step 4 -- structure the customer interface (Schmitt 2003).

The customer interface is every dynamic exchange between customer and company: with people
(``human_human``), with technology (``human_technology``) and with places
(``human_environment``).  This module turns the touchpoint events and verbatims of a client
into tidy tables for notebook ``04_customer_interface``:

* **Touchpoint performance** -- satisfaction, effort, volume and spread per interface kind,
  channel and touchpoint (:func:`touchpoint_performance`); whether the same need (a journey
  stage) is served worse in one channel than in the stage's main channel
  (:func:`channel_consistency`).
* **Importance-performance of touchpoints** -- importance derived from the outcome
  (:func:`touchpoint_importance`), the IPA grid and a "fix first" list (:func:`touchpoint_ipa`).
* **Journeys** -- common paths (:func:`journey_paths`), stage-to-stage transitions
  (:func:`stage_transitions`), lost vs loyal customers (:func:`loyalty_groups`,
  :func:`journey_by_loyalty`), exit touchpoints (:func:`exit_touchpoints`) and time between
  stages (:func:`stage_durations`).
* **The human touch** -- human-human vs human-technology ratings, overall and per segment
  (:func:`human_vs_technology`).
* **Voice of the customer at the interface** -- sentiment per touchpoint
  (:func:`touchpoint_sentiment`), complaint terms (:func:`complaint_terms`) and representative
  quotes (:func:`representative_quotes`, shown with :func:`quotes_html`).

Every analysis returns ``None`` when the client's data does not support it;
:func:`availability` says why, for ``findings.skip``.  The ``*_finding`` functions turn results
into plain-words findings (keyword arguments for ``findings.record``).

Conventions used throughout
---------------------------
* Only the client's **own brand** is analysed (touchpoints and verbatims are about it).
* Touchpoint events are linked to survey respondents by respondent id (and wave, when the
  touchpoint file has a wave column).  When the touchpoint file has no wave column and some of its
  respondents are in the (possibly wave-restricted) survey, only those respondents' events are used,
  so ``ClientData.upto(wave)`` restricts touchpoints too.
* A **poor experience** is a touchpoint rating at or below the scale midpoint (1-3 on 1-5: not
  satisfied), see :func:`poor_threshold`.
* The **main outcome** is the outcome construct named ``satisfaction`` if declared, else the first
  declared outcome (:func:`main_outcome`).
* Confidence intervals are 95 %; tests are Welch t-tests (paired t-tests within respondents where
  stated) with Holm's correction within each table; shares use Wilson intervals and differences
  of shares Newcombe's hybrid score interval.
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps

from cem_research import stats
from cem_research.stats import MIN_GROUP
from cem_research.client.config import INTERFACE_KINDS
from cem_research.client.data import memoize

STEP = 4

#: Section titles (the notebook's ``##`` headings, passed to ``findings.record``/``skip``).
SECTIONS = {
    "performance": "Touchpoint performance",
    "ipa": "Importance–performance of touchpoints",
    "journeys": "Journeys",
    "human": "The human touch",
    "voice": "Voice of the customer at the interface",
}

INTERFACE_LABELS = {"human_human": "human–human", "human_technology": "human–technology",
                    "human_environment": "human–environment"}
#: Minimum respondents in each of the poor and good groups to estimate a touchpoint's importance.
NEGATIVE = -0.05  # VADER convention: compound <= -0.05 is negative

__all__ = [
    "STEP", "SECTIONS", "availability", "main_outcome", "poor_threshold", "touchpoint_events",
    "touchpoint_performance", "channel_consistency", "performance_finding",
    "touchpoint_importance", "touchpoint_ipa", "ipa_finding",
    "journey_paths", "stage_transitions", "transition_matrix", "loyalty_groups",
    "journey_by_loyalty", "exit_touchpoints", "stage_durations", "journey_finding",
    "human_vs_technology", "human_finding",
    "touchpoint_sentiment", "complaint_terms", "representative_quotes", "quotes_html",
    "voice_finding", "touchpoint_palette", "transition_figure",
]


# ---------------------------------------------------------------------------------------------
# data access
# ---------------------------------------------------------------------------------------------


def main_outcome(cfg) -> str | None:
    """The outcome used to derive importance: the client's main outcome (``ClientConfig.main_outcome``)."""
    return cfg.main_outcome


def touchpoint_scale(cfg) -> tuple[float, float]:
    spec = cfg.touchpoints
    lo, hi = (spec.options.get("scale", [1, 5]) if spec is not None else [1, 5])
    return float(lo), float(hi)


def poor_threshold(cfg) -> float:
    """Highest touchpoint rating that counts as a poor (not satisfied) experience: the scale midpoint.

    ``lo + (hi - lo) / 2``: 3 on a 1-5 scale (1-3 = poor, 4-5 = good), 5.5 on 1-10 (1-5 poor).
    A stricter cut (1-2 on 1-5) leaves most touchpoints with too few poor experiences to estimate
    their importance; the midpoint separates "satisfied" from "not satisfied" (top-two-box logic).
    """
    lo, hi = touchpoint_scale(cfg)
    return lo + (hi - lo) / 2


def _key_cols(tp: pd.DataFrame) -> list[str]:
    return ["respondent", "wave"] if "wave" in tp.columns else ["respondent"]


# The joined and sorted events (and a few frames derived from them) are needed by most analyses of
# the notebook, and building them dominates the run time of large clients: they are computed once
# per data object (:func:`cem_research.client.data.memoize`); callers get shallow (copy-on-write) copies
# and never modify them in place.
def _memo(data, name: str, compute: Callable):
    """``compute()``, once per data object and ``name``."""
    return memoize(data, ("interface", name), compute)


def _shared(frame):
    """A memoised frame for the caller: a shallow (copy-on-write) copy, ``None`` stays ``None``."""
    return None if frame is None else frame.copy(deep=False)


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(set(allowed))`` as a boolean array, without pandas' per-value loop for strings.

    Both sides are factorised together (missing values match missing values, as in ``isin``).
    """
    allowed = pd.Series(allowed)
    if len(values) == 0 or len(allowed) == 0:
        return np.zeros(len(values), dtype=bool)
    codes, _ = pd.factorize(pd.concat([pd.Series(values.array), pd.Series(allowed.array)], ignore_index=True),
                            use_na_sentinel=False)
    n = len(values)
    return np.isin(codes[:n], codes[n:])


def _map_order(values: pd.Series, order: dict) -> pd.Series:
    """``values.map(order)`` for a dict of positions, looked up once per distinct value.

    Like ``map``: int64 when every value is found, else float64 with NaN for the others.
    """
    codes, uniques = pd.factorize(values)
    pos = np.array([order.get(u, -1) for u in uniques] + [-1], dtype=np.int64)[codes]
    found = pos >= 0
    if found.all():
        return pd.Series(pos, index=values.index, name=values.name)
    return pd.Series(np.where(found, pos, np.nan), index=values.index, name=values.name)


def _touchpoint_events(data) -> pd.DataFrame | None:
    """:func:`touchpoint_events`, computed (not memoised)."""
    tp = data.touchpoints
    if tp is None or len(tp) == 0:
        return None
    tp = tp[tp["satisfaction"].notna()]
    own = data.own
    if "wave" in tp.columns:
        tp = tp[tp["wave"].isin(data.waves)]
    else:
        linked = _isin(tp["respondent"], own["respondent"])
        if linked.any():
            tp = tp[linked]
    if len(tp) == 0:
        return None
    tp = tp.copy()
    if "stage" in tp.columns:
        order = {s: i for i, s in enumerate(data.config.journey)}
        tp["stage_index"] = _map_order(tp["stage"], order)
    sort = ["respondent", "time"] if "time" in tp.columns else ["respondent", "row"]
    return tp.sort_values(sort, kind="stable").reset_index(drop=True)


def _events(data) -> pd.DataFrame | None:
    """:func:`touchpoint_events`, memoised per data object (a shallow copy)."""
    return _shared(_memo(data, "events", lambda: _touchpoint_events(data)))


def touchpoint_events(data) -> pd.DataFrame | None:
    """The own brand's touchpoint events with a rating, linked to the analysed survey respondents.

    Returns
    -------
    DataFrame or None
        The ``touchpoints`` table (``respondent, touchpoint, [stage, interface, channel, time,
        wave], satisfaction, [effort]``) restricted as described in the module notes, plus
        ``stage_index`` (position in the declared journey) when stages are given; ``None`` when the
        client supplies no touchpoint events.
    """
    return _events(data)


def _respondents(data, tp: pd.DataFrame) -> pd.DataFrame:
    """One own-brand survey row per touchpoint key (respondent [, wave]); latest wave wins."""
    keys = _key_cols(tp)

    def compute() -> pd.DataFrame:
        own = data.own
        if "wave" in keys:
            return own.drop_duplicates(keys, keep="last")
        order = {w: i for i, w in enumerate(data.waves)}
        own = own.assign(__w=_map_order(own["wave"], order)).sort_values("__w", kind="stable")
        return own.drop_duplicates("respondent", keep="last").drop(columns="__w")

    return _shared(_memo(data, f"respondents{keys}", compute))


def _merge_unique(left: pd.DataFrame, right: pd.DataFrame, keys: list[str], how: str = "inner") -> pd.DataFrame:
    """``left.merge(right, on=keys, how=how)`` (``how`` inner or left) by row positions.

    Fast path for a ``right`` with unique keys, the same key dtypes on both sides and no other
    shared column (and, for a left join, every left row matched): the left rows with a match, in
    their order, next to their ``right`` row.  Anything else goes to ``merge``.
    """
    other = [c for c in right.columns if c not in keys]
    if (how not in ("inner", "left") or not right.columns.is_unique or not left.columns.is_unique
            or set(other) & set(left.columns) or any(left[k].dtype != right[k].dtype for k in keys)):
        return left.merge(right, on=keys, how=how)
    n = len(left)
    code = np.zeros(n + len(right), dtype=np.int64)
    for k in keys:  # joint codes of the key tuples (missing keys match each other, as in merge)
        c, u = pd.factorize(pd.concat([left[k], right[k]], ignore_index=True), use_na_sentinel=False)
        code = pd.factorize(code * max(len(u), 1) + c)[0].astype(np.int64)
    lc, rc = code[:n], code[n:]
    if pd.Series(rc).duplicated().any():
        return left.merge(right, on=keys, how=how)
    pos = np.full(int(code.max()) + 1 if len(code) else 0, -1, dtype=np.int64)
    pos[rc] = np.arange(len(right))
    idx = pos[lc]
    hit = idx >= 0
    if how == "left" and not hit.all():
        return left.merge(right, on=keys, how=how)
    if not hit.all():
        left = left[hit]
    return pd.concat([left.reset_index(drop=True), right[other].iloc[idx[hit]].reset_index(drop=True)], axis=1)


def _has(tp: pd.DataFrame | None, col: str) -> bool:
    return tp is not None and col in tp.columns and tp[col].notna().any()


def own_feedback(data) -> pd.DataFrame | None:
    fb = data.feedback
    if fb is None or len(fb) == 0:
        return None
    own = fb["brand"].isna() | (fb["brand"] == data.config.brand)
    fb = fb[own]
    if "wave" in fb.columns:
        fb = fb[fb["wave"].isna() | fb["wave"].isin(data.waves)]
    return fb.reset_index(drop=True) if len(fb) else None


def availability(data) -> dict[str, str | None]:
    """Why each section cannot be analysed for this client (``None``: it can).

    Returns
    -------
    dict
        Section key (see :data:`SECTIONS`) -> reason for ``findings.skip`` or ``None``.
    """
    tp = touchpoint_events(data)
    out: dict[str, str | None] = {k: None for k in SECTIONS}
    no_tp = "the client supplies no touchpoint events (a touchpoints file in client.yaml)"
    if tp is None:
        for k in ("performance", "ipa", "journeys", "human"):
            out[k] = no_tp
    else:
        outcome = main_outcome(data.config)
        if outcome is None:
            out["ipa"] = "no outcome construct is declared (outcomes in client.yaml), so importance cannot be derived"
        elif not _isin(tp["respondent"], data.own["respondent"]).any():
            out["ipa"] = ("the touchpoint events cannot be linked to survey respondents (no shared "
                          "respondent ids), so importance cannot be derived from the outcome")
        if not _has(tp, "stage"):
            out["journeys"] = "the touchpoint file declares no journey stage column"
        if not _has(tp, "interface"):
            out["human"] = "the touchpoint file declares no interface column"
        elif not {"human_human", "human_technology"} <= set(tp["interface"].dropna().unique()):
            out["human"] = "the touchpoint events do not include both human–human and human–technology interactions"
    fb = own_feedback(data)
    if fb is None:
        out["voice"] = "the client supplies no verbatim comments (a feedback file in client.yaml)"
    elif "touchpoint" not in fb.columns or fb["touchpoint"].notna().sum() == 0:
        out["voice"] = "the verbatim comments are not linked to touchpoints (no touchpoint column)"
    return out


# ---------------------------------------------------------------------------------------------
# small statistics helpers (not in stats.py)
# ---------------------------------------------------------------------------------------------


def compare_quietly(*args, **kwargs) -> pd.DataFrame:
    """``stats.compare_to_reference`` without scipy's precision warnings for near-constant groups."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return stats.compare_to_reference(*args, **kwargs)


def _wilson(count, n):
    return stats.proportion_ci(count, n)


def _diff_proportions(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float, float]:
    """Difference p1 - p2 with Newcombe's (1998) hybrid score CI and Fisher's exact p-value."""
    if n1 == 0 or n2 == 0:
        return np.nan, np.nan, np.nan, np.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1)
    l2, u2 = _wilson(x2, n2)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    p = float(sps.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    return d, lo, hi, p


def _fmt(x: float, digits: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}"


def _pct_ci(lo, hi) -> str:
    """``[13%, 21%]`` for shares 0.13, 0.21."""
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "[n/a]"
    return f"[{100 * lo:.0f}%, {100 * hi:.0f}%]"


def _ci(lo: float, hi: float, digits: int = 2) -> str:
    return f"[{_fmt(lo, digits)}, {_fmt(hi, digits)}]"


def _pct(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.0f}%"


def _pval(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def level_key(level) -> float:
    """Numeric sort key of a level from its first number ('<1 year' < '1-3 years' < '>3 years'); NaN if none."""
    s = str(level)
    m = re.search(r"\d+(?:[.,]\d+)?", s)
    if not m:
        return math.nan
    x = float(m.group().replace(",", "."))
    before = s[: m.start()]
    if "<" in before or re.search(r"less|under|below|up to", before, re.I):
        x -= 0.5
    if ">" in before or s[m.end():m.end() + 1] == "+" or re.search(r"more|over|above", before, re.I):
        x += 0.5
    return x


def level_order(levels) -> list:
    """Segment levels in numeric order when every level starts with a number, else alphabetically."""
    levels = list(levels)
    keys = [level_key(lv) for lv in levels]
    if levels and not any(math.isnan(k) for k in keys):
        return [levels[i] for i in sorted(range(len(levels)), key=lambda i: keys[i])]
    return sorted(levels, key=str)


def _joined(values: pd.Series) -> str:
    vals = sorted({str(v) for v in values.dropna()})
    return ", ".join(vals)


def _joined_by(frame: pd.DataFrame, by: str, col: str, codes: np.ndarray | None = None,
               labels=None) -> pd.Series:
    """``frame.groupby(by)[col].agg(_joined)``, computed on the distinct ``(by, col)`` pairs only.

    ``codes, labels``: ``pd.factorize(frame[by])`` when already at hand.
    """
    col_codes, col_values = pd.factorize(frame[col])
    if len(col_values) == 0:  # nothing but missing values
        return frame[[by, col]].drop_duplicates().groupby(by, sort=False)[col].agg(_joined)
    if codes is None:
        codes, labels = pd.factorize(frame[by])
    width = len(col_values) + 1  # value code + 1; 0 = missing
    known = codes >= 0
    # distinct pairs in order of first appearance (as drop_duplicates keeps them)
    pairs = pd.unique(codes[known].astype(np.int64) * width + (col_codes[known] + 1))
    distinct = pd.DataFrame({by: pd.api.extensions.take(labels, pairs // width),
                             col: pd.api.extensions.take(col_values, pairs % width - 1, allow_fill=True)})
    return distinct.groupby(by, sort=False)[col].agg(_joined)


# ---------------------------------------------------------------------------------------------
# 1. touchpoint performance
# ---------------------------------------------------------------------------------------------


def touchpoint_performance(data, by: str = "touchpoint") -> pd.DataFrame | None:
    """Satisfaction, effort, volume and spread of touchpoint events, per group.

    Parameters
    ----------
    data : ClientData
    by : {"touchpoint", "interface", "channel", "stage"}
        Grouping column of the touchpoint file.

    Returns
    -------
    DataFrame or None
        One row per level of ``by``: ``[by, (stage, interface, channel for touchpoints),
        n_events, n_respondents, satisfaction, sd, iqr, ci_low, ci_high, share_poor, effort,
        effort_ci_low, effort_ci_high]``.  ``satisfaction`` is the mean event rating with its t
        interval (events as units; repeated events of one respondent count separately),
        ``iqr`` the interquartile range, ``share_poor`` the share of events rated poor
        (:func:`poor_threshold`), ``effort`` the mean customer-effort rating (NaN without an effort
        column).  Touchpoints in journey order, interface kinds in contract order, channels and
        stages by volume / journey order.  ``None`` without touchpoint events or without ``by``.
    """
    out = _memo(data, f"performance:{by}", lambda: _touchpoint_performance(data, by))
    return None if out is None else out.copy()


def _touchpoint_performance(data, by: str) -> pd.DataFrame | None:
    """:func:`touchpoint_performance`, computed (not memoised)."""
    tp = _events(data)
    if tp is None or not _has(tp, by):
        return None
    known = tp[by].notna()
    if not known.all():
        tp = tp[known]
    # The groups as integer codes in order of first appearance, and as a Categorical with the
    # categories in that order: stats.mean_ci then visits the groups in the order it visits the
    # strings (groupby sort=False), without moving the strings around.
    codes, uniques = pd.factorize(tp[by])
    labels = pd.Index(uniques)
    k = len(labels)
    groups = pd.Categorical.from_codes(codes, categories=labels)
    sat = tp["satisfaction"].to_numpy()
    m = stats.mean_ci(pd.DataFrame({"satisfaction": sat, by: groups}), "satisfaction", by=by)
    m = m.rename(columns={"mean": "satisfaction", "n": "n_events"})
    g = pd.Series(sat).groupby(codes)
    rc, resp = pd.factorize(tp["respondent"])  # distinct respondents: distinct (group, respondent) codes
    pairs = pd.unique(codes[rc >= 0].astype(np.int64) * max(len(resp), 1) + rc[rc >= 0])
    poor = (sat <= poor_threshold(data.config)).astype(float)
    extra = pd.DataFrame({
        by: labels,
        "n_respondents": np.bincount(pairs // max(len(resp), 1), minlength=k).astype(np.int64),
        "iqr": (g.quantile(0.75) - g.quantile(0.25)).to_numpy(),
        "share_poor": np.bincount(codes, weights=poor, minlength=k) / np.bincount(codes, minlength=k),
    })
    out = m.merge(extra, on=by, how="left")
    if _has(tp, "effort"):
        e = stats.mean_ci(pd.DataFrame({"effort": tp["effort"].to_numpy(), by: groups}), "effort", by=by)
        e = e[[by, "mean", "ci_low", "ci_high"]]
        e.columns = [by, "effort", "effort_ci_low", "effort_ci_high"]
        out = out.merge(e, on=by, how="left")
    else:
        out["effort"] = out["effort_ci_low"] = out["effort_ci_high"] = np.nan
    lead: list[str] = [by]
    if by == "touchpoint":
        for col in ("stage", "interface", "channel"):
            if col in tp.columns:
                out[col] = out["touchpoint"].map(_joined_by(tp, "touchpoint", col, codes, uniques))
                lead.append(col)
        if "stage_index" in tp.columns:
            first = pd.Series(tp["stage_index"].to_numpy()).groupby(codes).min()
            out["__o"] = out["touchpoint"].map(pd.Series(first.to_numpy(), index=labels))
            out = out.sort_values(["__o", "touchpoint"], kind="stable").drop(columns="__o")
    elif by == "interface":
        order = {k: i for i, k in enumerate(INTERFACE_KINDS)}
        out = out.sort_values(by, key=lambda s: s.map(order).fillna(99), kind="stable")
    elif by == "stage":
        order = {k: i for i, k in enumerate(data.config.journey)}
        out = out.sort_values(by, key=lambda s: s.map(order).fillna(99), kind="stable")
    else:
        out = out.sort_values("n_events", ascending=False, kind="stable")
    cols = [*lead, "n_events", "n_respondents", "satisfaction", "sd", "iqr", "ci_low", "ci_high",
            "share_poor", "effort", "effort_ci_low", "effort_ci_high"]
    out = out[cols].reset_index(drop=True)
    out.attrs["scale"] = touchpoint_scale(data.config)
    return out


def channel_consistency(data, alpha: float = 0.05) -> pd.DataFrame | None:
    """Where a need (journey stage) is served in several channels, which channel serves it worse.

    Each channel of a stage is compared with the stage's **main channel** (the one with the most
    respondents; chosen by volume, not by score, so the comparison is not selected on the outcome).
    Units are respondents: each respondent's mean rating of the stage's touchpoints in that channel.

    Returns
    -------
    DataFrame or None
        One row per stage and non-main channel: ``stage, channel, reference, touchpoints,
        n_channel, n_reference, mean_channel, mean_reference, diff, ci_low, ci_high, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, worse``.  ``diff = mean_channel -
        mean_reference`` (negative: the channel serves the need worse) with its Welch CI; Hedges g
        in the same direction; ``p_corr`` Holm across all rows; ``worse`` names the worse channel when
        significant, else ``""``.  ``None`` when no stage is offered in two or more channels (or no
        stage/channel columns).

    Notes
    -----
    ``stats.compare_to_reference`` (Welch 1947; Hedges g with the Hedges & Olkin CI), then
    ``stats.adjust_pvalues`` (Holm 1979) across all stages.  A respondent using both channels of a
    stage is in both groups (a mild dependence the Welch test ignores).
    """
    tp = touchpoint_events(data)
    if tp is None or not (_has(tp, "stage") and _has(tp, "channel")):
        return None
    keys = _key_cols(tp)
    tp = tp[[*keys, "stage", "channel", "touchpoint", "satisfaction"]]
    tp = tp[tp["stage"].notna() & tp["channel"].notna()]
    # respondent x channel means of every stage at once (per stage: sorted by keys and channel)
    per = {stage: frame.drop(columns="stage").reset_index(drop=True) for stage, frame in
           tp.groupby(["stage", *keys, "channel"], as_index=False)["satisfaction"].mean().groupby("stage", sort=False)}
    pairs = tp[["stage", "channel", "touchpoint"]].drop_duplicates()
    frames = []
    for stage in [s for s in data.config.journey if s in per]:
        resp = per[stage]
        counts = resp["channel"].value_counts()
        counts = counts[counts >= 2]
        if len(counts) < 2:
            continue
        ref = sorted(counts.index, key=lambda c: (-counts[c], str(c)))[0]
        resp = resp[resp["channel"].isin(counts.index)]
        res = compare_quietly(resp, "satisfaction", "channel", ref, correction="none")
        res.insert(0, "stage", stage)
        tps = _joined_by(pairs[pairs["stage"] == stage], "channel", "touchpoint")
        res["touchpoints"] = res["group"].map(tps)
        frames.append(res)
    if not frames:
        return None
    res = stats.adjust_pvalues(pd.concat(frames, ignore_index=True), "p_unc", "holm", alpha=alpha)
    out = pd.DataFrame({
        "stage": res["stage"], "channel": res["group"], "reference": res["reference"],
        "touchpoints": res["touchpoints"], "n_channel": res["n_other"], "n_reference": res["n_ref"],
        "mean_channel": res["mean_other"], "mean_reference": res["mean_ref"], "diff": -res["diff"],
        "ci_low": -res["ci_high"], "ci_high": -res["ci_low"], "hedges": -res["hedges"],
        "hedges_ci_low": -res["hedges_ci_high"], "hedges_ci_high": -res["hedges_ci_low"],
        "p_unc": res["p_unc"], "p_corr": res["p_corr"], "significant": res["significant"].astype(bool),
    })
    out["worse"] = np.where(out["significant"], np.where(out["diff"] < 0, out["channel"], out["reference"]), "")
    return out.reset_index(drop=True)


def performance_finding(by_touchpoint: pd.DataFrame, by_interface: pd.DataFrame | None = None,
                        consistency: pd.DataFrame | None = None) -> dict:
    """Plain-words finding for "Touchpoint performance" (kwargs for ``findings.record``).

    Names the lowest- and highest-rated touchpoint with intervals, the highest-effort touchpoint,
    the interface kinds' means, and channels that serve a stage significantly worse.
    """
    lo_s, hi_s = by_touchpoint.attrs.get("scale", (1, 5))
    df = by_touchpoint.dropna(subset=["satisfaction"])
    worst = df.loc[df["satisfaction"].idxmin()]
    best = df.loc[df["satisfaction"].idxmax()]
    parts = [
        f"Of {len(df)} touchpoints, {worst['touchpoint']} is rated lowest: {_fmt(worst['satisfaction'])} "
        f"{_ci(worst['ci_low'], worst['ci_high'])} on the {lo_s:g}–{hi_s:g} scale "
        f"({int(worst['n_events'])} events, {_pct(worst['share_poor'])} at or below the scale midpoint), against "
        f"{_fmt(best['satisfaction'])} {_ci(best['ci_low'], best['ci_high'])} for {best['touchpoint']}."
    ]
    if df["effort"].notna().any():
        e = df.loc[df["effort"].idxmax()]
        parts.append(f"Customer effort is highest at {e['touchpoint']} ({_fmt(e['effort'])} "
                     f"{_ci(e['effort_ci_low'], e['effort_ci_high'])}).")
    if by_interface is not None and len(by_interface):
        kinds = "; ".join(f"{INTERFACE_LABELS.get(r['interface'], r['interface'])} {_fmt(r['satisfaction'])} "
                          f"{_ci(r['ci_low'], r['ci_high'])}" for _, r in by_interface.iterrows())
        parts.append(f"By interface kind: {kinds}.")
    if consistency is not None and len(consistency):
        sig = consistency[consistency["significant"]]
        if len(sig):
            bits = [f"at the {r['stage']} stage, {r['channel']} scores {_fmt(r['diff'])} "
                    f"{_ci(r['ci_low'], r['ci_high'])} points against {r['reference']} "
                    f"(Hedges g {_fmt(r['hedges'])}, Holm {_pval(r['p_corr'])})" for _, r in sig.iterrows()]
            parts.append("Channels serve the same need differently: " + "; ".join(bits) + ".")
        else:
            parts.append(f"No channel serves a stage significantly worse than its main channel "
                         f"({len(consistency)} comparisons, Holm).")
    return {"text": " ".join(parts), "key": "lowest_touchpoint", "value": float(worst["satisfaction"]),
            "ci": (float(worst["ci_low"]), float(worst["ci_high"])) if np.isfinite(worst["ci_low"]) else None}


# ---------------------------------------------------------------------------------------------
# 2. importance-performance of touchpoints
# ---------------------------------------------------------------------------------------------


def respondent_experience(data, tp: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Respondent x touchpoint mean ``rating`` joined with the respondent's outcome and segments."""
    keys = _key_cols(tp)
    per = (tp.groupby([*keys, "touchpoint"], as_index=False)["satisfaction"].mean()
           .rename(columns={"satisfaction": "rating"}))
    resp = _respondents(data, tp)
    seg = [c for c in data.config.segments if c in resp.columns]
    return _merge_unique(per, resp[[*keys, outcome, *seg]], keys, how="inner")


def touchpoint_importance(data, outcome: str | None = None, min_group: int = MIN_GROUP,
                          alpha: float = 0.05, threshold: float | None = None) -> pd.DataFrame | None:
    """Derived importance of each touchpoint: the outcome penalty of a poor experience there.

    For each touchpoint, respondents who used it are split into those whose (mean) rating of it
    was poor (:func:`poor_threshold`, 1-3 on 1-5) and those whose rating was good; importance is
    the difference in their mean outcome (good minus poor, in outcome points) with a Welch CI.

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        Outcome construct (default :func:`main_outcome`).
    min_group : int, default 5
        Minimum respondents in each group; touchpoints below it get NaN importance.
    alpha : float, default 0.05

    Returns
    -------
    DataFrame or None
        One row per touchpoint: ``touchpoint, n_users, n_poor, share_poor, outcome_good,
        outcome_poor, importance, importance_ci_low, importance_ci_high, hedges, p_unc, p_corr``
        (``p_corr`` Holm across touchpoints).  ``attrs``: ``outcome``, ``threshold``,
        ``n_respondents`` (linked respondents).  ``None`` without linkable events or outcome.

    Notes
    -----
    This is a penalty (impact) analysis: it asks how much lower the outcome is among customers
    who had a poor experience at the touchpoint.  It is observational -- customers who are unhappy
    overall also rate touchpoints lower -- so it measures association, which is what an IPA
    needs to rank touchpoints against each other (all touchpoints share the same bias).  Compared
    with a correlation it reads in outcome points and does not depend on how much a touchpoint's
    ratings vary.  Welch test via ``stats.compare_to_reference``.
    """
    outcome = outcome or main_outcome(data.config)
    tp = touchpoint_events(data)
    if tp is None or outcome is None or outcome not in data.ratings.columns:
        return None
    exp = respondent_experience(data, tp, outcome)
    keep = exp[outcome].notna().to_numpy()
    if not keep.any():
        return None
    n_respondents = int(exp.loc[keep, _key_cols(tp)].drop_duplicates().shape[0])
    exp = exp.loc[keep, ["touchpoint", "rating", outcome]]
    thr = poor_threshold(data.config) if threshold is None else threshold
    exp["experience"] = np.where(exp["rating"] <= thr, "poor", "good")
    rows = []
    for name, sub in exp.groupby("touchpoint", sort=True):
        n_poor = int((sub["experience"] == "poor").sum())
        n_good = int((sub["experience"] == "good").sum())
        row = {"touchpoint": name, "n_users": len(sub), "n_poor": n_poor,
               "share_poor": n_poor / len(sub) if len(sub) else np.nan,
               "outcome_good": sub.loc[sub["experience"] == "good", outcome].mean(),
               "outcome_poor": sub.loc[sub["experience"] == "poor", outcome].mean(),
               "importance": np.nan, "importance_ci_low": np.nan, "importance_ci_high": np.nan,
               "hedges": np.nan, "p_unc": np.nan}
        if n_poor >= min_group and n_good >= min_group:
            r = compare_quietly(sub, outcome, "experience", "good", correction="none").iloc[0]
            row.update(importance=r["diff"], importance_ci_low=r["ci_low"], importance_ci_high=r["ci_high"],
                       hedges=r["hedges"], p_unc=r["p_unc"])
        rows.append(row)
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm", alpha=alpha).drop(columns="significant")
    out.attrs.update(outcome=outcome, threshold=thr, n_respondents=n_respondents)
    return out


def touchpoint_ipa(data, outcome: str | None = None, min_group: int = MIN_GROUP,
                   threshold: float | None = None) -> pd.DataFrame | None:
    """Importance-performance analysis of touchpoints with a ranked "fix first" list.

    Importance from :func:`touchpoint_importance`, performance = mean event satisfaction with its
    CI (:func:`touchpoint_performance`); quadrants and priority from
    ``stats.importance_performance`` (split at the means; priority: "Concentrate here" first, then
    by importance x gap to the best-performing touchpoint).

    Returns
    -------
    DataFrame or None
        Sorted by ``priority`` (1 = fix first): ``priority, touchpoint, stage, interface, quadrant,
        importance, importance_ci_low, importance_ci_high, performance, performance_ci_low,
        performance_ci_high, n_events, n_users, n_poor, share_poor, p_corr, gap, priority_score``.
        ``attrs``: ``outcome``, ``threshold``, ``excluded`` (touchpoints with too few poor or good
        experiences to estimate importance), ``n_respondents``.  ``None`` with fewer than two
        estimable touchpoints.
    """
    imp = touchpoint_importance(data, outcome, min_group=min_group, threshold=threshold)
    perf = touchpoint_performance(data, "touchpoint")
    if imp is None or perf is None:
        return None
    meta = perf[[c for c in ("touchpoint", "stage", "interface") if c in perf.columns]]
    df = imp.merge(perf[["touchpoint", "satisfaction", "ci_low", "ci_high", "n_events"]], on="touchpoint")
    df = df.rename(columns={"satisfaction": "performance", "ci_low": "performance_ci_low",
                            "ci_high": "performance_ci_high"}).merge(meta, on="touchpoint", how="left")
    ok = df["importance"].notna() & df["performance"].notna()
    if ok.sum() < 2:
        return None
    res = stats.importance_performance(df[ok].reset_index(drop=True), "importance", "performance", "touchpoint")
    for col in ("stage", "interface"):
        if col not in res.columns:
            res[col] = ""
    cols = ["priority", "touchpoint", "stage", "interface", "quadrant", "importance", "importance_ci_low",
            "importance_ci_high", "performance", "performance_ci_low", "performance_ci_high", "n_events",
            "n_users", "n_poor", "share_poor", "p_corr", "gap", "priority_score"]
    res = res[cols]
    res.attrs.update(imp.attrs)
    res.attrs["excluded"] = sorted(df.loc[~ok, "touchpoint"].tolist())
    res.attrs["scale"] = touchpoint_scale(data.config)
    return res


def ipa_finding(ipa: pd.DataFrame) -> dict:
    """Headline finding for the touchpoint IPA: the touchpoint to fix first, with its evidence."""
    top = ipa.iloc[0]
    outcome = ipa.attrs.get("outcome", "the outcome")
    lo_s, hi_s = ipa.attrs.get("scale", (1, 5))
    text = (f"Fix first: {top['touchpoint']} ({top['quadrant']}). It performs at {_fmt(top['performance'])} "
            f"{_ci(top['performance_ci_low'], top['performance_ci_high'])} on the {lo_s:g}–{hi_s:g} scale, "
            f"and customers with a poor experience there (rated at or below the midpoint: {_pct(top['share_poor'])} of "
            f"its {int(top['n_users'])} users) rate {outcome} {_fmt(top['importance'])} "
            f"{_ci(top['importance_ci_low'], top['importance_ci_high'])} points lower than those with a good one.")
    others = ipa[(ipa["quadrant"] == "Concentrate here") & (ipa["priority"] > 1)]
    if len(others):
        text += " Also in 'Concentrate here': " + ", ".join(
            f"{r['touchpoint']} (importance {_fmt(r['importance'])}, performance {_fmt(r['performance'])})"
            for _, r in others.iterrows()) + "."
    if ipa.attrs.get("excluded"):
        text += (" Not rated for importance (fewer than "
                 f"{MIN_GROUP} poor or good experiences): {', '.join(ipa.attrs['excluded'])}.")
    ci = (float(top["importance_ci_low"]), float(top["importance_ci_high"]))
    return {"text": text, "headline": True, "key": "fix_first", "value": float(top["importance"]), "ci": ci}


# ---------------------------------------------------------------------------------------------
# 3. journeys
# ---------------------------------------------------------------------------------------------


def _group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Group number of each row in ``frame.groupby(keys, sort=False)`` (groups in order of first
    appearance); -1 for rows with a missing key (dropped by ``groupby``)."""
    codes = None
    for key in keys:
        c, uniques = pd.factorize(frame[key])
        c = c.astype(np.int64)
        codes = c if codes is None else np.where((codes < 0) | (c < 0), -1, codes * len(uniques) + c)
    if len(keys) > 1:
        valid = codes >= 0
        codes[valid] = pd.factorize(codes[valid])[0]
    return codes


def _steps(tp: pd.DataFrame, level: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """The steps of :func:`_sequences` as arrays (``None`` when no respondent key has a step).

    Returns the key columns of each group (order of first appearance, one row per group), the
    group number of each step and the step's ``level`` value (object array), steps ordered by
    group, then by event order.
    """
    keys = _key_cols(tp)
    tp = tp.loc[tp[level].notna(), [*keys, level]]
    gid = _group_ids(tp, keys)
    order = np.argsort(gid, kind="stable")
    order = order[gid[order] >= 0]
    if len(order) == 0:
        return None
    codes, uniques = pd.factorize(tp[level])
    g, v = gid[order], codes[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    step = new_group | np.r_[True, v[1:] != v[:-1]]
    groups = tp[keys].iloc[order[new_group]].reset_index(drop=True)
    values = np.asarray(uniques, dtype=object)[v[step]]
    return groups, g[step], values


def _sequences(tp: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per respondent key: the ordered sequence of ``level`` values, consecutive repeats collapsed."""
    got = _steps(tp, level)
    if got is None:  # no group: the (empty) frame groupby returns
        keys = _key_cols(tp)
        tp = tp[tp[level].notna()]
        prev = tp.groupby(keys, sort=False)[level].shift()
        first = prev.isna() | (prev != tp[level])
        steps = tp[first.to_numpy()]
        return steps.groupby(keys, sort=False)[level].agg(tuple).rename("sequence").reset_index()
    return _sequences_of(got)


def _sequences_of(steps: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> pd.DataFrame:
    """The :func:`_sequences` frame from the arrays of :func:`_steps`."""
    groups, gid, values = steps
    ends = np.cumsum(np.bincount(gid, minlength=len(groups)))
    starts = np.r_[0, ends[:-1]]
    vals = values.tolist()
    sequence = np.empty(len(groups), dtype=object)
    sequence[:] = [tuple(vals[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
    return groups.assign(sequence=sequence)


def _data_steps(data, tp: pd.DataFrame, level: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """:func:`_steps` of the data's events ``tp``, memoised per data object (read-only arrays)."""
    def compute():
        got = _steps(tp, level)
        if got is not None:
            for arr in got[1:]:
                arr.setflags(write=False)
        return got

    return _memo(data, f"steps:{level}", compute)


def _data_sequences(data, tp: pd.DataFrame, level: str) -> pd.DataFrame:
    """:func:`_sequences` of the data's events ``tp``, memoised per data object (a shallow copy)."""
    def compute() -> pd.DataFrame:
        got = _data_steps(data, tp, level)
        return _sequences(tp, level) if got is None else _sequences_of(got)

    return _shared(_memo(data, f"sequences:{level}", compute))


def _paths(sequences: pd.Series) -> pd.Series:
    """Sequences joined by " → " (each distinct sequence joined once)."""
    if len(sequences) == 0:
        return sequences.map(lambda s: " → ".join(map(str, s)))
    codes, uniques = pd.factorize(sequences.to_numpy())
    joined = pd.Series(uniques, dtype=object).map(lambda s: " → ".join(map(str, s)))
    return pd.Series(joined.array.take(codes), index=sequences.index)


def journey_paths(data, level: str = "stage", top: int = 10) -> pd.DataFrame | None:
    """The most common journeys: each respondent's ordered path of stages (or touchpoints).

    Events are ordered by time (by file order without a time column); consecutive events in the
    same stage count as one step.

    Returns
    -------
    DataFrame or None
        ``top`` most frequent paths: ``path`` (steps joined by " → "), ``steps``, ``respondents``,
        ``share`` (of all respondents with events) with Wilson ``ci_low``/``ci_high``, and
        ``outcome_mean`` (mean main outcome of those respondents, NaN if not linkable).
        ``attrs``: ``n_respondents``, ``n_paths`` (distinct paths), ``level``.
    """
    tp = touchpoint_events(data)
    if tp is None or not _has(tp, level):
        return None
    seq = _data_sequences(data, tp, level)
    n = len(seq)
    seq["path"] = _paths(seq["sequence"])
    outcome = main_outcome(data.config)
    keys = _key_cols(tp)
    if outcome is not None and outcome in data.ratings.columns:
        seq = _merge_unique(seq, _respondents(data, tp)[[*keys, outcome]], keys, how="left")
    else:
        seq[outcome or "__none"] = np.nan
        outcome = outcome or "__none"
    g = seq.groupby("path", sort=False)
    out = pd.DataFrame({"respondents": g.size(), "outcome_mean": g[outcome].mean(),
                        "steps": g["sequence"].first().map(len)}).reset_index()
    out = out.sort_values(["respondents", "path"], ascending=[False, True], kind="stable").head(top)
    out["share"] = out["respondents"] / n
    lo, hi = _wilson(out["respondents"].to_numpy(float), np.full(len(out), float(n)))
    out["ci_low"], out["ci_high"] = lo, hi
    out = out[["path", "steps", "respondents", "share", "ci_low", "ci_high", "outcome_mean"]].reset_index(drop=True)
    out.attrs.update(n_respondents=n, n_paths=int(seq["path"].nunique()), level=level, outcome=outcome)
    return out


def stage_transitions(data) -> pd.DataFrame | None:
    """Stage-to-stage moves: how often a step in one stage is followed by a step in another.

    Returns
    -------
    DataFrame or None
        ``from_stage, to_stage, count, share`` (share of moves out of ``from_stage``) for every pair
        of declared stages (zeros included), stages as ordered Categoricals in journey order.
        Repeated events within a stage are one step (no self-moves).  The last step of a journey
        counts as a move to ``"(end)"`` (an extra ``to_stage`` level), so shares show where
        journeys stop.
    """
    tp = touchpoint_events(data)
    if tp is None or not _has(tp, "stage"):
        return None
    got = _data_steps(data, tp, "stage")
    stages = [s for s in data.config.journey]
    to_levels = [*stages, "(end)"]
    if got is None:
        n_seq = len(_sequences(tp, "stage"))
        counts = pd.Series(0, index=pd.MultiIndex.from_arrays([[], []], names=["from_stage", "to_stage"]))
    else:
        # every step moves to the next step of its journey, the last one to "(end)"
        groups, gid, values = got
        n_seq = len(groups)
        last = np.r_[gid[1:] != gid[:-1], True]
        codes, uniques = pd.factorize(values)
        to_codes = np.where(last, len(uniques), np.r_[codes[1:], 0])
        pair = np.bincount(codes * (len(uniques) + 1) + to_codes, minlength=len(uniques) * (len(uniques) + 1))
        seen = np.flatnonzero(pair)
        labels = np.asarray([*uniques, "(end)"], dtype=object)
        counts = pd.Series(pair[seen], index=pd.MultiIndex.from_arrays(
            [labels[seen // (len(uniques) + 1)], labels[seen % (len(uniques) + 1)]], names=["from_stage", "to_stage"]))
        if not counts.index.is_unique:  # a stage named "(end)"
            counts = counts.groupby(level=[0, 1]).sum()
    grid = pd.MultiIndex.from_product([stages, to_levels], names=["from_stage", "to_stage"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out = out[out["from_stage"] != out["to_stage"]]
    tot = out.groupby("from_stage")["count"].transform("sum")
    out["share"] = np.where(tot > 0, out["count"] / tot.where(tot > 0, 1), np.nan)
    out["from_stage"] = pd.Categorical(out["from_stage"], categories=stages, ordered=True)
    out["to_stage"] = pd.Categorical(out["to_stage"], categories=to_levels, ordered=True)
    out = out.reset_index(drop=True)
    out.attrs["n_respondents"] = n_seq
    return out


def transition_matrix(transitions: pd.DataFrame, value: str = "share") -> pd.DataFrame:
    """``from_stage`` x ``to_stage`` matrix of :func:`stage_transitions` (journey order)."""
    return transitions.pivot_table(index="from_stage", columns="to_stage", values=value, observed=False,
                                   aggfunc="sum", dropna=False)


def loyalty_groups(data) -> pd.DataFrame | None:
    """Classify own-brand respondents as ``lost``, ``middle`` or ``loyal``.

    Definition (documented in ``attrs["definition"]``): with an NPS question declared, NPS
    detractors (0-6) are *lost* and promoters (9-10) *loyal*; otherwise the bottom third of the
    loyalty construct (an outcome whose name contains "loyal", else the main outcome) is *lost* and
    the top third *loyal*.

    Returns
    -------
    DataFrame or None
        ``respondent, wave, group`` (one row per own-brand survey row with an answer).
    """
    own = data.own
    cfg = data.config
    if cfg.nps and cfg.nps in own.columns and own[cfg.nps].notna().any():
        x = own[cfg.nps]
        group = np.select([x <= 6, x >= 9], ["lost", "loyal"], "middle")
        definition = (f"lost = NPS detractors (0–6 on {cfg.nps}), loyal = promoters (9–10); "
                      "passives (7–8) are left out of comparisons")
    else:
        loyal = [o for o in cfg.outcomes if "loyal" in o.lower()]
        col = loyal[0] if loyal else main_outcome(cfg)
        if col is None or col not in own.columns or own[col].notna().sum() < 3:
            return None
        x = own[col]
        q1, q2 = x.quantile([1 / 3, 2 / 3])
        group = np.select([x <= q1, x >= q2], ["lost", "loyal"], "middle")
        definition = (f"lost = bottom third of {col} (≤ {q1:.2f}), loyal = top third (≥ {q2:.2f}); "
                      "the middle third is left out of comparisons")
    out = pd.DataFrame({"respondent": own["respondent"].to_numpy(), "wave": own["wave"].to_numpy(),
                        "group": group})
    out = out[x.notna().to_numpy()].reset_index(drop=True)
    out.attrs["definition"] = definition
    return out


def _with_groups(data, tp: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    keys = _key_cols(tp)

    def compute() -> tuple[pd.DataFrame, str] | None:
        groups = loyalty_groups(data)
        if groups is None:
            return None
        if "wave" not in keys:
            order = {w: i for i, w in enumerate(data.waves)}
            groups = groups.assign(__w=_map_order(groups["wave"], order)).sort_values("__w", kind="stable")
            groups = groups.drop_duplicates("respondent", keep="last").drop(columns="__w")
        return groups[[*keys, "group"]], groups.attrs.get("definition", "")

    got = _memo(data, f"with_groups{keys}", compute)
    return None if got is None else (_shared(got[0]), got[1])


def journey_by_loyalty(data, alpha: float = 0.05) -> pd.DataFrame | None:
    """How lost customers' journeys differ from loyal customers', stage by stage.

    Per stage: the share of each group that reached it (had any event there) and the group's mean
    touchpoint rating in it.

    Returns
    -------
    DataFrame or None
        One row per stage: ``stage, n_lost, n_loyal, reach_lost, reach_loyal, reach_diff,
        reach_ci_low, reach_ci_high, reach_p_corr, sat_lost, sat_loyal, sat_diff, sat_ci_low,
        sat_ci_high, sat_p_corr`` with differences lost minus loyal (Newcombe CI and Fisher exact
        test for shares; Welch CI and test on respondent means for ratings), Holm across all
        tests of the table.  ``attrs["definition"]`` describes the groups.
    """
    tp = touchpoint_events(data)
    if tp is None or not _has(tp, "stage"):
        return None
    got = _with_groups(data, tp)
    if got is None:
        return None
    groups, definition = got
    keys = _key_cols(tp)
    groups = groups[groups["group"].isin(["lost", "loyal"])]
    n = groups["group"].value_counts()
    if n.get("lost", 0) < 2 or n.get("loyal", 0) < 2:
        return None
    per = _merge_unique(tp.groupby([*keys, "stage"], as_index=False)["satisfaction"].mean(), groups, keys)
    rows = []
    for stage in [s for s in data.config.journey]:
        sub = per[per["stage"] == stage]
        x_l = int((sub["group"] == "lost").sum())
        x_y = int((sub["group"] == "loyal").sum())
        d, lo, hi, p = _diff_proportions(x_l, int(n["lost"]), x_y, int(n["loyal"]))
        row = {"stage": stage, "n_lost": int(n["lost"]), "n_loyal": int(n["loyal"]),
               "reach_lost": x_l / n["lost"], "reach_loyal": x_y / n["loyal"], "reach_diff": d,
               "reach_ci_low": lo, "reach_ci_high": hi, "reach_p_unc": p, "sat_lost": np.nan, "sat_loyal": np.nan,
               "sat_diff": np.nan, "sat_ci_low": np.nan, "sat_ci_high": np.nan, "sat_p_unc": np.nan}
        if x_l >= 2 and x_y >= 2:
            r = compare_quietly(sub, "satisfaction", "group", "lost", correction="none").iloc[0]
            row.update(sat_lost=r["mean_ref"], sat_loyal=r["mean_other"], sat_diff=r["diff"],
                       sat_ci_low=r["ci_low"], sat_ci_high=r["ci_high"], sat_p_unc=r["p_unc"])
        rows.append(row)
    out = pd.DataFrame(rows)
    long = pd.concat([out[["reach_p_unc"]].rename(columns={"reach_p_unc": "p_unc"}),
                      out[["sat_p_unc"]].rename(columns={"sat_p_unc": "p_unc"})], ignore_index=True)
    adj = stats.adjust_pvalues(long, "p_unc", "holm", alpha=alpha)["p_corr"].to_numpy()
    out["reach_p_corr"] = adj[: len(out)]
    out["sat_p_corr"] = adj[len(out):]
    cols = ["stage", "n_lost", "n_loyal", "reach_lost", "reach_loyal", "reach_diff", "reach_ci_low",
            "reach_ci_high", "reach_p_corr", "sat_lost", "sat_loyal", "sat_diff", "sat_ci_low", "sat_ci_high",
            "sat_p_corr"]
    out = out[cols]
    out.attrs["definition"] = definition
    return out


def default_final_stages(journey: Sequence[str]) -> list[str]:
    """The last third of the declared journey (at least one stage): reaching it = a complete journey."""
    k = max(1, len(journey) // 3)
    return list(journey[-k:])


def exit_touchpoints(data, final_stages: Sequence[str] | None = None, alpha: float = 0.05) -> pd.DataFrame | None:
    """The touchpoints after which customers leave: last touchpoints of journeys that end early.

    A journey **ends early** when the respondent's last event is in a stage before the final stages
    (default: the last third of the declared journey, :func:`default_final_stages`).

    Returns
    -------
    DataFrame or None
        One row per touchpoint that ended at least one early journey, most exits first:
        ``touchpoint, stage, exits, share_of_exits, ci_low, ci_high`` (share of all early-ending
        journeys that ended here, Wilson CI), ``users`` (respondents with an event there),
        ``exit_rate`` (exits / users), and, when loyalty groups exist (:func:`loyalty_groups`),
        ``exit_rate_lost``, ``exit_rate_loyal``, ``exit_diff`` (lost minus loyal, Newcombe CI
        ``exit_diff_ci_low/high``) and ``p_corr`` (Fisher exact, Holm).  ``attrs``: ``n_early``,
        ``n_respondents``, ``share_early``, ``final_stages``, ``definition``.
    """
    tp = touchpoint_events(data)
    if tp is None or not _has(tp, "stage"):
        return None
    journey = list(data.config.journey)
    final = list(final_stages) if final_stages is not None else default_final_stages(journey)
    first_final = min(journey.index(s) for s in final)
    keys = _key_cols(tp)
    tp = tp.loc[tp["stage_index"].notna(), [*keys, "touchpoint", "stage", "stage_index"]]
    # the last event of each respondent key (as groupby(keys).tail(1): rows in event order)
    gid = _group_ids(tp, keys)
    last = tp[(gid >= 0) & ~pd.Series(gid).duplicated(keep="last").to_numpy()]
    last = last.assign(early=last["stage_index"] < first_final)
    n_resp, n_early = len(last), int(last["early"].sum())
    if n_early == 0:
        return None
    users = tp.drop_duplicates([*keys, "touchpoint"])[[*keys, "touchpoint"]]
    n_users = users.groupby("touchpoint", sort=False).size()
    got = _with_groups(data, tp)
    exits = last[last["early"]]
    if got is not None:
        groups = got[0]
        users_by_group = _merge_unique(users, groups, keys).groupby(["touchpoint", "group"], sort=False).size()
        exits_by_group = _merge_unique(exits, groups, keys).groupby(["touchpoint", "group"], sort=False).size()
    rows = []
    for name, sub in exits.groupby("touchpoint", sort=False):
        row = {"touchpoint": name, "stage": sub["stage"].iloc[0], "exits": len(sub), "users": int(n_users[name])}
        if got is not None:
            nl, ny = (int(users_by_group.get((name, g), 0)) for g in ("lost", "loyal"))
            xl, xy = (int(exits_by_group.get((name, g), 0)) for g in ("lost", "loyal"))
            d, lo, hi, p = _diff_proportions(xl, nl, xy, ny)
            row.update(exit_rate_lost=xl / nl if nl else np.nan, exit_rate_loyal=xy / ny if ny else np.nan,
                       exit_diff=d, exit_diff_ci_low=lo, exit_diff_ci_high=hi, p_unc=p)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["share_of_exits"] = out["exits"] / n_early
    lo, hi = _wilson(out["exits"].to_numpy(float), np.full(len(out), float(n_early)))
    out["ci_low"], out["ci_high"] = lo, hi
    out["exit_rate"] = out["exits"] / out["users"]
    cols = ["touchpoint", "stage", "exits", "share_of_exits", "ci_low", "ci_high", "users", "exit_rate"]
    if got is not None:
        out = stats.adjust_pvalues(out, "p_unc", "holm", alpha=alpha)
        cols += ["exit_rate_lost", "exit_rate_loyal", "exit_diff", "exit_diff_ci_low", "exit_diff_ci_high", "p_corr"]
    out = out.sort_values(["exits", "touchpoint"], ascending=[False, True], kind="stable")[cols].reset_index(drop=True)
    out.attrs.update(n_early=n_early, n_respondents=n_resp, share_early=n_early / n_resp, final_stages=final,
                     definition=got[1] if got is not None else "")
    return out


def stage_durations(data) -> pd.DataFrame | None:
    """Time from entering one stage to entering the next stage the respondent reached.

    Per respondent, the first event time in each stage; stages taken in journey order; the time from
    each reached stage to the next reached one.

    Returns
    -------
    DataFrame or None
        One row per (from, to) pair observed at least twice: ``from_stage, to_stage, n,
        median_hours, q1_hours, q3_hours, median_days, q1_days, q3_days, share_negative`` (share of
        respondents whose next stage started before this one -- out-of-order journeys).  ``None``
        without a time column.
    """
    tp = touchpoint_events(data)
    if tp is None or not (_has(tp, "time") and _has(tp, "stage")):
        return None
    keys = _key_cols(tp)
    first = (tp[tp["time"].notna() & tp["stage_index"].notna()]
             .groupby([*keys, "stage", "stage_index"], as_index=False)["time"].min()
             .sort_values([*keys, "stage_index"], kind="stable"))
    nxt = first.groupby(keys, sort=False)
    first = first.assign(to_stage=nxt["stage"].shift(-1), to_time=nxt["time"].shift(-1))
    pairs = first[first["to_stage"].notna()].copy()
    if pairs.empty:
        return None
    pairs["hours"] = (pairs["to_time"] - pairs["time"]).dt.total_seconds() / 3600
    order = {s: i for i, s in enumerate(data.config.journey)}
    g = pairs.groupby(["stage", "to_stage"], sort=False)["hours"]
    out = pd.DataFrame({"n": g.size(), "median_hours": g.median(), "q1_hours": g.quantile(0.25),
                        "q3_hours": g.quantile(0.75), "share_negative": g.apply(lambda s: float((s < 0).mean()))})
    out = out.reset_index().rename(columns={"stage": "from_stage"})
    out = out[out["n"] >= 2]
    for c in ("median", "q1", "q3"):
        out[f"{c}_days"] = out[f"{c}_hours"] / 24
    out = out.assign(__a=out["from_stage"].map(order), __b=out["to_stage"].map(order))
    out = out.sort_values(["__a", "__b"], kind="stable").drop(columns=["__a", "__b"])
    cols = ["from_stage", "to_stage", "n", "median_hours", "q1_hours", "q3_hours", "median_days", "q1_days",
            "q3_days", "share_negative"]
    return out[cols].reset_index(drop=True)


def journey_finding(paths: pd.DataFrame, exits: pd.DataFrame | None = None,
                    by_loyalty: pd.DataFrame | None = None, durations: pd.DataFrame | None = None) -> dict:
    """Plain-words finding for "Journeys": most common path, early exits, lost vs loyal, timing."""
    top = paths.iloc[0]
    parts = [f"The most common journey ({_pct(top['share'])} {_pct_ci(top['ci_low'], top['ci_high'])} "
             f"of {paths.attrs.get('n_respondents', '?')} customers) is {top['path']}; "
             f"there are {paths.attrs.get('n_paths', '?')} distinct paths."]
    key, value, ci = "top_path_share", float(top["share"]), (float(top["ci_low"]), float(top["ci_high"]))
    if exits is not None and len(exits):
        e = exits.iloc[0]
        parts.append(f"{_pct(exits.attrs['share_early'])} of journeys end before the final stages "
                     f"({', '.join(exits.attrs['final_stages'])}); the most common last touchpoint of those is "
                     f"{e['touchpoint']} ({_pct(e['share_of_exits'])} {_pct_ci(e['ci_low'], e['ci_high'])} "
                     "of early exits).")
        if "exit_diff" in exits.columns:
            sig = exits[exits["p_corr"] < 0.05].sort_values("exit_diff", ascending=False)
            if len(sig):
                s = sig.iloc[0]
                parts.append(f"After {s['touchpoint']}, {_pct(s['exit_rate_lost'])} of lost customers' journeys end "
                             f"against {_pct(s['exit_rate_loyal'])} of loyal customers' (difference "
                             f"{_fmt(100 * s['exit_diff'], 0)} points "
                             f"{_ci(100 * s['exit_diff_ci_low'], 100 * s['exit_diff_ci_high'], 0)}, "
                             f"Holm {_pval(s['p_corr'])}).")
            else:
                parts.append("No touchpoint ends lost customers' journeys significantly more often than "
                             "loyal customers' (Holm).")
    if by_loyalty is not None and len(by_loyalty):
        sig = by_loyalty[by_loyalty["reach_p_corr"] < 0.05]
        if len(sig):
            s = sig.loc[sig["reach_diff"].abs().idxmax()]
            parts.append(f"Lost customers differ most in reaching the {s['stage']} stage: {_pct(s['reach_lost'])} "
                         f"against {_pct(s['reach_loyal'])} of loyal customers (difference "
                         f"{_fmt(100 * s['reach_diff'], 0)} points "
                         f"{_ci(100 * s['reach_ci_low'], 100 * s['reach_ci_high'], 0)}, "
                         f"Holm {_pval(s['reach_p_corr'])}; {by_loyalty.attrs.get('definition', '')}).")
        else:
            parts.append("Lost and loyal customers reach the stages equally often (no significant difference, Holm).")
    if durations is not None and len(durations):
        d = durations.loc[durations["n"].idxmax()]
        parts.append(f"The most travelled step, {d['from_stage']} → {d['to_stage']}, takes a median of "
                     f"{_fmt(d['median_days'], 1)} days (IQR {_fmt(d['q1_days'], 1)}–{_fmt(d['q3_days'], 1)}, "
                     f"n = {int(d['n'])}).")
    return {"text": " ".join(parts), "key": key, "value": value, "ci": ci}


# ---------------------------------------------------------------------------------------------
# 4. the human touch
# ---------------------------------------------------------------------------------------------


def _paired_test(h: np.ndarray, t: np.ndarray, confidence: float = 0.95) -> dict:
    n = len(h)
    res = {"n": n, "mean_human": float(np.mean(h)) if n else np.nan,
           "mean_technology": float(np.mean(t)) if n else np.nan}
    res["diff"] = res["mean_human"] - res["mean_technology"]
    nan = dict(ci_low=np.nan, ci_high=np.nan, T=np.nan, df=np.nan, hedges=np.nan, hedges_ci_low=np.nan,
               hedges_ci_high=np.nan, p_unc=np.nan)
    if n < 3 or np.var(h - t) == 0:
        return {**res, **nan}
    r = pg.ttest(h, t, paired=True, confidence=confidence)
    ci = r[[c for c in r.columns if c.startswith("CI")][0]].iloc[0]
    g = float(pg.compute_effsize(h, t, paired=True, eftype="hedges"))
    gl, gh = pg.compute_esci(g, n, n, paired=True, eftype="cohen", confidence=confidence, decimals=12)
    return {**res, "ci_low": float(ci[0]), "ci_high": float(ci[1]), "T": float(r["T"].iloc[0]),
            "df": float(r["dof"].iloc[0]), "hedges": g, "hedges_ci_low": float(gl), "hedges_ci_high": float(gh),
            "p_unc": float(r["p_val"].iloc[0])}


def _human_tech_test(wide: pd.DataFrame, paired: bool) -> dict:
    h, t = wide["human_human"], wide["human_technology"]
    if paired:
        both = h.notna() & t.notna()
        r = _paired_test(h[both].to_numpy(float), t[both].to_numpy(float))
        return {"test": "paired t", "n_human": int(both.sum()), "n_technology": int(both.sum()), **r}
    long = pd.concat([pd.DataFrame({"v": h.dropna(), "g": "human_human"}),
                      pd.DataFrame({"v": t.dropna(), "g": "human_technology"})], ignore_index=True)
    if long["g"].nunique() < 2:
        return {"test": "Welch t", "n_human": int(h.notna().sum()), "n_technology": int(t.notna().sum()),
                "n": 0, "mean_human": h.mean(), "mean_technology": t.mean(), "diff": h.mean() - t.mean(),
                "ci_low": np.nan, "ci_high": np.nan, "T": np.nan, "df": np.nan, "hedges": np.nan,
                "hedges_ci_low": np.nan, "hedges_ci_high": np.nan, "p_unc": np.nan}
    r = compare_quietly(long, "v", "g", "human_human", correction="none").iloc[0]
    return {"test": "Welch t", "n_human": int(r["n_ref"]), "n_technology": int(r["n_other"]),
            "n": int(r["n_ref"] + r["n_other"]), "mean_human": r["mean_ref"], "mean_technology": r["mean_other"],
            "diff": r["diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "T": r["T"], "df": r["df"],
            "hedges": r["hedges"], "hedges_ci_low": r["hedges_ci_low"], "hedges_ci_high": r["hedges_ci_high"],
            "p_unc": r["p_unc"]}


def human_vs_technology(data, segments: Sequence[str] | None = None, alpha: float = 0.05,
                        min_paired_share: float = 0.5) -> pd.DataFrame | None:
    """Do human-human interactions score differently from human-technology ones?

    Units are respondents: each respondent's mean rating of their human-human and of their
    human-technology events.  When at least ``min_paired_share`` of the respondents with either kind
    have both (and at least 10 do), the comparison is **within respondent** (paired t-test on those
    with both, which removes each respondent's general leniency); otherwise respondents are compared
    between groups (Welch t-test).  The same test is run in every level of every segment.

    Parameters
    ----------
    data : ClientData
    segments : list of str, optional
        Segment columns (default: all declared segments present in the survey).
    alpha : float, default 0.05
    min_paired_share : float, default 0.5

    Returns
    -------
    DataFrame or None
        First row overall (``segment = "all"``), then one row per segment level: ``group`` (label
        for charts), ``segment, level, test, n, n_human, n_technology, mean_human, mean_technology,
        diff, ci_low, ci_high, T, df,
        hedges, hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant``.  ``diff = mean_human -
        mean_technology`` (positive: the human touch scores higher) with its CI; Hedges g (paired:
        pingouin's g for paired samples with the Hedges & Olkin CI).  ``p_corr``: the overall row is a
        single test (``p_corr = p_unc``); segment rows are Holm-corrected across all segment levels.
    """
    tp = touchpoint_events(data)
    if tp is None or not _has(tp, "interface"):
        return None
    keys = _key_cols(tp)
    sub = tp.loc[tp["interface"].isin(["human_human", "human_technology"]), [*keys, "interface", "satisfaction"]]
    if sub["interface"].nunique() < 2:
        return None
    wide = sub.pivot_table(index=keys, columns="interface", values="satisfaction", aggfunc="mean").reset_index()
    both = wide["human_human"].notna() & wide["human_technology"].notna()
    paired = bool(both.sum() >= 10 and both.mean() >= min_paired_share)
    resp = _respondents(data, tp)
    seg_cols = [s for s in (segments if segments is not None else data.config.segments) if s in resp.columns]
    wide = _merge_unique(wide, resp[[*keys, *seg_cols]], keys, how="left")
    rows = [{"segment": "all", "level": "all", **_human_tech_test(wide, paired)}]
    ratings = wide[["human_human", "human_technology"]]  # all _human_tech_test uses
    seg_rows = []
    for col in seg_cols:
        for level in level_order(wide[col].dropna().unique()):
            seg_rows.append({"segment": col, "level": level,
                             **_human_tech_test(ratings[(wide[col] == level).to_numpy()], paired)})
    overall = pd.DataFrame(rows)
    overall["p_corr"] = overall["p_unc"]
    overall["significant"] = overall["p_corr"] < alpha
    frames = [overall]
    if seg_rows:
        frames.append(stats.adjust_pvalues(pd.DataFrame(seg_rows), "p_unc", "holm", alpha=alpha))
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = out["significant"].fillna(False).astype(bool)
    labels = {c: (lab if len(lab := str(data.config.segments.get(c) or c)) <= 28 else c) for c in seg_cols}
    out["group"] = [("all customers" if s == "all" else f"{labels.get(s, s)}: {lv}")
                    for s, lv in zip(out["segment"], out["level"])]
    cols = ["group", "segment", "level", "test", "n", "n_human", "n_technology", "mean_human", "mean_technology",
            "diff",
            "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low", "hedges_ci_high", "p_unc", "p_corr",
            "significant"]
    out = out[cols]
    out.attrs["paired"] = paired
    out.attrs["scale"] = touchpoint_scale(data.config)
    return out


def human_finding(result: pd.DataFrame) -> dict:
    """Plain-words finding for "The human touch" (overall difference and segment extremes)."""
    o = result.iloc[0]
    lo_s, hi_s = result.attrs.get("scale", (1, 5))
    direction = "higher" if o["diff"] > 0 else "lower"
    verdict = "a real difference" if o["significant"] else "not distinguishable from chance"
    text = (f"Human–human interactions score {_fmt(abs(o['diff']))} points {direction} than human–technology ones "
            f"({_fmt(o['mean_human'])} vs {_fmt(o['mean_technology'])} on the {lo_s:g}–{hi_s:g} scale; difference "
            f"{_fmt(o['diff'])} {_ci(o['ci_low'], o['ci_high'])}, Hedges g {_fmt(o['hedges'])} "
            f"{_ci(o['hedges_ci_low'], o['hedges_ci_high'])}, {o['test']}, n = {int(o['n'])}, {_pval(o['p_unc'])}): "
            f"{verdict}.")
    seg = result.iloc[1:].dropna(subset=["diff"])
    if len(seg):
        hi = seg.loc[seg["diff"].idxmax()]
        lo = seg.loc[seg["diff"].idxmin()]
        text += (f" The gap is largest for {hi['group']} ({_fmt(hi['diff'])} "
                 f"{_ci(hi['ci_low'], hi['ci_high'])}) and smallest for {lo['group']} "
                 f"({_fmt(lo['diff'])} {_ci(lo['ci_low'], lo['ci_high'])}); "
                 f"{int(seg['significant'].sum())} of {len(seg)} segment levels show a significant gap (Holm).")
    return {"text": text, "headline": True, "key": "human_minus_technology", "value": float(o["diff"]),
            "ci": (float(o["ci_low"]), float(o["ci_high"])) if np.isfinite(o["ci_low"]) else None}


# ---------------------------------------------------------------------------------------------
# 5. voice of the customer at the interface
# ---------------------------------------------------------------------------------------------


def _tp_feedback(data) -> pd.DataFrame | None:
    fb = own_feedback(data)
    if fb is None or "touchpoint" not in fb.columns:
        return None
    fb = fb[fb["touchpoint"].notna() & fb["compound"].notna()]
    return fb.reset_index(drop=True) if len(fb) else None


def touchpoint_sentiment(data) -> pd.DataFrame | None:
    """Sentiment of the verbatims about each touchpoint (own brand).

    Returns
    -------
    DataFrame or None
        One row per touchpoint, most negative first: ``touchpoint, n, compound, ci_low, ci_high,
        share_negative, negative_ci_low, negative_ci_high, share_positive``.  ``compound`` is the mean
        VADER compound score (-1..1) with its t interval; negative = compound <= -0.05, positive =
        >= 0.05 (Hutto & Gilbert 2014); Wilson interval for the negative share.
    """
    fb = _tp_feedback(data)
    if fb is None:
        return None
    m = stats.mean_ci(fb, "compound", by="touchpoint").rename(columns={"mean": "compound"})
    g = fb.groupby("touchpoint", sort=False)["compound"]
    neg = g.apply(lambda s: int((s <= NEGATIVE).sum()))
    pos = g.apply(lambda s: float((s >= -NEGATIVE).mean()))
    m["n_negative"] = m["touchpoint"].map(neg)
    m["share_negative"] = m["n_negative"] / m["n"]
    lo, hi = _wilson(m["n_negative"].to_numpy(float), m["n"].to_numpy(float))
    m["negative_ci_low"], m["negative_ci_high"] = lo, hi
    m["share_positive"] = m["touchpoint"].map(pos)
    cols = ["touchpoint", "n", "compound", "ci_low", "ci_high", "share_negative", "negative_ci_low",
            "negative_ci_high", "share_positive"]
    return m.sort_values(["compound", "touchpoint"], kind="stable")[cols].reset_index(drop=True)


def complaint_terms(data, top: int = 5, min_count: int = 3) -> pd.DataFrame | None:
    """The most characteristic terms of each touchpoint's negative verbatims.

    ``text.characteristic_terms`` (Dunning log-likelihood keyness of one touchpoint's negative
    comments against the other touchpoints' negative comments, uni- and bigrams, Benjamini-Hochberg)
    on verbatims with compound <= -0.05.

    Returns
    -------
    DataFrame or None
        ``touchpoint, rank, term, target_docs, target_share, log_ratio, g2, p_corr, significant``;
        ``None`` when fewer than two touchpoints have negative verbatims.
    """
    from cem_research import text

    fb = _tp_feedback(data)
    if fb is None:
        return None
    neg = fb[fb["compound"] <= NEGATIVE]
    if neg["touchpoint"].nunique() < 2:
        return None
    res = text.characteristic_terms(neg, "text", "touchpoint", ngram_range=(1, 2), min_count=min_count, top=top)
    if res.empty:
        return None
    res = res.rename(columns={"group": "touchpoint"})
    cols = ["touchpoint", "rank", "term", "target_docs", "target_share", "log_ratio", "g2", "p_corr", "significant"]
    return res[cols].reset_index(drop=True)


def representative_quotes(data, touchpoints: Sequence[str] | None = None, per_touchpoint: int = 1,
                          max_chars: int = 200) -> pd.DataFrame | None:
    """Representative negative verbatims per touchpoint, made safe for display.

    For each touchpoint the negative verbatims (compound <= -0.05) closest to the touchpoint's
    median negative compound are chosen (ties: file order) -- typical, not the most extreme.  The
    text goes through ``text.safe_text`` (PII masked, shortened, HTML-escaped).

    Parameters
    ----------
    touchpoints : list of str, optional
        Touchpoints to quote (default: all with negative verbatims, most negative first).

    Returns
    -------
    DataFrame or None
        ``touchpoint, compound, quote`` (``quote`` is HTML-escaped: show it with :func:`quotes_html`,
        not through a table that escapes again).
    """
    from cem_research import text

    fb = _tp_feedback(data)
    if fb is None:
        return None
    neg = fb[fb["compound"] <= NEGATIVE]
    if neg.empty:
        return None
    if touchpoints is None:
        touchpoints = neg.groupby("touchpoint")["compound"].mean().sort_values().index.tolist()
    rows = []
    for name in touchpoints:
        sub = neg[neg["touchpoint"] == name]
        if sub.empty:
            continue
        med = sub["compound"].median()
        pick = sub.assign(__d=(sub["compound"] - med).abs()).sort_values(["__d", "row"], kind="stable")
        for _, r in pick.head(per_touchpoint).iterrows():
            rows.append({"touchpoint": name, "compound": float(r["compound"]),
                         "quote": text.safe_text(r["text"], max_chars=max_chars)})
    return pd.DataFrame(rows, columns=["touchpoint", "compound", "quote"]) if rows else None


def quotes_html(quotes: pd.DataFrame) -> str:
    """HTML list of quotes from :func:`representative_quotes` (quotes are already escaped)."""
    items = "".join(f"<li><strong>{html.escape(str(r['touchpoint']))}</strong> "
                    f"(compound {r['compound']:+.2f}): “{r['quote']}”</li>" for _, r in quotes.iterrows())
    return f"<ul class=\"cem-quotes\">{items}</ul>"


def voice_finding(sentiment: pd.DataFrame, terms: pd.DataFrame | None = None) -> dict:
    """Plain-words finding for the voice of the customer: most negative touchpoint and its complaints."""
    ok = sentiment[sentiment["n"] >= 5]
    ok = ok if len(ok) else sentiment
    w = ok.iloc[0]
    b = ok.iloc[-1]
    text = (f"Verbatims about {w['touchpoint']} are the most negative: mean compound {_fmt(w['compound'])} "
            f"{_ci(w['ci_low'], w['ci_high'])}, {_pct(w['share_negative'])} "
            f"{_pct_ci(w['negative_ci_low'], w['negative_ci_high'])} negative (n = {int(w['n'])}); "
            f"{b['touchpoint']} gets the warmest ({_fmt(b['compound'])} {_ci(b['ci_low'], b['ci_high'])}).")
    if terms is not None and len(terms):
        t = terms[terms["touchpoint"] == w["touchpoint"]]
        if len(t):
            text += (f" Complaints about {w['touchpoint']} are characterised by "
                     + ", ".join(f"“{x}”" for x in t["term"].head(3)) + ".")
    return {"text": text, "key": "most_negative_touchpoint", "value": float(w["compound"]),
            "ci": (float(w["ci_low"]), float(w["ci_high"])) if np.isfinite(w["ci_low"]) else None}


# ---------------------------------------------------------------------------------------------
# figures (house style from plots.py)
# ---------------------------------------------------------------------------------------------


def touchpoint_palette(frame: pd.DataFrame, data=None, label: str = "touchpoint") -> dict[str, str]:
    """Colour per touchpoint by its interface kind (``plots.INTERFACE_COLORS``).

    The kind comes from ``frame["interface"]``, else (given ``data``) from the touchpoint events;
    touchpoints of unknown kind are grey.
    """
    from cem_research.present import plots

    if "interface" in frame.columns:
        kinds = dict(zip(frame[label], frame["interface"]))
    else:
        tp = touchpoint_events(data) if data is not None else None
        kinds = tp.groupby("touchpoint")["interface"].first().to_dict() if _has(tp, "interface") else {}
    return {t: plots.INTERFACE_COLORS.get(kinds.get(t), "#52606d") for t in frame[label]}


def transition_figure(transitions: pd.DataFrame):
    """Heatmap of stage-to-stage transition shares (rows: from, columns: to; journey order).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from cem_research.present import plots

    mat = transition_matrix(transitions)
    counts = transitions.groupby("from_stage", observed=False)["count"].sum()
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(mat) + 1.8))
    sns.heatmap(mat, annot=True, fmt=".0%", cmap=plots.SEQUENTIAL, vmin=0, vmax=1, cbar_kws={"label": "share of moves"},
                linewidths=0.5, ax=ax)
    ax.set_yticklabels([plots.with_n(str(s), counts.get(s, 0)) for s in mat.index], rotation=0)
    ax.set_xlabel("next stage")
    ax.set_ylabel("from stage (n = moves)")
    ax.set_title(f"Where customers go next ({transitions.attrs.get('n_respondents', '?')} journeys)")
    return fig
