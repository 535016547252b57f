"""Innovation agenda: a ranked list of small improvements and large innovations, each scored by
its expected gain in the main outcome (see the package notes for the scoring rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.steps.innovation.audience import audience
from cem_research.steps.innovation.common import DEFAULTS, GOOD_SHARE, NO_AUDIENCE, STEP, STEPS, touchpoint_ipa
from cem_research.steps.innovation.evidence import competitor_gaps, driver_effects, driver_importance
from cem_research.steps.innovation.tracking import TrackingAcrossWaves, wave_change_tests
from cem_research.steps.interface.ipa import poor_users
from cem_research.steps.section import Section, Settings, Shown

#: Most opportunities the client's compact agenda table lists (the full table in the appendix lists them all).
MAX_CLIENT_ROWS = 10
#: A new experience is a "large innovation" when the lower limit of its expected gain's interval reaches this
#: many standard deviations of the main outcome (Cohen's small standardised effect, 0.2).
LARGE_GAIN_SD = 0.2

__all__ = ["LARGE_GAIN_SD", "can_weight_drivers", "innovation_agenda", "agenda_finding", "opportunity_words",
           "InnovationAgenda"]


def can_weight_drivers(data) -> bool:
    """Whether :func:`driver_effects` and :func:`competitor_gaps` can weigh the drivers (cheap check).

    The main outcome and at least two drivers rated by own-brand customers, with enough complete
    rows for the relative importance, and own-brand ratings in the latest wave.
    """
    cfg, own, outcome = data.config, data.own, data.main_outcome
    drivers = [d for d in cfg.drivers if d in own.columns and own[d].notna().any()]
    if outcome is None or outcome not in own.columns or len(drivers) < 2:
        return False
    if len(own[[outcome, *drivers]].dropna()) < max(20, 2 * len(drivers) + 2):
        return False
    return bool((own["wave"] == data.latest_wave).any())


def _construct_rows(data, effects, shares, gaps, changes, aud_map) -> list[dict]:
    """Agenda candidates from the drivers: gain = regression coefficient x room to the highest target."""
    outcome = data.main_outcome
    eff = effects.set_index("driver")
    share = {} if shares is None else shares.set_index("driver")
    big = LARGE_GAIN_SD * effects.attrs.get("outcome_sd", np.nan)
    model = (f"{'weighted' if effects.attrs.get('weighted') else 'unweighted'} multiple regression of {outcome} on "
             f"the {len(effects)} drivers, R² {nv.num(effects['r2'].iloc[0])}, n = {int(effects['n'].iloc[0]):,}")
    rows = []
    for _, g in gaps.iterrows():
        c = g["construct"]
        if c not in eff.index:
            continue
        own = g["own_mean"]
        own_is_best = bool(np.isfinite(g["category_best"]) and own >= g["category_best"] - 1e-9)
        targets = {}
        if not own_is_best and np.isfinite(g["best_mean"]) and g["best_mean"] > own:
            targets["close a gap"] = g["best_mean"]  # never for a dimension where the brand is the category best
        trend, trend_p, prev = np.nan, np.nan, np.nan
        if changes is not None:
            ch = changes[(changes["construct"] == c) & (changes["to_wave"] == data.latest_wave)]
            if len(ch):
                trend, trend_p = float(ch["diff"].iloc[0]), float(ch["p_corr"].iloc[0])
                prev = float(ch["mean_from"].iloc[0])
                if ch["significant"].iloc[0] and trend < 0:
                    targets["lost ground"] = prev
        if g["no_brand_performs"]:
            targets["new experience"] = g["good_level"]
        if targets:
            kind = max(targets, key=targets.get)
            target = targets[kind]
        else:
            kind, target = ("keep the lead" if own_is_best else "close a gap"), np.nan
        room = max(target - own, 0.0) if np.isfinite(target) else 0.0
        e = eff.loc[c]
        coef, lo, hi = float(e["coef"]), float(e["ci_low"]), float(e["ci_high"])
        gain, gain_lo, gain_hi = coef * room, lo * room, hi * room
        large = bool(kind == "new experience" and np.isfinite(big) and gain_lo >= big)
        a = aud_map.get(("construct", c))
        ev = [f"{nv.signed(coef)} {outcome} points per scale point, the other drivers held constant "
              f"({nv.ci(lo, hi)}; {model})"]
        if lo <= 0 <= hi:
            ev.append("the coefficient's interval includes 0, so the gain may be nil")
        if c in getattr(share, "index", ()):
            s = share.loc[c]
            ev.append(f"LMG share of R² {nv.pct(s['share'])} ({nv.pct_ci(s['share_ci_low'], s['share_ci_high'])})")
        ev.append(f"own {nv.num(own)} ({nv.ci(g['own_ci_low'], g['own_ci_high'])})")
        if own_is_best:
            ev.append(f"the own brand is the best in its category in {data.latest_wave}")
        if g["best_competitor"] is not None and np.isfinite(g["gap"]):
            # step 1's comparison, own minus competitor, as every section states it
            ev.append(f"own brand minus best competitor {g['best_competitor']} {nv.signed(-g['gap'])} "
                      f"({nv.adj_ci(-g['gap_ci_high'], -g['gap_ci_low'])}; Holm {nv.p(g['gap_p_corr'])}; "
                      f"{'a clear difference' if g['gap_significant'] else 'no clear difference'}, all waves)")
        if np.isfinite(trend):
            ev.append(f"latest change {nv.signed(trend)} (Holm {nv.p(trend_p)})")
        if g["no_brand_performs"]:
            ev.append(f"no brand reaches {nv.num(g['good_level'], 1)} (category best {nv.num(g['category_best'])}, "
                      f"{g['category_best_brand']})")
        if kind == "new experience" and not large and np.isfinite(big):
            ev.append(f"not a large innovation: the gain's lower limit {nv.num(gain_lo)} is below "
                      f"{nv.num(big)} ({nv.num(LARGE_GAIN_SD, 1)} SD of {outcome})")
        rows.append({"opportunity": g["title"], "item": c, "kind": kind,
                     "size": "large innovation" if large else "small improvement",
                     "feeds_step": 2 if kind == "new experience" else 3,
                     "gain": gain, "gain_ci_low": gain_lo, "gain_ci_high": gain_hi,
                     "importance": coef, "own_mean": own, "target": target if np.isfinite(target) else np.nan,
                     "room": room, "best_competitor": g["best_competitor"], "best_mean": g["best_mean"],
                     "gap": g["gap"], "gap_ci_low": g["gap_ci_low"], "gap_ci_high": g["gap_ci_high"],
                     "trend": trend, "trend_p_corr": trend_p,
                     "audience": a["audience"] if a is not None else NO_AUDIENCE,
                     "evidence": "; ".join(ev)})
    return rows


def _theme_rows(themes) -> list[dict]:
    """Agenda rows for the significantly rising themes of "Emerging themes": no gain can be estimated."""
    from cem_research.steps.innovation.themes import rising_themes, share_change

    if themes is None or themes.empty:
        return []
    rising = rising_themes(themes)
    latest = themes.attrs.get("latest", "the latest wave")
    rows = []
    for _, r in rising.iterrows():
        change, lo, hi = share_change(r, themes.attrs)
        ev = (f"rising theme in the verbatims: “{r['term']}” in {nv.pct(r['target_share'])} "
              f"({nv.pct_ci(r['latest_ci_low'], r['latest_ci_high'])}) of {latest}'s comments against "
              f"{nv.pct(r['reference_share'])} before (change {nv.signed(100 * change, 0)} points, "
              f"{nv.ci(100 * lo, 100 * hi, 0)}; corrected {nv.p(r['p_corr'])}); no expected gain can be "
              "estimated")
        rows.append({"opportunity": f"“{r['term']}”", "item": r["term"], "kind": THEME_KIND,
                     "size": "to be sized", "feeds_step": 3, "gain": np.nan, "gain_ci_low": np.nan,
                     "gain_ci_high": np.nan, "importance": np.nan, "own_mean": np.nan, "target": np.nan,
                     "room": np.nan, "best_competitor": None, "best_mean": np.nan, "gap": np.nan,
                     "gap_ci_low": np.nan, "gap_ci_high": np.nan, "trend": np.nan, "trend_p_corr": np.nan,
                     "audience": NO_AUDIENCE, "evidence": ev})
    return rows


#: Agenda kind of a significantly rising theme (no expected gain; ranked after the scored rows).
THEME_KIND = "respond to a rising theme"


def _touchpoint_rows(data, ipa, aud_map) -> list[dict]:
    """Agenda candidates from the IPA's "Concentrate here" touchpoints: gain = penalty x share poor."""
    outcome = data.main_outcome
    n_resp = ipa.attrs.get("n_respondents") or 1
    scale = ipa.attrs.get("scale", (1, 5))
    rows = []
    for _, t in ipa[ipa["quadrant"] == "Concentrate here"].iterrows():
        share = t["n_poor"] / n_resp
        a = aud_map.get(("touchpoint", t["touchpoint"]))
        ev = (f"IPA 'Concentrate here' (priority {int(t['priority'])}); performance {nv.num(t['performance'])} "
              f"({nv.ci(t['performance_ci_low'], t['performance_ci_high'])}) on {nv.scale_text(scale)}; "
              f"poor experience costs {nv.num(t['importance'])} "
              f"({nv.ci(t['importance_ci_low'], t['importance_ci_high'])}) {outcome} points; "
              f"{poor_users(t)} had a poor experience there ({nv.pct(share)} of all {n_resp:,} customers analysed)")
        rows.append({"opportunity": t["touchpoint"], "item": t["touchpoint"], "kind": "fix a touchpoint",
                     "size": "small improvement", "feeds_step": 4, "gain": t["importance"] * share,
                     "gain_ci_low": t["importance_ci_low"] * share, "gain_ci_high": t["importance_ci_high"] * share,
                     "importance": t["importance"], "own_mean": t["performance"], "target": np.nan, "room": np.nan,
                     "best_competitor": None, "best_mean": np.nan, "gap": np.nan, "gap_ci_low": np.nan,
                     "gap_ci_high": np.nan, "trend": np.nan, "trend_p_corr": np.nan,
                     "audience": a["audience"] if a is not None else NO_AUDIENCE,
                     "evidence": ev})
    return rows


