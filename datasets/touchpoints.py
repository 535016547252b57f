"""Touchpoint events along the customer journey of a demo client's own-brand respondents."""

from __future__ import annotations

import numpy as np

from datasets.model import Spec, clip_round

__all__ = ["simulate_events"]


def simulate_events(spec: Spec, rng: np.random.Generator, own_rows: np.ndarray, lin: dict,
                     common: np.ndarray, segments: dict, wave: np.ndarray, wave_start: np.ndarray):
    """Touchpoint events along the journey; returns (events, worst-touchpoint effect, interview day)."""
    n = own_rows.size
    tps = spec.touchpoints
    T, K = len(tps), len(spec.journey)
    stage_of = np.array([spec.journey.index(tp.stage) for tp in tps], dtype=np.int8)
    # journey depth: disloyal respondents stop early
    pre = lin["loyalty"][own_rows] + 0.6 * common[own_rows]
    pre = (pre - pre.mean()) / (pre.std() or 1.0)
    a, b, stops = spec.early_stop
    p_early = 1.0 / (1.0 + np.exp(-(a - b * pre)))
    early = rng.random(n) < p_early
    stop_stages = np.array(list(stops), dtype=np.int64)
    stop_p = np.array(list(stops.values()), float)
    last_stage = np.where(early, stop_stages[rng.choice(stop_stages.size, n, p=stop_p / stop_p.sum())], K - 1)
    # events per touchpoint and respondent
    seg_level = {col: levels for col, _l, levels, _p in spec.segments}
    counts = np.zeros((n, T), np.int32)
    for j, tp in enumerate(tps):
        lam = np.full(n, tp.rate * spec.tp_rate_scale)
        for name, col, level, mult in spec.tp_multipliers:
            if name == tp.name:
                lam = np.where(segments[col][own_rows] == seg_level[col].index(level), lam * mult, lam)
        c = rng.poisson(lam).astype(np.int32)
        c[stage_of[j] > last_stage] = 0
        counts[:, j] = c
    # everybody has at least one event in the last stage they reach, so that where a journey
    # ends is visible in the data
    rates = np.array([tp.rate for tp in tps])
    in_last = stage_of[None, :] == last_stage[:, None]
    none = (counts * in_last).sum(axis=1) == 0
    w = np.where(in_last[none], rates[None, :], 0.0)
    cum = np.cumsum(w, axis=1)
    pick = (cum < rng.random(int(none.sum()))[:, None] * cum[:, -1:]).sum(axis=1)
    counts[np.flatnonzero(none), pick] += 1
    flat = counts.reshape(-1)
    resp = np.repeat(np.repeat(np.arange(n, dtype=np.int32), T), flat)
    tp = np.repeat(np.tile(np.arange(T, dtype=np.int8), n), flat)
    del flat
    E = resp.size
    st = stage_of[tp]
    # timing: stage windows in days, ordered along the journey
    widths = np.array(spec.stage_days, np.int32)
    gaps = rng.integers(0, spec.stage_gap + 1, size=(n, K))
    gaps[:, 0] = rng.integers(0, 8, size=n)                 # start within the wave
    starts = np.cumsum(gaps + np.concatenate([[0], widths[:-1]])[None, :], axis=1).astype(np.int32)
    day0 = wave_start[wave[own_rows]].astype(np.int32)
    ev_day = day0[resp] + starts[resp, st] + (rng.random(E, dtype=np.float32) * widths[st]).astype(np.int32)
    open_min, close_min = spec.open_hours[0] * 60, spec.open_hours[1] * 60
    ev_min = ev_day * 1440 + open_min + (rng.random(E, dtype=np.float32) * (close_min - open_min)).astype(np.int32)
    del st
    interview = (day0 + starts[np.arange(n), last_stage] + widths[last_stage]
                 + rng.integers(0, 4, n)).astype(np.int32)
    del ev_day
    # satisfaction with the touchpoint
    general = lin["satisfaction"][own_rows]
    general = ((general - general.mean()) / (general.std() or 1.0)).astype(np.float32)
    means = np.array([tp_.mean for tp_ in tps], dtype=np.float32)
    sds = np.array([tp_.sd for tp_ in tps], dtype=np.float32)
    tech = np.array([tp_.interface == "human_technology" for tp_ in tps])
    q = rng.standard_normal(E, dtype=np.float32)
    cont = means[tp] + np.float32(0.2) * general[resp] + sds[tp] * q
    if spec.human_touch:
        col, level, _gap, pen = spec.human_touch
        hit = segments[col][own_rows] == seg_level[col].index(level)
        cont -= np.where(tech[tp] & hit[resp], np.float32(pen), np.float32(0.0))
    sat = clip_round(cont, 1, 5)
    efforts = np.array([tp_.effort for tp_ in tps], dtype=np.float32)
    effort = clip_round(efforts[tp] - np.float32(0.7) * (cont - means[tp])
                         + np.float32(0.8) * rng.standard_normal(E, dtype=np.float32), 1, 7)
    del cont
    worst = tp == [t.name for t in tps].index(spec.worst_tp)
    s_q = np.bincount(resp[worst], weights=q[worst], minlength=n)
    n_q = np.bincount(resp[worst], minlength=n)
    eff = np.divide(s_q, n_q, out=np.zeros(n), where=n_q > 0)
    del q, worst
    order = np.lexsort((ev_min, resp))
    events = {"resp": resp[order], "tp": tp[order], "minute": ev_min[order], "sat": sat[order],
              "effort": effort[order]}
    return events, eff, interview
