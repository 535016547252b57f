"""PLS path modelling (PLS-SEM): satisfaction-index models such as ACSI and ECSI, on numpy.

A documented implementation of Wold's PLS algorithm (Lohmöller 1989; Sanchez 2013, *PLS Path
Modeling with R*), because no Python package runs on this stack and equals the reference tools:
:func:`pls_sem` estimates outer weights and loadings (mode A or B), path coefficients, R², direct,
indirect and total effects, block reliability (alpha raw and standardized, rhoC, rhoA, AVE), HTMT and
the Fornell-Larcker matrix, with seeded percentile bootstrap intervals; :func:`ipma` adds the
importance-performance map. Tested to 3 decimals against R plspm, SmartPLS 2.0 and seminr
(``tests/test_pls.py``).

Submodules
----------
:mod:`~cem_research.stats.pls.estimate`
    the algorithm (one sample): model checks, item preparation, weights, paths, effects.
:mod:`~cem_research.stats.pls.quality`
    reliability, unidimensionality, HTMT, Fornell-Larcker.
:mod:`~cem_research.stats.pls.fit`
    :func:`pls_sem` and :class:`PLSResult` (tidy tables, bootstrap).
:mod:`~cem_research.stats.pls.ipma`
    importance-performance map analysis.
:mod:`~cem_research.stats.pls.mga`
    multi-group comparison of path coefficients (:func:`pls_mga`, permutation test) with the
    reliability of each group.
"""

from __future__ import annotations

from cem_research.stats.pls.estimate import MISSING, MODES, SCHEMES, ModelSpec, model_spec
from cem_research.stats.pls.fit import PLSResult, bootstrap_draws, pls_sem
from cem_research.stats.pls.ipma import ipma
from cem_research.stats.pls.mga import MGAResult, permutation_draws, pls_mga

__all__ = ["pls_sem", "PLSResult", "ipma", "pls_mga", "MGAResult", "permutation_draws", "bootstrap_draws",
           "model_spec", "ModelSpec", "SCHEMES", "MODES", "MISSING"]
