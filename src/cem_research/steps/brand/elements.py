"""Section "Product experience, look and feel, and communications": where each brand element is strong or weak.

* :func:`element_overview` – what the client measures about each element;
* :func:`element_profile` / :func:`element_tests` – ratings of the constructs declared with
  ``element:``, own brand vs competitors (means with CIs; Welch, Hedges g, Holm);
* :func:`strengths_gaps` – the strengths and gaps from ratings and from the verbatims
  (:mod:`cem_research.steps.brand.aspects`), with intervals;
* :class:`BrandElements` – the report section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.steps.brand.aspects import MIN_MENTIONS, aspect_mentions, aspect_summary, aspect_tests
from cem_research.steps.brand.common import (ELEMENT_LABELS, STEP, aspect_lexicon, element_constructs,
                                             element_list, element_of, reliability, threshold_text)
from cem_research.steps.section import Section, Settings, Shown
from cem_research.stats import RELIABILITY_THRESHOLD

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["element_overview", "element_profile", "element_tests", "strengths_gaps", "element_skip_reason",
           "element_finding", "ElementTables", "BrandElements"]


def element_overview(data: "ClientData") -> pd.DataFrame:
    """What the client measures about each brand element.

    Returns
    -------
    DataFrame
        One row per element: ``element, element_label, constructs`` (labels of the declared
        constructs, "" if none), ``rated`` (constructs declared), ``aspect_words`` (number of
        lexicon entries for the element's aspect, default lexicon or the client's ``aspects:``),
        ``verbatims`` (the client supplies feedback) and ``note`` (what is analysed, or why not).
    """
    cfg = data.config
    by = element_constructs(cfg)
    lex = aspect_lexicon(cfg)
    has_fb = data.feedback is not None and len(data.feedback) > 0
    rows = []
    for element, label in ELEMENT_LABELS.items():
        cons = by.get(element, [])
        notes = ["ratings: " + nv.join([nv.label(cfg, c) for c in cons]) if cons
                 else "no rated construct declared with element: " + element]
        if not has_fb:
            notes.append("no verbatims supplied")
        elif element not in lex:
            notes.append("aspect removed from the lexicon by the client")
        else:
            notes.append(f"verbatims: {len(lex[element])} lexicon entries")
        rows.append({"element": element, "element_label": label,
                     "constructs": ", ".join(nv.label(cfg, c) for c in cons), "rated": bool(cons),
                     "aspect_words": len(lex.get(element, [])), "verbatims": has_fb, "note": "; ".join(notes)})
    return pd.DataFrame(rows)


def _with_elements(frame: pd.DataFrame, data: "ClientData") -> pd.DataFrame:
    """``frame`` (one row per ``dimension``) with ``element`` and ``element_label`` inserted first."""
    out = frame.copy()
    out.insert(0, "element", out["dimension"].map(element_of(data.config)))
    out.insert(1, "element_label", out["element"].map(ELEMENT_LABELS))
    return out


def element_profile(data: "ClientData", reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Means (95% CI) of the brand-element constructs per brand, kind and pooled competitors.

    Parameters
    ----------
    data : ClientData
    reliability : DataFrame, optional
        Step 2's reliability table, for ``reliability_flag``.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.steps.platform.experiential_profile` on the element constructs, with
        ``element`` and ``element_label`` columns first.  ``None`` when no construct declares an
        element.
    """
    from cem_research.steps import platform as pf

    cons = element_list(data.config)
    if not cons:
        return None
    return _with_elements(pf.experiential_profile(data, cons, reliability=reliability), data)


