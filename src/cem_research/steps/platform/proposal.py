"""The experiential platform: a positioning chosen by a stated rule, its value promise and its theme.

The decision rule (:func:`positioning_candidates`)
--------------------------------------------------
Every experience dimension is a candidate and is scored on four criteria:

1. **Reliable** (the gate): its raw Cronbach's alpha on the own brand's rows (the result of
   :class:`~cem_research.steps.platform.reliability.Reliability`) reaches the reliability threshold
   (.70 by default).  A single-item dimension cannot be checked and passes with a note; a dimension
   below the gate is never proposed, whatever its other numbers.
2. **Strong**: the own brand's mean is above the scale midpoint -- one-sample t-test of
   ``mean - midpoint`` (weighted, Kish effective n, when the client has survey weights), Holm-corrected
   over the experience dimensions, with the adjusted interval that agrees with the verdict.
3. **Distinctive** (only with competitor ratings): the own brand is ahead of all competitors pooled in
   step 1's single comparison table (:func:`cem_research.steps.world.competition.own_vs_competitors`:
   Welch t, Hedges' g, Holm over every own-brand comparison, adjusted interval).
4. **Important** (reported, not required): the dimension's share of R² for the main outcome with its
   bootstrap interval (the result of :class:`~cem_research.steps.platform.drivers.Drivers`).  It is
   "the strongest driver" only when its share is the largest *and* its interval lies above every other
   driver's interval; it "matters" when the interval lies above an equal split ``1 / number of
   drivers``; otherwise no importance claim is made.  (Shares of R² are non-negative by construction, so
   an interval that merely excludes 0 says little.)

A dimension **qualifies** when it is reliable, strong and -- with competitor ratings -- distinctive.
Among qualifying dimensions the one with the **largest lead over the pooled competitors** (Hedges' g)
is chosen; another qualifying dimension takes its place only when the two leads cannot be told apart
(their 95% intervals of g overlap) *and* it clearly matters more (its importance interval lies entirely
above the leader's).  Without competitor ratings distinctiveness cannot be judged: the strong, reliable
dimension with the largest share of R² is proposed provisionally and the sentence says competitor
ratings would decide it.  When no dimension qualifies, none is proposed: the finding names the best
candidate, what it misses, and what data would decide it.  The runner-up and why it lost are in the
appendix table.

Words follow the evidence: "distinctly" only for a dimension whose lead is significant after Holm;
"drives" only for the clear strongest driver; never either for a client without the data.

The implementation theme (:func:`cem_research.steps.platform.theme.implementation_theme`) is built from the customers' words about the
chosen dimension; the researcher edits the wording (:func:`apply_override`), the evidence stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.platform.common import ELEMENTS, POSITIVE_COMPOUND, STEP
from cem_research.steps.platform.drivers import Drivers
from cem_research.steps.platform.profile import ExperientialProfile
from cem_research.steps.platform.reliability import Reliability, reliability_table
from cem_research.steps.platform.theme import MIN_THEME_SENTENCES, Theme, implementation_theme
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["positioning_candidates", "implementation_theme", "Theme", "PlatformProposal", "propose_platform",
           "apply_override", "platform_findings", "ExperientialPlatform", "MIN_THEME_SENTENCES"]

# ------------------------------------------------------------------------------------ the rule

def _strength(data: "ClientData", dims: list[str], mids: dict, confidence: float) -> pd.DataFrame:
    """One-sample t-test of ``mean - midpoint`` per dimension, Holm over the dimensions, adjusted CI."""
    rows = []
    for d in dims:
        m = stats.mean_ci(data.own, d, weights=data.weight, confidence=confidence).iloc[0]
        n_eff, sd = float(m["n_eff"]), float(m["sd"])
        diff = float(m["mean"]) - mids[d]
        se = sd / np.sqrt(n_eff) if n_eff > 1 and np.isfinite(sd) and sd > 0 else np.nan
        df = n_eff - 1
        p = float(2 * sps.t.sf(abs(diff / se), df)) if np.isfinite(se) else np.nan
        rows.append({"dimension": d, "strength_diff": diff, "se": se, "df": df, "p_unc": p})
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm", alpha=1 - confidence)
    lo, hi = stats.adjusted_interval(out["strength_diff"], out["se"], out["df"], out["p_unc"], out["p_corr"],
                                     alpha=1 - confidence)
    out["strength_ci_low"], out["strength_ci_high"] = lo, hi
    out["strong"] = (out["significant"] & (out["strength_diff"] > 0)).astype(bool)
    return out.rename(columns={"p_corr": "strength_p_corr"})[
        ["dimension", "strength_diff", "strength_ci_low", "strength_ci_high", "strength_p_corr", "strong"]]


def _importance(importance: pd.DataFrame | None, main_outcome: str | None) -> tuple[pd.DataFrame | None, str]:
    """The main outcome's rows of the driver importance table, with the two importance verdicts."""
    if importance is None or importance.empty:
        return None, ""
    outcome = main_outcome if main_outcome in set(importance["outcome"]) else importance["outcome"].iloc[0]
    t = importance[importance["outcome"] == outcome].set_index("driver")
    equal = 1.0 / len(t)
    out = pd.DataFrame({"importance_share": t["share"], "importance_ci_low": t["share_ci_low"],
                        "importance_ci_high": t["share_ci_high"], "importance_rank": t["rank"],
                        "equal_share": equal})
    out["drives"] = [bool(t.loc[d, "rank"] == t["rank"].min() and len(t) > 1
                          and t.loc[d, "share_ci_low"] > t.drop(index=d)["share_ci_high"].max()) for d in t.index]
    out["matters"] = (out["importance_ci_low"] > equal) | out["drives"]
    return out, outcome


