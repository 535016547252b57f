"""Who an opportunity serves: winning new customers or deepening the loyalty of existing ones.

Importance is compared between the shortest- and the longest-tenure customers (a tenure segment,
:func:`tenure_segment`); without one, drivers are compared between competitors' customers and the
own brand's (:func:`audience`).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from cem_research.steps import interface
from cem_research.steps.innovation.common import DEFAULTS, NO_AUDIENCE
from cem_research.steps.innovation.evidence import driver_importance

__all__ = ["tenure_segment", "audience_label", "audience", "MIN_EXPERIENCES"]

_TENURE = re.compile(r"tenure|since|years? (as|with)|relationship|loyal|member|customer status|"
                     r"customer type \(new|new or existing", re.I)
_Z95 = 1.959963984540054
#: Fewest poor and fewest good experiences of a touchpoint, within each tenure group, to compare its importance.
MIN_EXPERIENCES = 3
_COLUMNS = ["item", "kind", "importance_new", "importance_loyal", "diff", "diff_ci_low", "diff_ci_high", "audience",
            "basis"]


def tenure_segment(data) -> tuple[str, object, object] | None:
    """A declared segment that measures how long / how loyal customers are, with its extreme levels.

    A segment qualifies when its column name or label mentions tenure ("tenure", "customer since",
    "relationship", "loyal", "member" ...) and its levels can be ordered by the number they start
    with ("<1 year" < "1-3 years" < ">3 years").

    Returns
    -------
    (column, shortest level, longest level) or None
    """
    cfg = data.config
    own = data.own
    for col, label in cfg.segments.items():
        if col not in own.columns or not (_TENURE.search(col) or _TENURE.search(str(label))):
            continue
        levels = [lv for lv in own[col].dropna().unique()]
        keys = {lv: interface.level_key(lv) for lv in levels}
        if len(levels) < 2 or any(math.isnan(k) for k in keys.values()):
            continue
        ordered = sorted(levels, key=lambda lv: keys[lv])
        return col, ordered[0], ordered[-1]
    return None


def audience_label(diff: float, lo: float, hi: float, new_label: str, loyal_label: str) -> str:
    """Name the audience from a difference of importance (new minus loyal) and its interval.

    Returns
    -------
    str
        `new_label` when the interval lies above 0, `loyal_label` below 0, "both alike (no clear
        difference)" otherwise, "cannot be determined (too few respondents)" when missing.
    """
    if not np.isfinite(diff) or not np.isfinite(lo):
        return "cannot be determined (too few respondents)"
    if lo > 0:
        return new_label
    if hi < 0:
        return loyal_label
    return "both alike (no clear difference)"


def audience(data, ipa: pd.DataFrame | None = None, n_boot: int = DEFAULTS.n_boot,
             seed: int = DEFAULTS.seed) -> pd.DataFrame:
    """Does each opportunity matter more for winning new customers or for deepening loyalty?

    Importance is compared between the shortest- and longest-tenure levels of a tenure segment
    (:func:`tenure_segment`): driver importance (LMG relimp) within each group, touchpoint
    importance (outcome penalty of a poor experience) within each group.  Without a tenure segment,
    drivers are compared between competitors' customers (rating their own brand: the customers to
    win) and the own brand's customers; touchpoints then cannot be classified.

    Parameters
    ----------
    data : ClientData
    ipa : DataFrame, optional
        ``interface.touchpoint_ipa(data)``: its touchpoints are classified too.
    n_boot, seed
        Bootstrap of the driver importance (``Settings.n_boot``, ``Settings.seed``).

    Returns
    -------
    DataFrame
        ``item, kind (construct/touchpoint), importance_new, importance_loyal, diff, diff_ci_low,
        diff_ci_high, audience, basis``.  ``diff = new - loyal`` with an approximate CI
        (independent groups, standard errors from the two intervals), Bonferroni-widened over the items
        compared (:func:`bonferroni_audience`); ``audience`` is "winning new customers" when that
        interval lies above 0, "deepening loyalty" below 0, else "both alike (no clear difference)";
        "cannot be determined (...)" when the data has no basis for it.
    """
    cfg = data.config
    seg = tenure_segment(data)
    rows = []
    outcome = data.main_outcome

    def combine(item, kind, a, alo, ahi, b, blo, bhi, basis):
        se = math.sqrt(((ahi - alo) / (2 * _Z95)) ** 2 + ((bhi - blo) / (2 * _Z95)) ** 2) if all(
            np.isfinite([alo, ahi, blo, bhi])) else math.nan
        d = a - b
        lo, hi = d - _Z95 * se, d + _Z95 * se
        rows.append({"item": item, "kind": kind, "importance_new": a, "importance_loyal": b, "diff": d,
                     "diff_ci_low": lo, "diff_ci_high": hi,
                     "audience": audience_label(d, lo, hi, "winning new customers", "deepening loyalty"),
                     "basis": basis})

    def combine_drivers(first, second, basis):
        if first is None or second is None:
            return
        a, b = first.set_index("driver"), second.set_index("driver")
        for d in a.index:
            combine(d, "construct", a.at[d, "relimp"], a.at[d, "relimp_ci_low"], a.at[d, "relimp_ci_high"],
                    b.at[d, "relimp"], b.at[d, "relimp_ci_low"], b.at[d, "relimp_ci_high"], basis)

    if seg is not None:
        col, short, long_ = seg
        basis = f"{cfg.segments.get(col, col)}: {short} vs {long_}"
        own = data.own
        combine_drivers(driver_importance(data, rows=own[own[col] == short], n_boot=n_boot, seed=seed),
                        driver_importance(data, rows=own[own[col] == long_], n_boot=n_boot, seed=seed), basis)
        if ipa is not None:
            out_col = ipa.attrs.get("outcome", outcome)
            exp = interface.respondent_experience(data, interface.touchpoint_events(data), out_col)
            thr = ipa.attrs.get("threshold", interface.poor_threshold(cfg))
            exp["experience"] = np.where(exp["rating"] <= thr, "poor", "good")
            for name in ipa["touchpoint"]:
                vals = []
                for lv in (short, long_):
                    sub = exp[(exp["touchpoint"] == name) & (exp[col] == lv) & exp[out_col].notna()]
                    if ((sub["experience"] == "poor").sum() >= MIN_EXPERIENCES
                            and (sub["experience"] == "good").sum() >= MIN_EXPERIENCES):
                        r = interface.compare_quietly(sub, out_col, "experience", "good", correction="none").iloc[0]
                        vals.append((r["diff"], r["ci_low"], r["ci_high"]))
                    else:
                        vals.append((math.nan, math.nan, math.nan))
                combine(name, "touchpoint", *vals[0], *vals[1], basis)
    else:
        comp = data.ratings[(data.ratings["brand_kind"] != "own") & data.ratings["wave"].isin(data.waves)]
        combine_drivers(driver_importance(data, rows=comp, n_boot=n_boot, seed=seed) if len(comp) else None,
                        driver_importance(data, n_boot=n_boot, seed=seed),
                        "competitors' customers vs own customers (no tenure segment)")
        if ipa is not None:
            for name in ipa["touchpoint"]:
                rows.append({"item": name, "kind": "touchpoint", "importance_new": math.nan,
                             "importance_loyal": math.nan, "diff": math.nan, "diff_ci_low": math.nan,
                             "diff_ci_high": math.nan, "audience": NO_AUDIENCE, "basis": ""})
    return bonferroni_audience(pd.DataFrame(rows, columns=_COLUMNS))


def bonferroni_audience(table: pd.DataFrame) -> pd.DataFrame:
    """The audience verdicts corrected for the number of opportunities compared (Bonferroni).

    Each difference's 95% interval is widened to the simultaneous level 1 - .05/m over the m items
    with an interval, and the audience is named from the widened interval, so "winning new
    customers" or "deepening loyalty" is said only when it holds for all the comparisons together.
    """
    from scipy.stats import norm

    ok = table["diff_ci_low"].notna() & table["diff_ci_high"].notna()
    m = int(ok.sum())
    if m <= 1:
        return table
    out = table.copy()
    half = (out["diff_ci_high"] - out["diff_ci_low"]) / 2 * (norm.ppf(1 - 0.025 / m) / _Z95)
    out.loc[ok, "diff_ci_low"] = out.loc[ok, "diff"] - half[ok]
    out.loc[ok, "diff_ci_high"] = out.loc[ok, "diff"] + half[ok]
    out.loc[ok, "audience"] = [audience_label(d, lo, hi, "winning new customers", "deepening loyalty")
                               for d, lo, hi in out.loc[ok, ["diff", "diff_ci_low", "diff_ci_high"]].itertuples(
                                   index=False, name=None)]
    return out
