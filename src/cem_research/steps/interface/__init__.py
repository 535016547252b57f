"""Step 4 -- structure the customer interface (Schmitt 2003).

The customer interface is every dynamic exchange between customer and company: with people
(``human_human``), with technology (``human_technology``) and with places
(``human_environment``).  One module per section of notebook ``04_customer_interface``:

* :class:`TouchpointPerformance` (:mod:`.performance`) -- satisfaction, effort, volume and spread
  per interface kind, channel and touchpoint (:func:`touchpoint_performance`); whether the same need
  (a journey stage) is served worse in one channel than in the stage's main channel
  (:func:`channel_consistency`).
* :class:`TouchpointImportancePerformance` (:mod:`.ipa`) -- importance derived from the main outcome
  (:func:`touchpoint_importance`), the IPA grid and a "fix first" list (:func:`touchpoint_ipa`).
* :class:`Journeys` (:mod:`.journeys`, :mod:`.exits`) -- common paths (:func:`journey_paths`),
  stage-to-stage transitions (:func:`stage_transitions`), lost vs loyal customers
  (:func:`loyalty_groups`, :func:`journey_by_loyalty`), exit touchpoints (:func:`exit_touchpoints`)
  and time between stages (:func:`stage_durations`).
* :class:`HumanTouch` (:mod:`.human`) -- human-human vs human-technology ratings, overall and per
  segment (:func:`human_vs_technology`).
* :class:`UceScorecard` (:mod:`.uce`) -- Pope's (2010) five factors of the Ultimate Client Experience: each
  factor's score against the competitors, its importance for the main outcome and the factor that most limits
  the client experience (:func:`uce_scorecard`, :func:`limiting_factor`); only for a client whose constructs
  declare ``uce:``.
* :class:`InterfaceVoice` (:mod:`.voice`) -- sentiment per touchpoint (:func:`touchpoint_sentiment`),
  complaint terms (:func:`complaint_terms`) and representative quotes
  (:func:`representative_quotes`).

Shared frames (the joined touchpoint events, respondents, verbatims, loyalty groups) are in
:mod:`.frames`, shared helpers in :mod:`.common`; figures in :mod:`cem_research.present.plots.interface`.

Conventions used throughout
---------------------------
* Only the client's **own brand** is analysed; events are linked to survey respondents
  (:func:`touchpoint_events`).
* A **poor experience** is a touchpoint rating at or below the scale midpoint (1-3 on 1-5: not
  satisfied), see :func:`poor_threshold`.
* Headlines are stated on the client's **main outcome** (``data.main_outcome``).
* Intervals at ``settings.confidence`` (95 % by default); tests are Welch t-tests (paired t-tests
  within respondents where stated) with Holm's correction within each table; shares use Wilson
  intervals and differences of shares Newcombe's hybrid score interval.
"""

from __future__ import annotations

from cem_research.steps.interface.common import (
    INTERFACE_LABELS, NEGATIVE, STEP, compare_quietly, diff_proportions, key_cols, level_key, level_order,
    main_outcome, merge_unique, poor_threshold, touchpoint_scale,
)
from cem_research.steps.interface.exits import default_final_stages, exit_touchpoints, journey_by_loyalty
from cem_research.steps.interface.frames import (
    loyalty_groups, own_feedback, respondent_experience, touchpoint_events, touchpoint_feedback,
)
from cem_research.steps.interface.human import HumanTouch, human_vs_technology
from cem_research.steps.interface.ipa import TouchpointImportancePerformance, touchpoint_importance, touchpoint_ipa
from cem_research.steps.interface.journeys import (
    Journeys, JourneysResult, journey_paths, stage_durations, stage_transitions, transition_matrix,
)
from cem_research.steps.interface.performance import (
    PerformanceResult, TouchpointPerformance, channel_consistency, touchpoint_performance,
)
from cem_research.steps.interface.uce import UceResult, UceScorecard, limiting_factor, uce_scorecard
from cem_research.steps.interface.voice import (
    InterfaceVoice, VoiceResult, complaint_terms, quotes_markdown, representative_quotes, touchpoint_sentiment,
)

#: The sections of step 4 in report order.
from cem_research.steps.interface.promises import PromiseAudit  # noqa: E402 (the optional audit)

SECTIONS = (PromiseAudit(), TouchpointPerformance(), TouchpointImportancePerformance(), Journeys(), HumanTouch(),
            UceScorecard(), InterfaceVoice())

__all__ = [
    "STEP", "SECTIONS", "INTERFACE_LABELS", "NEGATIVE",
    # sections and their results
    "TouchpointPerformance", "PerformanceResult", "TouchpointImportancePerformance", "Journeys",
    "JourneysResult", "HumanTouch", "InterfaceVoice", "VoiceResult", "PromiseAudit", "UceScorecard", "UceResult",
    # shared frames and helpers (also used by steps 2 and 5)
    "main_outcome", "touchpoint_scale", "poor_threshold", "key_cols", "merge_unique", "compare_quietly",
    "diff_proportions", "level_key", "level_order", "touchpoint_events", "own_feedback", "touchpoint_feedback",
    "respondent_experience", "loyalty_groups",
    # analyses
    "touchpoint_performance", "channel_consistency", "touchpoint_importance", "touchpoint_ipa",
    "journey_paths", "stage_transitions", "transition_matrix", "journey_by_loyalty", "default_final_stages",
    "exit_touchpoints", "stage_durations", "human_vs_technology", "uce_scorecard", "limiting_factor", "touchpoint_sentiment", "complaint_terms",
    "representative_quotes", "quotes_markdown",
]