def innovation_agenda(data, ipa: pd.DataFrame | None = None, changes: pd.DataFrame | None = None,
                      n_boot: int = DEFAULTS.n_boot, seed: int = DEFAULTS.seed,
                      confidence: float = DEFAULTS.confidence, tests: pd.DataFrame | None = None,
                      themes: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The ranked innovation agenda: small improvements and large innovations with their evidence.

    See the package notes for the scoring rule (expected gain in the main outcome).

    Parameters
    ----------
    data : ClientData
    ipa : DataFrame, optional
        ``interface.touchpoint_ipa(data)`` (computed when omitted and touchpoints exist).
    changes : DataFrame, optional
        :func:`wave_change_tests` (computed when omitted and there are two or more waves).
    n_boot, seed, confidence
        Bootstrap of the regression coefficients and the relative importance, also within the audience
        groups (``Settings``).
    tests : DataFrame, optional
        Step 1's comparison table (``world.own_vs_competitors``), for the gaps to the best competitor
        (:func:`competitor_gaps`); computed when omitted.
    themes : DataFrame, optional
        :func:`~cem_research.steps.innovation.themes.emerging_themes`: each significantly rising theme
        becomes a row of kind :data:`THEME_KIND` (not considered when omitted).

    Returns
    -------
    DataFrame or None
        One row per opportunity with a positive expected gain (a driver whose coefficient is negative
        has none: raising it would lower the outcome), best first, then the rising themes
        (no gain can be estimated for them, so they follow every scored row, strongest first; they
        reach the top five only when fewer than five rows are scored).  Touchpoint fixes keep the
        IPA's fix-first order among themselves.  Columns ``rank, opportunity,
        kind`` ("fix a touchpoint", "close a gap", "lost ground", "new experience",
        "respond to a rising theme"), ``size`` ("small improvement"/"large innovation"/"to be sized"),
        ``feeds_step`` (2, 3 or 4), ``step``, ``gain,
        gain_ci_low, gain_ci_high`` (outcome points), ``importance`` (touchpoint: outcome penalty;
        construct: regression coefficient, outcome points per scale point), ``own_mean, target, room,
        best_competitor, best_mean, gap, gap_ci_low, gap_ci_high, trend, trend_p_corr, audience,
        evidence, label`` (``"rank. opportunity"`` for charts).  ``attrs``: ``outcome``,
        ``n_respondents`` (own-brand ratings), ``considered`` (every candidate with its gain, also
        those without room or with a negative coefficient; kind "keep the lead" where the own brand
        is the category best and nothing else sets a target), ``basis``, ``large_gain`` (the
        large-innovation threshold in outcome points, :data:`LARGE_GAIN_SD` standard deviations),
        ``weighted`` (whether the regression used survey weights), ``effects`` (:func:`driver_effects`: the
        regression whose coefficients and intervals the evidence states) and ``gaps`` (:func:`competitor_gaps`).
        ``None`` when neither drivers nor touchpoints can be weighted.
    """
    outcome = data.main_outcome
    if outcome is None:
        return None
    if ipa is None:
        ipa = touchpoint_ipa(data)
    if changes is None and len(data.waves) >= 2:
        changes = wave_change_tests(data)
    effects = driver_effects(data, n_boot=n_boot, seed=seed, confidence=confidence)
    shares = driver_importance(data, n_boot=n_boot, seed=seed, confidence=confidence) if effects is not None else None
    gaps = competitor_gaps(data, tests=tests) if effects is not None else None
    aud = audience(data, ipa=ipa, n_boot=n_boot, seed=seed)
    aud_map = {(r["kind"], r["item"]): r for _, r in aud.iterrows()}
    rows = []
    if effects is not None and gaps is not None:
        rows += _construct_rows(data, effects, shares, gaps, changes, aud_map)
    if ipa is not None:
        rows += _touchpoint_rows(data, ipa, aud_map)
    theme_rows = _theme_rows(themes)
    if not rows and not theme_rows:
        return None
    cols = list((rows or theme_rows)[0])
    allr = pd.DataFrame(rows, columns=cols).sort_values(["gain", "opportunity"], ascending=[False, True],
                                                        kind="stable")
    out = allr[allr["gain"] > 0].reset_index(drop=True)
    if ipa is not None and len(out):  # touchpoint fixes in the IPA's fix-first order among themselves
        at = np.flatnonzero((out["kind"] == "fix a touchpoint").to_numpy())
        prio = ipa.set_index("touchpoint")["priority"]
        order = out.iloc[at].assign(_p=out["item"].iloc[at].map(prio)).sort_values("_p", kind="stable").index
        out = out.iloc[[order[list(at).index(i)] if i in at else i for i in range(len(out))]]
    if theme_rows:  # after every scored row: no gain can be estimated for them
        out = pd.concat([out, pd.DataFrame(theme_rows, columns=cols)], ignore_index=True)
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(5, "step", out["feeds_step"].map(lambda s: f"{s} – {STEPS[s]}"))
    out["label"] = out["rank"].astype(str) + ". " + out["opportunity"].astype(str)
    out = out.drop(columns="item")
    out.attrs.update(outcome=outcome, considered=allr.reset_index(drop=True), n_respondents=int(len(data.own)),
                     basis=gaps.attrs.get("basis") if gaps is not None else None,
                     has_competitors=bool(data.has_competitors), n_waves=len(data.waves),
                     has_touchpoints=ipa is not None,
                     large_gain=LARGE_GAIN_SD * effects.attrs["outcome_sd"] if effects is not None else np.nan,
                     weighted=bool(effects is not None and effects.attrs.get("weighted")),
                     effects=effects, gaps=gaps)
    return out


def opportunity_words(agenda: pd.DataFrame, cfg=None) -> list[str]:
    """Each agenda row's opportunity as the reader sees it: a touchpoint to fix in words
    (:func:`cem_research.present.narrative.value_label`), any other opportunity as it is."""
    return [nv.value_label(cfg, "touchpoint", o) if k == "fix a touchpoint" else str(o)
            for o, k in zip(agenda["opportunity"], agenda["kind"])]


def agenda_finding(agenda: pd.DataFrame, cfg=None) -> dict:
    """Headline finding for the innovation agenda: the top item with its evidence.

    Parameters
    ----------
    agenda : DataFrame
        :func:`innovation_agenda`.
    cfg : ClientConfig, optional
        Labels of the touchpoints (:func:`opportunity_words`).

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`.
    """
    outcome = agenda.attrs.get("outcome", "the outcome")
    agenda = agenda.assign(opportunity=opportunity_words(agenda, cfg)) if len(agenda) else agenda
    themes = agenda[agenda["kind"] == THEME_KIND] if "kind" in agenda else agenda.iloc[:0]
    news = (f" Rising in the verbatims, with no gain estimated: {nv.join(list(themes['opportunity']))} "
            f"(ranked after the scored opportunities)." if len(themes) else "")
    scored = agenda.drop(index=themes.index)
    a = agenda.attrs
    considered = a.get("considered")
    levers = (considered[considered["kind"] != "fix a touchpoint"] if considered is not None and len(considered)
              else None)
    if scored.empty:
        why = ["no competitor ratings show a gap" if not a.get("has_competitors", True)
               else "the own brand matches or leads the best competitor on every driver",
               "a single wave shows no trend" if a.get("n_waves", 2) < 2 else "no driver dropped significantly",
               f"on every driver some brand reaches the good level ({nv.pct(GOOD_SHARE)} of the scale)",
               "no touchpoint data" if not a.get("has_touchpoints", True)
               else "no touchpoint is in the IPA's 'Concentrate here' quadrant"]
        if levers is not None:
            against = levers[(levers["room"] > 0) & (levers["importance"] <= 0)]
            if len(against):
                why.insert(0, f"where there is room ({nv.join(list(against['opportunity']))}) the regression "
                              f"coefficient is not positive, so catching up would not raise {outcome}")
        text = "No opportunity with a positive expected gain: " + "; ".join(why) + "."
        if levers is not None and len(levers):
            top = levers.sort_values("importance", ascending=False).iloc[0]
            if top["importance"] > 0:
                text += (f" The strongest lever to keep is {top['opportunity']} ({nv.signed(top['importance'])} "
                         f"{outcome} points per scale point in the multiple regression).")
        return {"text": text + news, "headline": True, "key": "top_opportunity", "value": 0.0, "ci": None}
    top = scored.iloc[0]
    text = (f"Top of the innovation agenda: {top['opportunity']} ({top['kind']}, {top['size']}, feeds step "
            f"{top['step']}). Expected gain {nv.num(top['gain'])} ({nv.ci(top['gain_ci_low'], top['gain_ci_high'])}) "
            f"{outcome} points for the average customer; {top['evidence']}. Audience: {top['audience']}.")
    small = agenda[agenda["size"] == "small improvement"]
    large = agenda[agenda["size"] == "large innovation"]
    text += (f" The agenda holds {len(small)} small improvement(s)"
             + (f" (next: {', '.join(small.loc[small.index != top.name, 'opportunity'].head(2))})"
                if (small.index != top.name).any() else "")
             + (f" and {len(large)} large innovation(s) ({', '.join(large['opportunity'].head(3))})" if len(large)
                else " and no large innovation") + ".")
    new_exp = agenda[agenda["kind"] == "new experience"]
    if len(new_exp) and np.isfinite(a.get("large_gain", np.nan)):
        rule = (f"its gain's interval lies at or above {nv.num(a['large_gain'])} {outcome} points "
                f"({nv.num(LARGE_GAIN_SD, 1)} standard deviations of {outcome})")
        small_new = new_exp[new_exp["size"] != "large innovation"]
        text += (f" A new experience nobody offers yet counts as a large innovation only when {rule}"
                 + (f"; {nv.join(list(small_new['opportunity']))} {'does' if len(small_new) == 1 else 'do'} not "
                    "reach it" if len(small_new) else "")
                 + ".")
    return {"text": text + news, "headline": True, "key": "top_opportunity", "value": float(top["gain"]),
            "ci": (float(top["gain_ci_low"]), float(top["gain_ci_high"]))}


class InnovationAgenda(Section):
    """The ranked innovation agenda: expected gain in the main outcome per opportunity."""

    step = STEP
    title = "Innovation agenda"
    cites = ("Drivers", "CompetitiveLandscape", "TouchpointImportancePerformance", "TrackingAcrossWaves",
             "EmergingThemes")

    def skip_reason(self, data, settings: Settings) -> str | None:
        if data.main_outcome is None or len(data.config.drivers) < 2:
            return "the client declares no outcome or fewer than two drivers, so opportunities cannot be weighted"
        if not can_weight_drivers(data):
            ipa = touchpoint_ipa(data, settings)
            if ipa is None or not (ipa["quadrant"] == "Concentrate here").any():
                return "neither drivers nor touchpoints could be weighted"
        return None

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        from cem_research.steps.innovation.themes import EmergingThemes
        from cem_research.steps.world.competition import own_vs_competitors

        tracked = TrackingAcrossWaves().result(data, settings)
        return innovation_agenda(data, ipa=touchpoint_ipa(data, settings),
                                 changes=None if tracked is None else tracked.changes, n_boot=settings.n_boot,
                                 seed=settings.seed, confidence=settings.confidence,
                                 tests=own_vs_competitors(data, settings),
                                 themes=EmergingThemes().result(data, settings))

    def findings(self, result: pd.DataFrame, data, settings: Settings) -> list[dict]:
        return [agenda_finding(result, data.config)]

    def present(self, result: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import innovation as plots
        from cem_research.steps.innovation.themes import EmergingThemes
        from cem_research.steps.interface import TouchpointImportancePerformance
        from cem_research.steps.platform import Drivers
        from cem_research.steps.world import CompetitiveLandscape

        outcome = result.attrs["outcome"]
        cfg = data.config
        full = result.assign(opportunity=opportunity_words(result, cfg)) if len(result) else result
        if not len(result):  # an empty agenda is the finding's sentence, not a table of headers
            return []
        shown = [Shown("table", full.drop(columns=["feeds_step", "label"]),
                       f"Innovation agenda, ranked by expected gain in {outcome} points",
                       {"rename": {"importance": f"effect on {outcome} (driver: regression coefficient per "
                                                 "scale point; touchpoint: cost of a poor experience)"}},
                       layer="appendix")]
        effects = result.attrs.get("effects")
        if effects is not None and len(effects):  # the model every driver's gain comes from
            model = effects.assign(driver=[nv.label(cfg, d) for d in effects["driver"]])
            keep = [c for c in ("driver", "coef", "ci_low", "ci_high", "beta", "r2", "n", "n_eff") if c in model]
            shown.append(Shown("table", model[keep],
                               f"Regression behind the drivers' gains: {outcome} on every driver "
                               f"({'weighted' if effects.attrs.get('weighted') else 'unweighted'}; coefficient in "
                               f"{outcome} points per scale point with its bootstrap {nv.level(settings.confidence)} "
                               "interval)", {"rename": {"coef": "coefficient", "beta": "standardized β"}},
                               layer="appendix"))
        shown.append(Shown("figure", plots.agenda_chart(result, cfg=data.config).figure,
                           f"Dot chart: expected gain in {outcome} of each opportunity on the "
                           "innovation agenda, best first, with 95% intervals; small improvements in red, large "
                           "innovations dark"))
        # the client's compact table: what to do, where, the gain with its interval, the kind, where the evidence is
        ipa = touchpoint_ipa(data, settings)
        stages = {} if ipa is None else dict(zip(ipa["touchpoint"], ipa["stage"]))

        def step_ref(section) -> str:
            return f"{section.title} (step {section.step})"

        sources = {"fix a touchpoint": [TouchpointImportancePerformance], "lost ground": [Drivers, TrackingAcrossWaves],
                   "close a gap": [Drivers, CompetitiveLandscape], "new experience": [Drivers, CompetitiveLandscape],
                   THEME_KIND: [EmergingThemes]}
        verbs = {"fix a touchpoint": "Fix the touchpoint: {}", "close a gap": "Close the gap: {}",
                 "lost ground": "Win back lost ground: {}", "new experience": "Create a new experience: {}",
                 THEME_KIND: "Respond to the rising theme {}"}
        top = result.head(MAX_CLIENT_ROWS)
        rows = []
        for r in top.itertuples(index=False):
            at_touchpoint = r.kind == "fix a touchpoint"
            name = nv.value_label(cfg, "touchpoint", r.opportunity) if at_touchpoint else str(r.opportunity)
            stage = stages.get(r.opportunity) if at_touchpoint else None
            rows.append({"rank": r.rank, "action": verbs.get(r.kind, "{}").format(name),
                         "where": "across the journey" if stage is None or pd.isna(stage)
                         else f"{nv.value_label(cfg, 'stage', stage)} stage",
                         "expected_gain": "not estimated" if pd.isna(r.gain)
                         else f"{nv.signed(r.gain)} ({nv.num(r.gain_ci_low)} to {nv.num(r.gain_ci_high)})",
                         "action_kind": r.size,
                         "evidence_in": "; ".join(step_ref(x) for x in sources.get(r.kind, []))})
        compact = pd.DataFrame(rows)
        more = (f"; the first {len(top)} of {len(result)}, all in the technical appendix"
                if len(result) > len(top) else "")
        shown.append(Shown("table", compact, f"The innovation agenda in brief, in rank order{more}",
                           {"rename": {"rank": "rank", "action": "what to do", "where": "where in the journey",
                                       "expected_gain": f"expected gain in {outcome} points "
                                                        f"({nv.ci_label(settings.confidence)})",
                                       "action_kind": "kind of action", "evidence_in": "evidence"}}))
        return shown
