"""Section "The Ultimate Client Experience scorecard": Pope's (2010) five factors, their scores against the
competitors, their importance for the main outcome, and the factor that most limits the client experience.

Pope (2010, "The Ultimate Client Experience", *Business Strategy Series* 11(4), 219–222) names five critical
factors beyond the technical elements of what clients buy: a client-focused **culture** (easy to communicate
with), the right **people** on the right tasks, continuous investment in the **relationship**, **understanding**
the client's technical and emotional expectations, and doing common things in an **uncommon** way.  The whole
organisation delivers them, through the touchpoints between clients and its people across departments: this
is why the scorecard sits in step 4, structuring the customer interface (Schmitt 2003), and not in step 1,
where the client's world is described.  A construct declares the factor it measures with ``uce:``
(``docs/contract.md``); a client that declares none gets one skip line.

How the scorecard is read (:func:`uce_scorecard`, :func:`limiting_factor`):

* **score**: the own brand's mean with its t interval (survey-weighted when weights are declared, as the
  competitive landscape computes it), beside each competitor's mean on the same axis
  (:class:`~cem_research.steps.world.CompetitiveLandscape`'s profiles; its Holm-corrected comparisons);
* **importance**: each factor's share of the main outcome's explained variance (LMG relative importance,
  :func:`cem_research.stats.relative_importance`, own brand, with its percentile bootstrap interval), as the
  driver analysis of step 2 computes it;
* **limiting factor**: importance × room to improve, where room is the distance from the score to the top of
  the scale as a share of the scale range (an importance–performance gain: Martilla & James 1977; the
  "impact" of an improvement in Ringle & Sarstedt's 2016 IPMA).  Its interval comes from a bootstrap of the
  own brand's rows (importances and scores recomputed in each resample).  A factor is named as *the* limiting
  factor only when its interval lies wholly above the runner-up's; otherwise the factors whose intervals
  overlap the leader's are reported as tied.
* **reliability first**: a factor whose Cronbach's alpha is below the gate (the measurement section's flag,
  :class:`~cem_research.steps.platform.Reliability`) is shown with its flag and never named as the
  limiting factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.config import UCE_FACTORS
from cem_research.present import narrative as nv
from cem_research.stats.common import percentile_ci
from cem_research.steps.interface.common import STEP
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["UCE_LABELS", "uce_scorecard", "uce_brands", "uce_comparisons", "limiting_factor", "uce_finding",
           "section_intro", "UceResult", "UceScorecard"]

#: Pope's (2010) five factors in the reader's words.
UCE_LABELS = {"culture": "Client-focused culture", "people": "The right people",
              "relationship": "Continuous relationship", "understanding": "Understanding the client",
              "uncommon": "Common things done uncommonly"}
_NO_UCE = "no construct declares one of Pope's UCE factors (uce: in client.yaml), so there is no UCE scorecard"


def _gain_boot(own: pd.DataFrame, outcome: str, constructs: list[str], scales: np.ndarray, weights: str | None,
               n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap resamples (n_boot, p) of importance × room: LMG shares and (weighted) means recomputed on each
    resample of the own brand's rows."""
    rng = np.random.default_rng(seed)
    x = own[constructs].astype(float).to_numpy()
    y = own[outcome].astype(float).to_numpy()
    w = own[weights].astype(float).to_numpy() if weights else np.ones(len(own))
    n = len(own)
    corr, means = [], []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        xb, yb, wb = x[idx], y[idx], w[idx]
        complete = np.isfinite(yb) & np.isfinite(xb).all(axis=1)
        corr.append(np.corrcoef(np.column_stack([yb[complete], xb[complete]]), rowvar=False))
        ok = np.isfinite(xb)
        means.append((np.where(ok, xb, 0) * wb[:, None]).sum(axis=0) / (ok * wb[:, None]).sum(axis=0))
    relimp, r2 = stats.lmg_from_corr(np.stack(corr))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = relimp / r2[:, None]
        room = (scales[:, 1] - np.asarray(means)) / (scales[:, 1] - scales[:, 0])
    return share * room


