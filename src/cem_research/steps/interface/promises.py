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

A client without ``promises:`` gets ``None`` from every function (no section in its report).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.client.config import CONFIG_FILE, suggest
from cem_research.client.errors import ContractError

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.present.narrative import SectionMarkdown
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

STEP = 4
SECTION = "Promise versus delivery"
KEYS = {"promise", "construct", "touchpoints", "target"}
TARGET_SHARE = 0.75
VERDICTS = ("delivered", "not delivered", "cannot tell")
VERDICT_COLORS = {"delivered": "#27ae60", "not delivered": "#c0392b", "cannot tell": "#9aa5b1"}

__all__ = ["STEP", "SECTION", "Promise", "parse_promises", "promise_delivery", "promise_touchpoints",
           "traceability", "gap_figure", "promise_finding", "section_intro"]


@dataclass(frozen=True)
class Promise:
    """One validated entry of ``promises:``."""

    promise: str
    construct: str
    touchpoints: tuple[str, ...] = ()
    target: float | None = None


def _err(cfg: "ClientConfig", message: str, column: str | None = None) -> ContractError:
    return ContractError(message, client=cfg.client, file=CONFIG_FILE, column=column)


def parse_promises(cfg: "ClientConfig") -> list[Promise] | None:
    """Validate ``promises:`` of client.yaml (``None`` when the client declares none).

    Raises
    ------
    ContractError
        One line naming client and ``client.yaml``: not a list, an unknown key (with the nearest
        valid key), a blank or repeated promise, a construct that is not declared, touchpoints that
        are not a list of names or declared without a touchpoint file, a target that is not a number
        on the construct's scale.
    """
    if cfg.extras.get("promises") is None:  # absent, or left blank: not declared
        return None
    raw = cfg.extras["promises"]
    if not isinstance(raw, list) or not raw:
        raise _err(cfg, "'promises' must be a list of {promise, construct, touchpoints, target} entries")
    out: list[Promise] = []
    for i, entry in enumerate(raw):
        where = f"promises[{i}]"
        if not isinstance(entry, dict):
            raise _err(cfg, f"'{where}' must be a mapping such as {{promise: ..., construct: ..., "
                            f"touchpoints: [...], target: ...}}, got {entry!r}")
        for key in entry:
            if key not in KEYS:
                raise _err(cfg, f"unknown key '{key}' in {where}{suggest(key, KEYS)}")
        text = entry.get("promise")
        if text is None or not str(text).strip():
            raise _err(cfg, f"'{where}.promise' is required: the promise in the brand's words")
        text = " ".join(str(text).split())
        if any(p.promise == text for p in out):
            raise _err(cfg, f"promise '{text}' is listed twice")
        construct = entry.get("construct")
        if construct is None or str(construct) not in cfg.constructs:
            close = difflib.get_close_matches(str(construct), sorted(cfg.constructs), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; declared constructs: {', '.join(cfg.constructs)}"
            raise _err(cfg, f"'{where}.construct' must name a declared construct, got {construct!r}{hint}")
        construct = str(construct)
        tps = entry.get("touchpoints") or []
        if isinstance(tps, str):
            tps = [tps]
        if not isinstance(tps, list) or not all(isinstance(t, (str, int)) and str(t).strip() for t in tps):
            raise _err(cfg, f"'{where}.touchpoints' must be a list of touchpoint names, "
                            f"got {entry.get('touchpoints')!r}")
        if tps and cfg.touchpoints is None:
            raise _err(cfg, f"'{where}.touchpoints' names touchpoints, but the client declares no touchpoints file")
        target = entry.get("target")
        if target is not None:
            lo, hi = cfg.constructs[construct].scale
            if isinstance(target, bool) or not isinstance(target, (int, float)) or not lo <= float(target) <= hi:
                raise _err(cfg, f"'{where}.target' must be a number on the {construct} scale {lo:g}-{hi:g}, "
                                f"got {target!r}")
            target = float(target)
        out.append(Promise(text, construct, tuple(dict.fromkeys(str(t) for t in tps)), target))
    return out


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
    promises = parse_promises(data.config)
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

    Raises
    ------
    ContractError
        When a promise names a touchpoint that does not occur in the touchpoint file.

    Notes
    -----
    Events as units, as in :func:`cem_research.steps.interface.touchpoint_performance` (the own brand's
    events linked to the analysed respondents); 0–100 = ``100 (x − min)/(max − min)`` on the
    touchpoint scale; poor = rated at or below the scale midpoint; Wilson interval for the share.
    """
    from cem_research.steps import interface

    promises = parse_promises(data.config)
    if not promises or not any(p.touchpoints for p in promises):
        return None
    cfg = data.config
    known = set() if data.touchpoints is None else set(data.touchpoints["touchpoint"].dropna().astype(str))
    for i, p in enumerate(promises):
        for t in p.touchpoints:
            if t not in known:
                close = difflib.get_close_matches(t, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise _err(cfg, f"'promises[{i}].touchpoints' names '{t}', which is not a touchpoint in the "
                                f"touchpoint file{hint}")
    perf = interface.touchpoint_performance(data, "touchpoint")
    perf = perf.set_index("touchpoint") if perf is not None else pd.DataFrame()
    lo, hi = interface.touchpoint_scale(cfg)
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


def _n2(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}"


def _s2(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:+.2f}"


def _tp_text(r: pd.Series) -> str:
    if not r["n_events"]:
        return f"{r['touchpoint']}: no rated events"
    return (f"{r['touchpoint']} {r['satisfaction_0_100']:.0f}/100 [{r['ci_low_0_100']:.0f}, {r['ci_high_0_100']:.0f}], "
            f"{100 * r['share_poor']:.0f}% poor")


def traceability(delivery: pd.DataFrame | None, touchpoints: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """One line per promise: promise → measure → target → delivered → gap → verdict → touchpoints.

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
                tps = "; ".join(_tp_text(t) for _, t in sub.iterrows())
        rows.append({"promise": r["promise"],
                     "measure": f"{r['label']} ({r['scale_min']:g}–{r['scale_max']:g})",
                     "target": f"{r['target']:.2f} ({r['target_source']})",
                     "delivered": f"{_n2(r['mean'])} [{_n2(r['ci_low'])}, {_n2(r['ci_high'])}], n = {r['n']:,}",
                     "gap": f"{_s2(r['gap'])} [{_s2(r['gap_ci_low'])}, {_s2(r['gap_ci_high'])}]",
                     "verdict": r["verdict"], "touchpoints": tps})
    return pd.DataFrame(rows)


def gap_figure(delivery: pd.DataFrame | None, ax=None):
    """Gap between delivery and target per promise, with its 95% interval, coloured by verdict.

    Returns
    -------
    matplotlib.axes.Axes or None
        ``None`` without promises.
    """
    if delivery is None:
        return None
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from cem_research.present import plots

    if ax is None:
        _, ax = plt.subplots(figsize=(9, max(2.6, 0.75 * len(delivery) + 1.4)))
    labels = [textwrap.fill(f"{p} ({lab})", 34) for p, lab in zip(delivery["promise"], delivery["label"])]
    frame = delivery.assign(label=labels)
    palette = {lab: VERDICT_COLORS[v] for lab, v in zip(frame["label"], frame["verdict"])}
    plots.dot_interval(frame, x="gap", y="label", low="gap_ci_low", high="gap_ci_high", palette=palette, n="n",
                       ax=ax, xlabel="delivered minus target, scale points (95% CI)",
                       title="Promise versus delivery")
    ax.axvline(0, color="#52606d", lw=1)
    handles = [Line2D([], [], marker="o", ls="", color=VERDICT_COLORS[v], label=v) for v in VERDICTS
               if v in set(delivery["verdict"])]
    ax.legend(handles=handles, loc="best", fontsize=8)
    return ax


def promise_finding(delivery: pd.DataFrame | None, touchpoints: pd.DataFrame | None = None) -> dict | None:
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
        s = (f"'{r['promise']}' ({r['label']} {_n2(r['mean'])} [{_n2(r['ci_low'])}, {_n2(r['ci_high'])}] against "
             f"{_n2(r['target'])}, {r['target_source']}; gap {_s2(r['gap'])} [{_s2(r['gap_ci_low'])}, "
             f"{_s2(r['gap_ci_high'])}]")
        if touchpoints is not None:
            weak = touchpoints[(touchpoints["promise"] == r["promise"]) & touchpoints["weakest"]]
            if len(weak):
                w = weak.iloc[0]
                s += (f"; weakest touchpoint {w['touchpoint']} at {w['satisfaction_0_100']:.0f}/100 "
                      f"[{w['ci_low_0_100']:.0f}, {w['ci_high_0_100']:.0f}] with {100 * w['share_poor']:.0f}% "
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
                 + "; ".join(f"'{r['promise']}' (gap {_s2(r['gap'])} [{_s2(r['gap_ci_low'])}, {_s2(r['gap_ci_high'])}])"
                             for _, r in unsure.iterrows()) + ".")
    worst = delivery.loc[delivery["gap"].idxmin()]
    return {"text": text, "headline": bool(len(missed)), "key": "promise_gap_min", "value": float(worst["gap"]),
            "ci": (float(worst["gap_ci_low"]), float(worst["gap_ci_high"]))}


def section_intro(delivery: pd.DataFrame | None) -> "SectionMarkdown | None":
    """The section's heading and explanation (Markdown), shown only for clients that declare
    ``promises:`` (``None`` otherwise) so that other clients' reports are unchanged."""
    if delivery is None:
        return None
    from cem_research.present.narrative import SectionMarkdown

    return SectionMarkdown(f"""## {SECTION}

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
