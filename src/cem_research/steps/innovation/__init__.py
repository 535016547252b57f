"""Step 5 -- engage in continuous innovation (Schmitt 2003).

Continuous innovation keeps the customer experience fresh: small improvements (fixing what the
interface gets wrong) and large innovations (new experiences where no brand yet delivers).  This
module feeds notebook ``05_continuous_innovation``:

* **Tracking across waves** -- every outcome and construct per wave for the own brand
  (:func:`tracking`), consecutive-wave changes tested with Holm's correction across *all*
  constructs and wave pairs (:func:`wave_change_tests`), NPS per wave (:func:`nps_by_wave`).
  Comparable before compared: each multi-item construct's reliability per wave
  (:func:`wave_reliability`), and the change table flags a construct that is unreliable
  (Cronbach's alpha < .70) in either compared wave (``min_group_alpha``, ``unreliable_in``).
  Means, NPS, wave changes and the gap to competitors use the survey weights when present
  (``ClientData.weight``); relative importance and reliability do not (no weighted form).
* **Emerging themes** -- terms whose share of verbatims rises in the latest wave
  (:func:`emerging_themes`, :func:`rising_themes`).
* **Innovation agenda** -- a ranked list of opportunities (:func:`innovation_agenda`) from the gap
  to the best competitor (:func:`competitor_gaps`), driver importance (:func:`driver_importance`),
  the latest trend and the touchpoint IPA (``interface.touchpoint_ipa``), each with the Schmitt step
  it feeds back into and whether it serves winning new customers or deepening loyalty
  (:func:`audience`).

Agenda scoring rule
-------------------
Every opportunity is scored by its **expected gain in the main outcome** (outcome points for the
average own-brand customer), so touchpoint fixes and experience dimensions can be ranked together:

* *Touchpoint fix* (small improvement, feeds step 4): touchpoints in the IPA's "Concentrate here"
  quadrant.  ``gain = importance x share of customers with a poor experience there`` --
  importance being the outcome difference between customers with a good and a poor experience
  (``interface.touchpoint_importance``).  Turning every poor experience into a good one would
  lift the average outcome by about that much.
* *Construct* (a driver of the main outcome): ``gain = slope x room``.

  - ``slope = sqrt(relimp) x SD(outcome) / SD(driver)``: the outcome points per scale point that
    the driver's LMG share of R² implies (``stats.relative_importance``; for uncorrelated drivers
    ``sqrt(relimp)`` is the absolute standardised coefficient).
  - ``room = target - own mean`` (latest wave), where the target is the highest of (a) the best
    competitor's mean (gap to the best competitor), (b) the own brand's previous-wave mean when the
    latest wave-over-wave change is a *significant* drop (trend; Holm across all constructs and
    wave pairs), and (c) for dimensions where no brand performs well, the "good" level
    (:data:`GOOD_SHARE` of the way up the scale: 4.6 on 1-7).
  - A construct whose category best (any brand, own included) is below the good level is a
    **large innovation** (a new experience nobody offers yet, feeds step 2 -- the experiential
    platform); otherwise closing its gap is a **small improvement** of the brand experience (feeds
    step 3).

Intervals of the gain carry the uncertainty of the importance only (the room is taken as known).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research.steps import interface
from cem_research import stats
from cem_research.stats import RELIABILITY_THRESHOLD

STEP = 5

SECTIONS = {
    "tracking": "Tracking across waves",
    "themes": "Emerging themes",
    "agenda": "Innovation agenda",
}

#: Cronbach's alpha below this value flags a construct within a wave (comparable before compared).
#: "Good" level of a construct: this share of the way from the scale minimum to the maximum.
GOOD_SHARE = 0.6
#: Bootstrap resamples for relative importance (kept small: notebooks run in seconds).
N_BOOT = 300
NO_AUDIENCE = "cannot be determined (no tenure or loyalty segment)"
STEPS = {2: "build the experiential platform", 3: "design the brand experience",
         4: "structure the customer interface"}
_TENURE = re.compile(r"tenure|since|years? (as|with)|relationship|loyal|member|customer status|"
                     r"customer type \(new|new or existing", re.I)

__all__ = [
    "STEP", "SECTIONS", "GOOD_SHARE", "availability", "tracking", "wave_reliability", "reliability_grid",
    "wave_change_tests", "nps_by_wave",
    "tracking_finding", "emerging_themes", "rising_themes", "themes_finding", "driver_importance",
    "competitor_gaps", "tenure_segment", "audience", "innovation_agenda", "agenda_finding",
    "tracking_figure", "agenda_palette",
]


def _constructs(cfg) -> list[str]:
    """Outcomes first, then drivers, then the other constructs (declaration order)."""
    names = [*cfg.outcomes, *[d for d in cfg.drivers if d not in cfg.outcomes]]
    return names + [c for c in cfg.constructs if c not in names]


def _role(cfg, name: str) -> str:
    if name in cfg.outcomes:
        return "outcome"
    if name in cfg.drivers:
        return "driver"
    return "other"


def _title(cfg, name: str) -> str:
    c = cfg.constructs.get(name)
    return c.title if c is not None else name


def _fmt(x, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _pct_ci(lo, hi) -> str:
    """``[13%, 21%]`` for shares 0.13, 0.21."""
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "[n/a]"
    return f"[{100 * lo:.0f}%, {100 * hi:.0f}%]"


def _ci(lo, hi, digits: int = 2) -> str:
    return f"[{_fmt(lo, digits)}, {_fmt(hi, digits)}]"


def _pval(p) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _signed(x, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:+.{digits}f}"


def availability(data) -> dict[str, str | None]:
    """Why each section cannot be analysed for this client (``None``: it can)."""
    out: dict[str, str | None] = {k: None for k in SECTIONS}
    if len(data.waves) < 2:
        out["tracking"] = (f"the client has a single survey wave ({data.waves[0]}); tracking needs at least "
                           "two waves")
    fb = interface.own_feedback(data)
    if fb is None:
        out["themes"] = "the client supplies no verbatim comments (a feedback file in client.yaml)"
    elif "wave" not in fb.columns or fb["wave"].isin(data.waves).sum() == 0:
        out["themes"] = "the verbatim comments carry no survey wave, so rising themes cannot be dated"
    else:
        present = [w for w in data.waves if (fb["wave"] == w).any()]
        if len(present) < 2 or present[-1] != data.waves[-1]:
            out["themes"] = ("the verbatims do not cover the latest wave and at least one earlier wave, "
                             "so themes cannot be compared over time")
    if interface.main_outcome(data.config) is None or len(data.config.drivers) < 2:
        out["agenda"] = "the client declares no outcome or fewer than two drivers, so opportunities cannot be weighted"
    return out


# ---------------------------------------------------------------------------------------------
# 6. tracking across waves
# ---------------------------------------------------------------------------------------------


def tracking(data) -> pd.DataFrame | None:
    """Every outcome and construct per wave for the own brand, with confidence intervals.

    Returns
    -------
    DataFrame or None
        ``construct, title, role (outcome/driver/other), wave, n, mean, sd, ci_low, ci_high,
        scale_min, scale_max``; ``wave`` an ordered Categorical in wave order.  Weighted means
        (Kish effective n) when the survey has weights.  ``None`` with fewer than two waves.
    """
    if len(data.waves) < 2:
        return None
    cfg = data.config
    own = data.own
    frames = []
    for c in _constructs(cfg):
        if c not in own.columns or own[c].notna().sum() == 0:
            continue
        m = stats.mean_ci(own, c, by="wave", weights=data.weight)
        lo, hi = cfg.constructs[c].scale
        m.insert(0, "role", _role(cfg, c))
        m.insert(0, "title", _title(cfg, c))
        m.insert(0, "construct", c)
        m["scale_min"], m["scale_max"] = lo, hi
        frames.append(m)
    out = pd.concat(frames, ignore_index=True).drop(columns="n_eff")
    out = out[out["wave"].isin(data.waves)]
    out["wave"] = pd.Categorical(out["wave"], categories=list(data.waves), ordered=True)
    out["__o"] = out["construct"].map({c: i for i, c in enumerate(_constructs(cfg))})
    return out.sort_values(["__o", "wave"], kind="stable").drop(columns="__o").reset_index(drop=True)


def wave_reliability(data, threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Is each multi-item construct reliable in every wave? (own brand; shown before waves are compared)

    Returns
    -------
    DataFrame or None
        One row per construct x wave (wave order): ``construct, title, wave, n, k, alpha, alpha_ci_low,
        alpha_ci_high, flag, unreliable`` (:func:`cem_research.stats.group_reliability`; ``unreliable``
        where raw Cronbach alpha < `threshold`).  ``None`` with fewer than two waves or no multi-item
        construct.
    """
    if len(data.waves) < 2:
        return None
    cfg = data.config
    own = data.own[data.own["wave"].isin(data.waves)]
    own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves), ordered=True))
    parts = []
    for c in _constructs(cfg):
        items = list(cfg.constructs[c].items)
        if len(items) < 2 or not all(i in own.columns for i in items):
            continue
        r = stats.group_reliability(own, items, "wave", threshold=threshold, name=c)
        r.insert(1, "title", _title(cfg, c))
        parts.append(r)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["wave"] = out["wave"].astype(str)
    return out[["construct", "title", "wave", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "flag",
                "unreliable"]]