def _miss(row: pd.Series, has_tests: bool) -> str:
    """What a dimension misses of the rule, in words ("" when it qualifies)."""
    out = []
    if not row["reliable"]:
        out.append(f"reliability ({row['gate_note']})")
    if not row["strong"]:
        out.append(f"strength ({nv.signed(row['strength_diff'])} vs the midpoint, Holm {nv.p(row['strength_p_corr'])})")
    if has_tests and not row["distinctive"]:
        out.append("distinctiveness (no competitor comparison)" if not np.isfinite(row["diff"]) else
                   f"distinctiveness (lead {nv.signed(row['diff'])} not significant after Holm, {nv.p(row['p_corr'])})"
                   if row["diff"] > 0 else
                   f"distinctiveness (not ahead of the pooled competitors: {nv.signed(row['diff'])})")
    return "; ".join(out)


def _decisions(out: pd.DataFrame, has_tests: bool, overtook: str | None) -> list[str]:
    """Why each dimension was chosen or not, in words (the runner-up is the second row)."""
    first, res = out.iloc[0], []
    for i, r in out.iterrows():
        g = f"g = {nv.num(r['hedges'])}"
        if i == 0 and r["qualifies"]:
            text = ("chosen (provisional): reliable and strong, with the largest share of the main outcome's "
                    "explained variance among such dimensions; distinctiveness not assessable" if not has_tests else
                    f"chosen: its lead ({g}) cannot be told apart from {overtook}'s (95% intervals of g overlap) and "
                    "it clearly matters more (importance intervals do not overlap)" if overtook else
                    f"chosen: reliable, strong and ahead of the pooled competitors after Holm, largest lead ({g})")
        elif i == 0:
            text = "best available candidate, not proposed: misses " + r["missing"]
        elif r["qualifies"] and r["label"] == overtook:
            text = (f"qualifies with the largest lead ({g}), but it cannot be told apart from the chosen one's and "
                    "the chosen dimension clearly matters more")
        elif r["qualifies"] and not has_tests:
            text = "qualifies, but a smaller share of the main outcome's explained variance"
        elif r["qualifies"]:
            text = f"qualifies but leads by less ({g} vs {nv.num(first['hedges'])})"
            if np.isfinite(r.get("importance_share", np.nan)):
                text += ("; it matters more for the main outcome, but the two leads are distinguishable"
                         if r["importance_ci_low"] > first["importance_ci_high"] else
                         "; its importance interval is not above the chosen one's, so importance does not "
                         "overturn the order")
        else:
            text = "misses " + r["missing"]
        res.append(text)
    if len(out) > 1:
        res[1] = "runner-up: " + res[1]
    return res


