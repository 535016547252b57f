"""Verbatim comments of a demo client: the sentence catalogue, the comments and a hand-coded sample.

Comments are assembled from the spec's catalogue (a sentence of a topic and sentiment, an
optional closer, a planted theme phrase) and kept as integer codes into :class:`Catalogue`
until they are written.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from itertools import product

import numpy as np

from datasets.model import MODULES, SENTIMENTS, Feedback, Sim, Spec

__all__ = ["BLANK_COMMENT_SHARE", "Catalogue", "expand", "catalogue", "simulate_feedback", "simulate_hand_coding"]

#: share of verbatim rows whose comment field is blank
BLANK_COMMENT_SHARE = 0.04


def expand(template: str, vocab: dict[str, list[str]]) -> list[str]:
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    fields = list(dict.fromkeys(fields))
    if not fields:
        return [template]
    out = []
    for combo in product(*(vocab[f] for f in fields)):
        out.append(template.format(**dict(zip(fields, combo))))
    return out


@dataclass
class Catalogue:
    """Every sentence the verbatim generator can emit, addressed by integer codes."""

    topics: list[str]
    sentences: np.ndarray          # object array
    offset: np.ndarray             # [topic, sentiment]
    count: np.ndarray
    closers: np.ndarray            # object: "" then " " + closer, by sentiment blocks
    closer_offset: np.ndarray
    closer_count: np.ndarray
    themes: np.ndarray             # "", rising..., stable...
    sentence_codes: np.ndarray | None = None   # human coder's modules per sentence ("A;B", "")
    closer_codes: np.ndarray | None = None
    theme_codes: np.ndarray | None = None


def catalogue(fb: Feedback) -> Catalogue:
    topics = list(fb.topics)
    sentences: list[str] = []
    s_codes: list[str] = []
    offset = np.zeros((len(topics), 3), np.int64)
    count = np.zeros((len(topics), 3), np.int64)
    for t, name in enumerate(topics):
        for s, key in enumerate(SENTIMENTS):
            pairs = [(x, fb.codes.get(tpl, "")) for tpl in fb.topics[name][key] for x in expand(tpl, fb.vocab)]
            expanded = [x for x, _ in pairs]
            offset[t, s], count[t, s] = len(sentences), len(expanded)
            sentences.extend(expanded)
            s_codes.extend(c for _, c in pairs)
    closers = [""]
    c_off = np.zeros(3, np.int64)
    c_cnt = np.zeros(3, np.int64)
    for s, key in enumerate(SENTIMENTS):
        c_off[s], c_cnt[s] = len(closers), len(fb.closers[key])
        closers.extend(" " + c for c in fb.closers[key])
    themes = [""] + [" " + t for t in fb.rising[1]] + [" " + t for t in fb.stable[1]]
    cat = Catalogue(topics, np.array(sentences, dtype=object), offset, count,
                     np.array(closers, dtype=object), c_off, c_cnt, np.array(themes, dtype=object))
    if fb.codes:
        cat.sentence_codes = np.array(s_codes, dtype=object)
        cat.closer_codes = np.array([fb.codes.get(c.strip(), "") for c in closers], dtype=object)
        cat.theme_codes = np.array([fb.codes.get(t.strip(), "") for t in themes], dtype=object)
    return cat


def simulate_feedback(spec: Spec, rng: np.random.Generator, sim: Sim, rate: float) -> dict:
    fb = spec.feedback
    cat = catalogue(fb)
    rows = sim.own_rows
    n = rows.size
    k = rng.poisson(rate, n)
    resp = np.repeat(np.arange(n, dtype=np.int32), k)
    F = resp.size
    tp_names = [t.name for t in spec.touchpoints]
    topic_index = {t: i for i, t in enumerate(cat.topics)}
    tp_topic = np.array([topic_index[t] for t in tp_names])
    elem_topics = np.array([i for i, t in enumerate(cat.topics) if t.startswith("_")])
    # touchpoint comment (about one of the respondent's own events) or brand-element comment
    ev = sim.events
    if ev is not None and ev["resp"].size:
        ev_start = np.searchsorted(ev["resp"], np.arange(n))
        ev_count = np.bincount(ev["resp"], minlength=n)
    else:
        ev_start = np.zeros(n, np.int64)
        ev_count = np.zeros(n, np.int64)
    use_tp = (rng.random(F) < fb.touchpoint_share) & (ev_count[resp] > 0)
    # customers write about bad moments more readily: of two of the respondent's events, the
    # comment is about the one rated lower
    span = np.maximum(ev_count[resp], 1)
    pick = ev_start[resp] + (rng.random(F) * span).astype(np.int64)
    other = ev_start[resp] + (rng.random(F) * span).astype(np.int64)
    pick = np.where(use_tp, pick, 0)
    other = np.where(use_tp, other, 0)
    if ev is not None and ev["resp"].size:
        pick = np.where(ev["sat"][other] < ev["sat"][pick], other, pick)
    touchpoint = np.where(use_tp, ev["tp"][pick] if ev is not None and ev["resp"].size else -1, -1)
    # sentiment: from the event's rating, else from the overall satisfaction
    sat_item = spec.outcomes[0].items[0]
    osat = sim.items[sat_item][rows][resp].astype(float)
    osat = np.where(osat < 0, 7.0, osat) + 1.0 * rng.standard_normal(F)
    sent_overall = np.where(osat < 5.5, 0, np.where(osat < 7.5, 1, 2))
    if ev is not None and ev["resp"].size:
        ev_sat = ev["sat"][pick]
        sent_tp = np.where(ev_sat <= 2, 0, np.where(ev_sat == 3, 1, 2))
    else:
        sent_tp = sent_overall
    sentiment = np.where(use_tp, sent_tp, sent_overall)
    topic = np.where(use_tp, tp_topic[np.maximum(touchpoint, 0)],
                     elem_topics[rng.integers(0, elem_topics.size, F)])
    base = cat.offset[topic, sentiment] + (rng.random(F) * cat.count[topic, sentiment]).astype(np.int64)
    closer = np.where(rng.random(F) < 0.35,
                      cat.closer_offset[sentiment]
                      + (rng.random(F) * cat.closer_count[sentiment]).astype(np.int64), 0)
    # themes: rising phrase (share per wave) and stable phrase, among non-blank comments
    fwave = sim.wave[rows][resp]
    blank = rng.random(F) < BLANK_COMMENT_SHARE
    n_rise, n_stab = len(fb.rising[1]), len(fb.stable[1])
    theme = np.zeros(F, np.int64)
    for w, share in enumerate(fb.rising[2]):        # exact shares of the non-blank comments
        idx = np.flatnonzero((fwave == w) & ~blank)
        idx = idx[rng.permutation(idx.size)]
        k_r, k_s = int(round(share * idx.size)), int(round(fb.stable[2] * idx.size))
        theme[idx[:k_r]] = 1 + rng.integers(0, n_rise, k_r)
        theme[idx[k_r:k_r + k_s]] = 1 + n_rise + rng.integers(0, n_stab, k_s)
    # privacy test cases: a few comments carrying an e-mail address or phone number
    pii = np.full(F, -1, np.int64)
    for j, (tp_name, _text) in enumerate(fb.pii):
        t_idx = tp_names.index(tp_name)
        cand = np.flatnonzero((touchpoint == t_idx) & (sentiment == 0) & ~blank & (theme == 0) & (pii < 0))
        if cand.size == 0:
            cand = np.flatnonzero(~blank & (theme == 0) & (pii < 0))
        if cand.size:
            pii[cand[rng.integers(0, cand.size)]] = j
    return {"resp": resp, "touchpoint": touchpoint.astype(np.int16), "base": base, "closer": closer,
            "theme": theme, "blank": blank, "pii": pii, "catalogue": cat}


def simulate_hand_coding(spec: Spec, rng: np.random.Generator, sim: Sim) -> dict:
    """A sample of own-brand comments with the modules a human coder gave them.

    The coder's modules are those of the comment's sentences (``Feedback.codes``); in about one
    comment in six the coder misses one module or adds another (coders disagree a little).  The
    sample is drawn so that every module occurs about ten times."""
    f = sim.feedback
    cat: Catalogue = f["catalogue"]
    codes = [set(filter(None, (cat.sentence_codes[b] + ";" + cat.closer_codes[c] + ";"
                               + cat.theme_codes[t]).split(";")))
             for b, c, t in zip(f["base"], f["closer"], f["theme"])]
    ok = ~f["blank"] & (f["pii"] < 0)
    chosen: list[int] = []
    per_module = max(1, int(round(spec.hand_coded * 0.16)))
    for m in MODULES:
        cand = [i for i in np.flatnonzero(ok) if m in codes[i] and i not in chosen]
        take = rng.permutation(len(cand))[:per_module]
        chosen.extend(cand[j] for j in take)
    rest = [i for i in np.flatnonzero(ok) if i not in chosen]
    chosen.extend(rest[j] for j in rng.permutation(len(rest))[: max(0, spec.hand_coded - len(chosen))])
    chosen = sorted(chosen)
    human = []
    for i in chosen:
        mods = set(codes[i])
        u = rng.random()
        if u < 0.08 and mods:                 # the coder misses a module
            mods.discard(sorted(mods)[rng.integers(0, len(mods))])
        elif u < 0.16:                        # the coder sees one that the text does not name
            absent = [m for m in MODULES if m not in mods]
            mods.add(absent[rng.integers(0, len(absent))])
        human.append(";".join(m for m in MODULES if m in mods) or "none")
    return {"rows": np.array(chosen, np.int64), "modules": np.array(human, dtype=object)}
