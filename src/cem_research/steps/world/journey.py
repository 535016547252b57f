"""Step 1, "The experience along the journey": reach, satisfaction, effort and drop-out per journey stage.

From the touchpoint events (one row per contact of a customer with the brand), in the stage order the
client declared (``journey:`` in ``client.yaml``).  Drop-out at a stage is leaving the journey there: the
share of the customers who reach the stage and reach no later one.  The final stage has no drop-out --
ending the journey there is completing it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import JOURNEY_MEASURES, STEP, finding_kwargs


def furthest_stage(stage_order: np.ndarray, resp_codes: np.ndarray, n_resp: int) -> np.ndarray:
    """Journey position of each respondent's furthest stage (-1: no event at a declared stage).

    ``stage_order`` is the journey position of every event's stage (NaN when not in the journey),
    ``resp_codes`` the factorized respondent of every event (-1: missing, left out).

    Examples
    --------
    >>> furthest_stage(np.array([0.0, 2.0, 1.0, np.nan]), np.array([0, 0, 1, 2]), 3).tolist()
    [2, 1, -1]
    """
    ok = (resp_codes >= 0) & ~np.isnan(stage_order)
    out = np.full(n_resp, -1, dtype=np.int64)
    np.maximum.at(out, resp_codes[ok], stage_order[ok].astype(np.int64))
    return out


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
        events are kept with ``n = 0``), measures in the order ``reach, satisfaction, effort, dropout``
        (no ``dropout`` at the final stage).
        Columns ``stage, stage_order, measure, n, count, estimate, ci_low, ci_high, scale_min,
        scale_max``:

        * ``reach`` -- share of respondents in the touchpoint file with at least one event at the
          stage (``count`` of ``n``), Wilson interval;
        * ``satisfaction``, ``effort`` -- mean over respondents (each respondent's events at the stage
          averaged first, so frequent contacts do not weigh more), t interval; ``n`` respondents;
        * ``dropout`` -- leaving the journey at the stage: among the respondents who reached the
          stage (``n``), the share whose furthest stage in the declared order is this one (``count``),
          i.e. who reach no later stage; Wilson interval.  The final stage has no ``dropout`` row:
          ending the journey there is completion, not drop-out (its completers are the final stage's
          ``reach``).

        ``None`` without touchpoint events or stages (see :meth:`JourneyStages.skip_reason`).
    """
    if JourneyStages().skip_reason(data, Settings()) is not None:
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
    furthest = furthest_stage(stage_order, resp_codes, base)
    ended = np.bincount(furthest[furthest >= 0], minlength=len(journey))  # journeys ending at each position
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
        if order[stage] == len(journey) - 1:  # ending here is completing the journey
            continue
        dropped = int(ended[order[stage]])
        lo, hi = stats.proportion_ci(dropped, reached, confidence) if reached else (np.nan, np.nan)
        rows.append({"stage": stage, "measure": "dropout", "n": reached, "count": dropped,
                     "estimate": dropped / reached if reached else np.nan, "ci_low": lo, "ci_high": hi,
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
        respondents in the touchpoint file), ``n_satisfaction`` (respondents rating at the stage); no
        drop-out at the final stage (completion).
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


def journey_finding(stages: pd.DataFrame | None, confidence: float = 0.95, cfg=None) -> dict:
    """Plain-words summary of the journey: weakest stage, highest effort, biggest drop-out (before the final stage).

    Parameters
    ----------
    stages : DataFrame or None
        :func:`journey_stages`.
    confidence : float, default 0.95
        Level of the intervals (as computed), for the sentence.
    cfg : ClientConfig, optional
        Labels of the stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="journey_low_stage"``, value = mean
        satisfaction at the weakest stage, with its interval).
    """
    if stages is None or stages.empty:
        return finding_kwargs("No touchpoint events to analyse.", key="journey_low_stage")
    sat = stages[(stages["measure"] == "satisfaction") & (stages["n"] >= 2)].dropna(subset=["estimate"])
    reach = stages[stages["measure"] == "reach"]
    parts = []

    def word(stage):
        return nv.value_label(cfg, "stage", stage)

    first, last = reach.iloc[0], reach.iloc[-1]
    parts.append(f"Reach runs from {nv.pct(first['estimate'])} of customers at {word(first['stage'])} to "
                 f"{nv.pct(last['estimate'])} at {word(last['stage'])}")
    value = ci = None
    if len(sat):
        low = sat.loc[sat["estimate"].idxmin()]
        high = sat.loc[sat["estimate"].idxmax()]
        scale = nv.scale_text((low["scale_min"], low["scale_max"]))
        parts.append(f"satisfaction is lowest at {word(low['stage'])} (mean {nv.num(low['estimate'])} on {scale}, "
                     f"{nv.ci(low['ci_low'], low['ci_high'], confidence=confidence)}, n = {int(low['n']):,}) "
                     f"and highest at {word(high['stage'])} ({nv.num(high['estimate'])}, "
                     f"{nv.ci(high['ci_low'], high['ci_high'], confidence=confidence)})")
        value, ci = low["estimate"], (low["ci_low"], low["ci_high"])
        overlap = low["ci_high"] >= high["ci_low"]
        if overlap:
            parts[-1] += ", though the two intervals overlap"
    eff = stages[(stages["measure"] == "effort") & (stages["n"] >= 2)].dropna(subset=["estimate"])
    if len(eff):
        e = eff.loc[eff["estimate"].idxmax()]
        parts.append(f"effort is highest at {word(e['stage'])} (mean {nv.num(e['estimate'])} on "
                     f"{nv.scale_text((e['scale_min'], e['scale_max']))}, "
                     f"{nv.ci(e['ci_low'], e['ci_high'], confidence=confidence)})")
    drop = stages[(stages["measure"] == "dropout") & (stages["n"] > 0)].dropna(subset=["estimate"])
    if len(drop) and drop["estimate"].max() > 0:  # the final stage has no drop-out row (completion)
        d = drop.loc[drop["estimate"].idxmax()]
        parts.append(f"the largest drop-out is at {word(d['stage'])}: {nv.pct(d['estimate'])} of the "
                     f"{int(d['n']):,} customers who reach it go no further along the journey "
                     f"({nv.pct_ci(d['ci_low'], d['ci_high'], confidence=confidence)})")
    text = nv.initial("; ".join(parts) + ".")
    return finding_kwargs(text, key="journey_low_stage", value=value, ci=ci)



class JourneyStages(Section):
    """The experience along the journey: reach, satisfaction, effort and drop-out per stage.

    The result is :func:`journey_stages` (long format, one row per stage and measure).
    """

    step = STEP
    title = "The experience along the journey"

    def skip_reason(self, data, settings: Settings) -> str | None:
        tp = data.touchpoints
        if tp is None or tp.empty:
            return "the client supplies no touchpoint file ('touchpoints:' in client.yaml)"
        if "stage" not in tp or tp["stage"].isna().all():
            return "the touchpoint file has no journey stage column ('touchpoints.stage')"
        return None

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        return journey_stages(data, confidence=settings.confidence)

    def findings(self, result: pd.DataFrame, data, settings: Settings) -> list[dict]:
        return [journey_finding(result, confidence=settings.confidence, cfg=data.config)]

    def present(self, result: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import world as world_plots

        ci = nv.level(settings.confidence)
        table = nv.label_values(journey_table(result), data.config)
        return [Shown("table", table, f"Journey stages in order ({ci} CIs); drop-out = share of the customers "
                      "reaching a stage who reach no later one (none at the final stage: completion)",
                      {"percent": ("reach", "reach_low", "reach_high", "dropout", "dropout_low", "dropout_high")},
                      layer="appendix"),
                Shown("figure", world_plots.journey_figure(result, confidence=settings.confidence, cfg=data.config),
                      "Point charts along the journey stages in declared order: reach, mean satisfaction, mean "
                      "effort and drop-out (the share of the customers reaching a stage who reach no later one; "
                      f"none at the final stage, which is completion) at each stage, with {ci} intervals and the "
                      "number of customers",
                      layer="appendix")]  # the client sees the stages in step 4's journey map