def positioning_candidates(data: "ClientData", profile: pd.DataFrame, tests: pd.DataFrame | None,
                           importance: pd.DataFrame | None, reliability: pd.DataFrame | None = None,
                           threshold: float = RELIABILITY_THRESHOLD, confidence: float = 0.95,
                           main_outcome: str | None = None) -> pd.DataFrame:
    """Score every experience dimension on the rule of this module and rank it.

    Parameters
    ----------
    data : ClientData
    profile : DataFrame
        :func:`experiential_profile` (the own brand's means).
    tests : DataFrame or None
        :func:`profile_tests` (step 1's comparisons); ``None`` without competitor ratings.
    importance : DataFrame or None
        :func:`driver_importance`; ``None`` without driver analysis.
    reliability : DataFrame, optional
        :func:`reliability_table` (computed when omitted).
    threshold : float, default 0.70
        The reliability gate.
    confidence : float, default 0.95
        Level of the intervals; verdicts at ``1 - confidence``.
    main_outcome : str, optional
        The outcome whose importance counts (default ``data.main_outcome``).

    Returns
    -------
    DataFrame
        One row per dimension, the chosen one first, then the runner-up: ``dimension, label, alpha,
        reliable, gate_note, mean, ci_low, ci_high, midpoint, strength_diff, strength_ci_low,
        strength_ci_high, strength_p_corr, strong, competitor_mean, diff, diff_ci_low, diff_ci_high,
        hedges, hedges_ci_low, hedges_ci_high, p_corr, distinctive, n_ahead, n_competitors, outcome,
        outcome_label, importance_share, importance_ci_low, importance_ci_high, importance_rank, equal_share, drives,
        matters, qualifies, criteria_met, criteria_assessed, chosen, missing, decision,
        reliability_flag``.  ``criteria_*`` count the qualifying criteria (reliable, strong and, with
        competitors, distinctive); ``chosen`` marks the proposed dimension (none when nothing qualifies).

    Notes
    -----
    The rule is stated in the module docstring.  Strength intervals are adjusted for the Holm
    family of the experience dimensions (:func:`cem_research.stats.adjusted_interval`); the
    competitor difference, its adjusted interval, g and Holm p are step 1's.
    """
    cfg = data.config
    own = profile[(profile["level"] == "brand") & (profile["brand_kind"] == "own")].set_index("dimension")
    dims = list(own.index)
    out = pd.DataFrame({"dimension": dims, "label": [own.loc[d, "label"] for d in dims]})
    rel = reliability if reliability is not None else reliability_table(data, threshold=threshold)
    rel = rel.set_index("construct")
    k = out["dimension"].map(rel["k"]).fillna(1).astype(int)
    out["alpha"] = out["dimension"].map(rel["alpha"]).astype(float)
    out["reliable"] = ((k < 2) | (out["alpha"] >= threshold)).astype(bool)
    out["gate_note"] = [("single item: reliability not estimable" if kk < 2 else
                         f"alpha = {nv.num(a)} < {nv.num(threshold)}".replace("0.", ".") if not ok else "")
                        for kk, a, ok in zip(k, out["alpha"], out["reliable"])]
    for col in ("mean", "ci_low", "ci_high"):
        out[col] = [own.loc[d, col] for d in dims]
    mids = {d: (own.loc[d, "scale_min"] + own.loc[d, "scale_max"]) / 2 for d in dims}
    out["midpoint"] = out["dimension"].map(mids)
    out = out.merge(_strength(data, dims, mids, confidence), on="dimension", how="left")
    comp = profile[profile["level"] == "all competitors"].set_index("dimension")
    out["competitor_mean"] = out["dimension"].map(comp["mean"]) if len(comp) else np.nan
    has_tests = tests is not None and not tests.empty
    cols = ("diff", "diff_ci_low", "diff_ci_high", "hedges", "hedges_ci_low", "hedges_ci_high", "p_corr")
    if has_tests:
        pooled = tests[tests["level"] == "all competitors"].set_index("dimension")
        for col in cols:
            src = {"diff_ci_low": "ci_low", "diff_ci_high": "ci_high"}.get(col, col)
            out[col] = out["dimension"].map(pooled[src]).astype(float)
        sig = out["dimension"].map(pooled["significant"]).fillna(False).astype(bool)
        out["distinctive"] = (sig & (out["diff"] > 0)).astype(bool)
        by_brand = tests[tests["level"] == "brand"]
        ahead = by_brand[by_brand["significant"] & (by_brand["diff"] > 0)].groupby("dimension").size()
        out["n_ahead"] = out["dimension"].map(ahead).fillna(0).astype(int)
        out["n_competitors"] = out["dimension"].map(by_brand.groupby("dimension").size()).fillna(0).astype(int)
    else:
        for col in cols:
            out[col] = np.nan
        out["distinctive"] = False
        out["n_ahead"] = out["n_competitors"] = 0
    imp, outcome = _importance(importance, main_outcome or data.main_outcome)
    out["outcome"] = outcome
    out["outcome_label"] = nv.label(cfg, outcome) if outcome else ""
    icols = ["importance_share", "importance_ci_low", "importance_ci_high", "importance_rank", "equal_share"]
    for col in icols:
        out[col] = out["dimension"].map(imp[col]).astype(float) if imp is not None else np.nan
    for col in ("drives", "matters"):
        out[col] = out["dimension"].map(imp[col]).fillna(False).astype(bool) if imp is not None else False
    out["qualifies"] = out["reliable"] & out["strong"] & (out["distinctive"] | (not has_tests))
    out["criteria_met"] = (out["reliable"].astype(int) + out["strong"].astype(int)
                           + out["distinctive"].astype(int) * has_tests)
    out["criteria_assessed"] = 2 + int(has_tests)
    out["missing"] = out.apply(_miss, axis=1, has_tests=has_tests)

    q = out[out["qualifies"]]
    if has_tests:
        q = q.sort_values(["hedges", "importance_share"], ascending=False, na_position="last", kind="stable")
    else:
        q = q.sort_values(["importance_share", "strength_diff"], ascending=False, na_position="last", kind="stable")
    chosen, overtook = (q.index[0] if len(q) else None), None
    if has_tests and imp is not None and len(q) > 1:
        lead = q.iloc[0]
        for i, r in q.iloc[1:].iterrows():
            g_overlap = r["hedges_ci_low"] <= lead["hedges_ci_high"] and lead["hedges_ci_low"] <= r["hedges_ci_high"]
            if g_overlap and r["importance_ci_low"] > lead["importance_ci_high"]:
                chosen, overtook = i, lead["label"]
                break
    rest = out.drop(index=q.index).sort_values(
        ["criteria_met", "hedges" if has_tests else "strength_diff"], ascending=False, na_position="last",
        kind="stable")
    order = ([chosen] if chosen is not None else []) + [i for i in q.index if i != chosen] + list(rest.index)
    out = out.loc[order].reset_index(drop=True)
    out["chosen"] = False
    if chosen is not None:
        out.loc[0, "chosen"] = True
    out["decision"] = _decisions(out, has_tests, overtook)
    flags = own["reliability_flag"].to_dict() if "reliability_flag" in own else {}
    out["reliability_flag"] = out["dimension"].map(flags).fillna("")
    return out


