"""Step 2 – build the experiential platform (Schmitt 2003).

Schmitt's experiential platform has three parts: the *experiential positioning* (what the brand
stands for, in experiential terms), the *experiential value promise* (EVP: what the customer gets
out of it) and the *overall implementation theme* (the style and content that carries the promise
into every later step).  This package turns a client's survey (and, if supplied, verbatims) into a
data-driven proposal for each part, together with the evidence behind it, one report section per
module:

* :mod:`.reliability` – :class:`Reliability` ("Measurement quality"): is each construct measured
  well enough to build on?  Its result is THE reliability table every step flags with
  (:func:`reliability_table`, :func:`add_reliability_flag`).
* :mod:`.profile` – :class:`ExperientialProfile` ("Experiential profile"): where does the own
  brand stand against each competitor and each kind of competitor?
* :mod:`.drivers` – :class:`Drivers` and :class:`DriverCrosscheck` ("What drives the outcomes"):
  Shapley/LMG share of R² with bootstrap intervals, emotional vs functional, NPS, and Johnson's
  relative weights as a cross-check.
* :mod:`.pathmodel` – :class:`PathModel` ("The satisfaction-index path model", only with ``model:`` in
  ``client.yaml``): the declared PLS path model, its total effects on the target with bootstrap intervals,
  the measurement model and the importance-performance map.
* :mod:`.proposal` – :class:`ExperientialPlatform` ("The experiential platform"): the positioning
  chosen by a stated rule (reliable, strong, ahead of competitors after Holm; importance with its
  interval), the runner-up and why it lost, the value promise, and the theme in customers' phrases.

Figures are built by :mod:`cem_research.present.plots.platform` (its frames and palettes are
re-exported here for step 3).

Conventions used throughout
---------------------------
* Reliability, drivers and NPS use the **own brand's rows only** (one row per respondent rating
  the client's brand); the competitor rows are other brands' ratings, whose item structure may
  differ.  Profiles and tests use every row.
* A construct whose raw alpha is below ``settings.reliability_threshold`` carries the note in a
  ``reliability_flag`` column in every later table that uses it ("" when fine).
* All waves up to the notebook's ``wave`` parameter are pooled.
* Survey weights (when the client supplies or declares them) are used for means, NPS and the
  Welch tests of the profile; reliability and relative importance are unweighted (the shared
  statistics do not support weights there; the notebook says so once).
* Bootstrap resamples, seed and confidence come from the :class:`~cem_research.steps.section.Settings`.
"""

from __future__ import annotations

from cem_research.present.plots.platform import (importance_plot_frame, outcome_palette, profile_palette,
                                                 profile_plot_frame)
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.platform.common import (ELEMENTS, KIND_LABELS, POSITIVE_COMPOUND, STEP, client_summary,
                                                dimensions_note, experience_dimensions)
from cem_research.steps.platform.drivers import (MAX_LMG, DriverCrosscheck, DriverResult, Drivers,
                                                 crosscheck_finding, driver_crosscheck, driver_importance,
                                                 drivers_finding, emotional_functional, importance_for, lmg_boot,
                                                 nps_table)
from cem_research.steps.platform.pathmodel import PathModel, PathModelResult, path_model_findings, total_effects_on
from cem_research.steps.platform.profile import (ExperientialProfile, Profile, experiential_profile,
                                                 profile_finding, profile_tests)
from cem_research.steps.platform.proposal import (MIN_THEME_SENTENCES, ExperientialPlatform, PlatformProposal, Theme,
                                                  apply_override, implementation_theme, platform_findings,
                                                  positioning_candidates, propose_platform)
from cem_research.steps.platform.reliability import (Reliability, add_reliability_flag, flag_text, item_table,
                                                     reliability_finding, reliability_table, reverse_worded_items)

#: The sections of step 2, in report order.
SECTIONS = (Reliability(), ExperientialProfile(), Drivers(), DriverCrosscheck(), PathModel(), ExperientialPlatform())

__all__ = [
    # sections
    "SECTIONS", "Reliability", "ExperientialProfile", "Profile", "Drivers", "DriverResult", "DriverCrosscheck",
    "ExperientialPlatform", "PlatformProposal", "Theme", "PathModel", "PathModelResult",
    # constants
    "STEP", "ELEMENTS", "KIND_LABELS", "POSITIVE_COMPOUND", "MAX_LMG", "RELIABILITY_THRESHOLD", "MIN_THEME_SENTENCES",
    # shared
    "client_summary", "experience_dimensions", "dimensions_note",
    # measurement quality
    "reliability_table", "item_table", "reverse_worded_items", "add_reliability_flag", "reliability_finding",
    "flag_text",
    # profile
    "experiential_profile", "profile_tests", "profile_finding",
    # drivers
    "driver_importance", "importance_for", "driver_crosscheck", "crosscheck_finding", "lmg_boot",
    "emotional_functional", "nps_table", "drivers_finding",
    # the path model
    "total_effects_on", "path_model_findings",
    # the platform
    "positioning_candidates", "implementation_theme", "propose_platform", "apply_override", "platform_findings",
    # figures (their code lives in cem_research.present.plots.platform)
    "profile_plot_frame", "profile_palette", "importance_plot_frame", "outcome_palette",
]
