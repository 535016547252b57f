"""The respondents of a demo client: rows, segments, construct items, outcomes and Kano pairs.

:func:`simulate` draws everything a demo client holds from one seeded generator, in a fixed
order (survey rows and latents, touchpoint events via :mod:`datasets.touchpoints`, outcomes,
missing answers, verbatims via :mod:`datasets.text`, Kano pairs, the hand-coded sample), so the
same seed gives the same arrays.  Planted mean differences are made exact by centring latents
and item noise within brand x wave cells.
"""

from __future__ import annotations

import numpy as np

from datasets.model import Sim, Spec, centre, clip_round
from datasets.text import simulate_feedback, simulate_hand_coding
from datasets.touchpoints import simulate_events

__all__ = ["LATENT_CORR", "MISSING_SHARE", "row_counts", "simulate", "simulate_kano"]

#: share of item answers left blank
MISSING_SHARE = 0.01
#: correlation of construct latents through a general factor
LATENT_CORR = 0.3


def row_counts(spec: Spec, n_respondents: int | None) -> np.ndarray:
    """Rows per (brand, wave): brand 0 = own."""
    B, W = 1 + len(spec.competitors), len(spec.waves)
    base = np.zeros((B, W), np.int64)
    base[0] = spec.n_own
    base[1:] = spec.n_comp
    if n_respondents is None:
        return base
    n_respondents = int(n_respondents)
    if n_respondents < W:
        raise ValueError(f"n_respondents must be at least the number of waves ({W})")
    survey_rows = base.sum() if spec.survey_only else base[0].sum()
    f = n_respondents / survey_rows
    scaled = np.floor(base * f).astype(np.int64)
    scaled = np.maximum(scaled, 1)
    # make the survey rows add up to n_respondents exactly
    target = n_respondents
    if spec.survey_only:
        diff = target - scaled.sum()
        flat = scaled.reshape(-1)
        flat[np.arange(abs(diff)) % flat.size] += np.sign(diff)
        scaled = flat.reshape(B, W)
    else:
        diff = target - scaled[0].sum()
        scaled[0, np.arange(abs(diff)) % W] += np.sign(diff)
    return scaled


