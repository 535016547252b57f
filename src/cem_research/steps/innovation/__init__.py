"""Step 5 -- engage in continuous innovation (Schmitt 2003).

Continuous innovation keeps the customer experience fresh: small improvements (fixing what the
interface gets wrong) and large innovations (new experiences where no brand yet delivers).  This
package feeds notebook ``05_continuous_innovation``: one :class:`~cem_research.steps.section.Section`
per heading (:data:`SECTIONS`), one module per section.

* **Tracking across waves** (:class:`TrackingAcrossWaves`, module ``tracking``) -- every outcome
  and construct per wave for the own brand (:func:`tracking`), consecutive-wave changes tested
  with Holm's correction across *all* constructs and wave pairs (:func:`wave_change_tests`), NPS
  per wave (:func:`nps_by_wave`).  Comparable before compared: each multi-item construct's reliability per wave
  (:func:`wave_reliability`), and the change table flags a construct that is unreliable
  (Cronbach's alpha below ``Settings.reliability_threshold``) in either compared wave
  (``min_group_alpha``, ``unreliable_in``).
  Means, NPS, wave changes and the gap to competitors use the survey weights when present
  (``ClientData.weight``); relative importance and reliability do not (no weighted form).
* **Emerging themes** (:class:`EmergingThemes`, module ``themes``) -- terms whose share of
  verbatims rises in the latest wave (:func:`emerging_themes`, :func:`rising_themes`).
* **Innovation agenda** (:class:`InnovationAgenda`, module ``agenda``; evidence in ``evidence`` and
  ``audience``) -- a ranked list of opportunities (:func:`innovation_agenda`) from the gap
  to the best competitor (:func:`competitor_gaps`), the drivers' regression coefficients
  (:func:`driver_effects`) and LMG shares (:func:`driver_importance`),
  the latest trend and the touchpoint IPA (``interface.touchpoint_ipa``), each with the Schmitt step
  it feeds back into and whether it serves winning new customers or deepening loyalty
  (:func:`audience`).
* **Stated loyalty against behaviour** (:class:`StatedVsBehaviour`, module ``behaviour``) -- with a
  ``behaviour:`` file, the referral, repeat and churn rates of promoters, passives and detractors
  (Wilson intervals) and the ROC AUC of likelihood to recommend and the loyalty construct for each
  behaviour (bootstrap intervals), overall and per segment level (:func:`loyalty_auc`).

Agenda scoring rule
-------------------
Every opportunity is scored by its **expected gain in the main outcome** (outcome points for the
average own-brand customer), so touchpoint fixes and experience dimensions can be ranked together:

* *Touchpoint fix* (small improvement, feeds step 4): touchpoints in the IPA's "Concentrate here"
  quadrant.  ``gain = importance x share of customers with a poor experience there`` --
  importance being the outcome difference between customers with a good and a poor experience
  (``interface.touchpoint_importance``).  Turning every poor experience into a good one would
  lift the average outcome by about that much.
* *Construct* (a driver of the main outcome): ``gain = coefficient x room``.

  - ``coefficient``: the driver's coefficient in the multiple regression of the main outcome on all
    declared drivers (own-brand ratings, every wave; weighted least squares with the survey weights
    when the client has them, ordinary least squares otherwise: :func:`driver_effects`,
    ``stats.regression_coefficients``), in outcome points per scale point with the other drivers
    held constant, sign kept.  A driver with a negative coefficient has a negative gain and stays
    off the agenda (``attrs["considered"]`` keeps it).  The LMG share of R² (:func:`driver_importance`)
    is quoted beside it as evidence, never multiplied.
  - ``room = target - own mean`` (latest wave), where the target is the highest of (a) the best
    competitor's mean (gap to the best competitor; all waves, step 1's comparison: the one home of every
    own-brand comparison, with its Holm p and interval adjusted for multiple comparisons) -- never for a
    dimension where the own brand is already the best in its category (latest wave), (b) the own brand's
    previous-wave mean when the latest wave-over-wave change is a *significant* drop (trend; Holm across
    all constructs and wave pairs), and (c) for dimensions where no brand performs well (the category
    best, any brand, own included, below the "good" level: :data:`GOOD_SHARE` of the way up the scale,
    4.6 on 1-7), the good level: a *new experience* (feeds step 2 -- the experiential platform);
    closing a gap or winning back lost ground improves the brand experience (feeds step 3).
  - Size: a new experience is a **large innovation** only when the lower limit of its gain's interval
    reaches ``LARGE_GAIN_SD`` (0.2) standard deviations of the main outcome (Cohen's small standardised
    effect; the threshold in outcome points is ``attrs["large_gain"]`` and the finding states it);
    every other scored row is a **small improvement**.

* *Rising theme* (feeds step 3): each significantly rising theme of "Emerging themes" is listed
  with its share change and interval as evidence.  No gain can be estimated for it (the verbatims
  do not say how much the outcome would move), so it follows every scored row: it reaches the
  top five only when fewer than five opportunities are scored, and page one names it in step 5's
  sentence in any case.  Touchpoint fixes keep the IPA's fix-first order among themselves, so the
  agenda's first touchpoint is the IPA's first.

Intervals of the gain are the coefficient's percentile bootstrap interval (or the touchpoint
penalty's interval) times the room: they carry the uncertainty of the effect only (the room is taken
as known).  Bootstrap resamples and seed come from the section's
:class:`~cem_research.steps.section.Settings`.  An agenda with no scored row and no rising theme is
one sentence (the finding says why), not an empty table.
"""

