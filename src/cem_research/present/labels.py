"""Reader labels of table columns: the one place that turns a column's code name into words.

Sections return tidy frames whose columns are code names (``ci_low``, ``p_corr``, ``np2``,
``n_eff``...).  A reader sees the label this module gives each of them:

* :data:`LABELS` maps every column name that occurs in the demo reports to its label; ``{ci}``
  in a label is the name of the interval at the table's confidence level
  (:func:`cem_research.present.narrative.ci_label`, ``'95% CI'``);
* :data:`CONTEXT_LABELS` names the few columns whose meaning depends on the table
  (``k`` is the number of items in a reliability table, of groups in a test table);
* :data:`PATTERNS` labels names built from data (``share_2026Q2`` → ``'share, 2026Q2'``);
* a name found nowhere is read as words: ``<name>_ci_low`` → ``'<name>, 95% CI low'``, then
  snake_case → words (``scale_min`` → ``'scale min'``): only a safety net, every name of the
  demo reports is listed explicitly.

A section's own ``rename`` wins over all of this (a rename to another code name, e.g.
``ci_low_0_100`` → ``ci_low``, is labelled like that code name).  Two columns of one table
never share a label: when ``outcome`` and ``outcome_label`` would both read ``'outcome'``, the
code column reads ``'outcome code'``.  The same labels head the HTML tables
(:func:`cem_research.present.tables.show`) and the exported CSV/JSON files
(:func:`cem_research.present.tables.reader_columns`).

Examples
--------
>>> from cem_research.present.labels import column_label
>>> column_label("p_corr"), column_label("share_ci_low"), column_label("ci_high", confidence=0.9)
('p (corrected)', 'share, 95% CI low', '90% CI high')
>>> column_label("scale_min")
'scale minimum'
>>> column_label("some_new_name")
'some new name'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from cem_research.present import narrative as nv

#: Reader label of each column name (``{ci}``: the interval's name, e.g. ``'95% CI'``).
LABELS: dict[str, str] = {
    # ---- who, what, when -------------------------------------------------------------------
    "brand": "brand", "brand_kind": "brand type", "wave": "wave", "title": "measure",
    "label": "measure", "construct": "construct", "constructs": "constructs", "role": "role",
    "segment": "segment", "segment_label": "segment", "level": "level", "group": "group",
    "dimension": "dimension", "dimension_label": "dimension", "item": "item", "comparison": "comparison",
    "competitor": "competitor", "touchpoint": "touchpoint", "touchpoints": "touchpoints",
    "stage": "stage", "interface": "interface", "channel": "channel", "method": "method",
    "source": "source", "measure": "measure", "note": "note", "example": "example comment",
    "outcome": "outcome", "outcome_label": "outcome", "feature": "feature", "module": "module",
    "module_label": "module", "column_label": "weighting variable", "test": "test",
    "layer": "layer", "layer_label": "layer", "series": "brand (comments)",
    "element": "element", "element_label": "brand element", "aspect": "aspect",
    "promise": "promise", "path": "journey", "from_stage": "from stage", "to_stage": "to stage",
    "from_wave": "from wave", "to_wave": "to wave", "first_wave": "first wave",
    "latest_wave": "latest wave", "A": "A", "B": "group B",
    # ---- counts ------------------------------------------------------------------------------
    "n": "n", "count": "count", "k": "k", "n_eff": "effective n", "n_A": "n (A)", "n_B": "n (B)",
    "small_n": "n < 30",
    "n_from": "n (from)", "n_to": "n (to)", "n_own": "n (own brand)", "n_ref": "n (own brand)",
    "n_other": "n (competitor)", "n_competitors": "competitors", "n_ahead": "ahead of",
    "n_behind": "behind", "n_events": "events", "n_respondents": "respondents", "n_users": "users",
    "n_poor": "poor experiences", "n_channel": "n (channel)", "n_reference": "n (reference)",
    "n_human": "n (human)", "n_technology": "n (technology)", "n_lost": "n (lost)",
    "n_loyal": "n (loyal)", "n_satisfaction": "n (satisfaction)", "n_terms": "terms",
    "n_texts": "comments", "significant_terms": "significant terms", "target_docs": "comments",
    "mentions": "mentions", "respondents": "customers", "steps": "steps", "exits": "exits",
    "users": "users", "promoters": "promoters", "passives": "passives", "detractors": "detractors",
    "aspect_words": "lexicon entries", "comments": "comments", "human_present": "present (hand-coded)",
    "machine_present": "present (codebook)", "criteria_met": "criteria met", "trimmed": "trimmed weights",
    "iterations": "iterations", "rank": "rank", "priority": "priority",
    # ---- estimates and their intervals -----------------------------------------------------
    "mean": "mean", "sd": "SD", "se": "SE", "iqr": "IQR", "ci_low": "{ci} low", "ci_high": "{ci} high",
    "scale_min": "scale minimum", "scale_max": "scale maximum", "pomp": "score (0–100)",
    "pomp_low": "score (0–100), {ci} low", "pomp_high": "score (0–100), {ci} high",
    "midpoint": "scale midpoint", "diff": "difference", "change": "change",
    "change_ci_low": "change, {ci} low", "change_ci_high": "change, {ci} high",
    "mean_A": "mean (A)", "mean_B": "mean (B)", "mean_from": "mean (from)", "mean_to": "mean (to)",
    "mean_own": "own brand mean", "mean_ref": "own brand mean", "mean_other": "competitor mean",
    "own": "own brand", "other": "competitors", "own_mean": "own brand mean",
    "competitor_mean": "competitors' mean", "mean_channel": "mean (channel)",
    "mean_reference": "mean (reference)", "mean_human": "mean (human–human)",
    "mean_technology": "mean (human–technology)", "outcome_mean": "mean outcome",
    "highest_group": "highest group", "highest_mean": "highest mean", "lowest_group": "lowest group",
    "lowest_mean": "lowest mean", "min_diff": "smallest difference", "max_diff": "largest difference",
    "closest_competitor": "closest competitor", "closest_ci_low": "closest competitor, {ci} low",
    "closest_ci_high": "closest competitor, {ci} high", "best_competitor": "best competitor",
    "best_mean": "best competitor mean", "pair_diff": "difference (highest − lowest)",
    "pair_ci_low": "difference, {ci} low", "pair_ci_high": "difference, {ci} high",
    "satisfaction": "satisfaction", "satisfaction_low": "satisfaction, {ci} low",
    "satisfaction_high": "satisfaction, {ci} high", "satisfaction_0_100": "satisfaction (0–100)",
    "effort": "effort", "effort_low": "effort, {ci} low", "effort_high": "effort, {ci} high",
    "effort_ci_low": "effort, {ci} low", "effort_ci_high": "effort, {ci} high",
    "ci_low_0_100": "{ci} low", "ci_high_0_100": "{ci} high",
    # ---- shares ------------------------------------------------------------------------------
    "share": "share", "share_ci_low": "share, {ci} low", "share_ci_high": "share, {ci} high",
    "reach": "reach", "reach_low": "reach, {ci} low", "reach_high": "reach, {ci} high",
    "dropout": "drop-out", "dropout_low": "drop-out, {ci} low", "dropout_high": "drop-out, {ci} high",
    "share_positive": "share positive", "positive_low": "share positive, {ci} low",
    "positive_high": "share positive, {ci} high", "share_negative": "share negative",
    "negative_low": "share negative, {ci} low", "negative_high": "share negative, {ci} high",
    "negative_ci_low": "share negative, {ci} low", "negative_ci_high": "share negative, {ci} high",
    "share_poor": "share of ratings poor", "poor_ci_low": "share of ratings poor, {ci} low",
    "poor_ci_high": "share of ratings poor, {ci} high",
    "mention_share": "share mentioning", "mention_ci_low": "share mentioning, {ci} low",
    "mention_ci_high": "share mentioning, {ci} high", "target_share": "share of these comments",
    "reference_share": "share of other comments", "share_first": "share, first wave",
    "share_latest": "share, latest wave", "latest_ci_low": "latest share, {ci} low",
    "latest_ci_high": "latest share, {ci} high", "sample_share": "sample share",
    "weighted_share": "weighted share", "pct_promoters": "share of promoters",
    "pct_detractors": "share of detractors", "share_of_exits": "share of exits",
    "exit_rate": "exit rate", "exit_rate_lost": "exit rate (lost)", "exit_rate_loyal": "exit rate (loyal)",
    "exit_diff": "exit rate difference", "exit_diff_ci_low": "exit rate difference, {ci} low",
    "exit_diff_ci_high": "exit rate difference, {ci} high", "reach_lost": "reach (lost)",
    "reach_loyal": "reach (loyal)", "reach_diff": "reach difference",
    "reach_ci_low": "reach difference, {ci} low", "reach_ci_high": "reach difference, {ci} high",
    "dominant": "dominant category", "dominant_share": "dominant share",
    "dominant_ci_low": "dominant share, {ci} low", "dominant_ci_high": "dominant share, {ci} high",
    "agreement": "agreement",
    # ---- satisfaction of lost and loyal customers ----------------------------------------
    "sat_lost": "satisfaction (lost)", "sat_loyal": "satisfaction (loyal)",
    "sat_diff": "satisfaction difference", "sat_ci_low": "satisfaction difference, {ci} low",
    "sat_ci_high": "satisfaction difference, {ci} high",
    # ---- tests, effect sizes, p-values ---------------------------------------------------------
    "p": "p", "p_unc": "p", "p_corr": "p (corrected)", "p_gameshowell": "p (Games-Howell)",
    "pair_p": "p (pair)", "reach_p_corr": "reach difference, p (corrected)",
    "sat_p_corr": "satisfaction difference, p (corrected)", "trend_p_corr": "latest change, p (corrected)",
    "significant": "significant", "F": "F", "T": "t", "df": "df", "ddof1": "df (between)",
    "ddof2": "df (within)", "statistic": "test statistic", "np2": "partial η²", "omega2": "ω²",
    "effect": "effect size", "effect_measure": "effect size measure", "hedges": "Hedges' g",
    "hedges_ci_low": "Hedges' g, {ci} low", "hedges_ci_high": "Hedges' g, {ci} high",
    "pair_hedges": "Hedges' g (pair)", "g2": "G²", "log_ratio": "log ratio", "spearman_rho": "Spearman ρ",
    "kappa": "Cohen's κ", "kappa_ci_low": "κ, {ci} low", "kappa_ci_high": "κ, {ci} high",
    # ---- reliability ---------------------------------------------------------------------------
    "alpha": "Cronbach's α", "alpha_ci_low": "α, {ci} low", "alpha_ci_high": "α, {ci} high",
    "alpha_std": "α (standardized)", "alpha_if_deleted": "α if item deleted",
    "item_total_r": "item–total r", "raises_alpha": "deleting raises α", "reversed": "reverse-keyed",
    "reversed_items": "reverse-keyed items", "reliability_flag": "reliability note",
    "min_group_alpha": "lowest α in a group", "unreliable_in": "α below threshold in",
    # ---- drivers and NPS -------------------------------------------------------------------------
    "driver": "driver", "driver_label": "driver", "driver_kind": "driver type", "beta": "standardized β",
    "relimp": "part of R²", "r2": "R²", "r2_ci_low": "R², {ci} low", "r2_ci_high": "R², {ci} high",
    "emotional": "emotional part of R²", "functional": "functional part of R²",
    "emotional_share": "emotional share", "emotional_share_ci_low": "emotional share, {ci} low",
    "emotional_share_ci_high": "emotional share, {ci} high", "emotional_drivers": "emotional drivers",
    "functional_drivers": "functional drivers", "nps": "NPS", "nps_ci_low": "NPS, {ci} low",
    "nps_ci_high": "NPS, {ci} high", "lmg_rank": "LMG rank", "lmg_share": "LMG share",
    "lmg_ci_low": "LMG share, {ci} low", "lmg_ci_high": "LMG share, {ci} high", "rw_rank": "RW rank",
    "rw_share": "RW share", "rw_ci_low": "RW share, {ci} low", "rw_ci_high": "RW share, {ci} high",
    "disagree": "rankings disagree",
    # ---- positioning, brand elements, IPA --------------------------------------------------------
    "strong": "strong", "differs": "differs from competitors", "drives": "drives outcomes",
    "importance_share": "importance (share of R²)", "importance_ci_low": "importance, {ci} low",
    "importance_ci_high": "importance, {ci} high", "missing": "criteria missed", "proposal": "proposal",
    "evidence": "evidence", "edited": "edited by the consultant", "rated": "rated", "verbatims": "verbatims",
    "compound": "sentiment (compound)", "term": "term", "terms": "characteristic words",
    "related": "related terms", "mean_compound_latest": "latest sentiment (compound)",
    "verdict": "verdict", "direction": "direction", "importance": "importance",
    "performance": "performance", "performance_ci_low": "performance, {ci} low",
    "performance_ci_high": "performance, {ci} high", "gap": "gap", "gap_ci_low": "gap, {ci} low",
    "gap_ci_high": "gap, {ci} high", "priority_score": "priority score", "quadrant": "quadrant",
    "action": "action", "advantage": "ahead of every competitor", "disadvantage": "behind a competitor",
    "measured": "measured", "movement": "movement",
    # ---- touchpoints and journeys -----------------------------------------------------------
    "reference": "reference channel", "worse": "worse channel", "weakest": "weakest touchpoint",
    "delivered": "delivered", "median_hours": "median (hours)", "q1_hours": "lower quartile (hours)",
    "q3_hours": "upper quartile (hours)", "median_days": "median (days)",
    "q1_days": "lower quartile (days)", "q3_days": "upper quartile (days)",
    # ---- innovation agenda -------------------------------------------------------------------
    "opportunity": "opportunity", "kind": "kind", "size": "size", "step": "Schmitt step",
    "gain": "expected gain", "gain_ci_low": "expected gain, {ci} low", "gain_ci_high": "expected gain, {ci} high",
    "target": "target", "room": "room to target", "trend": "latest change", "audience": "audience",
    # ---- weighting -----------------------------------------------------------------------------
    "min": "smallest weight", "max": "largest weight", "cv": "CV of the weights", "deff": "design effect",
    "converged": "converged",
    # ---- Kano ----------------------------------------------------------------------------------
    "better": "Better coefficient", "better_ci_low": "Better, {ci} low", "better_ci_high": "Better, {ci} high",
    "worse_ci_low": "Worse, {ci} low", "worse_ci_high": "Worse, {ci} high",
    "dominant_clear": "clearly dominant",
}

#: Labels that depend on the table: ``name -> [(columns the table must hold, label), ...]``, first match wins.
CONTEXT_LABELS: dict[str, list[tuple[frozenset, str]]] = {
    "k": [(frozenset({"alpha"}), "items"), (frozenset(), "groups")],
    "A": [(frozenset({"B"}), "group A")],                  # a pair of groups; in a Kano table: attractive
    "alpha": [(frozenset({"kappa"}), "Krippendorff's α")],
    "alpha_ci_low": [(frozenset({"kappa"}), "Krippendorff's α, {ci} low")],
    "alpha_ci_high": [(frozenset({"kappa"}), "Krippendorff's α, {ci} high")],
    "worse": [(frozenset({"better"}), "Worse coefficient")],
    "share": [(frozenset({"relimp"}), "share of R²")],
    "target": [(frozenset({"sample_share"}), "target share")],
    "gap": [(frozenset({"sample_share"}), "gap to target")],
    "ci_low": [(frozenset({"nps"}), "NPS, {ci} low")],
    "ci_high": [(frozenset({"nps"}), "NPS, {ci} high")],
    "change": [(frozenset({"nps"}), "NPS change")],
    "change_ci_low": [(frozenset({"nps"}), "NPS change, {ci} low")],
    "change_ci_high": [(frozenset({"nps"}), "NPS change, {ci} high")],
    "share_negative": [(frozenset({"median_hours"}), "share of negative times")],
}

#: Labels of names built from data (waves, levels): ``(pattern, label with {x})``, tried in order.
PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^share_(?P<x>.*[^a-z_].*)$"), "share, {x}"),   # share_<wave> (emerging themes)
    (re.compile(r"^n_(?P<x>[A-Z].*)$"), "n ({x})"),               # n_<group>
    (re.compile(r"^mean_(?P<x>[A-Z].*)$"), "mean ({x})"),         # mean_<group>
]

#: A column name written as code: lower-case words joined by underscores (what no header may look like).
CODE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")

_INTERVAL = re.compile(r"^(?P<stem>.+?)_(?:ci_)?(?P<end>low|high)$")
_CAPTION_LEVEL = re.compile(r"(\d{1,2}(?:\.\d+)?)\s?%(?:\s+[\w'’-]+){0,2}?\s+CIs?\b")


def caption_confidence(caption: str | None, default: float = nv.CONFIDENCE) -> float:
    """The confidence level a caption names (``'... (Wilson 90% CI)'`` → 0.9), else ``default``.

    Examples
    --------
    >>> caption_confidence("Segment sizes (share with Wilson 90% CI)"), caption_confidence("Means")
    (0.9, 0.95)
    """
    if caption:
        m = _CAPTION_LEVEL.search(str(caption))
        if m:
            return float(m.group(1)) / 100
    return default


def _words(name: str) -> str:
    """The safety net: snake_case as words (``scale_min`` → ``'scale min'``)."""
    return re.sub(r"\s+", " ", name.replace("_", " ")).strip() or name


def column_label(name, columns: Iterable = (), confidence: float | None = None) -> str:
    """The reader's label of one column.

    Parameters
    ----------
    name : str
        The column's code name.
    columns : iterable of str
        Every column of the table (for the labels that depend on it, :data:`CONTEXT_LABELS`).
    confidence : float, optional
        Confidence level of the table's intervals (default 0.95).

    Returns
    -------
    str
    """
    ci = nv.ci_label(nv.CONFIDENCE if confidence is None else confidence)
    name = str(name)
    present = {str(c) for c in columns}
    for needs, text in CONTEXT_LABELS.get(name, ()):
        if needs <= present:
            return text.format(ci=ci)
    if name in LABELS:
        return LABELS[name].format(ci=ci)
    for pattern, text in PATTERNS:
        m = pattern.match(name)
        if m:
            return text.format(**m.groupdict())
    m = _INTERVAL.match(name)
    if m and "_" in name and (name.endswith("_ci_low") or name.endswith("_ci_high")):
        stem = m.group("stem")
        return f"{column_label(stem, columns, confidence)}, {ci} {m.group('end')}"
    return _words(name) if "_" in name else name


_CODE_THEN_NOTE = re.compile(r"^(?P<code>[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+)(?:\s*\((?P<note>[^()]*)\))?$")


def _renamed(given: str, columns, confidence) -> str:
    """A section's own label, kept as it is unless it is (or starts with) a code name.

    ``'ci_low'`` reads as :data:`LABELS` says; ``'p_corr (Holm)'`` keeps the section's note in the
    label's place of a note: ``'p (Holm)'``.
    """
    m = _CODE_THEN_NOTE.match(given)
    if given in LABELS or (m and m.group("code") in LABELS):
        base = column_label(m.group("code") if m else given, columns, confidence)
        note = m.group("note") if m else None
        if note:
            base = re.sub(r"\s*\([^()]*\)$", "", base) + f" ({note})"
        return base
    return given


def reader_labels(columns: Iterable, rename: Mapping | None = None,
                  confidence: float | None = None) -> dict:
    """The reader's label of every column of a table (code name → label), distinct within the table.

    Parameters
    ----------
    columns : iterable
        The table's column names, in order.
    rename : mapping, optional
        The section's own labels; they win (a rename to a code name of :data:`LABELS` gets that
        name's label).
    confidence : float, optional
        Confidence level of the table's intervals (default 0.95).

    Returns
    -------
    dict
        ``{code name: label}`` in column order.

    Examples
    --------
    >>> reader_labels(["outcome", "outcome_label", "p_corr"], rename={"p_corr": "p (Holm)"})
    {'outcome': 'outcome code', 'outcome_label': 'outcome', 'p_corr': 'p (Holm)'}
    """
    columns = list(columns)
    rename = dict(rename or {})
    out = {}
    for c in columns:
        if c in rename:
            out[c] = _renamed(str(rename[c]), columns, confidence)
        else:
            out[c] = column_label(c, columns, confidence)
    # one label per column: a code column beside its ``<name>_label`` column reads '<label> code'
    seen: dict[str, list] = {}
    for c, text in out.items():
        seen.setdefault(text, []).append(c)
    for text, cols in seen.items():
        if len(cols) < 2:
            continue
        for c in cols:
            if f"{c}_label" in cols:
                out[c] = f"{text} code"
        counts: dict[str, int] = {}
        for c in cols:
            if out[c] == text:
                counts[text] = counts.get(text, 0) + 1
                if counts[text] > 1:
                    out[c] = f"{text} ({counts[text]})"
    return out