def uce_scorecard(data: "ClientData", n_boot: int = 400, seed: int = 2003, confidence: float = 0.95,
                  reliability: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per declared UCE factor: score, importance for the main outcome and importance × room.

    Parameters
    ----------
    data : ClientData
    n_boot, seed : int
        Bootstrap of the importances and of the gains (a section passes the settings).
    confidence : float, default 0.95
    reliability : DataFrame, optional
        :func:`cem_research.steps.platform.reliability.reliability_table` (the measurement section's result).

    Returns
    -------
    DataFrame
        In the order of :data:`cem_research.client.config.UCE_FACTORS`: ``factor, factor_label, construct,
        label, n, mean, ci_low, ci_high, scale_min, scale_max, alpha, reliability_flag, reliable,
        importance, importance_ci_low, importance_ci_high, r2, n_importance, room, gain, gain_ci_low,
        gain_ci_high``.  ``mean`` is the own brand's (weighted) mean with its t interval; ``importance`` the
        factor's share of the main outcome's R² (LMG) among the declared factors with its percentile bootstrap
        interval; ``room = (scale_max - mean) / (scale_max - scale_min)``; ``gain = importance × room`` with a
        percentile bootstrap interval.  The importance columns are NaN with fewer than two factors or without
        a main outcome.

    Notes
    -----
    Importance: :func:`cem_research.stats.relative_importance` on the own brand's complete rows (unweighted,
    as the driver analysis).  The gains' resamples recompute the LMG shares
    (:func:`cem_research.stats.lmg_from_corr`) and the weighted means on the same resample of rows, so the
    interval accounts for the uncertainty of both factors of the product.
    """
    cfg = data.config
    own = data.own
    factors = {f: c for f, c in cfg.uce_factors.items() if c in own.columns}
    w = data.weight
    rel = reliability.set_index("construct") if reliability is not None and len(reliability) else None
    rows = []
    for f, c in factors.items():
        lo, hi = cfg.constructs[c].scale
        m = stats.mean_ci(own, c, weights=w, confidence=confidence).iloc[0]
        flag = str(rel.at[c, "reliability_flag"]) if rel is not None and c in rel.index else ""
        below = bool(rel.at[c, "below_threshold"]) if rel is not None and c in rel.index else False
        rows.append({"factor": f, "factor_label": UCE_LABELS[f], "construct": c, "label": nv.label(cfg, c),
                     "n": int(m["n"]), "mean": float(m["mean"]), "ci_low": float(m["ci_low"]),
                     "ci_high": float(m["ci_high"]), "scale_min": lo, "scale_max": hi,
                     "alpha": float(rel.at[c, "alpha"]) if rel is not None and c in rel.index else np.nan,
                     "reliability_flag": flag, "reliable": not below})
    out = pd.DataFrame(rows)
    for col in ("importance", "importance_ci_low", "importance_ci_high", "r2", "gain", "gain_ci_low",
                "gain_ci_high"):
        out[col] = np.nan
    out["n_importance"] = 0
    out["room"] = (out["scale_max"] - out["mean"]) / (out["scale_max"] - out["scale_min"])
    outcome = data.main_outcome
    names = list(factors.values())
    if len(names) < 2 or outcome is None or outcome not in own.columns:
        return out
    try:
        imp = stats.relative_importance(own, outcome, names, n_boot=n_boot, seed=seed, confidence=confidence)
    except ValueError:
        return out
    imp = imp.set_index("driver")
    out["importance"] = out["construct"].map(imp["share"])
    out["importance_ci_low"] = out["construct"].map(imp["share_ci_low"])
    out["importance_ci_high"] = out["construct"].map(imp["share_ci_high"])
    out["r2"] = float(imp["r2"].iloc[0])
    out["n_importance"] = int(imp["n"].iloc[0])
    out["gain"] = out["importance"] * out["room"]
    if n_boot > 0:
        boots = _gain_boot(own, outcome, names, out[["scale_min", "scale_max"]].to_numpy(float), w, n_boot, seed)
        glo, ghi = percentile_ci(boots, confidence)
        out["gain_ci_low"], out["gain_ci_high"] = glo, ghi
    out.attrs["outcome"] = outcome
    return out


def limiting_factor(scorecard: pd.DataFrame) -> dict:
    """Which reliable factor most limits the client experience, when the intervals can tell.

    Parameters
    ----------
    scorecard : DataFrame
        :func:`uce_scorecard`.

    Returns
    -------
    dict
        ``leader`` (the reliable factor with the largest gain, ``None`` without gains), ``runner_up``,
        ``separated`` (True when the leader's gain interval lies wholly above the runner-up's: the leader is
        *the* limiting factor) and ``tied`` (the factors whose gain interval overlaps the leader's, the
        leader first; just the leader when separated).

    Examples
    --------
    >>> t = pd.DataFrame({"factor": ["culture", "relationship", "people"], "reliable": [True, True, True],
    ...                   "gain": [0.05, 0.30, 0.04], "gain_ci_low": [0.03, 0.22, 0.02],
    ...                   "gain_ci_high": [0.08, 0.38, 0.06]})
    >>> limiting_factor(t)["leader"], limiting_factor(t)["separated"]
    ('relationship', True)
    """
    ok = scorecard[scorecard["reliable"].astype(bool) & scorecard["gain"].notna()]
    if ok.empty:
        return {"leader": None, "runner_up": None, "separated": False, "tied": []}
    ranked = ok.sort_values("gain", ascending=False)
    lead = ranked.iloc[0]
    if len(ranked) == 1:
        return {"leader": lead["factor"], "runner_up": None, "separated": False, "tied": [lead["factor"]]}
    second = ranked.iloc[1]
    separated = bool(lead["gain_ci_low"] > second["gain_ci_high"])
    tied = [lead["factor"]] + ([] if separated else
                               list(ranked.iloc[1:].loc[ranked.iloc[1:]["gain_ci_high"] >= lead["gain_ci_low"],
                                                        "factor"]))
    return {"leader": lead["factor"], "runner_up": second["factor"], "separated": separated, "tied": tied}


def uce_brands(data: "ClientData", settings: Settings, constructs: list[str]) -> pd.DataFrame | None:
    """The UCE factors' means per brand (own brand first), from the competitive landscape's profiles.

    Returns
    -------
    DataFrame or None
        ``brand, brand_kind, construct, label, n, mean, ci_low, ci_high``; ``None`` without competitor ratings.
    """
    from cem_research.steps.world.competition import CompetitiveLandscape

    land = CompetitiveLandscape().result(data, settings)
    if land is None or land.profiles is None:
        return None
    p = land.profiles
    p = p[(p["level_type"] == "brand") & p["construct"].isin(constructs)]
    if p.empty or (p["brand_kind"] != "own").sum() == 0:
        return None
    cols = ["level", "brand_kind", "construct", "label", "n", "mean", "ci_low", "ci_high"]
    return p[cols].rename(columns={"level": "brand"}).reset_index(drop=True)


def uce_comparisons(data: "ClientData", settings: Settings, constructs: list[str]) -> pd.DataFrame | None:
    """The competitive landscape's own-brand comparisons (Welch, one Holm family) on the UCE factors' constructs."""
    from cem_research.steps.world.competition import own_vs_competitors

    tests = own_vs_competitors(data, settings)
    if tests is None:
        return None
    t = tests[tests["construct"].isin(constructs)]
    return t.reset_index(drop=True) if len(t) else None


def uce_finding(result: "UceResult", confidence: float = 0.95, outcome_label: str = "the main outcome") -> dict:
    """The scorecard in one finding: the limiting factor (or the tie), with the evidence.

    Parameters
    ----------
    result : UceResult
    confidence : float, default 0.95
    outcome_label : str
        The main outcome in words.

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record` (``key = "uce_limiting_factor"``,
        ``value`` the leader's gain).
    """
    s = result.scorecard.set_index("factor")
    v = result.verdict
    ci = lambda lo, hi: nv.ci(lo, hi, confidence=confidence)  # noqa: E731
    unreliable = s[~s["reliable"].astype(bool)]
    caveat = (" Not interpreted because their items do not hang together: "
              + "; ".join(f"{r.label} ({r.reliability_flag})" for r in unreliable.itertuples()) + "."
              if len(unreliable) else "")
    if v["leader"] is None:
        scores = "; ".join(f"{r.label} {nv.num(r.mean)} ({ci(r.ci_low, r.ci_high)})" for r in s.itertuples())
        return {"text": f"Pope's UCE factors as the brand's own customers rate them: {scores}. Which factor limits "
                        "the client experience cannot be said: that needs at least two reliable factors and a main "
                        "outcome to weigh them by." + caveat,
                "key": "uce_limiting_factor", "value": None, "ci": None, "headline": False}
    lead = s.loc[v["leader"]]
    scale = nv.scale_text((lead["scale_min"], lead["scale_max"]))
    evidence = (f"customers rate it {nv.num(lead['mean'])} on {scale} ({ci(lead['ci_low'], lead['ci_high'])}) and "
                f"it carries {nv.pct(lead['importance'])} of what the factors explain in {outcome_label} "
                f"({nv.pct_ci(lead['importance_ci_low'], lead['importance_ci_high'], confidence=confidence)})")
    if v["separated"]:
        second = s.loc[v["runner_up"]]
        text = (f"Of Pope's five factors of the Ultimate Client Experience, {lead['label']} most limits the client "
                f"experience (importance × room to improve {nv.num(lead['gain'])}, "
                f"{ci(lead['gain_ci_low'], lead['gain_ci_high'])}, clear of the runner-up {second['label']} at "
                f"{nv.num(second['gain'])}, {ci(second['gain_ci_low'], second['gain_ci_high'])}): {evidence}.")
    elif len(v["tied"]) > 1:
        tied = s.loc[v["tied"]]
        text = ("The data cannot single out one of Pope's UCE factors as the limit on the client experience: "
                + nv.join([f"{r.label} ({nv.num(r.gain)}, {ci(r.gain_ci_low, r.gain_ci_high)})"
                           for r in tied.itertuples()])
                + " have overlapping intervals of importance × room to improve. "
                + f"For {lead['label']}, {evidence}.")
    else:
        text = (f"{lead['label']} is the only reliable UCE factor with an importance estimate "
                f"(importance × room to improve {nv.num(lead['gain'])}, {ci(lead['gain_ci_low'], lead['gain_ci_high'])}): "
                f"{evidence}.")
    comp = result.comparisons
    if comp is not None:
        pooled = comp[(comp["comparison"] == "all competitors") & (comp["construct"] == lead["construct"])]
        if len(pooled):
            r = pooled.iloc[0]
            where = ("ahead of" if r["diff"] > 0 else "behind") if r["significant"] else "on par with"
            text += (f" On {lead['label']} the brand is {where} the competitors pooled ({nv.signed(r['diff'])}, "
                     f"{nv.adj_ci(r['ci_low'], r['ci_high'], confidence=confidence)}; "
                     f"Holm {nv.p(r['p_corr'])}"
                     + (f"; {r['reliability_flag']}, so read it with care" if r["reliability_flag"] else "") + ").")
    return {"text": text + caveat, "key": "uce_limiting_factor", "value": float(lead["gain"]),
            "ci": (float(lead["gain_ci_low"]), float(lead["gain_ci_high"])) if v["separated"] else None,
            "headline": bool(v["separated"])}


@dataclass(frozen=True)
class UceResult:
    """Result of :class:`UceScorecard`.

    Attributes
    ----------
    scorecard : DataFrame
        :func:`uce_scorecard`.
    verdict : dict
        :func:`limiting_factor`.
    brands : DataFrame or None
        :func:`uce_brands` (competitors' scores on the same axis).
    comparisons : DataFrame or None
        :func:`uce_comparisons`.
    """

    scorecard: pd.DataFrame
    verdict: dict
    brands: pd.DataFrame | None = None
    comparisons: pd.DataFrame | None = None


def section_intro() -> "nv.SectionMarkdown":
    """The section's heading and explanation (Markdown), shown only for clients that declare ``uce:``
    (the section is optional: other clients' reports are unchanged)."""
    return nv.SectionMarkdown("""## The Ultimate Client Experience scorecard

Pope (2010) finds that clients expect the technical elements of what they buy *and* an emotional
connection, and names five factors beyond the technical ones that make the **Ultimate Client Experience**:
a client-focused **culture** (easy to communicate with), the right **people** on the right tasks, continuous
investment in the **relationship**, **understanding** the client's technical and emotional expectations,
and doing common things in an **uncommon** way. The whole organisation delivers them, through the
touchpoints between clients and its people, which is why the scorecard belongs to the customer interface.

**What is computed.** For each declared factor: the own brand's mean with its 95% interval (survey-weighted
when weights are declared) and, where competitors are rated, theirs on the same axis (with the Holm-corrected
comparisons of the competitive landscape); its **importance** for the main outcome — its share of the
explained variance among the factors (LMG relative importance, bootstrap interval), as in the driver
analysis of step 2; and **importance × room to improve**, room being the distance from the score to the top
of the scale as a share of the scale range, with a bootstrap interval. Each factor's Cronbach's alpha is
checked first: a factor whose items do not hang together is shown with its flag and never named.

**How to read the chart.** One row per factor, one dot per brand with its 95% interval; the own brand is
red. A factor is marked "limits most" only when its interval of importance × room lies wholly above the
runner-up's; otherwise the finding names the factors that are tied.

**What would change the conclusion.** Importance is a share of what the factors explain together, not a
causal effect: a factor that shares its variance with another can trade importance with it. A factor rated
by few customers has a wide interval; the factors are only as good as the questions that measure them.""")


class UceScorecard(OptionalSection):
    """Pope's (2010) UCE scorecard: the five factors' scores, importance and the limiting factor.

    Optional (:class:`~cem_research.steps.optional.OptionalSection`): a client whose constructs declare
    no ``uce:`` factor gets nothing in its report, as before the scorecard existed.
    """

    step = STEP
    title = "The Ultimate Client Experience scorecard"
    option = "uce"

    def declared(self, data: "ClientData") -> bool:
        return bool(data.config.uce_factors)

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if not self.declared(data):
            return _NO_UCE
        return self.data_skip_reason(data, settings)

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        factors = data.config.uce_factors
        if not any(c in data.own.columns and data.own[c].notna().sum() >= 2 for c in factors.values()):
            return "the own brand's customers rated none of the declared UCE factors, so there is no UCE scorecard"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> UceResult:
        from cem_research.steps.platform.reliability import Reliability

        card = uce_scorecard(data, n_boot=settings.n_boot, seed=settings.seed, confidence=settings.confidence,
                             reliability=Reliability().result(data, settings))
        constructs = list(card["construct"])
        return UceResult(card, limiting_factor(card), uce_brands(data, settings, constructs),
                         uce_comparisons(data, settings, constructs))

    def findings(self, result: UceResult, data: "ClientData", settings: Settings) -> list[dict]:
        outcome = result.scorecard.attrs.get("outcome") or data.main_outcome
        label = nv.label(data.config, outcome) if outcome else "the main outcome"
        return [uce_finding(result, confidence=settings.confidence, outcome_label=label)]

    def present(self, result: UceResult, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present import plots

        level = nv.ci_label(settings.confidence)
        card = result.scorecard
        v = result.verdict
        brands = result.brands
        if brands is None:
            brands = card[["construct", "label", "n", "mean", "ci_low", "ci_high"]].assign(
                brand=data.config.brand, brand_kind="own")
        frame = brands.merge(card[["construct", "factor"]], on="construct")
        frame["factor_label"] = [f"{lab} ({f})" for lab, f in zip(frame["label"], frame["factor"])]
        ticks = dict(zip(card["factor"], [f"{lab} ({f})" for lab, f in zip(card["label"], card["factor"])]))
        order = [ticks[f] for f in UCE_FACTORS if f in ticks]
        limit = ticks[v["leader"]] if v["separated"] else None
        palette = plots.brand_palette(list(pd.unique(frame["brand"])),
                                      dict(zip(frame["brand"], frame["brand_kind"])))
        ax = plots.dot_interval(frame, "mean", "factor_label", hue="brand", palette=palette, n=None, order=order,
                                xlabel=f"Mean rating ({nv.scale_text(tuple(card[['scale_min', 'scale_max']].iloc[0]))}, "
                                       f"with {level}s)",
                                tick_label=lambda f: f"{f} — limits most" if f == limit else f)
        ax.set_xlim(*card[["scale_min", "scale_max"]].iloc[0].to_numpy(float) + np.array([-0.1, 0.1]))
        who = "the own brand and each competitor" if result.brands is not None else "the own brand"
        alt = (f"Dot chart: Pope's UCE factors rated by customers of {who} on one axis, each mean with its "
               f"{level}" + (f"; {limit} is marked as the factor that most limits the client experience" if limit
                             else ""))
        shown = [Shown("markdown", section_intro(), layer="appendix"), Shown("figure", ax.figure, alt)]
        cols = ["factor_label", "label", "n", "mean", "ci_low", "ci_high", "alpha", "reliability_flag", "importance",
                "importance_ci_low", "importance_ci_high", "r2", "n_importance", "room", "gain", "gain_ci_low",
                "gain_ci_high"]
        shown.append(Shown("table", card[cols],
                           f"UCE scorecard, own brand: score ({level}), importance for the main outcome (share of R², "
                           f"LMG, {level}), room to improve (share of the scale range) and importance × room "
                           f"(bootstrap {level})",
                           {"percent": ("importance", "importance_ci_low", "importance_ci_high", "room"),
                            "rename": {"factor_label": "Pope's factor", "room": "room to improve (share of scale)",
                                       "gain": "importance × room", "gain_ci_low": f"importance × room, {level} low",
                                       "gain_ci_high": f"importance × room, {level} high",
                                       "n_importance": "n (importance)"}},
                           layer="appendix"))
        if result.brands is not None:
            shown.append(Shown("table", result.brands, f"UCE factors per brand ({level})", layer="appendix"))
        if result.comparisons is not None:
            shown.append(Shown("table", result.comparisons.drop(columns=["construct"]),
                               "Own brand vs competitors on the UCE factors (Welch t, Holm-corrected with the "
                               "competitive landscape; adjusted intervals)", layer="appendix"))
        return shown