# ------------------------------------------------------------------------------------ the proposal


@dataclass(frozen=True)
class PlatformProposal:
    """A proposed experiential platform with its evidence.

    Attributes
    ----------
    table : DataFrame
        ``element, proposal, evidence, edited`` – one row per platform element (:data:`ELEMENTS`).
    markdown : str
        The proposal as a paragraph (client names escaped).
    candidates : DataFrame
        :func:`positioning_candidates` (chosen first, then the runner-up).
    theme : Theme or None
        :func:`implementation_theme` of the chosen dimension.
    positioning : list of str
        The positioning dimension(s) and the value promise's dimension (``evp``); empty / ``None``
        when no dimension qualifies.  ``brand`` is the own brand, ``confidence`` the intervals' level.
    """

    table: pd.DataFrame
    markdown: str
    candidates: pd.DataFrame
    theme: Theme | None = None
    positioning: list[str] = field(default_factory=list)
    evp: str | None = None
    brand: str = ""
    confidence: float = 0.95

    def _repr_markdown_(self) -> str:  # pragma: no cover - display only
        return self.markdown


def _importance_text(row: pd.Series, confidence: float) -> str:
    share = (f"{nv.pct(row['importance_share'])} of the explained variance in {row['outcome_label'].lower()} "
             f"({nv.pct_ci(row['importance_ci_low'], row['importance_ci_high'], confidence=confidence)}")
    if row["drives"]:
        return share + "; the largest share, its interval above every other driver's)"
    if row["matters"]:
        return share + f"; above an equal split of {nv.pct(row['equal_share'])})"
    return share + f"; not shown above an equal split of {nv.pct(row['equal_share'])})"


