"""What drives the outcomes: relative importance of the drivers, emotional vs functional (technical,
after Pope 2010: :mod:`~cem_research.steps.platform.balance`), NPS,
and the cross-check of the driver ranking with Johnson's relative weights.

Drivers and NPS use the own brand's rows only.  Relative importance is unweighted (the shared
statistics do not support weights there); the NPS is weighted when the client has weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.data import memoize
from cem_research.present import narrative as nv
from cem_research.steps.platform.balance import balance_sentence, emotional_functional, lmg_boot
from cem_research.steps.platform.common import STEP
from cem_research.steps.platform.reliability import Reliability, add_reliability_flag
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["MAX_LMG", "driver_importance", "driver_crosscheck", "crosscheck_finding", "lmg_boot",
           "emotional_functional", "nps_table", "drivers_finding", "importance_for", "DriverResult", "Drivers",
           "DriverCrosscheck"]

#: Most drivers for the LMG decomposition; with more, Johnson's relative weights are used.
MAX_LMG = 12
LMG = "LMG (Shapley)"
#: The performance columns of :func:`emotional_functional` (shares of the scale range).
PERFORMANCE_COLUMNS = ("emotional_performance", "functional_performance", "performance_gap",
                       "performance_gap_ci_low", "performance_gap_ci_high")


def _tails(confidence: float) -> list[float]:
    """Percentiles of a two-sided percentile interval (``[2.5, 97.5]`` at 95%)."""
    lo = round(50 * (1 - confidence), 10)
    return [lo, 100 - lo]


def driver_importance(data: "ClientData", n_boot: int = 400, seed: int = 2003,
                      reliability: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame | None:
    """Relative importance of the declared drivers for each declared outcome (own brand rows).

    Parameters
    ----------
    data : ClientData
    n_boot : int, default 400
        Bootstrap resamples for the intervals (a section passes ``settings.n_boot``).
    seed : int, default 2003
        Seed of the bootstrap (a section passes ``settings.seed``).
    reliability : DataFrame, optional
        :func:`reliability_table`, to flag unreliable drivers and outcomes.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per outcome × driver, each outcome sorted by importance: the columns of
        :func:`cem_research.stats.relative_importance` (``outcome, driver, beta, relimp,
        relimp_ci_low, relimp_ci_high, share, rank, r2, r2_ci_low, r2_ci_high, n``) plus
        ``share_ci_low, share_ci_high`` (the percentile-bootstrap interval of the share itself),
        ``driver_label, outcome_label, driver_kind`` (emotional/functional), ``method``,
        ``series`` (legend label: outcome, R², n) and ``reliability_flag``.  ``None`` when fewer
        than two drivers or no outcome is declared, or the own brand has too few complete rows.

    Notes
    -----
    LMG / Shapley decomposition of R² (Lindeman, Merenda & Gold 1980; Grömping 2006) with
    percentile bootstrap CIs.  With more than :data:`MAX_LMG` drivers LMG is too costly and
    Johnson's (2000) relative weights are used instead (``method`` says which); their
    ``raw_weight`` is reported as ``relimp``.
    """
    cfg = data.config
    drivers = list(cfg.drivers)
    if len(drivers) < 2 or not cfg.outcomes:
        return None
    own = data.own
    parts = []
    for outcome in cfg.ordered_outcomes:
        try:
            if len(drivers) <= MAX_LMG:
                t = stats.relative_importance(own, outcome, drivers, n_boot=n_boot, seed=seed,
                                              confidence=confidence)
                t["method"] = LMG
            else:
                t = stats.relative_weights(own, outcome, drivers, n_boot=n_boot, seed=seed, confidence=confidence)
                t = t.rename(columns={"raw_weight": "relimp", "raw_weight_ci_low": "relimp_ci_low",
                                      "raw_weight_ci_high": "relimp_ci_high"})
                t["method"] = "relative weights (Johnson)"
        except ValueError:
            continue
        parts.append(t)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["driver_label"] = out["driver"].map(lambda d: nv.label(cfg, d))
    out["outcome_label"] = out["outcome"].map(lambda d: nv.label(cfg, d))
    out["driver_kind"] = out["driver"].map(lambda d: cfg.constructs[d].kind)
    out["series"] = [f"{o} (R² = {r2:.2f}, n = {int(n):,})"
                     for o, r2, n in zip(out["outcome_label"], out["r2"], out["n"])]
    return add_reliability_flag(out, reliability, on=["driver", "outcome"])


def importance_for(data: "ClientData", settings: Settings) -> pd.DataFrame | None:
    """:func:`driver_importance` with the settings and the reliability flags, once per client and settings.

    Parameters
    ----------
    data : ClientData
    settings : Settings

    Returns
    -------
    DataFrame or None
    """
    def build():
        return driver_importance(data, n_boot=settings.n_boot, seed=settings.seed,
                                 reliability=Reliability().result(data, settings), confidence=settings.confidence)

    return memoize(data, ("platform.driver_importance", settings), build)


def driver_crosscheck(data: "ClientData", importance: pd.DataFrame | None, n_boot: int = 400,
                      seed: int = 2003, confidence: float = 0.95) -> pd.DataFrame | None:
    """Cross-check the driver ranking: Johnson's relative weights beside LMG, with a disagreement flag.

    Parameters
    ----------
    data : ClientData
    importance : DataFrame
        :func:`driver_importance` (LMG; when it fell back to relative weights, there is nothing to
        cross-check and ``None`` is returned).
    n_boot, seed
        Bootstrap of the relative weights (use the settings of the importances).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per outcome × driver, ordered by the LMG rank: ``outcome, outcome_label, driver,
        driver_label, lmg_rank, lmg_share, lmg_ci_low, lmg_ci_high, rw_rank, rw_share, rw_ci_low,
        rw_ci_high, rank_diff, disagree, spearman_rho, n``.  Shares are parts of the explained
        variance (0–1) with percentile-bootstrap intervals (each importance's interval divided by
        the point R²); ``disagree`` is True where the two methods give the driver a different rank
        (:func:`cem_research.stats.driver_agreement`); ``spearman_rho`` the rank correlation of the
        two rankings per outcome.

    Notes
    -----
    LMG averages a driver's R² gain over all orders of entry (Lindeman, Merenda & Gold 1980);
    Johnson's (2000) relative weights regress the outcome on orthogonal counterparts of the
    drivers.  Both split R² and usually agree closely; where they rank drivers differently, the
    difference is within what collinear drivers allow, and the ranking of those drivers is not
    settled.  Same own-brand rows and listwise deletion as :func:`driver_importance`.
    """
    if importance is None or importance.empty or not (importance["method"] == LMG).all():
        return None
    cfg = data.config
    drivers = list(cfg.drivers)
    parts = []
    for outcome, lmg in importance.groupby("outcome", sort=False):
        try:
            rw = stats.relative_weights(data.own, outcome, drivers, n_boot=n_boot, seed=seed, confidence=confidence)
        except ValueError:
            continue
        agree = stats.driver_agreement(lmg, rw)
        r2_lmg = float(lmg["r2"].iloc[0])
        r2_rw = float(rw["r2"].iloc[0])
        L = lmg.set_index("driver")
        R = rw.set_index("driver")
        t = pd.DataFrame({
            "outcome": outcome, "outcome_label": nv.label(cfg, outcome), "driver": agree["driver"],
            "driver_label": agree["driver"].map(lambda d: nv.label(cfg, d)),
            "lmg_rank": agree["rank_a"].astype(int), "lmg_share": agree["share_a"],
            "lmg_ci_low": agree["driver"].map(L["relimp_ci_low"]) / r2_lmg,
            "lmg_ci_high": agree["driver"].map(L["relimp_ci_high"]) / r2_lmg,
            "rw_rank": agree["rank_b"].astype(int), "rw_share": agree["share_b"],
            "rw_ci_low": agree["driver"].map(R["raw_weight_ci_low"]) / r2_rw,
            "rw_ci_high": agree["driver"].map(R["raw_weight_ci_high"]) / r2_rw,
            "rank_diff": agree["rank_diff"].astype(int), "disagree": agree["disagree"].astype(bool),
            "spearman_rho": agree["spearman_rho"], "n": int(lmg["n"].iloc[0])})
        parts.append(t)
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True)


def crosscheck_finding(cross: pd.DataFrame | None, confidence: float = 0.95) -> dict:
    """One sentence on the cross-check: do LMG and relative weights agree on the top driver and the ranking?

    Parameters
    ----------
    cross : DataFrame or None
        :func:`driver_crosscheck`.
    confidence : float, default 0.95

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="driver_method_agreement"``, value = the
        lowest Spearman correlation of the two rankings over the outcomes; not a headline).
    """
    if cross is None or cross.empty:
        return {"text": f"The driver ranking could not be cross-checked with Johnson's relative weights "
                        f"(more than {MAX_LMG} drivers use relative weights only).", "key": "driver_method_agreement",
                "value": None, "ci": None, "headline": False}

    def pci(lo, hi):
        return nv.pct_ci(lo, hi, confidence=confidence)

    tops_agree, bits, swapped = [], [], []
    for _, t in cross.groupby("outcome", sort=False):
        lab = t["outcome_label"].iloc[0]
        lt = t.loc[t["lmg_rank"] == t["lmg_rank"].min()].iloc[0]
        rt = t.loc[t["rw_rank"] == t["rw_rank"].min()].iloc[0]
        if lt["driver"] == rt["driver"]:
            tops_agree.append(lab)
            bits.append(f"{lt['driver_label']} for {lab} ({nv.pct(lt['lmg_share'])} of R² by LMG, "
                        f"{pci(lt['lmg_ci_low'], lt['lmg_ci_high'])}; {nv.pct(lt['rw_share'])} by relative "
                        f"weights, {pci(lt['rw_ci_low'], lt['rw_ci_high'])})")
        else:
            bits.append(f"for {lab}, LMG ranks {lt['driver_label']} first ({nv.pct(lt['lmg_share'])}, "
                        f"{pci(lt['lmg_ci_low'], lt['lmg_ci_high'])}) but relative weights rank "
                        f"{rt['driver_label']} first ({nv.pct(rt['rw_share'])}, "
                        f"{pci(rt['rw_ci_low'], rt['rw_ci_high'])})")
        d = t[t["disagree"]]
        if len(d):
            swapped.append(f"{lab}: {nv.join(list(d['driver_label']))}")
    n_out = cross["outcome"].nunique()
    rho = cross.groupby("outcome", sort=False)["spearman_rho"].first()
    if len(tops_agree) == n_out:
        text = "Johnson's relative weights confirm the top driver of every outcome: " + "; ".join(bits) + "."
    else:
        text = ("Johnson's relative weights and LMG do not agree on every top driver: " + "; ".join(bits)
                + ". Treat the order of those drivers as unsettled.")
    if swapped:
        text += (f" The two methods rank some drivers differently ({'; '.join(swapped)})"
                 + (f"; rank correlation {nv.num(rho.min())} at the lowest" if rho.notna().any() else "")
                 + " — their order is within what correlated drivers allow.")
    else:
        text += " Both methods give every driver the same rank."
    value = float(rho.min()) if rho.notna().any() else None
    return {"text": text, "key": "driver_method_agreement", "value": value, "ci": None, "headline": False}


def nps_table(data: "ClientData", confidence: float = 0.95) -> pd.DataFrame | None:
    """Net Promoter Score of the own brand, overall and per wave.

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        ``wave, n, promoters, passives, detractors, pct_promoters, pct_detractors, nps, ci_low,
        ci_high, n_eff``: the first row (``wave = "all waves"``) pools every wave, then one row
        per wave in wave order.  Promoters answer 9–10, detractors 0–6
        (:func:`cem_research.stats.nps`; weighted when the client supplies weights).  ``None``
        when the client declares no ``nps`` construct.
    """
    cfg = data.config
    if not cfg.nps:
        return None
    item = cfg.constructs[cfg.nps].items[0]
    own = data.own
    w = data.weight
    overall = stats.nps(own, item, weights=w, confidence=confidence)
    overall.insert(0, "wave", "all waves")
    waves = [wv for wv in data.waves if (own["wave"] == wv).any()]
    frame = own.assign(wave=pd.Categorical(own["wave"], categories=waves, ordered=True))
    per = stats.nps(frame, item, by="wave", weights=w, confidence=confidence)
    per["wave"] = per["wave"].astype(str)
    out = pd.concat([overall, per], ignore_index=True) if len(waves) > 1 else overall
    return out.reset_index(drop=True)


def drivers_finding(importance: pd.DataFrame, emo: pd.DataFrame | None = None,
                    nps: pd.DataFrame | None = None, main_outcome: str | None = None,
                    confidence: float = 0.95) -> dict:
    """Plain-words finding for the driver section.

    Parameters
    ----------
    importance : DataFrame
        :func:`driver_importance`.
    emo : DataFrame, optional
        :func:`emotional_functional`.
    nps : DataFrame, optional
        :func:`nps_table`.
    main_outcome : str, optional
        The outcome the headline is stated on (``data.main_outcome``); default (or when it has no
        importances, e.g. the NPS construct): the first outcome of ``importance``.
    confidence : float, default 0.95

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record`: the top driver of each
        outcome with its share of explained variance (CI) and R² (CI), the emotional share of the
        main outcome and the NPS; ``key = "top_driver_<main outcome>"``, ``value`` its top
        driver's share.
    """
    def ci(lo, hi, digits=2):
        return nv.ci(lo, hi, digits, confidence=confidence)

    parts, tops = [], {}
    for outcome, t in importance.groupby("outcome", sort=False):
        top = t.sort_values("rank").iloc[0]
        tops[outcome] = top
        parts.append(f"{top['outcome_label']} is driven most by {top['driver_label']} "
                     f"({nv.pct(top['share'])} of the explained variance, "
                     f"{nv.pct_ci(top['share_ci_low'], top['share_ci_high'], confidence=confidence)}; "
                     f"R² = {nv.num(top['r2'])}, {ci(top['r2_ci_low'], top['r2_ci_high'])}, n = {int(top['n'])})")
    main = main_outcome if main_outcome in tops else next(iter(tops))
    first = tops[main]
    text = "; ".join(parts) + "."
    if emo is not None and len(emo):
        rows = emo[emo["outcome"] == main]
        e = rows.iloc[0] if len(rows) else emo.iloc[0]
        pope = balance_sentence(e, confidence=confidence) if e["emotional_drivers"] and e["functional_drivers"] else ""
        if pope:
            text += f" {pope}"
        elif e["emotional_drivers"] and e["functional_drivers"]:
            text += (f" Emotional drivers ({e['emotional_drivers']}) account for {nv.pct(e['emotional_share'])} "
                     f"of the explained variance in {e['outcome_label']} "
                     f"({nv.pct_ci(e['emotional_share_ci_low'], e['emotional_share_ci_high'], confidence=confidence)})"
                     ".")
        elif not e["emotional_drivers"]:
            text += " No driver is declared emotional, so the emotional/functional split is not informative."
    if nps is not None and len(nps):
        a = nps.iloc[0]
        text += (f" NPS is {nv.signed(a['nps'], 0)} ({ci(a['ci_low'], a['ci_high'], 0)}, n = {int(a['n'])}; "
                 f"{nv.pct(a['pct_promoters'] / 100)} promoters, {nv.pct(a['pct_detractors'] / 100)} detractors).")
    flagged = importance.loc[importance["reliability_flag"].astype(bool), "reliability_flag"] \
        if "reliability_flag" in importance else []
    if len(flagged):
        text += f" Flagged for reliability: {'; '.join(sorted(set(flagged)))}."
    return {"text": text, "headline": True, "key": f"top_driver_{first['outcome']}",
            "value": float(first["share"]), "ci": (float(first["share_ci_low"]), float(first["share_ci_high"]))}


@dataclass(frozen=True)
class DriverResult:
    """Result of :class:`Drivers`.

    Attributes
    ----------
    importance : DataFrame
        :func:`driver_importance` (with reliability flags).
    emotional : DataFrame or None
        :func:`emotional_functional`.
    nps : DataFrame or None
        :func:`nps_table`.
    """

    importance: pd.DataFrame
    emotional: pd.DataFrame | None = None
    nps: pd.DataFrame | None = None


class Drivers(Section):
    """What drives the outcomes: LMG relative importance (bootstrap CIs), emotional vs functional, NPS."""

    step = STEP
    title = "What drives the outcomes"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        cfg = data.config
        if len(cfg.drivers) < 2 or not cfg.outcomes:
            return ("the client declares fewer than two drivers or no outcome, so driver importance "
                    "cannot be estimated")
        if importance_for(data, settings) is None:
            return ("the own brand has too few complete rows on the outcomes and drivers, so driver "
                    "importance cannot be estimated")
        return None

    def compute(self, data: "ClientData", settings: Settings) -> DriverResult:
        importance = importance_for(data, settings)
        emotional = emotional_functional(data, importance, n_boot=settings.n_boot, seed=settings.seed,
                                         confidence=settings.confidence)
        return DriverResult(importance, emotional, nps_table(data, confidence=settings.confidence))

    def findings(self, result: DriverResult, data: "ClientData", settings: Settings) -> list[dict]:
        return [drivers_finding(result.importance, result.emotional, result.nps, main_outcome=data.main_outcome,
                                confidence=settings.confidence)]

    def present(self, result: DriverResult, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import platform as plots_pf

        level = f"{100 * settings.confidence:g}%"
        cols = ["outcome_label", "driver_label", "driver_kind", "rank", "beta", "relimp", "share", "share_ci_low",
                "share_ci_high", "r2", "r2_ci_low", "r2_ci_high", "n", "method", "reliability_flag"]
        shown = [
            Shown("table", result.importance[cols], f"Relative importance (share of R², {level} bootstrap CI)",
                  {"percent": ("share", "share_ci_low", "share_ci_high")}, layer="appendix"),
        ]
        matrix = self._matrix(result, data, settings)
        if matrix is not None:
            shown.append(matrix)
        if result.emotional is not None:
            shown.append(Shown("table", result.emotional,
                               "Emotional vs functional (technical) drivers after Pope (2010): parts of R², the "
                               "emotional share, and the own brand's performance on each kind (share of the scale "
                               "range; gap = emotional minus technical, within respondent)",
                               {"percent": ("emotional_share", "emotional_share_ci_low", "emotional_share_ci_high",
                                            *PERFORMANCE_COLUMNS),
                                "rename": {"emotional_performance": "emotional performance",
                                           "functional_performance": "technical performance",
                                           "performance_gap": "performance gap",
                                           "performance_gap_ci_low": f"performance gap, {level} CI low",
                                           "performance_gap_ci_high": f"performance gap, {level} CI high",
                                           "performance_n": "n (performance)"}},
                               layer="appendix"))
        if result.nps is not None:
            shown.append(Shown("table", result.nps, f"Net Promoter Score, own brand ({level} CI)", {"digits": 1},
                               layer="appendix"))
        return shown

    @staticmethod
    def _matrix(result: DriverResult, data: "ClientData", settings: Settings) -> Shown | None:
        """The key-driver matrix of the main outcome: importance here, the own brand's means from the
        experiential profile (and, for drivers it does not hold, from the competitive landscape)."""
        from cem_research.present.plots import platform as plots_pf
        from cem_research.steps.platform.profile import ExperientialProfile
        from cem_research.steps.world.competition import CompetitiveLandscape

        cols = ["construct", "mean", "ci_low", "ci_high", "scale_min", "scale_max"]
        parts = []
        profile = ExperientialProfile().result(data, settings)
        if profile is not None:
            p = profile.profile
            parts.append(p[(p["level"] == "brand") & (p["brand_kind"] == "own")].rename(columns={"dimension": "construct"}))
        landscape = CompetitiveLandscape().result(data, settings)
        if landscape is not None and landscape.profiles is not None:
            c = landscape.profiles
            parts.append(c[(c["level_type"] == "brand") & (c["brand_kind"] == "own")])
        if not parts:
            return None
        outcomes = list(pd.unique(result.importance["outcome"]))
        outcome = data.main_outcome if data.main_outcome in outcomes else outcomes[0]
        ax = plots_pf.driver_matrix(result.importance, pd.concat([x[cols] for x in parts]), outcome,
                                    confidence=settings.confidence)
        if ax is None:
            return None
        name = nv.label(data.config, outcome)
        return Shown("figure", ax.figure,
                     f"Key-driver matrix: each driver's importance for {name} (share of explained "
                     f"variance) against the own brand's mean rating on it, both with {nv.ci_label(settings.confidence)}"
                     "s; dashed lines at the averages split it into concentrate here (important, weaker), keep up "
                     "the good work, low priority and possible overkill")

class DriverCrosscheck(Section):
    """Cross-check of the driver ranking with Johnson's relative weights (findings under the drivers' title)."""

    step = STEP
    title = "What drives the outcomes"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        reason = Drivers().skip_reason(data, settings)
        if reason is not None:
            return reason
        if len(data.config.drivers) > MAX_LMG:
            return (f"more than {MAX_LMG} drivers: the importances are Johnson's relative weights already, "
                    "so there is no second method to cross-check them with")
        return None

    def compute(self, data: "ClientData", settings: Settings) -> pd.DataFrame | None:
        return driver_crosscheck(data, Drivers().result(data, settings).importance, n_boot=settings.n_boot,
                                 seed=settings.seed, confidence=settings.confidence)

    def findings(self, result: pd.DataFrame | None, data: "ClientData", settings: Settings) -> list[dict]:
        return [crosscheck_finding(result, confidence=settings.confidence)]

    def present(self, result: pd.DataFrame | None, data: "ClientData", settings: Settings) -> list[Shown]:
        if result is None:
            return []
        level = f"{100 * settings.confidence:g}%"
        cols = ["outcome_label", "driver_label", "lmg_rank", "lmg_share", "lmg_ci_low", "lmg_ci_high", "rw_rank",
                "rw_share", "rw_ci_low", "rw_ci_high", "disagree", "spearman_rho"]
        return [Shown("table", result[cols],
                      f"Driver ranking cross-checked: LMG vs Johnson's relative weights (share of R², {level} "
                      "bootstrap CI)",
                      {"percent": ("lmg_share", "lmg_ci_low", "lmg_ci_high", "rw_share", "rw_ci_low", "rw_ci_high"),
                       "rename": {"lmg_rank": "LMG rank", "rw_rank": "RW rank", "lmg_share": "LMG share",
                                  "rw_share": "RW share"}}, layer="appendix")]

    def run(self, data: "ClientData", settings: Settings | None = None, *, show: bool = True):
        """As :meth:`Section.run`, but silent when the drivers section is skipped (it has said why)."""
        settings = settings or Settings()
        if Drivers().skip_reason(data, settings) is not None:
            return None
        return super().run(data, settings, show=show)
