"""Step 1 of Schmitt's (2003) CEM framework: analyze the experiential world of the customer.

One :class:`~cem_research.steps.section.Section` per heading of ``notebooks/01_experiential_world``,
each in its own module:

0. **The data analysed** (:class:`SampleOverview`, :mod:`.overview`) -- ratings per brand and wave.
1. **Who the customer is** (:class:`CustomerSegments`, :mod:`.segments`) -- the client's segments
   (B2C/B2B, purchasers vs users, usage) and the loyalty groups derived from the NPS question or the
   loyalty outcome: size of each level, its outcome profile, the reliability of each construct within
   the levels (:mod:`.segment_reliability`) and which differences between levels are real
   (:mod:`.segment_tests`).
2. **The experiential layers** (:class:`ExperientialLayers`, :mod:`.layers`) -- the constructs declared
   with ``layer:`` (context, usage, category, brand): the own brand's scores, by wave when there are several.
3. **The experience along the journey** (:class:`JourneyStages`, :mod:`.journey`) -- per journey stage,
   in the declared order: reach, satisfaction, effort and drop-out.
4. **The competitive landscape** (:class:`CompetitiveLandscape`, :mod:`.competition`) -- own brand vs
   each competitor and each kind of competitor on every construct.
5. **What customers say** (:class:`WhatCustomersSay`, :mod:`.feedback`) -- VADER sentiment by touchpoint
   and segment, characteristic terms, representative (masked, escaped) quotes.

The analysis functions take a :class:`~cem_research.client.data.ClientData` and return a tidy DataFrame,
or ``None`` when the client did not supply the data (the section's ``skip_reason`` says why).  They
never print or plot: the figures are built by :mod:`cem_research.present.plots.world`.  Findings are
the keyword arguments of :func:`cem_research.present.findings.record`, with numbers formatted by
:mod:`cem_research.present.narrative`.

Unless said otherwise, all waves present in ``data`` are analysed together (the notebook's ``wave``
parameter cuts later waves off); survey weights (``ClientData.weight``) are used where the statistic
supports them (means, shares, NPS, Games-Howell pairs, Welch t-tests of brands and waves), and not by
the Welch ANOVA, Cronbach's alpha, the journey (touchpoint events) and sentiment (verbatims).
The optional "Survey weighting" section is built by :mod:`cem_research.stats.weighting`.

Examples
--------
>>> from cem_research.steps import world
>>> [s.title for s in world.SECTIONS][:2]
['The data analysed', 'Who the customer is']
"""

from __future__ import annotations

from cem_research.steps.world.common import (JOURNEY_MEASURES, KIND_GROUP_LABELS, KIND_LABELS, LAYER_LABELS,
                                             LOYALTY, NPS_GROUPS, POLARITIES, STEP, TERCILE_GROUPS, main_outcome,
                                             outcome_constructs)
from cem_research.steps.world.competition import (CompetitionResult, CompetitiveLandscape, brand_advantages,
                                                  brand_profiles, brand_tests, competitive_finding)
from cem_research.steps.world.feedback import (FeedbackResult, QuotesHtml, WhatCustomersSay, feedback_finding,
                                               feedback_frame, feedback_terms, own_feedback,
                                               representative_quotes, quotes_html, sentiment_summary, terms_table,
                                               touchpoint_order)
from cem_research.steps.world.frames import (customer_segments, loyalty_construct, loyalty_groups, segment_columns,
                                             segment_constructs)
from cem_research.steps.world.journey import JourneyStages, journey_finding, journey_stages, journey_table
from cem_research.steps.world.layers import (ExperientialLayers, LayerResult, layer_changes, layer_coverage,
                                             layer_finding, layer_scores, missing_layers)
from cem_research.steps.world.overview import SampleOverview, sample_overview
from cem_research.steps.world.segment_reliability import reliability_grid, segment_reliability
from cem_research.steps.world.segment_tests import segment_pairs, segment_tests
from cem_research.steps.world.segments import (CustomerSegments, SegmentResult, segment_finding, segment_gap,
                                               segment_profiles, segment_sizes)

from cem_research.steps.world.weighting import SurveyWeighting, UnweightedNote  # noqa: E402 (optional method)

#: The sections of step 1, in report order.
SECTIONS = (
    SampleOverview(),
    SurveyWeighting(),
    CustomerSegments(),
    ExperientialLayers(),
    JourneyStages(),
    CompetitiveLandscape(),
    WhatCustomersSay(),
)

__all__ = [
    "SECTIONS", "STEP", "SurveyWeighting", "UnweightedNote",
    # sections and their results
    "SampleOverview", "CustomerSegments", "SegmentResult", "ExperientialLayers", "LayerResult", "JourneyStages",
    "CompetitiveLandscape", "CompetitionResult", "WhatCustomersSay", "FeedbackResult", "QuotesHtml",
    # constants
    "LOYALTY", "NPS_GROUPS", "TERCILE_GROUPS", "LAYER_LABELS", "KIND_GROUP_LABELS", "KIND_LABELS",
    "JOURNEY_MEASURES", "POLARITIES",
    # the data analysed, helpers
    "sample_overview", "main_outcome", "outcome_constructs",
    # who the customer is
    "loyalty_construct", "loyalty_groups", "segment_columns", "segment_constructs", "customer_segments",
    "segment_sizes", "segment_profiles", "segment_reliability", "reliability_grid", "segment_tests",
    "segment_pairs", "segment_gap", "segment_finding",
    # the experiential layers
    "missing_layers", "layer_coverage", "layer_scores", "layer_changes", "layer_finding",
    # the journey
    "journey_stages", "journey_table", "journey_finding",
    # the competitive landscape
    "brand_profiles", "brand_tests", "brand_advantages", "competitive_finding",
    # what customers say
    "own_feedback", "touchpoint_order", "feedback_frame", "sentiment_summary", "feedback_terms", "terms_table",
    "representative_quotes", "quotes_html", "feedback_finding",
]