def _evidence(row: pd.Series, confidence: float = 0.95) -> str:
    """The numbers behind one candidate dimension, in words."""
    bits = []
    if row.get("gate_note"):
        bits.append(row["gate_note"])
    elif np.isfinite(row.get("alpha", np.nan)):
        bits.append(f"alpha = {nv.num(row['alpha'])}")
    bits.append(f"mean {nv.num(row['mean'])} ({nv.ci(row['ci_low'], row['ci_high'], confidence=confidence)}), "
                f"{nv.signed(row['strength_diff'])} vs the midpoint {row['midpoint']:g} "
                f"({nv.adj_ci(row['strength_ci_low'], row['strength_ci_high'], confidence=confidence)}; "
                f"Holm {nv.p(row['strength_p_corr'])})")
    if np.isfinite(row.get("diff", np.nan)):
        bits.append(f"{nv.signed(row['diff'])} vs the pooled competitors "
                    f"({nv.adj_ci(row['diff_ci_low'], row['diff_ci_high'], confidence=confidence)}; "
                    f"Holm {nv.p(row['p_corr'])}; g = {nv.num(row['hedges'])}; significantly ahead of "
                    f"{int(row['n_ahead'])} of {int(row['n_competitors'])} competitors)")
    if np.isfinite(row.get("importance_share", np.nan)):
        bits.append(_importance_text(row, confidence))
    if row.get("reliability_flag") and not row.get("gate_note"):
        bits.append(f"caution: {row['reliability_flag']}")
    return "; ".join(bits)


def _decider(row: pd.Series, has_tests: bool) -> str:
    """What data would decide the positioning when its best candidate misses the rule."""
    if not row["reliable"]:
        return (f"a reliable measure of {row['label'].lower()} (check the item analysis for reverse-worded "
                "items, or field better items)")
    if has_tests and not row["distinctive"] and np.isfinite(row["diff"]) and row["diff"] > 0:
        return (f"more competitor ratings: the lead of {nv.signed(row['diff'])} on {row['label'].lower()} "
                f"({nv.adj_ci(row['diff_ci_low'], row['diff_ci_high'])}; Holm {nv.p(row['p_corr'])}) "
                "is not significant at the current sample sizes")
    if not row["strong"] and row["strength_diff"] > 0:
        return f"a larger own-brand sample, to show whether {row['label'].lower()} is above the scale midpoint"
    return ("no further data on these dimensions: the brand is not ahead on any of them, so an experience "
            "has to be built before it can be positioned on (see the innovation agenda)")


def _markdown(table: pd.DataFrame, brand: str) -> str:
    return "\n".join([f"**Proposed experiential platform for {nv.md(brand)}** (a draft derived from the data; the "
                      "evidence for each element is in the table below)."]
                     + [f"\n* **{nv.md(r.element)}:** {nv.md(r.proposal)}  \n  *Evidence:* {nv.md(r.evidence)}"
                        for r in table.itertuples()])


def _theme_row(data: "ClientData", theme: Theme | None, chosen: bool) -> tuple[str, str]:
    if not chosen:
        return ("No implementation theme until a dimension qualifies for the positioning.",
                "the theme follows the chosen dimension")
    if data.feedback is None:
        return ("No verbatims supplied: derive the implementation theme from qualitative research "
                "(interviews, observation) around the value promise.", "the client supplies no feedback file")
    if theme is None:
        return "Implementation theme not derived.", "not computed"
    rule = (f"sentences of own-brand verbatims naming a word of the {theme.label.lower()} lexicon "
            f"({theme.lexicon_source}) with VADER compound ≥ {POSITIVE_COMPOUND}")
    if not theme.enough:
        return (f"Not enough verbatims: {theme.n_sentences} positive own-brand "
                f"{'sentence' if theme.n_sentences == 1 else 'sentences'} about the {theme.label.lower()} experience "
                f"(at least {MIN_THEME_SENTENCES} needed).", rule)
    ph = theme.phrases.head(3)
    prop = ("Carry the promise into every touchpoint in the customers' own words: "
            + ", ".join(f"“{p}”" for p in ph["phrase"]) + ". As customers put it: "
            + " ".join(f"“{q}”" for q in theme.quotes) + " (quotes masked)")
    sig = bool(theme.phrases["significant"].any())
    ev = (f"phrases over-represented in {theme.n_sentences} {rule} vs {theme.n_reference} other verbatims: "
          + "; ".join(f"“{r.phrase}” ({nv.pct(r.target_share)} vs {nv.pct(r.reference_share)}, "
                      f"G² = {r.g2:.1f}, FDR {nv.p(r.p_corr)})" for r in ph.itertuples())
          + ("" if sig else " (none significant after FDR correction: read as indicative)"))
    return prop, ev


