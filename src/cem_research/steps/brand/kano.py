"""Kano classification of features (step 3 – design the brand experience).

Kano's model (Kano, Seraku, Takahashi & Tsuji 1984) sorts product or service features by how their
presence and absence move satisfaction.  Each respondent answers a pair of questions per feature –
*functional* ("If the club has clean showers, how do you feel?") and *dysfunctional* ("If it does
not …") – on the standard five answers 1 *I like it*, 2 *I expect it*, 3 *I am neutral*, 4 *I can
live with it*, 5 *I dislike it*.  The pair is classified with the evaluation table of Berger et al.
(1993, *Center for Quality Management Journal* 2(4), 3–36):

=================  ====  ======  =======  =========  =======
functional \\ dysf.  like  expect  neutral  live with  dislike
=================  ====  ======  =======  =========  =======
like               Q     A       A        A          O
expect             R     I       I        I          M
neutral            R     I       I        I          M
live with          R     I       I        I          M
dislike            R     R       R        R          Q
=================  ====  ======  =======  =========  =======

A *Attractive* (delights when present, not missed when absent), O *One-dimensional* (the more the
better), M *Must-be* (taken for granted; its absence dissatisfies), I *Indifferent*, R *Reverse*
(the respondent prefers it absent), Q *Questionable* (contradictory answers).

Per feature (and per segment level) the module gives each category's share with a Wilson interval,
the **dominant category** (the most frequent; ties broken M > O > A > I as Berger et al. advise,
then R, Q) with the margin over the runner-up and its interval -- Bonferroni-adjusted over the rows
of the table, so a *clear* dominant category holds while every feature is looked at -- and the
satisfaction coefficients of Berger et al.:

* *Better* (satisfaction coefficient) ``CS+ = (A + O) / (A + O + M + I)``;
* *Worse* (dissatisfaction coefficient) ``CS− = −(O + M) / (A + O + M + I)``.

Both are shares of the A/O/M/I answers, so their 95% intervals are Wilson score intervals (with
survey weights: Kish's effective n).  Plotting Better against |Worse|, split at 0.5, gives the
coefficient quadrants (attractive top left … must-be bottom right, see :func:`quadrant_figure`).

client.yaml::

    kano:
      scale: [1, 5]        # the answer codes of 'I like it' and 'I dislike it' (default [1, 5])
      features:
        mobile_preorder: {functional: kano_pre_f, dysfunctional: kano_pre_d, label: "Mobile pre-order"}

The ``kano:`` key is parsed when ``client.yaml`` is loaded (``cfg.kano``,
:mod:`cem_research.client.options.kano`) and the answers are read and checked with the survey file
while the client is processed (``data.kano_answers``, :func:`cem_research.client.option_tables.read_kano`);
they are analysed for the own brand's survey rows that the contract kept (so wave restriction and
survey weights apply).  A client without ``kano:`` gets ``None`` from every function here, and no
section (:class:`Kano`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.client.options.kano import KanoSpec
from cem_research.present import narrative as nv
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

STEP = 3
SECTION = "Kano classification of features"
#: Segment levels with fewer answered pairs are left out of the per-segment table.
MIN_SEGMENT_ANSWERS = 20
#: category codes in report order, and their names
CATEGORIES = ("A", "O", "M", "I", "R", "Q")
CATEGORY_NAMES = {"A": "Attractive", "O": "One-dimensional", "M": "Must-be", "I": "Indifferent",
                  "R": "Reverse", "Q": "Questionable"}
#: tie-break order for the dominant category (Berger et al. 1993: M > O > A > I)
TIE_ORDER = ("M", "O", "A", "I", "R", "Q")
#: Berger et al.'s evaluation table: rows functional answer 1..5, columns dysfunctional answer 1..5
TABLE = (("Q", "A", "A", "A", "O"),
         ("R", "I", "I", "I", "M"),
         ("R", "I", "I", "I", "M"),
         ("R", "I", "I", "I", "M"),
         ("R", "R", "R", "R", "Q"))
ANSWERS = ("like", "expect", "neutral", "live with", "dislike")

__all__ = [
    "STEP", "SECTION", "CATEGORIES", "CATEGORY_NAMES", "TABLE", "KanoSpec", "classify",
    "kano_answers", "category_shares", "share_table", "kano_table", "segment_table", "quadrant_figure", "kano_finding",
    "section_intro", "Kano", "KanoResult", "MIN_SEGMENT_ANSWERS",
]


# ---------------------------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------------------------


def classify(functional, dysfunctional) -> np.ndarray:
    """Kano category of answer pairs (1 like … 5 dislike) by Berger et al.'s evaluation table.

    Parameters
    ----------
    functional, dysfunctional : array-like of int
        Answers coded 1–5; a missing answer (NaN) gives a missing category.

    Returns
    -------
    numpy.ndarray
        Object array of ``"A", "O", "M", "I", "R", "Q"`` (``None`` where an answer is missing).

    Examples
    --------
    >>> classify([1, 2, 1, 3], [5, 5, 3, 3]).tolist()
    ['O', 'M', 'A', 'I']
    """
    f = np.asarray(functional, dtype=float)
    d = np.asarray(dysfunctional, dtype=float)
    if f.shape != d.shape:
        raise ValueError(f"classify: expected answer arrays of equal shape, got {f.shape} and {d.shape}")
    ok = np.isfinite(f) & np.isfinite(d)
    if ((f[ok] < 1) | (f[ok] > 5) | (d[ok] < 1) | (d[ok] > 5) | (f[ok] % 1 != 0) | (d[ok] % 1 != 0)).any():
        raise ValueError("classify: expected whole-number answers 1 (like) to 5 (dislike)")
    table = np.array(TABLE, dtype=object)
    out = np.full(f.shape, None, dtype=object)
    out[ok] = table[f[ok].astype(int) - 1, d[ok].astype(int) - 1]
    return out


# ---------------------------------------------------------------------------------------------
# reading the answers
# ---------------------------------------------------------------------------------------------


def kano_answers(data: "ClientData") -> pd.DataFrame | None:
    """The own brand's Kano answers, one row per respondent and feature, with their category.

    Returns
    -------
    DataFrame or None
        ``row, respondent, wave, [segment columns], [weight], feature, label, functional,
        dysfunctional, category`` (answers recoded to 1 like … 5 dislike; pairs with a blank
        answer are dropped).  ``attrs["features"]`` = feature -> label, ``attrs["segments"]`` the
        segment columns, ``attrs["n_blank"]`` pairs left out per feature.  ``None`` when the client
        declares no ``kano:``.

    Notes
    -----
    The answers were read and checked with the survey file when the client was processed
    (``data.kano_answers``); no raw file is read here.
    """
    cfg = data.config
    spec = cfg.kano
    if spec is None or data.kano_answers is None:
        return None
    raw = data.kano_answers
    ratings = data.ratings
    own = ratings[(ratings["source"] == "survey") & (ratings["brand_kind"] == "own")]
    keep = ["row", "respondent", "wave", *[s for s in cfg.segments if s in own.columns]]
    if data.weight:
        keep.append(data.weight)
    own = own[keep]
    parts, blank = [], {}
    for name, (_fcol, _dcol, label) in spec.features.items():
        frame = raw.loc[raw["feature"] == name, ["row", "functional", "dysfunctional"]].reset_index(drop=True)
        frame = own.merge(frame, on="row", how="inner")
        answered = frame["functional"].notna() & frame["dysfunctional"].notna()
        blank[name] = int((~answered).sum())
        frame = frame[answered].copy()
        frame.insert(3, "feature", name)
        frame.insert(4, "label", label)
        frame["category"] = classify(frame["functional"], frame["dysfunctional"])
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["functional"] = out["functional"].astype(int)
    out["dysfunctional"] = out["dysfunctional"].astype(int)
    out.attrs.update(features={k: v[2] for k, v in spec.features.items()},
                     segments=[s for s in cfg.segments if s in out.columns],
                     segment_labels={s: cfg.segments[s] for s in cfg.segments if s in out.columns},
                     n_blank=blank, weight=data.weight)
    return out


# ---------------------------------------------------------------------------------------------
# shares and coefficients
# ---------------------------------------------------------------------------------------------


def _weights(frame: pd.DataFrame, weights: str | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(frame))
    w = frame[weights].to_numpy(dtype=float)
    return np.where(np.isfinite(w), w, 0.0)


def _n_eff(w: np.ndarray) -> float:
    w = w[w > 0]
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def _groups(answers: pd.DataFrame, by: str | None):
    keys = ["feature"] if by is None else ["feature", by]
    for key, sub in answers.groupby(keys, sort=False, dropna=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(keys, key)), sub


def category_shares(answers: pd.DataFrame | None, by: str | None = None, weights: str | None = "auto",
                    confidence: float = 0.95) -> pd.DataFrame | None:
    """Share of each Kano category per feature (and per level of ``by``), with Wilson intervals.

    Parameters
    ----------
    answers : DataFrame
        :func:`kano_answers` (columns ``feature``, ``label``, ``category``, and ``by``).
    by : str, optional
        A segment column.
    weights : str, "auto" or None
        Weight column; ``"auto"`` uses the weights :func:`kano_answers` carried (if any).

    Returns
    -------
    DataFrame or None
        One row per feature (× level) × category in the order A, O, M, I, R, Q: ``feature, label,
        [by], category, category_name, n, count, share, ci_low, ci_high``.  ``n`` answered pairs,
        ``count`` unweighted, ``share`` weighted when weights are used (Wilson interval on Kish's
        effective n).
    """
    if answers is None:
        return None
    weights = answers.attrs.get("weight") if weights == "auto" else weights
    rows = []
    for key, sub in _groups(answers, by):
        w = _weights(sub, weights)
        n_eff, total = _n_eff(w), w.sum()
        for c in CATEGORIES:
            hit = (sub["category"] == c).to_numpy()
            share = float(w[hit].sum() / total) if total > 0 else np.nan
            lo, hi = stats.proportion_ci(share * n_eff, n_eff, confidence) if total > 0 else (np.nan, np.nan)
            rows.append({**key, "label": sub["label"].iloc[0], "category": c, "category_name": CATEGORY_NAMES[c],
                         "n": len(sub), "count": int(hit.sum()), "share": share, "ci_low": lo, "ci_high": hi})
    cols = ["feature", "label", *([by] if by else []), "category", "category_name", "n", "count", "share",
            "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=cols)


def share_table(answers: pd.DataFrame | None, confidence: float = 0.95) -> pd.DataFrame | None:
    """Category shares per feature as one readable row each: ``label, n`` and, per category,
    ``"56% [52%, 61%]"`` (share with its Wilson interval; see :func:`category_shares`).

    Returns
    -------
    DataFrame or None
        Columns ``label, n, Attractive, One-dimensional, Must-be, Indifferent, Reverse,
        Questionable`` (text).
    """
    shares = category_shares(answers, confidence=confidence)
    if shares is None or shares.empty:
        return None
    shares = shares.assign(text=[f"{nv.pct(s)} [{nv.pct(lo)}, {nv.pct(hi)}]" for s, lo, hi in
                                 zip(shares["share"], shares["ci_low"], shares["ci_high"])])
    wide = shares.pivot_table(index=["feature", "label", "n"], columns="category_name", values="text",
                              aggfunc="first", sort=False)
    order = {f: i for i, f in enumerate(pd.unique(shares["feature"]))}
    wide = wide.reset_index().sort_values("feature", key=lambda c: c.map(order), kind="stable")
    return wide[["label", "n", *[CATEGORY_NAMES[c] for c in CATEGORIES]]].reset_index(drop=True)


def _coefficient_quadrant(better: float, worse_abs: float) -> str:
    if not (np.isfinite(better) and np.isfinite(worse_abs)):
        return ""
    if better >= 0.5:
        return "One-dimensional" if worse_abs >= 0.5 else "Attractive"
    return "Must-be" if worse_abs >= 0.5 else "Indifferent"


def kano_table(answers: pd.DataFrame | None, by: str | None = None, weights: str | None = "auto",
               confidence: float = 0.95) -> pd.DataFrame | None:
    """Per feature (and level of ``by``): category counts, dominant category and Better/Worse.

    Returns
    -------
    DataFrame or None
        ``feature, label, [by], n, A, O, M, I, R, Q`` (unweighted counts), ``dominant``
        (category name), ``dominant_share, dominant_ci_low, dominant_ci_high``, ``runner_up``,
        ``margin`` (dominant minus runner-up share) with ``margin_ci_low, margin_ci_high`` (adjusted
        for the number of rows, see Notes), ``dominant_clear`` (the margin's adjusted interval
        excludes 0), ``n_aomi`` (A + O + M + I answers),
        ``better`` (CS+) with ``better_ci_low, better_ci_high``, ``worse`` (CS−, negative) with
        ``worse_ci_low, worse_ci_high``, ``worse_abs`` (|CS−|) and ``coefficient_quadrant``.

    Notes
    -----
    Better = (A + O)/(A + O + M + I), Worse = −(O + M)/(A + O + M + I) (Berger et al. 1993); both
    are proportions of the A/O/M/I answers, with Wilson intervals (weighted: shares of weights,
    Kish effective n).  Dominant category: the largest share, ties broken M > O > A > I > R > Q.
    The margin's interval is the Wald interval of a difference of two shares of one multinomial
    sample, :math:`\\mathrm{Var}(\\hat p_1 - \\hat p_2) = (p_1 + p_2 - (p_1 - p_2)^2)/n`, at level
    :math:`1 - \\alpha/m` for the :math:`m` rows of the table (Bonferroni): the "dominant" verdict is
    read for every feature (and segment level) at once.
    Coefficient quadrants split Better and |Worse| at 0.5 (Berger et al.; Timko 1993).
    """
    if answers is None:
        return None
    weights = answers.attrs.get("weight") if weights == "auto" else weights
    rows = []
    for key, sub in _groups(answers, by):
        w = _weights(sub, weights)
        cat = sub["category"].to_numpy()
        total, n_eff = w.sum(), _n_eff(w)
        row = {**key, "label": sub["label"].iloc[0], "n": len(sub)}
        share = {}
        for c in CATEGORIES:
            row[c] = int((cat == c).sum())
            share[c] = float(w[cat == c].sum() / total) if total > 0 else np.nan
        order = sorted(CATEGORIES, key=lambda c: (-share[c], TIE_ORDER.index(c)))
        top, second = order[0], order[1]
        p1, p2 = share[top], share[second]
        lo, hi = stats.proportion_ci(p1 * n_eff, n_eff, confidence) if n_eff else (np.nan, np.nan)
        se = math.sqrt(max(p1 + p2 - (p1 - p2) ** 2, 0.0) / n_eff) if n_eff else np.nan
        row.update({"dominant": CATEGORY_NAMES[top], "dominant_share": p1, "dominant_ci_low": lo,
                    "dominant_ci_high": hi, "runner_up": CATEGORY_NAMES[second], "margin": p1 - p2,
                    "_se": se})
        aomi = np.isin(cat, ["A", "O", "M", "I"])
        wa = w[aomi]
        row["n_aomi"] = int(aomi.sum())
        if wa.sum() > 0:
            ne = _n_eff(wa)
            better = float(w[np.isin(cat, ["A", "O"])].sum() / wa.sum())
            worse = float(w[np.isin(cat, ["O", "M"])].sum() / wa.sum())
            b_lo, b_hi = stats.proportion_ci(better * ne, ne, confidence)
            w_lo, w_hi = stats.proportion_ci(worse * ne, ne, confidence)
            row.update({"better": better, "better_ci_low": b_lo, "better_ci_high": b_hi,
                        "worse": -worse, "worse_ci_low": -w_hi, "worse_ci_high": -w_lo, "worse_abs": worse})
        else:
            row.update({k: np.nan for k in ("better", "better_ci_low", "better_ci_high", "worse", "worse_ci_low",
                                             "worse_ci_high", "worse_abs")})
        row["coefficient_quadrant"] = _coefficient_quadrant(row["better"], row["worse_abs"])
        rows.append(row)
    z = float(sps.norm.ppf(1 - (1 - confidence) / (2 * max(len(rows), 1))))  # Bonferroni over the rows
    for row in rows:
        se = row.pop("_se")
        row["margin_ci_low"], row["margin_ci_high"] = row["margin"] - z * se, row["margin"] + z * se
        row["dominant_clear"] = bool(np.isfinite(row["margin_ci_low"]) and row["margin_ci_low"] > 0)
    cols = ["feature", "label", *([by] if by else []), "n", *CATEGORIES, "dominant", "dominant_share",
            "dominant_ci_low", "dominant_ci_high", "runner_up", "margin", "margin_ci_low", "margin_ci_high",
            "dominant_clear", "n_aomi", "better", "better_ci_low", "better_ci_high", "worse", "worse_ci_low",
            "worse_ci_high", "worse_abs", "coefficient_quadrant"]
    out = pd.DataFrame(rows, columns=cols)
    out.attrs["weighted"] = bool(weights)
    return out if len(out) else None


def segment_table(answers: pd.DataFrame | None, min_group: int = MIN_SEGMENT_ANSWERS,
                  confidence: float = 0.95) -> pd.DataFrame | None:
    """:func:`kano_table` per level of every declared segment (levels with fewer than
    ``min_group`` answered pairs left out).

    Returns
    -------
    DataFrame or None
        ``segment, level`` followed by the :func:`kano_table` columns; ``None`` without segments
        or when no level is large enough.
    """
    from cem_research.steps.interface import level_order

    if answers is None or not answers.attrs.get("segments"):
        return None
    parts = []
    for seg in answers.attrs["segments"]:
        t = kano_table(answers.dropna(subset=[seg]), by=seg, confidence=confidence)
        if t is None or t.empty:
            continue
        t = t[t["n"] >= min_group].rename(columns={seg: "level"})
        levels = level_order(pd.unique(t["level"]))
        feats = list(answers.attrs.get("features", pd.unique(t["feature"])))
        t = t.sort_values(["feature", "level"], key=lambda c: c.map(
            {v: i for i, v in enumerate(feats if c.name == "feature" else levels)}), kind="stable")
        t.insert(0, "segment", seg)
        parts.append(t)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        return None
    labels = answers.attrs.get("segment_labels", {})
    out.insert(1, "segment_label", out["segment"].map(lambda s: labels.get(s, s)))
    return out


# ---------------------------------------------------------------------------------------------
# chart, finding, narrative
# ---------------------------------------------------------------------------------------------


def quadrant_figure(table: pd.DataFrame | None, ax=None):
    """Better (CS+) against |Worse| (|CS−|) per feature with 95% intervals, split at 0.5
    (:func:`cem_research.present.plots.optional.kano_quadrants`).

    Returns
    -------
    matplotlib.axes.Axes or None
        ``None`` without a table.
    """
    from cem_research.present.plots import optional as charts

    return charts.kano_quadrants(table, ax=ax)


def kano_finding(table: pd.DataFrame | None) -> dict | None:
    """Plain-words finding: each feature's dominant category with its share and coefficients.

    Returns
    -------
    dict or None
        ``text, headline, key, value, ci`` for :func:`cem_research.present.findings.record`; the key
        value is the Worse coefficient of the feature whose absence hurts most.  ``None`` without
        a table.
    """
    if table is None:
        return None
    n = int(table["n"].max())
    parts = []
    for _, r in table.iterrows():
        if r["dominant_clear"]:
            head = f"{r['label']} is {r['dominant'].lower()} ({nv.pct(r['dominant_share'])}, "
            sure = ""
        else:
            head = f"{r['label']} is most often classified {r['dominant'].lower()} ({nv.pct(r['dominant_share'])}, "
            sure = f", not clearly ahead of {r['runner_up'].lower()}"
        parts.append(head + f"{nv.pct_ci(r['dominant_ci_low'], r['dominant_ci_high'])}{sure}; Better "
                     f"{nv.num(r['better'])}, {nv.ci(r['better_ci_low'], r['better_ci_high'])}, Worse "
                     f"{nv.num(r['worse'])}, {nv.ci(r['worse_ci_low'], r['worse_ci_high'])})")
    text = (f"Kano classification (up to {n:,} respondents per feature; a category is named only when its lead "
            f"over the runner-up holds after correcting for the {nv.count(len(table), 'feature')}): "
            + "; ".join(parts) + ".")
    must = table[(table["dominant"] == "Must-be") & table["dominant_clear"]]
    attr = table[(table["dominant"] == "Attractive") & table["dominant_clear"]]
    if len(must):
        text += (f" Must-be features ({', '.join(must['label'])}) have to be right before anything else: "
                 "their absence dissatisfies, their presence is taken for granted.")
    if len(attr):
        text += f" Attractive features ({', '.join(attr['label'])}) can delight and differentiate."
    top = table.loc[table["worse_abs"].idxmax()] if table["worse_abs"].notna().any() else table.iloc[0]
    return {"text": text, "headline": bool(len(must) or len(attr)), "key": "kano_worse_max",
            "value": float(top["worse"]), "ci": (float(top["worse_ci_low"]), float(top["worse_ci_high"]))}


def section_intro(answers: pd.DataFrame | None) -> "nv.SectionMarkdown | None":
    """The section's heading and explanation (Markdown), shown only for clients that declare
    ``kano:`` (``None`` otherwise) so that other clients' reports are unchanged."""
    if answers is None:
        return None
    feats = answers.attrs.get("features", {})
    weighted = " Survey weights are applied." if answers.attrs.get("weight") else ""
    return nv.SectionMarkdown(f"""## {SECTION}

**What is computed.** For each of the {len(feats)} features asked as a Kano question pair (*if the
feature is present / absent, how do you feel?* – like, expect, neutral, live with, dislike), every
respondent's pair of answers is classified with the evaluation table of Berger et al. (1993):
**Attractive** (delights when present, not missed when absent), **One-dimensional** (the more the
better), **Must-be** (taken for granted, its absence dissatisfies), **Indifferent**, **Reverse**
(the respondent prefers it absent) or **Questionable** (contradictory answers). The table gives each
category's share with a 95% Wilson interval and the **dominant** category (the most frequent; *clear*
when its lead over the runner-up has an interval above zero, adjusted (Bonferroni) for the number of
features or feature-by-segment rows judged together). The coefficients of Berger et al. say
how much a feature can add and take away: **Better** = (A + O)/(A + O + M + I), the share whose
satisfaction rises when the feature is present, and **Worse** = −(O + M)/(A + O + M + I), the share
whose satisfaction falls when it is absent, each with a Wilson interval. Own-brand survey
respondents, all analysed waves pooled; the same per segment level (levels with at least
{MIN_SEGMENT_ANSWERS} answers).{weighted}

**How to read the chart.** Right = the feature's presence pleases more people; up = its absence
upsets more people. Top right *one-dimensional*, bottom right *attractive*, top left *must-be*,
bottom left *indifferent* (split at 0.5). Must-be features are fixed first (they only prevent
dissatisfaction), one-dimensional ones compete on performance, attractive ones differentiate.
**What would change the conclusion:** a dominant category that is not clear (two categories close),
many questionable answers (the questions were misunderstood), segments that classify a feature
differently (segment table), or few answers (wide intervals). Kano categories drift over time:
today's attractive feature becomes tomorrow's must-be.""")