def element_tests(data: "ClientData", reliability: pd.DataFrame | None = None,
                  tests: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame | None:
    """Own brand vs each competitor, kind and pooled competitors on the element constructs.

    Parameters
    ----------
    data : ClientData
    reliability : DataFrame, optional
        Step 2's reliability table, for ``reliability_flag``.
    tests : DataFrame, optional
        Step 1's comparison table (``world.own_vs_competitors``), the one home of every own-brand
        comparison; computed when omitted.
    confidence : float, default 0.95
        Level of the intervals when ``tests`` is computed here.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.steps.platform.profile_tests` (Welch, Hedges g, Holm over step 1's whole
        table, intervals adjusted for multiple comparisons) on the element constructs, with ``element``
        and ``element_label`` first.  ``reliability_flag`` joins step 2's overall flag with step 1's
        per-brand one (the construct's alpha below the gate among the compared brand's or the own
        brand's raters, ``reliability_flag`` of :func:`cem_research.steps.world.brand_tests`).
        ``None`` without element constructs or without competitor ratings.
    """
    from cem_research.steps import platform as pf
    from cem_research.steps.world.competition import brand_tests

    cons = element_list(data.config)
    if not cons:
        return None
    home = brand_tests(data, confidence=confidence) if tests is None else tests
    out = pf.profile_tests(data, cons, reliability=reliability, confidence=confidence, tests=home)
    if out is None:
        return None
    return _with_elements(out, data)  # reliability_flag: step 2's and the per-brand one (profile_tests)


def strengths_gaps(tests: pd.DataFrame | None, summary: pd.DataFrame | None,
                   verbatim_tests: pd.DataFrame | None, brand: str) -> pd.DataFrame | None:
    """Strengths and gaps of the brand elements from ratings and verbatims, with intervals.

    Parameters
    ----------
    tests : DataFrame or None
        :func:`element_tests`.
    summary : DataFrame or None
        :func:`cem_research.steps.brand.aspects.aspect_summary`.
    verbatim_tests : DataFrame or None
        :func:`cem_research.steps.brand.aspects.aspect_tests`.
    brand : str
        The own brand.

    Returns
    -------
    DataFrame or None
        ``element_label, source, measure, comparison, own, other, diff, ci_low, ci_high, p_corr,
        verdict, reliability_flag``; ratings first, then verbatims; within each, the pooled
        comparisons (vs all competitors / vs neutral) first, then the rest; then strengths, gaps,
        the rest; then by absolute difference:

        * ratings (``tests``): each element construct vs all competitors pooled, plus every
          single competitor the brand is significantly behind or ahead of; ``verdict``
          "strength" / "gap" / "on par" (Holm p < .05);
        * verbatims (own brand, ``summary``, elements with at least 5 mentions): the mean
          sentiment of the aspect's mentions with its interval adjusted for the number of elements
          judged (Bonferroni, ``adj_ci_low/high`` of the summary); ``verdict`` "strength" when that
          interval lies above +.05, "gap" below −.05, else "mixed";
        * verbatims vs competitors (``verbatim_tests``): as for ratings.

        ``None`` when there is nothing to compare.
    """
    rows = []
    if tests is not None and len(tests):
        keep = tests[(tests["level"] == "all competitors")
                     | ((tests["level"] == "brand") & (tests["direction"] != "no clear difference"))]
        for r in keep.itertuples():
            rows.append({"element_label": r.element_label, "source": "ratings", "measure": r.label,
                         "comparison": f"vs {r.comparison}", "own": r.mean_ref, "other": r.mean_other,
                         "diff": r.diff, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_corr": r.p_corr,
                         "verdict": {"higher": "strength", "lower": "gap"}.get(r.direction, "on par"),
                         "reliability_flag": getattr(r, "reliability_flag", "")})
    if summary is not None and len(summary):
        own = summary[(summary["brand"] == brand) & (summary["mentions"] >= MIN_MENTIONS)]
        for r in own.itertuples():
            rows.append({"element_label": r.element_label, "source": "verbatims",
                         "measure": f"sentiment of {r.mentions} mentions", "comparison": "vs neutral (0)",
                         "own": r.compound, "other": 0.0, "diff": r.compound, "ci_low": r.adj_ci_low,
                         "ci_high": r.adj_ci_high, "p_corr": np.nan,
                         "verdict": {"clearly positive": "strength", "clearly negative": "gap"}.get(r.verdict, "mixed"),
                         "reliability_flag": ""})
    if verbatim_tests is not None and len(verbatim_tests):
        for r in verbatim_tests.itertuples():
            verdict = "on par"
            if r.significant:
                verdict = "strength" if r.diff > 0 else "gap"
            rows.append({"element_label": r.element_label, "source": "verbatims",
                         "measure": "sentiment of mentions", "comparison": "vs competitors' mentions",
                         "own": r.mean_ref, "other": r.mean_other, "diff": r.diff, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "p_corr": r.p_corr, "verdict": verdict, "reliability_flag": ""})
    if not rows:
        return None
    out = pd.DataFrame(rows)
    order = {"strength": 0, "gap": 1, "on par": 2, "mixed": 3}
    out = out.assign(_s=(out["source"] != "ratings").astype(int),
                     _c=(~out["comparison"].isin(["vs all competitors", "vs neutral (0)"])).astype(int),
                     _o=out["verdict"].map(order), _a=-out["diff"].abs())
    out = out.sort_values(["_s", "_c", "_o", "_a"], kind="stable").drop(columns=["_s", "_c", "_o", "_a"])
    return out.reset_index(drop=True)


def element_skip_reason(overview: pd.DataFrame) -> str:
    """Why the brand-element section has nothing to assess (one line).

    Parameters
    ----------
    overview : DataFrame
        :func:`element_overview`.
    """
    rated = overview["rated"].any()
    has_fb = overview["verbatims"].any()
    if not rated and not has_fb:
        return ("the client declares no construct with `element:` (product, look_and_feel, communications) "
                "and supplies no verbatims, so product experience, look and feel and communications are not "
                "measured")
    if rated and not has_fb:
        return ("the brand-element constructs have no competitor ratings to compare with, and the client "
                "supplies no verbatims")
    return "too few verbatims mention the brand elements (fewer than 5 per element) and no element is rated"


def element_finding(sg: pd.DataFrame | None, overview: pd.DataFrame, brand: str,
                    threshold: float = RELIABILITY_THRESHOLD) -> dict:
    """Plain-words finding for the brand-element section.

    Parameters
    ----------
    sg : DataFrame or None
        :func:`strengths_gaps`.
    overview : DataFrame
        :func:`element_overview`.
    brand : str
        The own brand.
    threshold : float
        The reliability threshold named in the caution.

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`.  Ratings: each
        element construct against all competitors pooled (strength / on par / gap, with
        difference, CI and Holm p) and the largest gap to a single competitor; verbatims: the
        most and least positive element (mean sentence sentiment with CI); the elements the client
        measures in neither way.  ``key``/``value``/``ci``: the largest gap (or, without one, the
        largest strength) in the ratings, else the least positive element in the verbatims.
    """
    missing = overview.loc[~overview["rated"] & ~overview["verbatims"], "element_label"].tolist()
    tail = f" Not measured at all: {nv.join(missing)}." if missing else ""
    if sg is None or sg.empty:
        return {"text": f"No brand-element ratings with competitors and no usable verbatims: strengths and gaps "
                        f"of {brand}'s brand elements cannot be assessed.{tail}",
                "headline": False, "key": None, "value": None, "ci": None}

    def num(r):
        if np.isfinite(r["p_corr"]):  # a corrected verdict: the interval that agrees with it
            return f"{nv.signed(r['diff'])}, {nv.adj_ci(r['ci_low'], r['ci_high'])}; Holm {nv.p(r['p_corr'])}"
        return f"{nv.signed(r['diff'])}, {nv.ci(r['ci_low'], r['ci_high'])}"

    parts, key, value, ci = [], None, None, None
    rated = sg[sg["source"] == "ratings"]
    pooled = rated[rated["comparison"] == "vs all competitors"]
    if len(pooled):
        by = {v: pooled[pooled["verdict"] == v] for v in ("strength", "on par", "gap")}
        said = []
        for verdict, word in (("strength", "ahead of"), ("gap", "behind"), ("on par", "on par with")):
            sub = by[verdict]
            if len(sub):
                said.append(nv.join([f"{r['measure']} ({num(r)})" for _, r in sub.iterrows()])
                            + f" {'is' if len(sub) == 1 else 'are'} {word} the competitors")
        parts.append("rated against all competitors pooled, " + "; ".join(said))
        pick = by["gap"] if len(by["gap"]) else by["strength"]
        if len(pick):
            r = pick.iloc[0]
            key, value, ci = ("element_gap" if len(by["gap"]) else "element_strength", float(r["diff"]),
                              (float(r["ci_low"]), float(r["ci_high"])))
    single = rated[(rated["comparison"] != "vs all competitors") & (rated["verdict"] == "gap")]
    if len(single):
        r = single.sort_values("diff").iloc[0]
        parts.append(f"largest gap to a single competitor: {r['measure']} {r['comparison']} ({num(r)})")
        if key is None or key == "element_strength":
            key, value, ci = "element_gap", float(r["diff"]), (float(r["ci_low"]), float(r["ci_high"]))
    verb = sg[(sg["source"] == "verbatims") & (sg["comparison"] == "vs neutral (0)")]
    if len(verb):
        hi, lo = verb.sort_values("diff").iloc[-1], verb.sort_values("diff").iloc[0]

        def adj(r):
            return f"{nv.signed(r['diff'])}, {nv.adj_ci(r['ci_low'], r['ci_high'])}"

        if hi["element_label"] == lo["element_label"]:
            parts.append(f"in the verbatims, {hi['element_label']} mentions average a sentiment of {adj(hi)}")
        else:
            parts.append(f"in the verbatims, mean sentiment is highest for {hi['element_label']} ({adj(hi)}) and "
                         f"lowest for {lo['element_label']} ({adj(lo)}); this ordering of point estimates is "
                         "exploratory")
        clear = {v: verb.loc[verb["verdict"] == v, "element_label"].tolist() for v in ("strength", "gap")}
        if clear["strength"] or clear["gap"]:
            parts.append("clearly " + "; clearly ".join(
                f"{word} after correcting for the {nv.count(len(verb), 'element')} judged: {nv.join(clear[v])}"
                for v, word in (("strength", "positive"), ("gap", "negative")) if clear[v]))
        else:
            parts.append(f"no element's verbatim sentiment is clearly positive or negative after correcting for "
                         f"the {nv.count(len(verb), 'element')} judged")
        if key is None:
            key, value, ci = "element_sentiment_min", float(lo["diff"]), (float(lo["ci_low"]), float(lo["ci_high"]))
    vs = sg[(sg["source"] == "verbatims") & (sg["comparison"] != "vs neutral (0)") & (sg["verdict"] != "on par")]
    if len(vs):
        parts.append("compared with competitors' verbatims: " + nv.join(
            [f"{r['element_label']} {'more' if r['diff'] > 0 else 'less'} positive ({num(r)})"
             for _, r in vs.iterrows()]))
    text = f"Brand elements of {brand}: " + "; ".join(parts) + "." + tail
    flagged = sorted(set(sg.loc[sg["reliability_flag"].astype(bool), "measure"]))
    if flagged:
        text += f" Read {nv.join(flagged)} with care (alpha below {threshold_text(threshold)})."
    headline = bool((sg["verdict"] == "gap").any() or (sg["verdict"] == "strength").any())
    return {"text": text, "headline": headline, "key": key, "value": value, "ci": ci}


@dataclass(frozen=True)
class ElementTables:
    """The tables of :class:`BrandElements` (each ``None`` when the client's data do not support it).

    Attributes
    ----------
    overview : DataFrame
        :func:`element_overview`.
    profile, tests : DataFrame or None
        :func:`element_profile`, :func:`element_tests`.
    mentions, aspects, verbatim_tests : DataFrame or None
        :func:`~cem_research.steps.brand.aspects.aspect_mentions`,
        :func:`~cem_research.steps.brand.aspects.aspect_summary`,
        :func:`~cem_research.steps.brand.aspects.aspect_tests`.
    strengths_gaps : DataFrame or None
        :func:`strengths_gaps`.
    """

    overview: pd.DataFrame
    profile: pd.DataFrame | None
    tests: pd.DataFrame | None
    mentions: pd.DataFrame | None
    aspects: pd.DataFrame | None
    verbatim_tests: pd.DataFrame | None
    strengths_gaps: pd.DataFrame | None


def element_tables(data: "ClientData", settings: Settings) -> ElementTables:
    """Every table of the brand-element section, built once per loaded client and settings."""
    from cem_research.client.data import memoize
    from cem_research.steps.world.competition import own_vs_competitors

    def build():
        rel = reliability(data, settings)
        tests = element_tests(data, reliability=rel, tests=own_vs_competitors(data, settings),
                              confidence=settings.confidence)
        mentions = aspect_mentions(data)
        aspects = aspect_summary(data, mentions)
        verbatim = aspect_tests(data, mentions)
        return ElementTables(overview=element_overview(data), profile=element_profile(data, reliability=rel),
                             tests=tests, mentions=mentions, aspects=aspects, verbatim_tests=verbatim,
                             strengths_gaps=strengths_gaps(tests, aspects, verbatim, data.config.brand))

    return memoize(data, ("brand", "element_tables", settings), build)


class BrandElements(Section):
    """Ratings and verbatims of the product experience, look and feel and communications, own brand
    against competitors, summed up as strengths and gaps (:class:`ElementTables`)."""

    step = STEP
    title = "Product experience, look and feel, and communications"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        tables = element_tables(data, settings)
        return element_skip_reason(tables.overview) if tables.strengths_gaps is None else None

    def compute(self, data: "ClientData", settings: Settings) -> ElementTables:
        return element_tables(data, settings)

    def findings(self, result: ElementTables, data: "ClientData", settings: Settings) -> list[dict]:
        return [element_finding(result.strengths_gaps, result.overview, data.config.brand,
                                threshold=settings.reliability_threshold)]

    def present(self, result: ElementTables, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import brand as plots

        out = [Shown("table", result.overview, "What the client measures about each brand element", layer="appendix")]
        if result.profile is not None:
            ax = plots.element_profile_chart(result.profile)
            out.append(Shown("figure", ax.figure,
                             "Dot chart: mean rating (95% CI) of each brand-element construct for the own brand "
                             "and each competitor"))
        if result.tests is not None:
            out.append(Shown(
                "table", result.tests[["element_label", "label", "comparison", "n_ref", "n_other", "mean_ref",
                                       "mean_other", "diff", "ci_low", "ci_high", "hedges", "p_corr", "direction",
                                       "reliability_flag"]],
                "Brand elements: own brand minus competitor (Welch; Holm-corrected over every own-brand comparison "
                f"of step 1; 95% {nv.ADJUSTED_CI_NOTE})",
                {"rename": {"mean_ref": "own mean", "mean_other": "other mean", "p_corr": "p_corr (Holm)"}},
                layer="appendix"))
        if result.aspects is not None:
            out.append(Shown("table", result.aspects,
                             "Aspect mentions in the verbatims: share of comments (Wilson CI) "
                             "and mean sentence sentiment (t CI; verdict from the interval adjusted for the "
                             "brand's elements judged, Bonferroni)",
                             {"percent": ("mention_share", "mention_ci_low", "mention_ci_high", "share_negative",
                                          "share_positive"),
                              "rename": {"adj_ci_low": f"sentiment, adjusted {nv.level(settings.confidence)} CI low",
                                         "adj_ci_high": f"sentiment, adjusted {nv.level(settings.confidence)} CI high"}},
                             layer="appendix"))
            if (result.aspects["mentions"] > 0).any():
                ax = plots.aspect_sentiment_chart(result.aspects)
                out.append(Shown("figure", ax.figure,
                                 "Dot chart: mean sentiment (95% CI) of the comment sentences mentioning each brand "
                                 "element, per brand, with a line at neutral (0)", layer="appendix"))
        if result.strengths_gaps is not None:
            out.append(Shown("table", result.strengths_gaps, "Strengths and gaps of the brand elements (95% CIs "
                             "adjusted for multiple comparisons: Holm beside a corrected p, Bonferroni over the "
                             "elements for verbatims vs neutral)",
                             layer="appendix"))
        return out
