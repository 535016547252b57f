"""Section "The human touch": human–human against human–technology ratings, overall and per segment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.interface.common import (
    NO_TOUCHPOINTS, STEP, compare_quietly, has, key_cols, level_order, merge_unique, touchpoint_scale,
)
from cem_research.steps.interface.frames import respondents, touchpoint_events
from cem_research.steps.section import Section, Settings, Shown

__all__ = ["human_vs_technology", "HumanTouch"]

_NAN_TEST = dict(ci_low=np.nan, ci_high=np.nan, T=np.nan, df=np.nan, hedges=np.nan, hedges_ci_low=np.nan,
                 hedges_ci_high=np.nan, p_unc=np.nan)


def _paired_test(h: np.ndarray, t: np.ndarray, confidence: float = 0.95) -> dict:
    n = len(h)
    res = {"n": n, "mean_human": float(np.mean(h)) if n else np.nan,
           "mean_technology": float(np.mean(t)) if n else np.nan}
    res["diff"] = res["mean_human"] - res["mean_technology"]
    if n < 3 or np.var(h - t) == 0:
        return {**res, **_NAN_TEST}
    r = pg.ttest(h, t, paired=True, confidence=confidence)
    ci = r[[c for c in r.columns if c.startswith("CI")][0]].iloc[0]
    g = float(pg.compute_effsize(h, t, paired=True, eftype="hedges"))
    gl, gh = pg.compute_esci(g, n, n, paired=True, eftype="cohen", confidence=confidence, decimals=12)
    return {**res, "ci_low": float(ci[0]), "ci_high": float(ci[1]), "T": float(r["T"].iloc[0]),
            "df": float(r["dof"].iloc[0]), "hedges": g, "hedges_ci_low": float(gl), "hedges_ci_high": float(gh),
            "p_unc": float(r["p_val"].iloc[0])}


def _human_tech_test(wide: pd.DataFrame, paired: bool, confidence: float = 0.95) -> dict:
    h, t = wide["human_human"], wide["human_technology"]
    if paired:
        both = h.notna() & t.notna()
        r = _paired_test(h[both].to_numpy(float), t[both].to_numpy(float), confidence)
        return {"test": "paired t", "n_human": int(both.sum()), "n_technology": int(both.sum()), **r}
    long = pd.concat([pd.DataFrame({"v": h.dropna(), "g": "human_human"}),
                      pd.DataFrame({"v": t.dropna(), "g": "human_technology"})], ignore_index=True)
    if long["g"].nunique() < 2:
        return {"test": "Welch t", "n_human": int(h.notna().sum()), "n_technology": int(t.notna().sum()),
                "n": 0, "mean_human": h.mean(), "mean_technology": t.mean(), "diff": h.mean() - t.mean(),
                **_NAN_TEST}
    r = compare_quietly(long, "v", "g", "human_human", correction="none", confidence=confidence).iloc[0]
    return {"test": "Welch t", "n_human": int(r["n_ref"]), "n_technology": int(r["n_other"]),
            "n": int(r["n_ref"] + r["n_other"]), "mean_human": r["mean_ref"], "mean_technology": r["mean_other"],
            "diff": r["diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "T": r["T"], "df": r["df"],
            "hedges": r["hedges"], "hedges_ci_low": r["hedges_ci_low"], "hedges_ci_high": r["hedges_ci_high"],
            "p_unc": r["p_unc"]}


def human_vs_technology(data, segments: Sequence[str] | None = None, alpha: float = 0.05,
                        min_paired_share: float = 0.5, confidence: float = 0.95) -> pd.DataFrame | None:
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
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        First row overall (``segment = "all"``), then one row per segment level: ``group`` (label
        for charts), ``segment, level, test, n, n_human, n_technology, mean_human, mean_technology,
        diff, ci_low, ci_high, T, df, hedges, hedges_ci_low, hedges_ci_high, p_unc, p_corr,
        significant``.  ``diff = mean_human - mean_technology`` (positive: the human touch scores
        higher) with its CI; Hedges g (paired: pingouin's g for paired samples with the Hedges &
        Olkin CI).  ``p_corr``: the overall row is a single test (``p_corr = p_unc``); segment rows
        are Holm-corrected across all segment levels.  ``attrs``: ``paired``, ``scale``.  ``None``
        without events of both kinds.
    """
    tp = touchpoint_events(data)
    if tp is None or not has(tp, "interface"):
        return None
    keys = key_cols(tp)
    sub = tp.loc[tp["interface"].isin(["human_human", "human_technology"]), [*keys, "interface", "satisfaction"]]
    if sub["interface"].nunique() < 2:
        return None
    wide = sub.pivot_table(index=keys, columns="interface", values="satisfaction", aggfunc="mean").reset_index()
    both = wide["human_human"].notna() & wide["human_technology"].notna()
    paired = bool(both.sum() >= 10 and both.mean() >= min_paired_share)
    resp = respondents(data, tp)
    seg_cols = [s for s in (segments if segments is not None else data.config.segments) if s in resp.columns]
    wide = merge_unique(wide, resp[[*keys, *seg_cols]], keys, how="left")
    rows = [{"segment": "all", "level": "all", **_human_tech_test(wide, paired, confidence)}]
    ratings = wide[["human_human", "human_technology"]]  # all _human_tech_test uses
    seg_rows = []
    for col in seg_cols:
        for level in level_order(wide[col].dropna().unique()):
            seg_rows.append({"segment": col, "level": level,
                             **_human_tech_test(ratings[(wide[col] == level).to_numpy()], paired, confidence)})
    overall = pd.DataFrame(rows)
    overall["p_corr"] = overall["p_unc"]
    overall["significant"] = overall["p_corr"] < alpha
    frames = [overall]
    if seg_rows:
        frames.append(stats.adjust_pvalues(pd.DataFrame(seg_rows), "p_unc", "holm", alpha=alpha))
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = out["significant"].fillna(False).astype(bool)
    labels = {c: (lab if len(lab := str(data.config.segments.get(c) or c)) <= 28 else c) for c in seg_cols}
    out["group"] = [("all customers" if s == "all" else f"{labels.get(s, s)}: {nv.value_label(data.config, s, lv)}")
                    for s, lv in zip(out["segment"], out["level"])]
    cols = ["group", "segment", "level", "test", "n", "n_human", "n_technology", "mean_human", "mean_technology",
            "diff", "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low", "hedges_ci_high", "p_unc", "p_corr",
            "significant"]
    out = out[cols]
    out.attrs["paired"] = paired
    out.attrs["scale"] = touchpoint_scale(data.config)
    return out