def simulate(spec: Spec, rng: np.random.Generator, counts: np.ndarray, verbatim_rate: float,
              base_day: np.datetime64) -> Sim:
    brands = [spec.brand] + [c for c, _ in spec.competitors]
    B, W = counts.shape
    # ---- rows: survey first (by wave), then competitor ratings (by wave, brand) ----------------
    s_brand, s_wave, c_brand, c_wave = [], [], [], []
    for w in range(W):
        if spec.survey_only:
            bw = np.repeat(np.arange(B), counts[:, w])
            bw = bw[rng.permutation(bw.size)]
            s_brand.append(bw)
            s_wave.append(np.full(bw.size, w))
        else:
            s_brand.append(np.zeros(counts[0, w], np.int64))
            s_wave.append(np.full(counts[0, w], w))
            for b in range(1, B):
                c_brand.append(np.full(counts[b, w], b))
                c_wave.append(np.full(counts[b, w], w))
    brand = np.concatenate(s_brand + c_brand).astype(np.int8)
    wave = np.concatenate(s_wave + c_wave).astype(np.int8)
    n_survey = int(sum(x.size for x in s_brand))
    R = brand.size
    own = brand == 0
    width = max(5, len(str(R)))
    ids = np.empty(R, dtype=object)
    if spec.survey_only:
        ids[:] = [f"{spec.id_prefix[0]}{i:0{width}d}" for i in range(1, R + 1)]
    else:
        ids[:n_survey] = [f"{spec.id_prefix[0]}{i:0{width}d}" for i in range(1, n_survey + 1)]
        ids[n_survey:] = [f"{spec.id_prefix[1]}{i:0{width}d}" for i in range(1, R - n_survey + 1)]

    # ---- segments ---------------------------------------------------------------------------
    segments = {}
    for col, _label, levels, probs in spec.segments:
        p = np.asarray(probs, float)
        segments[col] = rng.choice(len(levels), size=R, p=p / p.sum()).astype(np.int8)

    # ---- construct latents and items --------------------------------------------------------
    wave_start = np.array([(np.datetime64(d) - base_day).astype(int) for d in spec.wave_starts])
    g = rng.standard_normal(R)
    outcome_names = ("satisfaction", "recommend", "loyalty")
    lin = {o: np.zeros(R) for o in outcome_names}       # driver part of each outcome
    items: dict[str, np.ndarray] = {}
    seg_levels = {col: levels for col, _l, levels, _p in spec.segments}
    s_col, s_con, s_hi, s_lo, s_delta = spec.segment_effect
    latest = W - 1
    # planted mean differences are made exact: latents and item noise are centred within
    # brand x wave cells (and segment levels for the segment effect), so sampling noise in
    # small demo samples can neither hide nor fake a planted effect
    cell = brand.astype(np.int64) * W + wave
    n_cells = B * W
    seg_cell = cell * len(seg_levels[s_col]) + segments[s_col]
    n_seg_cells = n_cells * len(seg_levels[s_col])
    for c in spec.constructs:
        z = np.sqrt(LATENT_CORR) * g + np.sqrt(1 - LATENT_CORR) * rng.standard_normal(R)
        off = np.zeros(R)
        if c.reliable:
            if c.name == s_con:
                z = centre(z, seg_cell, n_seg_cells)
            else:
                z = centre(z, cell, n_cells)
            table = np.array([0.0] + [spec.brand_offsets.get(b, {}).get(c.name, 0.0) for b in brands[1:]])
            off += table[brand]
            if c.name == spec.wave_shift[0]:
                off += np.where(own & (wave == latest), spec.wave_shift[1], 0.0)
            if c.name == s_con:
                lv = seg_levels[s_col]
                eff = np.zeros(len(lv))
                eff[lv.index(s_hi)] = s_delta / 2
                eff[lv.index(s_lo)] = -s_delta / 2
                off += eff[segments[s_col]]
            if spec.gradient and c.name == spec.gradient[1]:
                # own-brand differences between segment levels, centred within wave: the own
                # mean is kept, and a weighted mean (other level shares) moves
                g_col, _g, g_off = spec.gradient
                grad = np.where(own, np.asarray(g_off, float)[segments[g_col]], 0.0)
                off += centre(grad, cell, n_cells)
        xc = z + off
        for o in outcome_names:
            if c.name in spec.betas[o]:
                lin[o] += spec.betas[o][c.name] * xc
        lo, hi = c.scale or (1, 7)
        item_off = c.item_offsets or (0.1, -0.05, -0.05)[: len(c.items)] + (0.0,) * max(0, len(c.items) - 3)
        for j, item in enumerate(c.items):
            if c.reliable:
                e = centre(rng.standard_normal(R), seg_cell if c.name == s_con else cell,
                            n_seg_cells if c.name == s_con else n_cells)
                v = c.mean + item_off[j] + xc + 0.75 * e
            else:
                v = c.mean + item_off[j] + 0.3 * z + 1.25 * rng.standard_normal(R)
            if spec.noisy_segment and c.name == spec.noisy_segment[2]:
                # in one segment level the items measure nothing: answers are noise
                n_col, n_level, _n = spec.noisy_segment
                noisy = segments[n_col] == seg_levels[n_col].index(n_level)
                v = np.where(noisy, c.mean + item_off[j] + 0.9 * rng.standard_normal(R), v)
            v = clip_round(v, lo, hi)
            if item in c.reverse:
                v = (lo + hi - v).astype(np.int8)
            items[item] = v
    del g
    common = rng.standard_normal(R)

    # ---- dates of interview ------------------------------------------------------------------
    date_day = (wave_start[wave] + rng.integers(0, spec.wave_days, R)).astype(np.int32)

    # ---- touchpoint events for own-brand survey respondents ----------------------------------
    own_rows = np.flatnonzero(own[:n_survey]) if spec.survey_only else np.arange(n_survey)
    tp_eff = np.zeros(R)
    events = None
    if spec.touchpoints:
        events, eff_own, interview = simulate_events(spec, rng, own_rows, lin, common, segments,
                                                      wave, wave_start)
        tp_eff[own_rows] = eff_own
        date_day[own_rows] = interview
    # ---- outcomes ----------------------------------------------------------------------------
    # an outcome whose betas name an earlier outcome (satisfaction -> loyalty) adds that outcome's
    # latent and draws no shared response factor of its own: it carries the factor through its
    # predecessor, so the planted path is the only link between the two beyond their drivers
    latent: dict[str, np.ndarray] = {}
    for o in sorted(spec.outcomes, key=lambda o: outcome_names.index(o.name)):
        e = rng.standard_normal(R)
        prior = {k: b for k, b in spec.betas[o.name].items() if k in outcome_names}
        y = (lin[o.name] + sum(b * latent[k] for k, b in prior.items()) + (0.0 if prior else 0.6) * common
             + 0.5 * e + spec.tp_effect.get(o.name, 0.0) * tp_eff)
        latent[o.name] = y
        lo, hi = o.scale
        if len(o.items) == 1:
            items[o.items[0]] = clip_round(o.mean + o.spread * y, lo, hi)
        else:
            for j, item in enumerate(o.items):
                items[item] = clip_round(o.mean + (0.1, -0.05, -0.05)[j % 3] + o.spread * y
                                          + o.item_noise * rng.standard_normal(R), lo, hi)
    del lin, common, tp_eff, latent
    # ---- missing answers ---------------------------------------------------------------------
    for item, v in items.items():
        v[rng.random(R) < MISSING_SHARE] = -1

    sim = Sim(n_survey=n_survey, brand=brand, wave=wave, ids=ids, date_day=date_day, segments=segments,
               items=items, own_rows=own_rows, events=events)
    if spec.feedback is not None:
        sim.feedback = simulate_feedback(spec, rng, sim, verbatim_rate)
    if spec.kano:
        sim.kano = simulate_kano(spec, rng, n_survey)
    if spec.hand_coded and sim.feedback is not None:
        sim.hand_coded = simulate_hand_coding(spec, rng, sim)
    if spec.uce is not None:        # Pope's UCE factors: their own stream, after every other draw
        from datasets.uce import simulate_uce, uce_rng

        sim.items.update(simulate_uce(spec, sim, uce_rng(rng, spec.stream)))
    return sim


