"""Promise versus delivery: does the customer interface keep the brand's promises?

The experiential platform of step 2 ends in promises – the experience the brand says it gives –
and steps 3 and 4 are where they are designed and delivered.  This module audits each promise a
client declares in ``client.yaml``::

    promises:
      - {promise: "A warm, personal welcome", construct: affective,
         touchpoints: [counter_order, barista_interaction], target: 5.5}

* ``promise`` – the promise in the brand's words;
* ``construct`` – the experience dimension (a declared construct) on which the promise is measured;
* ``touchpoints`` – where it is delivered (touchpoint names of the touchpoint file; optional);
* ``target`` – the promised level on the construct's scale (optional).  Without a target, the
  promise is held against the **best competitor's mean** on the construct (the competitor with the
  highest mean, when competitor ratings exist), else against the **75% point of the scale**
  (``min + 0.75 (max − min)``, e.g. 5.5 on 1–7: "clearly agree").

For every promise: **delivery** = the own brand's mean on the construct (all analysed waves pooled,
survey weights when present) with its t interval; the **gap** to the target with its interval (a
fixed target: the mean's interval shifted; the best competitor: Welch's interval of the
difference, which also carries the competitor's sampling error; note that picking the highest of
several competitor means favours a high target); the **verdict** – *delivered* when the whole gap
interval lies above 0, *not delivered* when it lies below 0, *cannot tell* when it spans 0.  For
each linked touchpoint: its mean satisfaction rescaled to 0–100 (percent of the scale's maximum)
with a t interval and the share of poor experiences (rated at or below the scale midpoint, as in
:func:`cem_research.steps.interface.poor_threshold`) with a Wilson interval.  The traceability table puts
promise → measure → target → delivered → gap → verdict → touchpoints on one line.

``promises:`` is parsed when ``client.yaml`` is loaded (``cfg.promises``,
:mod:`cem_research.client.options.promises`); that every named touchpoint occurs in the touchpoint
file is checked with the raw files.  A client without ``promises:`` gets ``None`` from every
function and no section in its report (:class:`PromiseAudit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.client.options.promises import Promise
from cem_research.present import narrative as nv
from cem_research.steps.interface.common import touchpoint_scale
from cem_research.steps.interface.performance import touchpoint_performance
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

STEP = 4
SECTION = "Promise versus delivery"
TARGET_SHARE = 0.75
VERDICTS = ("delivered", "not delivered", "cannot tell")

__all__ = ["STEP", "SECTION", "Promise", "promise_delivery", "promise_touchpoints",
           "traceability", "gap_figure", "promise_finding", "section_intro", "PromiseAudit", "PromiseResult"]


# ---------------------------------------------------------------------------------------------
# delivery on the construct
# ---------------------------------------------------------------------------------------------


def _pomp(x, lo: float, hi: float):
    return 100 * (np.asarray(x, dtype=float) - lo) / (hi - lo)


def _welch(m1, s1, n1, m2, s2, n2, confidence: float) -> tuple[float, float]:
    v1, v2 = s1**2 / n1, s2**2 / n2
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)) if (v1 + v2) > 0 else n1 + n2 - 2
    half = float(sps.t.ppf(0.5 + confidence / 2, df)) * se
    d = m1 - m2
    return d - half, d + half


def _verdict(lo: float, hi: float) -> str:
    if np.isfinite(lo) and lo > 0:
        return "delivered"
    if np.isfinite(hi) and hi < 0:
        return "not delivered"
    return "cannot tell"


def promise_delivery(data: "ClientData", confidence: float = 0.95) -> pd.DataFrame | None:
    """How far the own brand delivers each promise on its construct.

    Returns
    -------
    DataFrame or None
        One row per promise, in declared order: ``promise, construct, label, scale_min,
        scale_max, n, mean, ci_low, ci_high, target, target_source, target_n, gap, gap_ci_low,
        gap_ci_high, verdict, delivered_0_100, target_0_100``.  ``target_source`` is
        ``"client.yaml"``, ``"best competitor (<brand>)"`` or ``"75% of the scale"``;
        ``target_n`` the competitor's ratings (0 for a fixed target).  ``None`` when the client
        declares no promises.

    Notes
    -----
    Own-brand rows of all analysed waves, weighted when the data carry survey weights (t interval
    on Kish's effective n, :func:`cem_research.stats.mean_ci`).  Fixed target: gap interval =
    mean interval − target.  Best competitor: Welch interval of own mean − competitor mean (the
    competitor's ratings unweighted).  Verdict: *delivered* if the gap interval lies above 0,
    *not delivered* if below, else *cannot tell*.
    """
    promises = data.config.promises
    if promises is None:
        return None
    cfg = data.config
    own = data.own
    comp = data.ratings[data.ratings["brand_kind"] != "own"]
    rows = []
    for p in promises:
        c = cfg.constructs[p.construct]
        lo, hi = c.scale
        m = stats.mean_ci(own, p.construct, weights=data.weight, confidence=confidence).iloc[0]
        row = {"promise": p.promise, "construct": p.construct, "label": c.title, "scale_min": lo, "scale_max": hi,
               "n": int(m["n"]), "mean": float(m["mean"]), "ci_low": float(m["ci_low"]),
               "ci_high": float(m["ci_high"])}
        best = None
        if p.target is None and len(comp) and comp[p.construct].notna().sum() >= 2:
            cm = stats.mean_ci(comp, p.construct, by="brand", confidence=confidence)
            cm = cm[cm["n"] >= 2]
            if len(cm):
                best = cm.loc[cm["mean"].idxmax()]
        if p.target is not None:
            target, source, tn = p.target, "client.yaml", 0
            g_lo, g_hi = row["ci_low"] - target, row["ci_high"] - target
        elif best is not None:
            target, source, tn = float(best["mean"]), f"best competitor ({best['brand']})", int(best["n"])
            if m["n"] >= 2 and np.isfinite(m["sd"]):
                g_lo, g_hi = _welch(row["mean"], float(m["sd"]), float(m["n_eff"]), target, float(best["sd"]),
                                    float(best["n"]), confidence)
            else:
                g_lo = g_hi = np.nan
        else:
            target, source, tn = lo + TARGET_SHARE * (hi - lo), f"{100 * TARGET_SHARE:.0f}% of the scale", 0
            g_lo, g_hi = row["ci_low"] - target, row["ci_high"] - target
        row.update({"target": target, "target_source": source, "target_n": tn, "gap": row["mean"] - target,
                    "gap_ci_low": g_lo, "gap_ci_high": g_hi, "verdict": _verdict(g_lo, g_hi),
                    "delivered_0_100": float(_pomp(row["mean"], lo, hi)), "target_0_100": float(_pomp(target, lo, hi))})
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# delivery at the touchpoints
# ---------------------------------------------------------------------------------------------


def promise_touchpoints(data: "ClientData", confidence: float = 0.95) -> pd.DataFrame | None:
    """The touchpoints each promise is delivered at: satisfaction 0–100 and poor experiences.

    Returns
    -------
    DataFrame or None
        One row per promise × linked touchpoint: ``promise, touchpoint, n_events, n_respondents,
        satisfaction, satisfaction_0_100, ci_low_0_100, ci_high_0_100, share_poor, poor_ci_low,
        poor_ci_high, weakest`` (``weakest``: the promise's touchpoint with the lowest mean).
        ``None`` when no promise names a touchpoint.

    Notes
    -----
    A touchpoint named in ``promises:`` must occur in the touchpoint file (checked with the raw
    files); one without events in the analysed waves gets ``n_events = 0`` and missing values.
    Events as units, as in :func:`cem_research.steps.interface.touchpoint_performance` (the own brand's
    events linked to the analysed respondents); 0–100 = ``100 (x − min)/(max − min)`` on the
    touchpoint scale; poor = rated at or below the scale midpoint; Wilson interval for the share.
    """
    promises = data.config.promises
    if not promises or not any(p.touchpoints for p in promises):
        return None
    cfg = data.config
    perf = touchpoint_performance(data, "touchpoint")
    perf = perf.set_index("touchpoint") if perf is not None else pd.DataFrame()
    lo, hi = touchpoint_scale(cfg)
    rows = []
    for p in promises:
        for t in p.touchpoints:
            row = {"promise": p.promise, "touchpoint": t}
            if t in perf.index:
                r = perf.loc[t]
                n = int(r["n_events"])
                poor = float(r["share_poor"])
                p_lo, p_hi = stats.proportion_ci(round(poor * n), n, confidence)
                row.update({"n_events": n, "n_respondents": int(r["n_respondents"]),
                            "satisfaction": float(r["satisfaction"]),
                            "satisfaction_0_100": float(_pomp(r["satisfaction"], lo, hi)),
                            "ci_low_0_100": float(_pomp(r["ci_low"], lo, hi)),
                            "ci_high_0_100": float(_pomp(r["ci_high"], lo, hi)),
                            "share_poor": poor, "poor_ci_low": p_lo, "poor_ci_high": p_hi})
            else:
                row.update({"n_events": 0, "n_respondents": 0, **{k: np.nan for k in (
                    "satisfaction", "satisfaction_0_100", "ci_low_0_100", "ci_high_0_100", "share_poor",
                    "poor_ci_low", "poor_ci_high")}})
            rows.append(row)
    out = pd.DataFrame(rows)
    out["weakest"] = False
    for _, sub in out.groupby("promise", sort=False):
        if sub["satisfaction"].notna().any():
            out.loc[sub["satisfaction"].idxmin(), "weakest"] = True
    out.attrs["scale"] = (lo, hi)
    return out


# ---------------------------------------------------------------------------------------------
# traceability, chart, finding
# ---------------------------------------------------------------------------------------------


def _tp_text(r: pd.Series, cfg=None) -> str:
    name = nv.value_label(cfg, "touchpoint", r["touchpoint"])
    if not r["n_events"]:
        return f"{name}: no rated events"
    return (f"{name} {r['satisfaction_0_100']:.0f}/100 [{r['ci_low_0_100']:.0f}, {r['ci_high_0_100']:.0f}], "
            f"{100 * r['share_poor']:.0f}% poor")


def traceability(delivery: pd.DataFrame | None, touchpoints: pd.DataFrame | None = None,
                 cfg=None) -> pd.DataFrame | None:
    """One line per promise: promise → measure → target → delivered → gap → verdict → touchpoints.

    Touchpoints are named in words (:func:`cem_research.present.narrative.value_label` with ``cfg``).

    Returns
    -------
    DataFrame or None
        Text columns ``promise, measure, target, delivered, gap, verdict, touchpoints`` (numbers
        with their 95% intervals), for display.
    """
    if delivery is None:
        return None
    rows = []
    for _, r in delivery.iterrows():
        tps = "—"
        if touchpoints is not None:
            sub = touchpoints[touchpoints["promise"] == r["promise"]]
            if len(sub):
                tps = "; ".join(_tp_text(t, cfg) for _, t in sub.iterrows())
        rows.append({"promise": r["promise"],
                     "measure": f"{r['label']} ({r['scale_min']:g}–{r['scale_max']:g})",
                     "target": f"{r['target']:.2f} ({r['target_source']})",
                     "delivered": f"{nv.num(r['mean'])} [{nv.num(r['ci_low'])}, {nv.num(r['ci_high'])}], n = {r['n']:,}",
                     "gap": f"{nv.signed(r['gap'])} [{nv.signed(r['gap_ci_low'])}, {nv.signed(r['gap_ci_high'])}]",
                     "verdict": r["verdict"], "touchpoints": tps})
    return pd.DataFrame(rows)


def gap_figure(delivery: pd.DataFrame | None, ax=None):
    """Gap between delivery and target per promise, with its 95% interval, coloured by verdict
    (:func:`cem_research.present.plots.optional.promise_gaps`).

    Returns
    -------
    matplotlib.axes.Axes or None
        ``None`` without promises.
    """
    from cem_research.present.plots import optional as charts

    return charts.promise_gaps(delivery, ax=ax)


def promise_finding(delivery: pd.DataFrame | None, touchpoints: pd.DataFrame | None = None,
                    cfg=None) -> dict | None:
    """Plain-words finding naming the undelivered promises, their gaps and weakest touchpoints.

    Returns
    -------
    dict or None
        ``text, headline, key, value, ci`` for :func:`cem_research.present.findings.record`; the key value
        is the largest shortfall (most negative gap) with its interval.  ``None`` without promises.
    """
    if delivery is None:
        return None
    def one(r) -> str:
        s = (f"'{r['promise']}' ({r['label']} {nv.num(r['mean'])}, {nv.ci(r['ci_low'], r['ci_high'])}, against "
             f"{nv.num(r['target'])}, {r['target_source']}; gap {nv.signed(r['gap'])}, "
             f"{nv.ci(r['gap_ci_low'], r['gap_ci_high'])}")
        if touchpoints is not None:
            weak = touchpoints[(touchpoints["promise"] == r["promise"]) & touchpoints["weakest"]]
            if len(weak):
                w = weak.iloc[0]
                s += (f"; weakest touchpoint {nv.value_label(cfg, 'touchpoint', w['touchpoint'])} at "
                      f"{nv.num(w['satisfaction_0_100'], 0)}/100, "
                      f"{nv.ci(w['ci_low_0_100'], w['ci_high_0_100'], 0)}, with {nv.pct(w['share_poor'])} "
                      f"poor experiences")
        return s + ")"

    k = len(delivery)
    missed = delivery[delivery["verdict"] == "not delivered"]
    kept = delivery[delivery["verdict"] == "delivered"]
    unsure = delivery[delivery["verdict"] == "cannot tell"]
    if len(missed):
        verb = "is" if len(missed) == 1 else "are"
        text = (f"{len(missed)} of {k} brand promise{'s' if k != 1 else ''} {verb} not delivered: "
                + "; ".join(one(r) for _, r in missed.iterrows()) + ".")
    else:
        text = f"No brand promise is clearly missed ({k} audited)."
    if len(kept):
        text += " Delivered: " + "; ".join(one(r) for _, r in kept.iterrows()) + "."
    if len(unsure):
        text += (" Cannot tell (the interval spans the target): "
                 + "; ".join(f"'{r['promise']}' (gap {nv.signed(r['gap'])}, {nv.ci(r['gap_ci_low'], r['gap_ci_high'])})"
                             for _, r in unsure.iterrows()) + ".")
    worst = delivery.loc[delivery["gap"].idxmin()]
    return {"text": text, "headline": bool(len(missed)), "key": "promise_gap_min", "value": float(worst["gap"]),
            "ci": (float(worst["gap_ci_low"]), float(worst["gap_ci_high"]))}


def section_intro(delivery: pd.DataFrame | None) -> "nv.SectionMarkdown | None":
    """The section's heading and explanation (Markdown), shown only for clients that declare
    ``promises:`` (``None`` otherwise) so that other clients' reports are unchanged."""
    if delivery is None:
        return None
    return nv.SectionMarkdown(f"""## {SECTION}

**What is computed.** The experiential platform (step 2) promises an experience; the brand experience
(step 3) and the customer interface (this step) must deliver it. For each of the {len(delivery)} promises
declared in client.yaml: **delivery** – the own brand's mean on the experience dimension the promise is
about, with its 95% interval (all analysed waves, survey weights when present); the **target** – the
promised level from client.yaml or, when none is given, the best competitor's mean on that dimension
(else the 75% point of the scale); the **gap** delivered minus target with its interval; and at every
touchpoint where the promise is kept, its mean satisfaction on a 0–100 scale with its interval and the
share of poor experiences (rated at or below the scale midpoint, Wilson interval). The traceability
table reads promise → measure → target → delivered → gap → verdict → touchpoints.

**How to read it.** A promise is *delivered* when the whole gap interval lies above zero, *not
delivered* when it lies below zero, and *cannot tell* when the interval spans zero. In the chart,
each dot is a promise's gap with its interval: green delivered, red not delivered, grey cannot tell.
The weakest touchpoint of an undelivered promise is the first place to look. **What would change the
conclusion:** a different target (the promise's level is a management decision, not a statistic), a
measure that fits the promise poorly or is unreliable (see step 2), a best competitor chosen as the
highest of several noisy means (which sets the bar a little high), or touchpoints with few events.""")


# ---------------------------------------------------------------------------------------------
# the section
# ---------------------------------------------------------------------------------------------

TOUCHPOINT_COLUMNS = ["promise", "touchpoint", "n_events", "n_respondents", "satisfaction_0_100", "ci_low_0_100",
                      "ci_high_0_100", "share_poor", "poor_ci_low", "poor_ci_high", "weakest"]


@dataclass(frozen=True)
class PromiseResult:
    """The tables of the promise-versus-delivery section.

    Attributes
    ----------
    delivery : DataFrame
        :func:`promise_delivery`.
    touchpoints : DataFrame or None
        :func:`promise_touchpoints` (``None`` when no promise names a touchpoint).
    trace : DataFrame
        :func:`traceability`.
    """

    delivery: pd.DataFrame
    touchpoints: pd.DataFrame | None
    trace: pd.DataFrame


class PromiseAudit(OptionalSection):
    """Promise versus delivery (shown in step 4), only for clients that declare ``promises:``."""

    step = STEP
    title = SECTION
    option = "promises"

    def compute(self, data: "ClientData", settings: Settings) -> PromiseResult:
        delivery = promise_delivery(data, confidence=settings.confidence)
        touchpoints = promise_touchpoints(data, confidence=settings.confidence)
        return PromiseResult(delivery, touchpoints, traceability(delivery, touchpoints, cfg=data.config))

    def findings(self, result: PromiseResult, data: "ClientData", settings: Settings) -> list[dict]:
        return [promise_finding(result.delivery, result.touchpoints, cfg=data.config)]

    def present(self, result: PromiseResult, data: "ClientData", settings: Settings) -> list[Shown]:
        d = result.delivery
        shown = [
            Shown("markdown", section_intro(d), layer="appendix"),
            Shown("table", result.trace, "Traceability: promise → measure → target → delivered → gap → verdict → "
                                         "touchpoints (95% CIs)", layer="appendix"),
            Shown("figure", gap_figure(d).figure,
                  f"Dot chart: for each of the {len(d)} brand promises, the own brand's delivery minus the target "
                  "in scale points with its 95% interval, coloured by verdict (delivered, not delivered, cannot tell)"),
        ]
        if result.touchpoints is not None:
            shown.append(Shown("table", nv.label_values(result.touchpoints[TOUCHPOINT_COLUMNS], data.config),
                               "Where each promise is delivered: touchpoint satisfaction on 0–100 (t 95% CI) and "
                               "share of poor experiences (Wilson 95% CI)",
                               {"percent": ("share_poor", "poor_ci_low", "poor_ci_high"),
                                "rename": {"satisfaction_0_100": "satisfaction (0-100)", "ci_low_0_100": "ci_low",
                                           "ci_high_0_100": "ci_high"}}, layer="appendix"))
        if result.trace is not None:
            # the client's compact table: the traceability without the gap (the chart shows it)
            shown.append(Shown("table", result.trace.drop(columns=["gap"]),
                               "Traceability: promise → measure → target → delivered → verdict → touchpoints "
                               "(95% CIs)"))
        return shown