def reliability_grid(reliability: pd.DataFrame | None) -> pd.DataFrame | None:
    """:func:`wave_reliability` as a grid: one row per construct, one column per wave (Cronbach's
    alpha; ``"0.62 \u26a0"`` marks a wave where it is below .70)."""
    if reliability is None or reliability.empty:
        return None
    cell = [("n/a" if pd.isna(a) else f"{a:.2f}") + (" \u26a0" if u else "")
            for a, u in zip(reliability["alpha"], reliability["unreliable"])]
    grid = reliability.assign(cell=cell).pivot(index="title", columns="wave", values="cell")
    grid = grid.reindex(index=list(dict.fromkeys(reliability["title"])),
                        columns=list(dict.fromkeys(reliability["wave"])))
    grid.columns.name = None
    return grid.rename_axis("construct").reset_index()


def wave_change_tests(data, alpha: float = 0.05, reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Wave-over-wave changes of every construct, Holm-corrected across all constructs and pairs.

    ``stats.wave_changes`` (Welch t-test between consecutive waves, Hedges g; weighted when the
    survey has weights) for each construct, then one ``stats.adjust_pvalues`` (Holm) over the whole
    table, so a "movement" is only called when it survives the correction for every test reported.

    Parameters
    ----------
    data : ClientData
    alpha : float, default 0.05
    reliability : DataFrame, optional
        :func:`wave_reliability` (computed when not given).

    Returns
    -------
    DataFrame or None
        ``construct, title, role, from_wave, to_wave, n_from, n_to, mean_from, mean_to, diff, ci_low,
        ci_high, T, df, hedges, hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, movement,
        min_group_alpha, unreliable_in`` (``diff = mean_to - mean_from``; ``movement`` "up", "down" or
        "no real change"; ``min_group_alpha`` the lower Cronbach alpha of the two waves, NaN for single
        items; ``unreliable_in`` the compared waves where alpha < .70, "" when none).  ``attrs``:
        ``n_tests``.  ``None`` with fewer than two waves.
    """
    if len(data.waves) < 2:
        return None
    cfg = data.config
    own = data.own
    frames = []
    for c in _constructs(cfg):
        if c not in own.columns or own[c].notna().sum() == 0:
            continue
        r = stats.wave_changes(own, c, "wave", list(data.waves), weights=data.weight, correction="none")
        r.insert(0, "role", _role(cfg, c))
        r.insert(0, "title", _title(cfg, c))
        frames.append(r.rename(columns={"dv": "construct"}))
    if not frames:
        return None
    out = stats.adjust_pvalues(pd.concat(frames, ignore_index=True), "p_unc", "holm", alpha=alpha)
    out.insert(0, "construct", out.pop("construct"))
    out["significant"] = out["significant"].astype(bool)
    out["movement"] = np.where(out["significant"], np.where(out["diff"] > 0, "up", "down"), "no real change")
    if reliability is None:
        reliability = wave_reliability(data)
    look = ({} if reliability is None else
            {(c, str(w)): (a, u) for c, w, a, u in zip(reliability["construct"], reliability["wave"],
                                                      reliability["alpha"], reliability["unreliable"])})
    mins, lows = [], []
    for c, a, b in zip(out["construct"], out["from_wave"], out["to_wave"]):
        pair = [(w, *look[(c, str(w))]) for w in (a, b) if (c, str(w)) in look]
        alphas = [x for _, x, _ in pair if pd.notna(x)]
        mins.append(float(min(alphas)) if alphas else np.nan)
        lows.append(", ".join(str(w) for w, _, u in pair if u))
    out["min_group_alpha"] = mins
    out["unreliable_in"] = lows
    out.attrs["n_tests"] = int(out["p_unc"].notna().sum())
    return out.reset_index(drop=True)


def nps_by_wave(data) -> pd.DataFrame | None:
    """Net Promoter Score per wave (own brand) with the change from the previous wave.

    Returns
    -------
    DataFrame or None
        ``wave, n, pct_promoters, pct_detractors, nps, ci_low, ci_high, change, change_ci_low,
        change_ci_high`` -- the change's CI from the two waves' standard errors (normal
        approximation, independent samples).  ``None`` without a declared NPS question.
    """
    cfg = data.config
    if not cfg.nps or cfg.nps not in data.own.columns:
        return None
    own = data.own[data.own["wave"].isin(data.waves)]
    own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves), ordered=True))
    res = stats.nps(own, cfg.nps, by="wave", weights=data.weight)
    z = 1.959963984540054
    se = (res["ci_high"] - res["ci_low"]) / (2 * z)
    res["change"] = res["nps"].diff()
    half = z * np.sqrt(se**2 + se.shift() ** 2)
    res["change_ci_low"] = res["change"] - half
    res["change_ci_high"] = res["change"] + half
    res["wave"] = res["wave"].astype(str)
    return res[["wave", "n", "pct_promoters", "pct_detractors", "nps", "ci_low", "ci_high", "change",
                "change_ci_low", "change_ci_high"]].reset_index(drop=True)


def tracking_finding(changes: pd.DataFrame, nps: pd.DataFrame | None = None) -> dict:
    """Headline finding for "Tracking across waves": the real movements (and what did not move)."""
    latest = changes["to_wave"].iloc[-1]
    sig = changes[changes["significant"]]
    n = changes.attrs.get("n_tests", len(changes))
    if len(sig):
        sig = sig.assign(__a=sig["hedges"].abs()).sort_values(["to_wave", "__a"], ascending=[False, False])
        bits = [f"{r['title']} {r['movement']} {_signed(r['diff'])} {_ci(r['ci_low'], r['ci_high'])} from "
                f"{r['from_wave']} to {r['to_wave']} (Hedges g {_fmt(r['hedges'])}, Holm {_pval(r['p_corr'])})"
                for _, r in sig.iterrows()]
        top = sig.iloc[0]
        text = (f"{len(sig)} of {n} wave-over-wave changes are real movements after Holm correction across all "
                f"constructs and waves: " + "; ".join(bits) + ".")
        key, value = f"movement:{top['construct']}", float(top["diff"])
        ci = (float(top["ci_low"]), float(top["ci_high"]))
    else:
        text = (f"None of the {n} wave-over-wave changes survives Holm correction across all constructs and waves: "
                "no construct moved beyond sampling noise.")
        key, value, ci = "movements", 0.0, None
    still = changes[(changes["to_wave"] == latest) & ~changes["significant"]]
    if len(still):
        s = still.loc[still["diff"].abs().idxmax()]
        text += (f" The largest change into {latest} that is not a real movement: {s['title']} "
                 f"{_signed(s['diff'])} {_ci(s['ci_low'], s['ci_high'])} (Holm {_pval(s['p_corr'])}).")
    if "unreliable_in" in changes:
        flagged = changes[changes["unreliable_in"].astype(str) != ""]
        if len(flagged):
            moved = flagged[flagged["significant"]]
            names = list(dict.fromkeys(flagged["title"]))
            text += (f" Not reliably measured in every compared wave (Cronbach's alpha < .70): "
                     f"{', '.join(names)}")
            if len(moved):
                text += (f" — the movement{'s' if len(moved) > 1 else ''} of "
                         f"{', '.join(dict.fromkeys(moved['title']))} may partly be measurement noise")
            text += "."
    if nps is not None and len(nps) >= 2:
        last = nps.iloc[-1]
        text += (f" NPS in {last['wave']}: {_fmt(last['nps'], 0)} {_ci(last['ci_low'], last['ci_high'], 0)}, "
                 f"change {_signed(last['change'], 0)} {_ci(last['change_ci_low'], last['change_ci_high'], 0)}.")
    return {"text": text, "headline": True, "key": key, "value": value, "ci": ci}


# ---------------------------------------------------------------------------------------------
# 7. emerging themes
# ---------------------------------------------------------------------------------------------


def emerging_themes(data, ngram_range: tuple[int, int] = (1, 2), min_count: int = 5,
                    alpha: float = 0.05) -> pd.DataFrame | None:
    """Keyness of the latest wave's verbatims against all earlier waves (own brand).

    ``text.rising_terms``: Dunning log-likelihood G² on document counts of uni- and bigrams,
    Benjamini-Hochberg corrected; with the mean sentiment of the comments containing each term.

    Returns
    -------
    DataFrame or None
        ``text.rising_terms`` columns (``term, target_docs, reference_docs, target_share,
        reference_share, log_ratio, g2, p_corr, rising, share_<wave>..., mean_compound,
        mean_compound_latest``) plus ``latest_ci_low``/``latest_ci_high`` (Wilson interval of the
        latest-wave share) and ``part_of`` (for a rising term, the stronger rising term whose comments
        hold at least 80 % of its own; "" otherwise).  ``attrs``: ``latest``, ``waves``, ``n_latest``,
        ``n_earlier``.  ``None``
        when the verbatims do not cover the latest and an earlier wave.
    """
    from cem_research import text

    if availability(data)["themes"] is not None:
        return None
    fb = interface.own_feedback(data)
    fb = fb[fb["wave"].isin(data.waves)]
    waves = [w for w in data.waves if (fb["wave"] == w).any()]
    res = text.rising_terms(fb, "text", "wave", waves, ngram_range=ngram_range, min_count=min_count, alpha=alpha)
    n_latest = int((fb["wave"] == waves[-1]).sum())
    lo, hi = stats.proportion_ci(res["target_docs"].to_numpy(float), np.full(len(res), float(n_latest)))
    res["latest_ci_low"], res["latest_ci_high"] = lo, hi
    res["part_of"] = _fold_terms(res, fb.loc[fb["wave"] == waves[-1], "text"].tolist())
    res.attrs.update(latest=waves[-1], waves=waves, n_latest=n_latest,
                     n_earlier=int((fb["wave"] != waves[-1]).sum()))
    return res


def _fold_terms(themes: pd.DataFrame, latest_texts: list[str], overlap: float = 0.8) -> list[str]:
    """For each rising term, the stronger rising term it mostly co-occurs with ("" if none).

    Rising terms are taken by G² (then length, longer first); a term is *part of* an earlier-kept
    term when at least ``overlap`` of the latest-wave comments containing it also contain that term
    ("oat", "milk" and "extra charge" inside comments about "oat milk").
    """
    from cem_research import text

    rising = themes[themes["rising"]]
    wanted = frozenset(rising["term"])
    # one pass over the comments: for each rising term, the comments holding it as a contiguous
    # n-gram of their tokens (the same n-grams rising_terms counted)
    longest = max((t.count(" ") + 1 for t in wanted), default=1)
    holders: dict[str, set[int]] = {t: set() for t in wanted}
    for i, terms in enumerate(text.term_sets(latest_texts, (1, longest))):
        for t in terms & wanted:
            holders[t].add(i)

    part = {t: "" for t in themes["term"]}
    rising = rising.assign(__len=rising["term"].str.count(" "))  # (from `rising`: no rows may rise)
    rising = rising.sort_values(["g2", "__len", "term"], ascending=[False, False, True], kind="stable")
    kept: list[tuple[str, set[int]]] = []
    for t in rising["term"]:
        d = holders[t]
        lead = next((u for u, du in kept if d and len(d & du) >= overlap * len(d)), None)
        if lead is None:
            kept.append((t, d))
        else:
            part[t] = lead
    return [part[t] for t in themes["term"]]


def rising_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """The significantly rising themes: rising terms that are not part of a stronger one.

    Returns
    -------
    DataFrame
        The rising rows of :func:`emerging_themes` whose ``part_of`` is empty, by G² descending, with
        ``related`` (the rising terms folded into each, comma-separated).  Same ``attrs``.
    """
    rising = themes[themes["rising"]]
    lead = rising[rising["part_of"] == ""].sort_values(["g2", "term"], ascending=[False, True], kind="stable")
    related = rising[rising["part_of"] != ""].groupby("part_of")["term"].agg(lambda s: ", ".join(s))
    out = lead.assign(related=lead["term"].map(related).fillna("")).reset_index(drop=True)
    out.attrs.update(themes.attrs)
    return out


def themes_finding(themes: pd.DataFrame) -> dict:
    """Plain-words finding for "Emerging themes" (computed from :func:`emerging_themes`)."""
    latest = themes.attrs.get("latest", "the latest wave")
    rising = rising_themes(themes)
    if rising.empty:
        return {"text": (f"No term becomes significantly more frequent in {latest}'s verbatims "
                         f"(n = {themes.attrs.get('n_latest', '?')}) than in earlier waves (Benjamini-Hochberg)."),
                "key": "rising_theme", "value": None, "ci": None}
    bits = []
    for _, r in rising.head(3).iterrows():
        sent = r.get("mean_compound_latest", np.nan)
        bits.append(f"“{r['term']}” in {100 * r['target_share']:.0f}% "
                    f"{_pct_ci(r['latest_ci_low'], r['latest_ci_high'])} of comments against "
                    f"{100 * r['reference_share']:.0f}% before (G² = {r['g2']:.1f}, corrected {_pval(r['p_corr'])}; "
                    f"mean sentiment {_signed(sent)})")
    top = rising.iloc[0]
    text = (f"{len(rising)} theme(s) rise significantly in {latest} (n = {themes.attrs.get('n_latest', '?')} comments "
            f"against {themes.attrs.get('n_earlier', '?')} earlier): " + "; ".join(bits) + ".")
    return {"text": text, "headline": False, "key": "rising_theme", "value": float(top["target_share"]),
            "ci": (float(top["latest_ci_low"]), float(top["latest_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# 8. innovation agenda
# ---------------------------------------------------------------------------------------------


def driver_importance(data, outcome: str | None = None, rows: pd.DataFrame | None = None,
                      n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame | None:
    """Relative importance (LMG) of the declared drivers on the main outcome, own brand.

    ``stats.relative_importance`` on ``rows`` (default: all own-brand ratings), plus ``slope``
    (``sqrt(relimp) x SD(outcome)/SD(driver)``, outcome points per driver point) and its interval
    from the relimp interval.

    Returns
    -------
    DataFrame or None
        ``stats.relative_importance`` columns plus ``slope, slope_ci_low, slope_ci_high``; ``None``
        with fewer than two drivers or fewer than 20 complete rows.
    """
    cfg = data.config
    outcome = outcome or interface.main_outcome(cfg)
    rows = data.own if rows is None else rows
    drivers = [d for d in cfg.drivers if d in rows.columns and rows[d].notna().any()]
    if outcome is None or outcome not in rows.columns or len(drivers) < 2:
        return None
    complete = rows[[outcome, *drivers]].dropna()
    if len(complete) < max(20, 2 * len(drivers) + 2):
        return None
    res = stats.relative_importance(complete, outcome, drivers, n_boot=n_boot, seed=seed)
    sd_y = complete[outcome].std()
    sd_x = res["driver"].map(complete[drivers].std())
    ratio = sd_y / sd_x
    res["slope"] = np.sqrt(res["relimp"].clip(lower=0)) * ratio
    res["slope_ci_low"] = np.sqrt(res["relimp_ci_low"].clip(lower=0)) * ratio
    res["slope_ci_high"] = np.sqrt(res["relimp_ci_high"].clip(lower=0)) * ratio
    return res


def competitor_gaps(data, constructs: Sequence[str] | None = None, alpha: float = 0.05) -> pd.DataFrame | None:
    """Own brand vs the best competitor and the category best, per construct.

    The own brand's latest wave against competitors' ratings in the latest wave (all waves when
    competitors were not rated in the latest wave).  The best competitor is
    the competitor with the highest mean (at least 5 ratings); the gap is tested with a Welch
    t-test (``stats.compare_to_reference``), Holm across constructs.  Choosing the best competitor
    after looking at the means favours finding a gap; the test does not correct for that choice.

    Returns
    -------
    DataFrame or None
        One row per construct (default: the drivers): ``construct, title, scale_min, scale_max,
        own_n, own_mean, own_ci_low, own_ci_high, best_competitor, best_n, best_mean, gap, gap_ci_low,
        gap_ci_high, gap_p_corr, category_best, category_best_brand, good_level, no_brand_performs``.
        ``gap = best competitor - own`` (positive: a competitor is ahead).  Without competitor
        ratings the competitor columns are NaN.  ``attrs["basis"]`` says which waves were used.
    """
    cfg = data.config
    names = [c for c in (constructs if constructs is not None else cfg.drivers) if c in data.ratings.columns]
    if not names:
        return None
    r = data.ratings[data.ratings["wave"].isin(data.waves)]
    latest = r[r["wave"] == data.latest_wave]
    own_rows = latest[latest["brand_kind"] == "own"]
    if not len(own_rows):
        return None
    if (latest["brand_kind"] != "own").any():
        comp_rows, basis = latest[latest["brand_kind"] != "own"], f"latest wave ({data.latest_wave})"
    else:
        comp_rows = r[r["brand_kind"] != "own"]
        basis = (f"own brand: latest wave ({data.latest_wave}); competitors: all waves" if len(comp_rows)
                 else f"latest wave ({data.latest_wave}); no competitor ratings")
    r = pd.concat([own_rows, comp_rows], ignore_index=True)
    rows = []
    for c in names:
        lo, hi = cfg.constructs[c].scale
        sub = r[r[c].notna()]
        own = stats.mean_ci(sub[sub["brand_kind"] == "own"], c, weights=data.weight).iloc[0]
        means = sub.groupby("brand")[c].agg(["mean", "size"])
        if data.weight:
            means["mean"] = sub.groupby("brand").apply(
                lambda g: float(np.average(g[c], weights=g[data.weight])), include_groups=False)
        comp = means[(means.index != cfg.brand) & (means["size"] >= 5)]
        good = lo + GOOD_SHARE * (hi - lo)
        row = {"construct": c, "title": _title(cfg, c), "scale_min": lo, "scale_max": hi, "own_n": int(own["n"]),
               "own_mean": own["mean"], "own_ci_low": own["ci_low"], "own_ci_high": own["ci_high"],
               "best_competitor": None, "best_n": np.nan, "best_mean": np.nan, "gap": np.nan, "gap_ci_low": np.nan,
               "gap_ci_high": np.nan, "p_unc": np.nan}
        if len(comp):
            best = comp["mean"].idxmax()
            pair = sub[sub["brand"].isin([best, cfg.brand])]
            t = interface.compare_quietly(pair, c, "brand", best, correction="none", weights=data.weight).iloc[0]
            row.update(best_competitor=best, best_n=int(t["n_ref"]), best_mean=t["mean_ref"], gap=t["diff"],
                       gap_ci_low=t["ci_low"], gap_ci_high=t["ci_high"], p_unc=t["p_unc"])
        cat = means[means["size"] >= 5]["mean"] if (means["size"] >= 5).any() else means["mean"]
        row.update(category_best=float(cat.max()), category_best_brand=str(cat.idxmax()), good_level=good,
                   no_brand_performs=bool(cat.max() < good))
        rows.append(row)
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm", alpha=alpha)
    out = out.rename(columns={"p_corr": "gap_p_corr"}).drop(columns=["p_unc", "significant"])
    out.attrs["basis"] = basis
    return out


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


def _diff_label(diff, lo, hi, new_label: str, loyal_label: str) -> str:
    if not np.isfinite(diff) or not np.isfinite(lo):
        return "cannot be determined (too few respondents)"
    if lo > 0:
        return new_label
    if hi < 0:
        return loyal_label
    return "both alike (no clear difference)"


def audience(data, ipa: pd.DataFrame | None = None, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Does each opportunity matter more for winning new customers or for deepening loyalty?

    Importance is compared between the shortest- and longest-tenure levels of a tenure segment
    (:func:`tenure_segment`): driver importance (LMG relimp) within each group, touchpoint
    importance (outcome penalty of a poor experience) within each group.  Without a tenure segment,
    drivers are compared between competitors' customers (rating their own brand: the customers to
    win) and the own brand's customers; touchpoints then cannot be classified.

    Returns
    -------
    DataFrame
        ``item, kind (construct/touchpoint), importance_new, importance_loyal, diff, diff_ci_low,
        diff_ci_high, audience, basis``.  ``diff = new - loyal`` with an approximate CI
        (independent groups, standard errors from the two intervals); ``audience`` is "winning new
        customers" when the CI lies above 0, "deepening loyalty" below 0, else "both alike (no clear
        difference)"; "cannot be determined (...)" when the data has no basis for it.
    """
    cfg = data.config
    z = 1.959963984540054
    seg = tenure_segment(data)
    rows = []
    outcome = interface.main_outcome(cfg)

    def combine(item, kind, a, alo, ahi, b, blo, bhi, basis, new_label="winning new customers",
                loyal_label="deepening loyalty"):
        se = math.sqrt(((ahi - alo) / (2 * z)) ** 2 + ((bhi - blo) / (2 * z)) ** 2) if all(
            np.isfinite([alo, ahi, blo, bhi])) else math.nan
        d = a - b
        lo, hi = d - z * se, d + z * se
        rows.append({"item": item, "kind": kind, "importance_new": a, "importance_loyal": b, "diff": d,
                     "diff_ci_low": lo, "diff_ci_high": hi,
                     "audience": _diff_label(d, lo, hi, new_label, loyal_label), "basis": basis})

    if seg is not None:
        col, short, long_ = seg
        basis = f"{cfg.segments.get(col, col)}: {short} vs {long_}"
        own = data.own
        ri_s = driver_importance(data, rows=own[own[col] == short], n_boot=n_boot, seed=seed)
        ri_l = driver_importance(data, rows=own[own[col] == long_], n_boot=n_boot, seed=seed)
        if ri_s is not None and ri_l is not None:
            a, b = ri_s.set_index("driver"), ri_l.set_index("driver")
            for d in a.index:
                combine(d, "construct", a.at[d, "relimp"], a.at[d, "relimp_ci_low"], a.at[d, "relimp_ci_high"],
                        b.at[d, "relimp"], b.at[d, "relimp_ci_low"], b.at[d, "relimp_ci_high"], basis)
        if ipa is not None:
            tp = interface.touchpoint_events(data)
            exp = interface.respondent_experience(data, tp, ipa.attrs.get("outcome", outcome))
            thr = ipa.attrs.get("threshold", interface.poor_threshold(cfg))
            exp["experience"] = np.where(exp["rating"] <= thr, "poor", "good")
            out_col = ipa.attrs.get("outcome", outcome)
            for name in ipa["touchpoint"]:
                vals = []
                for lv in (short, long_):
                    sub = exp[(exp["touchpoint"] == name) & (exp[col] == lv) & exp[out_col].notna()]
                    if (sub["experience"] == "poor").sum() >= 3 and (sub["experience"] == "good").sum() >= 3:
                        r = interface.compare_quietly(sub, out_col, "experience", "good", correction="none").iloc[0]
                        vals.append((r["diff"], r["ci_low"], r["ci_high"]))
                    else:
                        vals.append((math.nan, math.nan, math.nan))
                combine(name, "touchpoint", *vals[0], *vals[1], basis)
    else:
        comp = data.ratings[(data.ratings["brand_kind"] != "own") & data.ratings["wave"].isin(data.waves)]
        ri_c = driver_importance(data, rows=comp, n_boot=n_boot, seed=seed) if len(comp) else None
        ri_o = driver_importance(data, n_boot=n_boot, seed=seed)
        if ri_c is not None and ri_o is not None:
            a, b = ri_c.set_index("driver"), ri_o.set_index("driver")
            basis = "competitors' customers vs own customers (no tenure segment)"
            for d in a.index:
                combine(d, "construct", a.at[d, "relimp"], a.at[d, "relimp_ci_low"], a.at[d, "relimp_ci_high"],
                        b.at[d, "relimp"], b.at[d, "relimp_ci_low"], b.at[d, "relimp_ci_high"], basis)
        if ipa is not None:
            for name in ipa["touchpoint"]:
                rows.append({"item": name, "kind": "touchpoint", "importance_new": math.nan,
                             "importance_loyal": math.nan, "diff": math.nan, "diff_ci_low": math.nan,
                             "diff_ci_high": math.nan,
                             "audience": NO_AUDIENCE, "basis": ""})
    cols = ["item", "kind", "importance_new", "importance_loyal", "diff", "diff_ci_low", "diff_ci_high", "audience",
            "basis"]
    return pd.DataFrame(rows, columns=cols)


def innovation_agenda(data, ipa: pd.DataFrame | None = None, changes: pd.DataFrame | None = None,
                      n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame | None:
    """The ranked innovation agenda: small improvements and large innovations with their evidence.

    See the module notes for the scoring rule (expected gain in the main outcome).

    Parameters
    ----------
    data : ClientData
    ipa : DataFrame, optional
        ``interface.touchpoint_ipa(data)`` (computed when omitted and touchpoints exist).
    changes : DataFrame, optional
        :func:`wave_change_tests` (computed when omitted and there are two or more waves).
    n_boot, seed
        Bootstrap of the relative importance.

    Returns
    -------
    DataFrame or None
        One row per opportunity with a positive expected gain, best first: ``rank, opportunity,
        kind`` ("fix a touchpoint", "close a gap", "lost ground", "new experience"), ``size``
        ("small improvement"/"large innovation"), ``feeds_step`` (2, 3 or 4), ``step``, ``gain,
        gain_ci_low, gain_ci_high`` (outcome points), ``importance`` (touchpoint: outcome penalty;
        construct: slope), ``own_mean, target, room, best_competitor, best_mean, gap, gap_ci_low,
        gap_ci_high, trend, trend_p_corr, audience, evidence, label`` (``"rank. opportunity"`` for
        charts).  ``attrs``: ``outcome``,
        ``n_respondents`` (own-brand ratings), ``considered`` (every candidate with its gain, also
        those without room), ``basis``.
        ``None`` when neither drivers nor touchpoints can be weighted.
    """
    cfg = data.config
    outcome = interface.main_outcome(cfg)
    if outcome is None:
        return None
    if ipa is None:
        ipa = interface.touchpoint_ipa(data)
    if changes is None and len(data.waves) >= 2:
        changes = wave_change_tests(data)
    imp = driver_importance(data, n_boot=n_boot, seed=seed)
    gaps = competitor_gaps(data) if imp is not None else None
    aud = audience(data, ipa=ipa, n_boot=min(n_boot, 200), seed=seed)
    aud_map = {(r["kind"], r["item"]): r for _, r in aud.iterrows()}
    rows = []
    if imp is not None and gaps is not None:
        imp_i = imp.set_index("driver")
        for _, g in gaps.iterrows():
            c = g["construct"]
            if c not in imp_i.index:
                continue
            own = g["own_mean"]
            targets = {"close a gap": g["best_mean"] if np.isfinite(g["best_mean"]) else -np.inf}
            trend, trend_p, prev = np.nan, np.nan, np.nan
            if changes is not None:
                ch = changes[(changes["construct"] == c) & (changes["to_wave"] == data.latest_wave)]
                if len(ch):
                    trend, trend_p = float(ch["diff"].iloc[0]), float(ch["p_corr"].iloc[0])
                    prev = float(ch["mean_from"].iloc[0])
                    if ch["significant"].iloc[0] and trend < 0:
                        targets["lost ground"] = prev
            large = bool(g["no_brand_performs"])
            if large:
                targets["new experience"] = g["good_level"]
            kind = max(targets, key=targets.get)
            target = targets[kind]
            room = max(target - own, 0.0) if np.isfinite(target) else 0.0
            s = imp_i.loc[c]
            gain = s["slope"] * room
            size = "large innovation" if large else "small improvement"
            step = 2 if large else 3
            a = aud_map.get(("construct", c))
            ev = [f"LMG share of R² {100 * s['share']:.0f}% (slope {s['slope']:.2f} {outcome} points per point)",
                  f"own {own:.2f} {_ci(g['own_ci_low'], g['own_ci_high'])}"]
            if g["best_competitor"] is not None and np.isfinite(g["best_mean"]):
                ev.append(f"best competitor {g['best_competitor']} {g['best_mean']:.2f} (gap {_signed(g['gap'])} "
                          f"{_ci(g['gap_ci_low'], g['gap_ci_high'])}, Holm {_pval(g['gap_p_corr'])})")
            if np.isfinite(trend):
                ev.append(f"latest change {_signed(trend)} (Holm {_pval(trend_p)})")
            if large:
                ev.append(f"no brand reaches {g['good_level']:.1f} (category best {g['category_best']:.2f}, "
                          f"{g['category_best_brand']})")
            rows.append({"opportunity": g["title"], "item": c, "kind": kind, "size": size, "feeds_step": step,
                         "gain": gain, "gain_ci_low": s["slope_ci_low"] * room,
                         "gain_ci_high": s["slope_ci_high"] * room,
                         "importance": s["slope"], "own_mean": own, "target": target if np.isfinite(target) else np.nan,
                         "room": room, "best_competitor": g["best_competitor"], "best_mean": g["best_mean"],
                         "gap": g["gap"], "gap_ci_low": g["gap_ci_low"], "gap_ci_high": g["gap_ci_high"],
                         "trend": trend, "trend_p_corr": trend_p,
                         "audience": a["audience"] if a is not None else NO_AUDIENCE,
                         "evidence": "; ".join(ev)})
    if ipa is not None:
        n_resp = ipa.attrs.get("n_respondents") or 1
        lo_s, hi_s = ipa.attrs.get("scale", (1, 5))
        for _, t in ipa[ipa["quadrant"] == "Concentrate here"].iterrows():
            share = t["n_poor"] / n_resp
            a = aud_map.get(("touchpoint", t["touchpoint"]))
            ev = (f"IPA 'Concentrate here' (priority {int(t['priority'])}); performance {t['performance']:.2f} "
                  f"{_ci(t['performance_ci_low'], t['performance_ci_high'])} on {lo_s:g}–{hi_s:g}; "
                  "poor experience costs "
                  f"{t['importance']:.2f} {_ci(t['importance_ci_low'], t['importance_ci_high'])} {outcome} points; "
                  f"{100 * share:.0f}% of customers had a poor experience there")
            rows.append({"opportunity": t["touchpoint"], "item": t["touchpoint"], "kind": "fix a touchpoint",
                         "size": "small improvement", "feeds_step": 4, "gain": t["importance"] * share,
                         "gain_ci_low": t["importance_ci_low"] * share, "gain_ci_high": t["importance_ci_high"] * share,
                         "importance": t["importance"], "own_mean": t["performance"], "target": np.nan, "room": np.nan,
                         "best_competitor": None, "best_mean": np.nan, "gap": np.nan, "gap_ci_low": np.nan,
                         "gap_ci_high": np.nan, "trend": np.nan, "trend_p_corr": np.nan,
                         "audience": a["audience"] if a is not None else NO_AUDIENCE,
                         "evidence": ev})
    if not rows:
        return None
    allr = pd.DataFrame(rows).sort_values(["gain", "opportunity"], ascending=[False, True], kind="stable")
    out = allr[allr["gain"] > 0].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(5, "step", out["feeds_step"].map(lambda s: f"{s} – {STEPS[s]}"))
    out["label"] = out["rank"].astype(str) + ". " + out["opportunity"].astype(str)
    out = out.drop(columns="item")
    out.attrs.update(outcome=outcome, considered=allr.reset_index(drop=True), n_respondents=int(len(data.own)),
                     basis=gaps.attrs.get("basis") if gaps is not None else None,
                     has_competitors=bool(data.has_competitors), n_waves=len(data.waves),
                     has_touchpoints=ipa is not None)
    return out


def agenda_finding(agenda: pd.DataFrame) -> dict:
    """Headline finding for the innovation agenda: the top item with its evidence."""
    outcome = agenda.attrs.get("outcome", "the outcome")
    if agenda.empty:
        a = agenda.attrs
        why = ["no competitor ratings show a gap" if not a.get("has_competitors", True)
               else "the own brand matches or leads the best competitor on every driver",
               "a single wave shows no trend" if a.get("n_waves", 2) < 2 else "no driver dropped significantly",
               f"on every driver some brand reaches the good level ({100 * GOOD_SHARE:.0f}% of the scale)",
               "no touchpoint data" if not a.get("has_touchpoints", True)
               else "no touchpoint is in the IPA's 'Concentrate here' quadrant"]
        text = "No opportunity with a positive expected gain: " + "; ".join(why) + "."
        considered = a.get("considered")
        if considered is not None and len(considered):
            top = considered.sort_values("importance", ascending=False).iloc[0]
            text += (f" The strongest lever to keep is {top['opportunity']} ({top['importance']:.2f} {outcome} points "
                     "per scale point).")
        return {"text": text, "headline": True, "key": "top_opportunity", "value": 0.0, "ci": None}
    top = agenda.iloc[0]
    text = (f"Top of the innovation agenda: {top['opportunity']} ({top['kind']}, {top['size']}, feeds step "
            f"{top['step']}). Expected gain {top['gain']:.2f} {_ci(top['gain_ci_low'], top['gain_ci_high'])} "
            f"{outcome} points for the average customer; {top['evidence']}. Audience: {top['audience']}.")
    small = agenda[agenda["size"] == "small improvement"]
    large = agenda[agenda["size"] == "large innovation"]
    text += (f" The agenda holds {len(small)} small improvement(s)"
             + (f" (next: {', '.join(small['opportunity'].iloc[1:3])})" if len(small) > 1 else "")
             + f" and {len(large)} large innovation(s)"
             + (f" ({', '.join(large['opportunity'].head(3))})" if len(large) else "") + ".")
    return {"text": text, "headline": True, "key": "top_opportunity", "value": float(top["gain"]),
            "ci": (float(top["gain_ci_low"]), float(top["gain_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------


def agenda_palette(agenda: pd.DataFrame) -> dict[str, str]:
    """Colour per agenda ``label``: small improvements in the own-brand red, large innovations dark."""
    from cem_research.present import plots

    return {lab: plots.OWN if size == "small improvement" else "#1f2933"
            for lab, size in zip(agenda["label"], agenda["size"])}


def tracking_figure(track: pd.DataFrame, changes: pd.DataFrame | None = None, ncols: int = 4):
    """Small multiples: each construct's own-brand mean per wave with its 95 % CI band.

    Significant wave-over-wave movements (Holm) are marked with a filled triangle at the later wave.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    names = list(pd.unique(track["construct"]))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.4 * nrows + 0.6), squeeze=False)
    waves = list(track["wave"].cat.categories)
    for ax, name in zip(axes.flat, names):
        sub = track[track["construct"] == name].sort_values("wave")
        x = [waves.index(w) for w in sub["wave"]]
        ax.fill_between(x, sub["ci_low"], sub["ci_high"], color=plots.OWN, alpha=0.18, lw=0)
        ax.plot(x, sub["mean"], color=plots.OWN, marker="o", ms=4, lw=1.8)
        if changes is not None:
            sig = changes[(changes["construct"] == name) & changes["significant"]]
            for _, r in sig.iterrows():
                xi = waves.index(r["to_wave"])
                ax.scatter([xi], [r["mean_to"]], marker="^" if r["diff"] > 0 else "v", s=70, color="black", zorder=4)
        ax.set_title(f"{sub['title'].iloc[0]} ({sub['role'].iloc[0]})", fontsize=9)
        ax.set_xticks(range(len(waves)), [str(w) for w in waves], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        n = int(sub["n"].min())
        ax.text(0.02, 0.04, f"n ≥ {n:,} per wave", transform=ax.transAxes, fontsize=7, color="#52606d")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Own brand per wave: mean and 95% CI (▲▼ = real movement, Holm)", fontsize=11, fontweight="bold")
    return fig
