"""The tables themselves, the caveats a finding owes, and everything for one finding (the last part of
the claims checker; the module docstring of :mod:`claims_check` describes every check)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from claims_check import (VALUE_CELL, Tables, frames_of, collect_tables, direction_problems, name_problems,
                          number_problems, stated_numbers, superlative_problems)
from claims_words import clauses, named, sentences, significance_problems

RELIABILITY_GATE = 0.70


# ---- the tables themselves ---------------------------------------------------------------------------------
def _cols(frame, pattern):
    return [c for c in frame.columns if re.search(pattern, str(c), re.I)]


#: columns that hold an estimate an unprefixed ``ci_low``/``ci_high`` after them may belong to
ESTIMATE_COLUMNS = {"mean", "diff", "share", "compound", "coef", "estimate", "value", "nps", "median", "score",
                    "relimp", "alpha", "hedges", "kappa", "effect", "importance", "performance", "gain", "change"}


def table_problems(tables: Tables) -> list[str]:
    """What is wrong in the tables themselves: empty groups, estimates outside their interval, zero-width
    intervals, drop-out at the final stage, expected gains that are not coefficient x room."""
    problems = []
    for frame, caption in zip(tables.frames, tables.captions):
        frame = frame.reset_index(drop=True)
        where = f"table {caption[:60]!r}" if caption else "result table"
        groups = bool(_cols(frame, r"^(?:level|group|segment|segment_level)$"))  # a table of groups
        for col in _cols(frame, r"^(?:n|count|n_respondents|respondents|n_group|size)$"):
            if groups and pd.api.types.is_numeric_dtype(frame[col]) and (frame[col] == 0).any():
                problems.append(f"{where}: a group of 0 respondents in column {col!r}")
        for low in _cols(frame, r"(?:^|_)(?:ci_)?low$"):
            stem = re.sub(r"_?(?:ci_)?low$", "", str(low))
            high = re.sub(r"low$", "high", str(low))
            # an unprefixed interval belongs to the nearest estimate column before it
            before = list(frame.columns)[:list(frame.columns).index(low)]
            est = stem if stem in frame.columns else None if stem else next(
                (c for c in reversed(before) if str(c) in ESTIMATE_COLUMNS), None)
            if high not in frame or est is None:
                continue
            try:
                lo, hi, x = (pd.to_numeric(frame[c], errors="coerce") for c in (low, high, est))
            except TypeError:
                continue
            tol = 1e-9 + 1e-6 * x.abs()
            bad = (x < lo - tol) | (x > hi + tol)
            if bad.any():
                problems.append(f"{where}: {est} outside its interval ({low}, {high}) in {int(bad.sum())} row(s)")
            n = pd.to_numeric(frame[_cols(frame, r"^n$")[0]], errors="coerce") if _cols(frame, r"^n$") else None
            zero = ((hi - lo).abs() < 1e-12) & (n < 30 if n is not None else False)
            if zero.any():
                problems.append(f"{where}: a zero-width interval ({low}, {high}) in {int(zero.sum())} row(s)")
        for col in _cols(frame, r"drop.?out(?:_share|_rate)?$"):
            values = pd.to_numeric(frame[col], errors="coerce")
            if len(values) > 1 and pd.notna(values.iloc[-1]):
                problems.append(f"{where}: drop-out stated at the final stage ({values.iloc[-1]:.2f}): "
                                "customers who complete the journey have not dropped out")
        if {"gain", "importance", "room"} <= set(frame.columns):
            g, b, r = (pd.to_numeric(frame[c], errors="coerce") for c in ("gain", "importance", "room"))
            ok = g.isna() | r.isna() | ((g - b * r).abs() <= 1e-6 + 1e-6 * g.abs())
            if not ok.all():
                problems.append(f"{where}: expected gain is not coefficient x room in {int((~ok).sum())} row(s)")
    return problems


# ---- caveats -----------------------------------------------------------------------------------------------
def caveat_problems(text: str, tables: Tables, brands=(), gate: float = RELIABILITY_GATE) -> list[str]:
    """Caveats a finding owes its reader (reliability per brand, reverse-worded items, weights, themes)."""
    problems = []
    low_text = text.lower()
    for frame in tables.frames:
        frame = frame.reset_index(drop=True)
        # per-brand reliability: a brand named in the finding whose raters' alpha is below the gate
        for acol, bcol in (("alpha_other", "competitor"), ("alpha", "level")):
            if acol in frame and bcol in frame:
                lab = "label" if "label" in frame else "construct" if "construct" in frame else None
                alpha = pd.to_numeric(frame[acol], errors="coerce")
                for i in np.flatnonzero((alpha < gate).to_numpy()):
                    brand, construct = str(frame[bcol].iloc[i]), str(frame[lab].iloc[i]) if lab else ""
                    if brand not in brands:
                        continue
                    for clause in (c for s in sentences(text) for c in clauses(s)):
                        if named(clause, brand) and (not construct or named(clause, construct)) and \
                                re.search(r"\b(?:ahead|behind|lead|gap|vs|against|than)\b", clause) and \
                                not re.search(rf"alpha|reliab|α", text[text.find(clause):], re.I):
                            problems.append(f"comparison with {brand} on {construct} without the caveat that "
                                            f"alpha = {alpha.iloc[i]:.2f} < {gate:.2f} among its raters: {clause[:200]}")
        # a reverse-worded item: negative item-total r and alpha rising without it
        rcol = next(iter(_cols(frame, r"^(?:r_item_total|item_total|corrected_item_total|item_rest|r_drop)")), None)
        dcol = next(iter(_cols(frame, r"alpha_if_(?:item_)?(?:deleted|dropped)|raises_alpha")), None)
        icol = "item" if "item" in frame else None
        if rcol and dcol and icol:
            r = pd.to_numeric(frame[rcol], errors="coerce")
            raises = frame[dcol].astype(bool) if frame[dcol].dtype == bool else \
                pd.to_numeric(frame[dcol], errors="coerce") > pd.to_numeric(frame.get("alpha"), errors="coerce")
            for i in np.flatnonzero(((r < 0) & raises).to_numpy()):
                item = str(frame[icol].iloc[i])
                if not (item.lower() in low_text and "reverse" in low_text):
                    problems.append(f"item {item} (item-total r = {r.iloc[i]:.2f}, raises alpha when dropped) is "
                                    "not named as probably reverse-worded")
    # repeated entries of a flag list ("Flagged for reliability: a: ...; a: ...")
    for sentence in sentences(text):
        m = re.search(r"(?:flagged|flags?)[^:]*:\s*(.+)$", sentence, re.I)
        if m:
            entries = [e.strip(" .").lower() for e in re.split(r";|,| and ", m.group(1)) if e.strip(" .")]
            repeated = sorted({e for e in entries if entries.count(e) > 1})
            if repeated:
                problems.append(f"flag list repeats {repeated}: {sentence[:200]}")
    # weights: "weighted" claimed, numbers only in unweighted tables
    weighted_claim = re.search(r"\b(?:survey[- ]weighted|use the survey weights|weighted means)\b", text, re.I)
    unweighted = [i for i, c in enumerate(tables.captions) if re.search(r"\bunweighted\b", c, re.I)]
    if weighted_claim and unweighted:
        for sentence in sentences(text):
            if re.search(r"\bunweighted\b", sentence, re.I):
                continue
            for st in stated_numbers(sentence, tables.names):
                homes = {c.table for c in tables.cells if st.matches(c.value)}
                if homes and homes <= set(unweighted):
                    problems.append(f"{st.text} comes from an unweighted table beside the claim that comparisons "
                                    f"are weighted: {sentence[:200]}")
    # a theme of phrases: every quoted term listed as a phrase has two words or more
    for sentence in sentences(text):
        if re.search(r"\bphrases?\b|own words|implementation theme", sentence, re.I):
            quoted = re.findall(r"“([^”]{1,40})”", sentence)
            single = [q for q in quoted if len(q.split()) < 2]
            if single and len(single) == len(quoted):
                problems.append(f"a theme of single words, not phrases ({', '.join(single)}): {sentence[:200]}")
    return problems


# ---- everything for one finding ------------------------------------------------------------------------------
def finding_problems(text: str, tables: Tables, brands=(), entities=()) -> list[str]:
    """Every check of this module for one finding against its section's tables."""
    entities = set(entities) | set(brands) | {x for x in tables.labels if not VALUE_CELL.match(x)}
    return (significance_problems(text) + number_problems(text, tables) + name_problems(text, tables, brands)
            + direction_problems(text, tables) + superlative_problems(text, tables, entities)
            + caveat_problems(text, tables, brands))


def section_tables(section, data, settings, extra=()) -> Tables:
    """The tables of ``section`` for ``data``: its result and what it shows (both layers), and those of the
    sections it cites (:attr:`Section.cites`: the sections whose results its findings quote)."""
    import matplotlib.pyplot as plt

    from cem_research.steps.section import all_sections

    by_key = {s.key: s for s in all_sections()}
    result, shown = None, []
    for sec in [section, *(by_key[k] for k in section.cites)]:
        if sec.skip_reason(data, settings) is not None:
            continue
        r = sec.result(data, settings)
        result = r if sec is section else result
        key = (id(data), sec.key, settings)
        if key not in _SHOWN:  # what a section shows, once per client (a cited section is shown again)
            _SHOWN[key] = [x for x in sec.present(r, data, settings) if x.kind == "table"]
            plt.close("all")
        shown += [*(frames_of(r) if sec is not section else []), *_SHOWN[key]]
    return collect_tables(result, shown, extra=extra)


_SHOWN: dict = {}