def propose_platform(data: "ClientData", profile: pd.DataFrame, tests: pd.DataFrame | None,
                     importance: pd.DataFrame | None, max_positioning: int = 1,
                     theme: Theme | None | bool = True, confidence: float = 0.95,
                     reliability: pd.DataFrame | None = None,
                     threshold: float = RELIABILITY_THRESHOLD) -> PlatformProposal:
    """The experiential platform by the rule of this module, with the evidence for each element.

    Parameters
    ----------
    data : ClientData
    profile, tests, importance : DataFrame
        :func:`experiential_profile`, :func:`profile_tests` (or ``None``), :func:`driver_importance`
        (or ``None``).
    max_positioning : int, default 1
        At most this many qualifying dimensions in the positioning (the chosen one, then the others in
        rank order).
    theme : Theme, None or True
        ``True`` (default) computes :func:`implementation_theme` for the chosen dimension; ``None``
        skips it.
    confidence : float, default 0.95
    reliability : DataFrame, optional
        :func:`reliability_table` (the gate; computed when omitted).
    threshold : float, default 0.70

    Returns
    -------
    PlatformProposal
    """
    cfg, brand = data.config, data.config.brand
    cand = positioning_candidates(data, profile, tests, importance, reliability=reliability,
                                  threshold=threshold, confidence=confidence)
    has_tests = tests is not None and not tests.empty
    best = cand.iloc[0]
    chosen = bool(best["chosen"])
    positioning = list(cand.loc[cand["qualifies"], "dimension"].head(max_positioning)) if chosen else []
    label = best["label"].lower()
    overtook = len(cand) > 1 and cand.iloc[1]["qualifies"] and cand.iloc[1]["hedges"] > best["hedges"]
    if chosen and has_tests:
        prop = (f"Position {brand} on the {label} experience: it is strong (above the scale midpoint) and "
                f"distinctly ahead of the pooled competitors after Holm correction, "
                + (f"with a lead (g = {nv.num(best['hedges'])}) that cannot be told apart from "
                   f"{cand.iloc[1]['label']}'s and clearly more weight in {best['outcome_label'].lower()}."
                   if overtook else
                   f"with the largest lead of the qualifying dimensions (g = {nv.num(best['hedges'])})."))
    elif chosen:
        prop = (f"Position {brand} provisionally on the {label} experience: it is strong (above the scale midpoint) "
                "and reliably measured; whether it sets the brand apart cannot be judged without competitor "
                "ratings on the same dimensions.")
    else:
        prop = (f"No experience dimension qualifies for the positioning yet (reliable, strong and ahead of the "
                f"pooled competitors after Holm correction). The best candidate, {best['label']}, misses "
                f"{best['missing']}. What would decide it: {_decider(best, has_tests)}.")
    ev = f"{best['label']}: {_evidence(best, confidence)}"
    if len(cand) > 1:
        second = cand.iloc[1]
        ev += f" | runner-up {second['label']}: {second['decision'].removeprefix('runner-up: ')}"
    rows = [{"element": ELEMENTS[0], "proposal": prop, "evidence": ev}]

    if chosen:
        prop = f"Promise customers a {'distinctly ' if best['distinctive'] else ''}{label} experience with {brand}"
        if not np.isfinite(best["importance_share"]):
            prop += "."
        elif best["drives"]:
            prop += f" – the strongest driver of {best['outcome_label'].lower()}."
        elif best["matters"]:
            prop += (f" – an experience that matters for {best['outcome_label'].lower()} "
                     f"({nv.pct(best['importance_share'])} of its explained variance).")
        else:
            prop += (f" – a differentiator more than a driver: it explains {nv.pct(best['importance_share'])} of "
                     f"{best['outcome_label'].lower()}'s explained variance, so test whether the promise can be "
                     "made to matter before committing to it.")
        rows.append({"element": ELEMENTS[1], "proposal": prop, "evidence": ev.split(" | ")[0]})  # the chosen one's
    else:
        rows.append({"element": ELEMENTS[1], "proposal": "No value promise until a dimension qualifies for the "
                     "positioning.", "evidence": "see the positioning"})

    if theme is True:
        theme = implementation_theme(data, best["dimension"]) if chosen else None
    prop, ev = _theme_row(data, theme if isinstance(theme, Theme) else None, chosen)
    rows.append({"element": ELEMENTS[2], "proposal": prop, "evidence": ev})
    table = pd.DataFrame(rows)
    table["edited"] = False
    return PlatformProposal(table=table, markdown=_markdown(table, brand), candidates=cand,
                            theme=theme if isinstance(theme, Theme) else None, positioning=positioning,
                            evp=best["dimension"] if chosen else None, brand=brand, confidence=confidence)