class HumanTouch(Section):
    """Whether human–human interactions score differently from human–technology ones."""

    step = STEP
    title = "The human touch"

    def skip_reason(self, data, settings: Settings) -> str | None:
        tp = touchpoint_events(data)
        if tp is None:
            return NO_TOUCHPOINTS
        if not has(tp, "interface"):
            return "the touchpoint file declares no interface column"
        if not {"human_human", "human_technology"} <= set(tp["interface"].dropna().unique()):
            return "the touchpoint events do not include both human–human and human–technology interactions"
        return None

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        return human_vs_technology(data, confidence=settings.confidence)

    def findings(self, result: pd.DataFrame, data, settings: Settings) -> list[dict]:
        c = settings.confidence
        o = result.iloc[0]
        scale = nv.scale_text(result.attrs.get("scale", (1, 5)))
        direction = "higher" if o["diff"] > 0 else "lower"
        verdict = "a real difference" if o["significant"] else "not distinguishable from chance"
        text = (f"Human–human interactions score {nv.num(abs(o['diff']))} points {direction} than human–technology "
                f"ones ({nv.num(o['mean_human'])} vs {nv.num(o['mean_technology'])} on the {scale} scale; "
                f"difference {nv.num(o['diff'])}, {nv.ci(o['ci_low'], o['ci_high'], confidence=c)}; Hedges g "
                f"{nv.num(o['hedges'])}, {nv.ci(o['hedges_ci_low'], o['hedges_ci_high'], confidence=c)}; "
                f"{o['test']}, n = {int(o['n'])}, {nv.p(o['p_unc'])}): {verdict}.")
        seg = result.iloc[1:].dropna(subset=["diff"])
        if len(seg):
            hi = seg.loc[seg["diff"].idxmax()]
            lo = seg.loc[seg["diff"].idxmin()]
            text += (f" The gap is largest for {hi['group']} ({nv.num(hi['diff'])}, "
                     f"{nv.ci(hi['ci_low'], hi['ci_high'], confidence=c)}) and smallest for {lo['group']} "
                     f"({nv.num(lo['diff'])}, {nv.ci(lo['ci_low'], lo['ci_high'], confidence=c)}); "
                     f"{int(seg['significant'].sum())} of {len(seg)} segment levels show a significant gap (Holm).")
        ci = (float(o["ci_low"]), float(o["ci_high"])) if np.isfinite(o["ci_low"]) else None
        return [{"text": text, "headline": True, "key": "human_minus_technology", "value": float(o["diff"]),
                 "ci": ci}]

    def present(self, result: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import interface as charts

        level = nv.ci_label(settings.confidence)
        ax = charts.human_touch_chart(result, ci_label=level)
        return [Shown("table", result.drop(columns=["segment", "level"]),
                      f"Human–human minus human–technology ratings ({level}; segments Holm-corrected)",
                      layer="appendix"),
                Shown("figure", ax.figure,
                      f"Dot chart: human–human minus human–technology rating for all customers and each segment "
                      f"level, with {level}s and a line at zero", layer="appendix")]