# ---------------------------------------------------------------------------------------------
# the section
# ---------------------------------------------------------------------------------------------

OVERALL_COLUMNS = ["label", "n", "A", "O", "M", "I", "R", "Q", "dominant", "dominant_share", "dominant_ci_low",
                   "dominant_ci_high", "dominant_clear", "better", "better_ci_low", "better_ci_high", "worse",
                   "worse_ci_low", "worse_ci_high"]
SEGMENT_COLUMNS = ["segment_label", "level", "label", "n", "dominant", "dominant_share", "dominant_clear",
                   "better", "better_ci_low", "better_ci_high", "worse", "worse_ci_low", "worse_ci_high"]


@dataclass(frozen=True)
class KanoResult:
    """The tables of the Kano section.

    Attributes
    ----------
    answers : DataFrame
        :func:`kano_answers`.
    overall : DataFrame
        :func:`kano_table` of all answers.
    shares : DataFrame
        :func:`share_table`.
    segments : DataFrame or None
        :func:`segment_table` (``None`` without segments or large enough levels).
    """

    answers: pd.DataFrame
    overall: pd.DataFrame
    shares: pd.DataFrame
    segments: pd.DataFrame | None


class Kano(OptionalSection):
    """Kano classification of features (step 3), shown only for clients that declare ``kano:``."""

    step = STEP
    title = SECTION
    option = "kano"

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        answers = kano_answers(data)
        if answers is None or not len(answers):
            return "no respondent answered both questions of a Kano pair"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> KanoResult:
        answers = kano_answers(data)
        return KanoResult(answers, kano_table(answers, confidence=settings.confidence),
                          share_table(answers, confidence=settings.confidence),
                          segment_table(answers, confidence=settings.confidence))

    def findings(self, result: KanoResult, data: "ClientData", settings: Settings) -> list[dict]:
        return [kano_finding(result.overall)]

    def present(self, result: KanoResult, data: "ClientData", settings: Settings) -> list[Shown]:
        level = f"{100 * settings.confidence:g}%"
        shown = [
            Shown("markdown", section_intro(result.answers), layer="appendix"),
            Shown("table", result.overall[OVERALL_COLUMNS],
                  "Kano categories per feature (A attractive, O one-dimensional, M must-be, I indifferent, R reverse, "
                  f"Q questionable; counts), the dominant category (share, Wilson {level} CI) and the Better/Worse "
                  f"coefficients (Wilson {level} CI)",
                  {"percent": ("dominant_share", "dominant_ci_low", "dominant_ci_high"),
                   "rename": {"label": "feature", "dominant_clear": "clearly dominant"}}, layer="appendix"),
            Shown("table", result.shares, f"Share of each Kano category per feature (Wilson {level} CI)",
                  {"rename": {"label": "feature"}}, layer="appendix"),
            Shown("figure", quadrant_figure(result.overall).figure,
                  "Scatter chart: each feature's Better coefficient (satisfaction if present) against its |Worse| "
                  f"coefficient (dissatisfaction if absent) with {level} intervals, split at 0.5 into the attractive, "
                  "one-dimensional, must-be and indifferent quadrants"),
        ]
        if result.segments is not None:
            shown.append(Shown("table", result.segments[SEGMENT_COLUMNS],
                               f"Kano classification per segment level (levels with at least {MIN_SEGMENT_ANSWERS} "
                               "answers)",
                               {"percent": ("dominant_share",),
                                "rename": {"segment_label": "segment", "label": "feature",
                                           "dominant_clear": "clearly dominant"}}, layer="appendix"))
        # the client's compact table: each feature's Kano category (the chart shows Better and Worse)
        shown.append(Shown("table", result.overall[["label", "dominant", "dominant_share", "dominant_ci_low",
                                                    "dominant_ci_high", "dominant_clear"]],
                           f"Kano category of each feature: the dominant category and its share (Wilson {level} CI)",
                           {"percent": ("dominant_share", "dominant_ci_low", "dominant_ci_high"),
                            "rename": {"label": "feature", "dominant": "Kano category",
                                       "dominant_clear": "clearly dominant"}}))
        return shown
