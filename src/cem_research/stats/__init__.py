"""Shared statistics for CEM research: CIs, reliability, comparisons, NPS, drivers, IPA.

Every function follows the pingouin conventions: it takes a DataFrame and column names,
checks its inputs first (a :class:`ValueError` says what was expected), and returns a tidy
DataFrame whose columns say what they hold -- ``n``, the estimate, ``ci_low``/``ci_high`` and,
for tests, ``p_unc``, ``p_corr`` and an effect size named after the measure (``hedges``,
``np2`` ...).  Multiple tests in one table are corrected with Holm's method by default
(:func:`adjust_pvalues`, which other modules can call on a combined table).

Survey weights
--------------
Functions that estimate means, proportions or NPS accept ``weights=`` (a column name of
non-negative survey weights).  Point estimates are weighted; standard errors use Kish's
effective sample size ``n_eff = (sum w)^2 / sum w^2`` (:func:`effective_sample_size`), a
design-effect approximation that ignores stratification and clustering.  Rows with weight
zero are ignored.  Functions whose signature has no ``weights`` do not support them (say so in
their docstring).

Group order
-----------
Groups (``by``, ``between``, ``group``) come out in categorical order when the column is a
pandas ``Categorical``, else in order of first appearance.  Rows with a missing group label are
ignored.

Submodules
----------
:mod:`~cem_research.stats.descriptive`
    scoring (:func:`reverse_key`, :func:`score_scale`), means, proportions, shares, NPS,
    near-equal groups of tied scores (:func:`tercile_cuts`).
:mod:`~cem_research.stats.psychometrics`
    Cronbach's alpha overall and within groups, item analysis (:data:`RELIABILITY_THRESHOLD`).
:mod:`~cem_research.stats.compare`
    Welch and Games-Howell comparisons, Welch ANOVA, wave changes, :func:`adjust_pvalues`
    (:data:`MIN_GROUP`).
:mod:`~cem_research.stats.drivers`
    relative importance (LMG), relative weights, regression coefficients, driver agreement,
    importance-performance.
:mod:`~cem_research.stats.agreement`
    inter-coder agreement (Cohen's kappa, Krippendorff's alpha).
:mod:`~cem_research.stats.weighting`
    raking of survey weights.
:mod:`~cem_research.stats.pls`
    PLS path models (:func:`pls_sem`) and their multi-group comparison (:func:`pls_mga`).
:mod:`~cem_research.stats.common`
    the shared argument checks.

Every public name is importable from here: ``stats.mean_ci``, ``from cem_research.stats import
RELIABILITY_THRESHOLD``.
"""

from __future__ import annotations

from cem_research.stats.agreement import cohen_kappa, krippendorff_alpha_nominal
from cem_research.stats.compare import (
    MIN_GROUP, adjust_pvalues, adjusted_interval, compare_groups, compare_to_reference, omnibus, wave_changes,
    with_adjusted_interval,
)
from cem_research.stats.descriptive import (
    NPS_SMALL_N, effective_sample_size, mean_ci, nps, proportion_ci, reverse_key, score_scale, share_ci,
    tercile_cuts, weighted_summary,
)
from cem_research.stats.drivers import (
    boot_corr_all, driver_agreement, importance_performance, lmg_from_corr, regression_coefficients,
    relative_importance, relative_weights,
)
from cem_research.stats.pls import pls_mga, pls_sem
from cem_research.stats.psychometrics import (
    RELIABILITY_THRESHOLD, group_reliability, group_reliability_table, item_statistics, reliability,
)

__all__ = [
    "RELIABILITY_THRESHOLD",
    "MIN_GROUP",
    "reverse_key",
    "score_scale",
    "mean_ci",
    "proportion_ci",
    "share_ci",
    "reliability",
    "group_reliability",
    "group_reliability_table",
    "item_statistics",
    "nps",
    "NPS_SMALL_N",
    "tercile_cuts",
    "compare_groups",
    "omnibus",
    "compare_to_reference",
    "relative_importance",
    "relative_weights",
    "regression_coefficients",
    "boot_corr_all",
    "lmg_from_corr",
    "driver_agreement",
    "importance_performance",
    "wave_changes",
    "adjust_pvalues",
    "adjusted_interval",
    "with_adjusted_interval",
    "effective_sample_size",
    "weighted_summary",
    "cohen_kappa",
    "krippendorff_alpha_nominal",
    "pls_sem",
    "pls_mga",
]
