"""Step 3 – design the brand experience (Schmitt 2003).

Schmitt's brand experience has three elements: the **product experience** (what the product
or service is and does), the **look and feel** (logos, packaging, stores, interface design) and
**experiential communications** (advertising, websites, social media, messages).  The step
checks how the client's brand performs on each element against competitors, which elements to
fix first, and whether the brand experience differs between customer segments.  One module per
report section:

* :mod:`~cem_research.steps.brand.elements` – :class:`BrandElements`, "Product experience, look
  and feel, and communications": ratings of the constructs declared with ``element:`` in
  ``client.yaml`` (own brand vs competitors) and what the verbatims say about each element
  (:mod:`~cem_research.steps.brand.aspects`), summed up as strengths and gaps;
* :mod:`~cem_research.steps.brand.ipa` – :class:`ElementImportancePerformance`,
  "Importance–performance of brand elements": derived importance for the main outcome against
  performance, and the "fix first" list;
* :mod:`~cem_research.steps.brand.segments` – :class:`SegmentDifferences`, "Segment
  differences": the brand-experience dimensions across the client's segments.

Shared pieces (the elements, the aspect lexicon, step 2's reliability flags) live in
:mod:`~cem_research.steps.brand.common`; the figures in :mod:`cem_research.present.plots.brand`.
The optional Kano and experiential-module analyses are :mod:`~cem_research.steps.brand.kano` and
:mod:`~cem_research.steps.brand.modules`.

Examples
--------
>>> from cem_research.steps import brand
>>> [s.title for s in brand.SECTIONS]  # doctest: +NORMALIZE_WHITESPACE
['Product experience, look and feel, and communications', 'Importance–performance of brand elements',
 'Segment differences']
"""

from __future__ import annotations

from cem_research.steps.brand.aspects import (MIN_MENTIONS, SENTIMENT_CLEAR, aspect_mentions, aspect_summary,
                                              aspect_tests)
from cem_research.steps.brand.common import (ELEMENT_LABELS, STEP, aspect_lexicon, brand_experience_constructs,
                                             element_constructs)
from cem_research.steps.brand.elements import (BrandElements, ElementTables, element_finding, element_overview,
                                               element_profile, element_skip_reason, element_tests, strengths_gaps)
from cem_research.steps.brand.ipa import ElementImportancePerformance, element_ipa, fix_first, ipa_finding
from cem_research.steps.brand.segments import (SKEW_LIMIT, SMALL_GROUP, SegmentDifferences, SegmentTables,
                                               segment_differences, segment_finding, segment_means, segment_pairs)

#: The sections of step 3, in report order.
from cem_research.steps.brand.kano import Kano  # noqa: E402 (optional methods)
from cem_research.steps.brand.modules import ExperientialModules  # noqa: E402

SECTIONS = (BrandElements(), ExperientialModules(), ElementImportancePerformance(), Kano(), SegmentDifferences())

__all__ = [
    "SECTIONS", "STEP", "ELEMENT_LABELS", "SENTIMENT_CLEAR", "MIN_MENTIONS", "SMALL_GROUP", "SKEW_LIMIT",
    "BrandElements", "ElementImportancePerformance", "SegmentDifferences", "ExperientialModules", "Kano", "ElementTables", "SegmentTables",
    "element_constructs", "element_overview", "element_profile", "element_tests", "aspect_lexicon",
    "aspect_mentions", "aspect_summary", "aspect_tests", "strengths_gaps", "element_skip_reason", "element_finding",
    "element_ipa", "fix_first", "ipa_finding", "brand_experience_constructs", "segment_differences",
    "segment_means", "segment_pairs", "segment_finding",
]