#: answer pairs (functional, dysfunctional; 1 like ... 5 dislike) of each Kano category in the
#: evaluation table of Berger et al. (1993): A, O, M, I, R, Q
_KANO_CELLS = (
    ((1, 2), (1, 3), (1, 4)),
    ((1, 5),),
    ((2, 5), (3, 5), (4, 5)),
    tuple((f, d) for f in (2, 3, 4) for d in (2, 3, 4)),
    ((2, 1), (3, 1), (4, 1), (5, 1), (5, 2), (5, 3), (5, 4)),
    ((1, 1), (5, 5)),
)


def simulate_kano(spec: Spec, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Kano answer pairs of the survey respondents: a category per respondent and feature from
    the planted shares, then one of the category's answer pairs at random."""
    out: dict[str, np.ndarray] = {}
    for k in spec.kano:
        p = np.asarray(k.shares, float)
        cat = rng.choice(len(p), size=n, p=p / p.sum())
        f = np.zeros(n, np.int8)
        d = np.zeros(n, np.int8)
        for c, cells in enumerate(_KANO_CELLS):
            idx = np.flatnonzero(cat == c)
            pick = rng.integers(0, len(cells), idx.size)
            f[idx] = np.array([x for x, _ in cells], np.int8)[pick]
            d[idx] = np.array([y for _, y in cells], np.int8)[pick]
        f[rng.random(n) < MISSING_SHARE] = -1
        d[rng.random(n) < MISSING_SHARE] = -1
        out[k.functional], out[k.dysfunctional] = f, d
    return out