def apply_override(proposal: PlatformProposal, override: dict | str | None) -> PlatformProposal:
    """Replace the proposal's wording with the researcher's.

    Parameters
    ----------
    proposal : PlatformProposal
    override : dict, str or None
        ``None``: unchanged.  A dict maps an element (``"Experiential positioning"``,
        ``"Experiential value promise"``, ``"Overall implementation theme"``; or the short keys
        ``positioning``, ``evp``, ``theme``) to new wording; the evidence is kept.  A string
        replaces the whole paragraph (the table's wording stays, marked as not edited).

    Returns
    -------
    PlatformProposal
        A copy; edited rows have ``edited = True``.

    Raises
    ------
    ValueError
        For an unknown element name.
    """
    if override is None:
        return proposal
    if isinstance(override, str):
        return replace(proposal, markdown=override)
    short = {"positioning": ELEMENTS[0], "evp": ELEMENTS[1], "value promise": ELEMENTS[1],
             "theme": ELEMENTS[2], "implementation theme": ELEMENTS[2]}
    table = proposal.table.copy()
    for key, wording in override.items():
        element = short.get(str(key).lower(), key)
        if element not in ELEMENTS:
            raise ValueError(f"unknown platform element {key!r}; use one of {list(ELEMENTS)} "
                             "(or positioning, evp, theme)")
        table.loc[table["element"] == element, "proposal"] = str(wording)
        table.loc[table["element"] == element, "edited"] = True
    return replace(proposal, table=table, markdown=_markdown(table, proposal.brand))


def platform_findings(proposal: PlatformProposal) -> list[dict]:
    """Findings for the executive summary: the positioning (with the runner-up), the EVP and the theme.

    Parameters
    ----------
    proposal : PlatformProposal

    Returns
    -------
    list of dict
        Keyword arguments of :func:`cem_research.present.findings.record` (keys ``positioning``,
        ``evp``, ``implementation_theme``).
    """
    cand, conf = proposal.candidates, proposal.confidence
    tab = proposal.table.set_index("element")
    best = cand.iloc[0]

    def edited(i):
        return " (wording edited by the researcher)" if tab.loc[ELEMENTS[i], "edited"] else ""

    text = f"Proposed experiential positioning{edited(0)}: {tab.loc[ELEMENTS[0], 'proposal']}"
    if proposal.positioning:
        text += f" Evidence – {best['label']}: {_evidence(best, conf)}."
    if len(cand) > 1:
        second = cand.iloc[1]
        text += f" Runner-up: {second['label']} – {second['decision'].removeprefix('runner-up: ')}."
    has_tests = bool(np.isfinite(best["diff"]))
    value, ci = ((best["diff"], (best["diff_ci_low"], best["diff_ci_high"])) if has_tests
                 else (best["mean"], (best["ci_low"], best["ci_high"])))
    out = [{"text": text, "headline": True, "key": "positioning", "value": float(value),
            "ci": (float(ci[0]), float(ci[1]))}]
    if proposal.evp is not None:
        has_imp = bool(np.isfinite(best["importance_share"]))
        out.append({"text": f"Proposed experiential value promise{edited(1)}: {tab.loc[ELEMENTS[1], 'proposal']} "
                            f"Evidence – {_evidence(best, conf)}.",
                    "headline": True, "key": "evp",
                    "value": float(best["importance_share"]) if has_imp else float(best["mean"]),
                    "ci": ((float(best["importance_ci_low"]), float(best["importance_ci_high"])) if has_imp
                           else (float(best["ci_low"]), float(best["ci_high"])))})
    out.append({"text": f"Overall implementation theme{edited(2)}: {tab.loc[ELEMENTS[2], 'proposal']} "
                        f"Evidence – {tab.loc[ELEMENTS[2], 'evidence']}.",
                "headline": False, "key": "implementation_theme", "value": None, "ci": None})
    return out