from __future__ import annotations

from cem_research.steps.innovation.agenda import (
    LARGE_GAIN_SD, InnovationAgenda, agenda_finding, can_weight_drivers, innovation_agenda,
)
from cem_research.steps.innovation.behaviour import (
    BehaviourResult, StatedVsBehaviour, behaviour_finding, loyalty_auc, rates_by_nps_group, stated_and_done,
)
from cem_research.steps.innovation.audience import MIN_EXPERIENCES, audience, audience_label, tenure_segment
from cem_research.steps.innovation.common import (
    GOOD_SHARE, NO_AUDIENCE, STEP, STEPS, construct_order, construct_role, construct_title,
    tracked_constructs,
)
from cem_research.steps.innovation.evidence import competitor_gaps, driver_effects, driver_importance
from cem_research.steps.innovation.themes import (
    EmergingThemes, emerging_themes, fold_terms, rising_themes, themes_finding, themes_skip_reason,
)
from cem_research.steps.innovation.tracking import (
    TrackingAcrossWaves, TrackingResult, nps_by_wave, reliability_grid, tracking, tracking_finding, wave_change_tests,
    wave_reliability,
)

#: The sections of step 5, in report order.
SECTIONS = (TrackingAcrossWaves(), EmergingThemes(), InnovationAgenda(), StatedVsBehaviour())

__all__ = [
    "STEP", "SECTIONS", "GOOD_SHARE", "NO_AUDIENCE", "STEPS", "MIN_EXPERIENCES",
    "TrackingAcrossWaves", "TrackingResult", "EmergingThemes", "InnovationAgenda",
    "construct_order", "construct_role", "construct_title", "tracked_constructs",
    "tracking", "wave_reliability", "reliability_grid", "wave_change_tests", "nps_by_wave", "tracking_finding",
    "themes_skip_reason", "emerging_themes", "fold_terms", "rising_themes", "themes_finding",
    "driver_importance", "driver_effects", "competitor_gaps", "LARGE_GAIN_SD", "tenure_segment", "audience_label", "audience",
    "can_weight_drivers", "innovation_agenda", "agenda_finding",
    "StatedVsBehaviour", "BehaviourResult", "stated_and_done", "rates_by_nps_group", "loyalty_auc",
    "behaviour_finding",
]