class ExperientialPlatform(Section):
    """The experiential platform: positioning candidates, the proposal and its evidence.

    Parameters
    ----------
    override : dict, str or None
        The researcher's wording (:func:`apply_override`); the notebook's ``platform_override``.

    Examples
    --------
    >>> from cem_research.steps.platform import ExperientialPlatform
    >>> ExperientialPlatform(override={"evp": "Warmth."}).key
    "ExperientialPlatform({'evp': 'Warmth.'})"
    """

    step = STEP
    title = "The experiential platform"

    def __init__(self, override: dict | str | None = None):
        self.override = override

    @property
    def key(self) -> str:
        """The class name, with the override when there is one (results are memoised per key)."""
        name = type(self).__name__
        return name if self.override is None else f"{name}({self.override!r})"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        return ExperientialProfile().skip_reason(data, settings)

    def compute(self, data: "ClientData", settings: Settings) -> PlatformProposal:
        profile = ExperientialProfile().result(data, settings)
        drivers = Drivers().result(data, settings)
        proposal = propose_platform(data, profile.profile, profile.tests,
                                    drivers.importance if drivers is not None else None,
                                    confidence=settings.confidence, reliability=Reliability().result(data, settings),
                                    threshold=settings.reliability_threshold)
        return apply_override(proposal, self.override)

    def findings(self, result: PlatformProposal, data: "ClientData", settings: Settings) -> list[dict]:
        return platform_findings(result)

    def present(self, result: PlatformProposal, data: "ClientData", settings: Settings) -> list[Shown]:
        adj = f"adjusted {nv.ci_label(settings.confidence)}"
        rename = {"strength_diff": "mean minus midpoint", "strength_ci_low": f"mean minus midpoint, {adj} low",
                  "strength_ci_high": f"mean minus midpoint, {adj} high", "strength_p_corr": "strength: p (Holm)",
                  "diff_ci_low": f"difference, {adj} low", "diff_ci_high": f"difference, {adj} high",
                  "p_corr": "p (Holm)", "n_ahead": "significantly ahead of", "n_competitors": "competitors",
                  "importance_share": "share of R² (main outcome)", "drives": "strongest driver (clear)",
                  "matters": "above an equal split", "competitor_mean": "pooled competitors' mean"}
        cols = ["label", "alpha", "reliable", "mean", "strength_diff", "strength_ci_low", "strength_ci_high",
                "strength_p_corr", "strong", "competitor_mean", "diff", "diff_ci_low", "diff_ci_high", "hedges",
                "p_corr", "distinctive", "n_ahead", "n_competitors", "importance_share", "importance_ci_low",
                "importance_ci_high", "drives", "matters", "qualifies", "decision"]
        pct = {"percent": ("importance_share", "importance_ci_low", "importance_ci_high")}
        cand = result.candidates
        shown = [Shown("table", cand[cols], "Positioning candidates scored by the decision rule (reliable, strong, "
                       "distinctive after Holm; importance on the main outcome), chosen dimension first",
                       {**pct, "rename": rename}, layer="appendix")]
        if len(cand) > 1:
            two = cand.head(2).assign(role=["chosen" if cand.iloc[0]["chosen"] else "best candidate", "runner-up"])
            shown.append(Shown("table", two[["role", "label", "diff", "hedges", "p_corr", "importance_share",
                                             "importance_ci_low", "importance_ci_high", "decision"]],
                               "The positioning and its runner-up: why the runner-up lost", {**pct, "rename": rename},
                               layer="appendix"))
        if result.theme is not None and result.theme.enough:
            shown.append(Shown("table", result.theme.phrases[["phrase", "target_docs", "target_share",
                                                               "reference_share", "g2", "p_corr", "quote"]],
                               f"Implementation theme: phrases from positive sentences about the "
                               f"{result.theme.label.lower()} experience ({result.theme.n_sentences} sentences)",
                               {"percent": ("target_share", "reference_share")}, layer="appendix"))
        shown.append(Shown("markdown", result.markdown, layer="appendix"))
        shown.append(Shown("table", result.table, "The experiential platform: proposal and evidence", layer="appendix"))
        return shown
