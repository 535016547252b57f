"""Step 3 – design the brand experience (Schmitt 2003).

Schmitt's brand experience has three elements: the **product experience** (what the product
or service is and does), the **look and feel** (logos, packaging, stores, interface design) and
**experiential communications** (advertising, websites, social media, messages).  This module
checks how the client's brand performs on each element against competitors, which elements to
fix first, and whether the brand experience differs between customer segments:

* :func:`element_overview`, :func:`element_profile`, :func:`element_tests` – ratings of the
  constructs declared with ``element:`` in ``client.yaml``, own brand vs competitors;
* :func:`aspect_mentions`, :func:`aspect_summary`, :func:`aspect_tests` – what customers'
  verbatims say about each element (aspect lexicon, sentence-level sentiment);
* :func:`strengths_gaps` – the strengths and gaps from both sources, with intervals;
* :func:`element_ipa` / :func:`fix_first` – importance–performance analysis and the ranked
  "fix first" list;
* :func:`segment_differences` / :func:`segment_means` – differences between segments.

Every function takes a :class:`~cem_research.client.data.ClientData` (or tables built from it) and
returns a tidy DataFrame, or ``None`` when the client's data do not support the analysis.
Functions ending in ``_finding`` build the plain-words sentences recorded by the notebook.
Conventions (own-brand rows, pooled waves, reliability flags) as in :mod:`cem_research.steps.platform`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps

from cem_research.steps import platform as pf
from cem_research import stats
from cem_research.stats import MIN_GROUP
from cem_research.present import narrative as nv
from cem_research.present.narrative import SectionMarkdown  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

STEP = 3
SECTIONS = ("Product experience, look and feel, and communications",
            "Importance–performance of brand elements", "Segment differences")
ELEMENT_LABELS = {"product": "Product experience", "look_and_feel": "Look and feel",
                  "communications": "Experiential communications"}
SMALL_GROUP = 15         # below this (or clearly skewed residuals) Kruskal-Wallis replaces Welch
SKEW_LIMIT = 1.0         # |skewness| of within-group residuals counted as clearly non-normal
SENTIMENT_CLEAR = 0.05   # VADER's neutral band: |compound| below this is neutral

__all__ = [
    "element_constructs", "element_overview", "element_profile", "element_tests", "aspect_lexicon",
    "aspect_mentions", "aspect_summary", "aspect_tests", "strengths_gaps", "element_skip_reason", "element_finding",
    "element_ipa", "fix_first", "ipa_finding", "brand_experience_constructs", "segment_differences",
    "segment_means", "segment_pairs", "group_palette", "segment_finding", "SectionMarkdown",
]

_fmt, _ci, _pct, _p, _signed, _pci, _join, _label = (nv.num, nv.ci, nv.pct, nv.p, nv.signed, nv.pct_ci,
                                                     nv.join, nv.label)


# ---------------------------------------------------------------------------------------------
# 5. product experience, look and feel, communications
# ---------------------------------------------------------------------------------------------


def element_constructs(cfg: "ClientConfig") -> dict[str, list[str]]:
    """Constructs declared per brand element (``element:`` in client.yaml), elements in Schmitt's
    order (product, look and feel, communications); elements without constructs are absent."""
    out: dict[str, list[str]] = {}
    for element in ELEMENT_LABELS:
        names = [c for c, k in cfg.constructs.items() if k.element == element]
        if names:
            out[element] = names
    return out


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
        notes = []
        notes.append("ratings: " + _join([_label(cfg, c) for c in cons]) if cons
                     else "no rated construct declared with element: " + element)
        if not has_fb:
            notes.append("no verbatims supplied")
        elif element not in lex:
            notes.append("aspect removed from the lexicon by the client")
        else:
            notes.append(f"verbatims: {len(lex[element])} lexicon entries")
        rows.append({"element": element, "element_label": label,
                     "constructs": ", ".join(_label(cfg, c) for c in cons), "rated": bool(cons),
                     "aspect_words": len(lex.get(element, [])), "verbatims": has_fb, "note": "; ".join(notes)})
    return pd.DataFrame(rows)


def _element_of(cfg: "ClientConfig") -> dict[str, str]:
    return {c: k.element for c, k in cfg.constructs.items() if k.element}


def element_profile(data: "ClientData", reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Means (95% CI) of the brand-element constructs per brand, kind and pooled competitors.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.steps.platform.experiential_profile` on the element constructs, with
        ``element`` and ``element_label`` columns first.  ``None`` when no construct declares an
        element.
    """
    cfg = data.config
    cons = [c for names in element_constructs(cfg).values() for c in names]
    if not cons:
        return None
    out = pf.experiential_profile(data, cons, reliability=reliability)
    el = _element_of(cfg)
    out.insert(0, "element", out["dimension"].map(el))
    out.insert(1, "element_label", out["element"].map(ELEMENT_LABELS))
    return out


def element_tests(data: "ClientData", reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Own brand vs each competitor, kind and pooled competitors on the element constructs.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.steps.platform.profile_tests` (Welch, Hedges g, Holm over the whole table)
        on the element constructs, with ``element`` and ``element_label`` first.  ``None``
        without element constructs or without competitor ratings.
    """
    cfg = data.config
    cons = [c for names in element_constructs(cfg).values() for c in names]
    if not cons:
        return None
    out = pf.profile_tests(data, cons, reliability=reliability)
    if out is None:
        return None
    el = _element_of(cfg)
    out.insert(0, "element", out["dimension"].map(el))
    out.insert(1, "element_label", out["element"].map(ELEMENT_LABELS))
    return out


def aspect_lexicon(cfg: "ClientConfig") -> dict[str, list[str]]:
    """The aspect lexicon for this client: the default (``resources/aspects.yaml``) with the
    client's ``aspects:`` from client.yaml applied (:func:`cem_research.text.load_lexicon`)."""
    from cem_research import text as tx

    return tx.load_lexicon(overrides=cfg.aspects)


def aspect_mentions(data: "ClientData") -> pd.DataFrame | None:
    """Aspect mentions in the client's verbatims, with the sentiment of the mentioning sentences.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.text.aspect_mentions` output (``aspect, terms, sentence,
        n_sentences, compound``) with ``brand, brand_kind, wave`` carried; ``attrs`` as there plus
        ``n_texts_by_brand``.  ``sentence`` is raw customer text: show it only through
        :func:`cem_research.text.safe_text`.  ``None`` without verbatims.
    """
    from cem_research import text as tx

    fb = data.feedback
    if fb is None or fb.empty:
        return None
    cfg = data.config
    frame = fb[["text", "brand", "wave"]].copy()
    frame["brand"] = frame["brand"].fillna(cfg.brand).astype(str)
    frame["wave"] = frame["wave"].astype(object)
    frame["brand_kind"] = frame["brand"].map(cfg.brand_kind)
    m = tx.aspect_mentions(frame, "text", lexicon=aspect_lexicon(cfg), keep=["brand", "brand_kind", "wave"])
    m.attrs["n_texts_by_brand"] = frame["brand"].value_counts().to_dict()
    return m


def aspect_summary(data: "ClientData", mentions: pd.DataFrame | None) -> pd.DataFrame | None:
    """How often each aspect is mentioned, and how positively, per brand.

    Returns
    -------
    DataFrame or None
        One row per brand × aspect (own brand first): ``brand, brand_kind, aspect,
        element_label, n_texts, mentions, mention_share, mention_ci_low, mention_ci_high,
        compound, ci_low, ci_high, share_negative, share_positive, series, verdict``.
        ``mention_share`` = texts mentioning the aspect / the brand's texts (Wilson CI);
        ``compound`` the mean sentence sentiment (t CI, :func:`cem_research.text.aspect_sentiment`);
        ``verdict`` "clearly positive" (CI above +.05), "clearly negative" (CI below −.05),
        "mixed" or "too few mentions" (< 5); ``series`` the legend label with the brand's number
        of comments.  ``None`` without verbatims.
    """
    from cem_research import text as tx

    if mentions is None:
        return None
    cfg = data.config
    n_texts = mentions.attrs.get("n_texts_by_brand", {})
    aspects = list(mentions.attrs.get("aspects") or aspect_lexicon(cfg))
    brands = [b for b in cfg.brands if n_texts.get(b, 0) > 0]
    sent = tx.aspect_sentiment(mentions, by="brand") if len(mentions) else pd.DataFrame(
        columns=["brand", "aspect", "n", "compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"])
    sent = sent.set_index(["brand", "aspect"])
    rows = []
    for b in brands:
        nt = int(n_texts.get(b, 0))
        for a in aspects:
            key = (b, a)
            have = key in sent.index
            k = int(sent.loc[key, "n"]) if have else 0
            lo, hi = stats.proportion_ci(k, nt) if nt else (np.nan, np.nan)
            row = {"brand": b, "brand_kind": cfg.brand_kind(b), "aspect": a,
                   "element_label": ELEMENT_LABELS.get(a, a.replace("_", " ").capitalize()),
                   "n_texts": nt, "mentions": k, "mention_share": k / nt if nt else np.nan,
                   "mention_ci_low": lo, "mention_ci_high": hi}
            for c in ("compound", "ci_low", "ci_high", "share_negative", "share_positive"):
                row[c] = float(sent.loc[key, c]) if have else np.nan
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return None
    out["series"] = [f"{b} (n = {n:,} comments)" for b, n in zip(out["brand"], out["n_texts"])]
    out["verdict"] = np.select(
        [out["mentions"] < 5, out["ci_low"] > SENTIMENT_CLEAR, out["ci_high"] < -SENTIMENT_CLEAR],
        ["too few mentions", "clearly positive", "clearly negative"], default="mixed")
    return out


def aspect_tests(data: "ClientData", mentions: pd.DataFrame | None) -> pd.DataFrame | None:
    """Own brand vs competitors: sentiment of aspect mentions (Welch, Holm over aspects).

    Returns
    -------
    DataFrame or None
        One row per aspect mentioned for both: the :func:`cem_research.stats.compare_to_reference`
        columns (``dv`` renamed ``aspect``; ``diff`` = own − competitors' mean compound) plus
        ``element_label``.  ``None`` when the verbatims carry no competitor brand.
    """
    if mentions is None or mentions.empty:
        return None
    cfg = data.config
    m = mentions.assign(side=np.where(mentions["brand"] == cfg.brand, "own", "competitors"))
    if (m["side"] == "competitors").sum() < 2 or (m["side"] == "own").sum() < 2:
        return None
    parts = []
    for a, sub in m.groupby("aspect", sort=False):
        if sub["side"].value_counts().reindex(["own", "competitors"]).fillna(0).min() < 2:
            continue
        t = stats.compare_to_reference(sub.assign(**{a: sub["compound"]}), a, "side", "own", correction="none")
        parts.append(t)
    if not parts:
        return None
    out = stats.adjust_pvalues(pd.concat(parts, ignore_index=True), "p_unc", "holm")
    out = out.rename(columns={"dv": "aspect"})
    out.insert(1, "element_label", out["aspect"].map(lambda a: ELEMENT_LABELS.get(a, a)))
    return out


def strengths_gaps(tests: pd.DataFrame | None, summary: pd.DataFrame | None,
                   verbatim_tests: pd.DataFrame | None, brand: str) -> pd.DataFrame | None:
    """Strengths and gaps of the brand elements from ratings and verbatims, with intervals.

    Returns
    -------
    DataFrame or None
        ``element_label, source, measure, comparison, own, other, diff, ci_low, ci_high, p_corr,
        verdict, reliability_flag``; ratings first, then verbatims; within each, the pooled
        comparisons (vs all competitors / vs neutral) first, then the rest; then strengths, gaps,
        the rest; then by absolute difference:

        * ratings (``tests`` of :func:`element_tests`): each element construct vs all
          competitors pooled, plus every single competitor the brand is significantly behind or
          ahead of; ``verdict`` "strength" / "gap" / "on par" (Holm p < .05);
        * verbatims (own brand, ``summary``): the mean sentiment of the aspect's mentions;
          ``verdict`` "strength" when its CI lies above +.05, "gap" below −.05, else "mixed";
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
        own = summary[(summary["brand"] == brand) & (summary["mentions"] >= 5)]
        for r in own.itertuples():
            rows.append({"element_label": r.element_label, "source": "verbatims",
                         "measure": f"sentiment of {r.mentions} mentions", "comparison": "vs neutral (0)",
                         "own": r.compound, "other": 0.0, "diff": r.compound, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "p_corr": np.nan,
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
    """Why the brand-element section has nothing to assess (for :func:`cem_research.present.findings.skip`)."""
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


def element_finding(sg: pd.DataFrame | None, overview: pd.DataFrame, brand: str) -> dict:
    """Plain-words finding for the brand-element section.

    Ratings: each element construct against all competitors pooled (strength / on par / gap,
    with difference, CI and Holm p) and the largest gap to a single competitor; verbatims: the
    most and least positive element (mean sentence sentiment with CI); the elements the client
    measures in neither way.  ``key``/``value``/``ci``: the largest gap (or, without one, the
    largest strength) in the ratings, else the least positive element in the verbatims.
    """
    missing = overview.loc[~overview["rated"] & ~overview["verbatims"], "element_label"].tolist()
    tail = f" Not measured at all: {_join(missing)}." if missing else ""
    if sg is None or sg.empty:
        return {"text": f"No brand-element ratings with competitors and no usable verbatims: strengths and gaps "
                        f"of {brand}'s brand elements cannot be assessed.{tail}",
                "headline": False, "key": None, "value": None, "ci": None}

    def num(r):
        p = f"; Holm {_p(r['p_corr'])}" if np.isfinite(r["p_corr"]) else ""
        return f"{_signed(r['diff'])}, {_ci(r['ci_low'], r['ci_high'])}{p}"

    parts, key, value, ci = [], None, None, None
    rated = sg[sg["source"] == "ratings"]
    pooled = rated[rated["comparison"] == "vs all competitors"]
    if len(pooled):
        by = {v: pooled[pooled["verdict"] == v] for v in ("strength", "on par", "gap")}
        said = []
        for verdict, word in (("strength", "ahead of"), ("gap", "behind"), ("on par", "on par with")):
            sub = by[verdict]
            if len(sub):
                said.append(_join([f"{r['measure']} ({num(r)})" for _, r in sub.iterrows()])
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
        if hi["element_label"] == lo["element_label"]:
            parts.append(f"in the verbatims, {hi['element_label']} mentions average a sentiment of "
                         f"{_signed(hi['diff'])} ({_ci(hi['ci_low'], hi['ci_high'])})")
        else:
            parts.append(f"in the verbatims, {hi['element_label']} is discussed most positively (mean sentiment "
                         f"{_signed(hi['diff'])}, {_ci(hi['ci_low'], hi['ci_high'])}) and {lo['element_label']} "
                         f"least ({_signed(lo['diff'])}, {_ci(lo['ci_low'], lo['ci_high'])})")
        if key is None:
            key, value, ci = "element_sentiment_min", float(lo["diff"]), (float(lo["ci_low"]), float(lo["ci_high"]))
    vs = sg[(sg["source"] == "verbatims") & (sg["comparison"] != "vs neutral (0)") & (sg["verdict"] != "on par")]
    if len(vs):
        parts.append("compared with competitors' verbatims: " + _join(
            [f"{r['element_label']} {'more' if r['diff'] > 0 else 'less'} positive ({num(r)})" for _, r in vs.iterrows()]))
    text = f"Brand elements of {brand}: " + "; ".join(parts) + "." + tail
    flagged = sorted(set(sg.loc[sg["reliability_flag"].astype(bool), "measure"]))
    if flagged:
        text += f" Read {_join(flagged)} with care (alpha below .70)."
    headline = bool((sg["verdict"] == "gap").any() or (sg["verdict"] == "strength").any())
    return {"text": text, "headline": headline, "key": key, "value": value, "ci": ci}


# ---------------------------------------------------------------------------------------------
# 6. importance-performance
# ---------------------------------------------------------------------------------------------


def _pomp(x, lo, hi):
    return 100 * (np.asarray(x, dtype=float) - lo) / (hi - lo)


def element_ipa(data: "ClientData", outcome: str | None = None, n_boot: int = 400, seed: int = 2003,
                reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Importance–performance analysis of the brand-element constructs (own brand).

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        The main outcome (default: the first declared outcome).
    n_boot, seed
        Bootstrap of the importance intervals.
    reliability : DataFrame, optional
        :func:`cem_research.steps.platform.reliability_table`, for ``reliability_flag``.

    Returns
    -------
    DataFrame or None
        One row per element construct, in "fix first" order: ``priority, construct, label,
        element_label, importance, importance_ci_low, importance_ci_high, importance_measure,
        performance, performance_ci_low, performance_ci_high, mean, mean_ci_low, mean_ci_high,
        n, quadrant, importance_split, performance_split, gap, priority_score,
        reliability_flag``.  ``None`` when fewer than two constructs or no outcome.

    Notes
    -----
    Elements: the constructs declared with ``element:``; with fewer than two, every declared
    driver.  **Importance** (derived, not stated): the construct's Shapley/LMG share of R² of the
    main outcome in a regression on the elements *and* the declared drivers (at most 12; so
    importance is net of the other drivers), with percentile bootstrap CIs; with more than 12
    predictors, or when the regression cannot be fitted, the Pearson correlation with the
    outcome (CI from pingouin) – ``importance_measure`` says which.  **Performance**: the own
    brand's mean on a 0–100 scale (percent of maximum possible, ``100 (mean − min)/(max − min)``,
    so constructs on different scales are comparable), t CI; ``mean`` on the original scale.
    Quadrants and priority: :func:`cem_research.stats.importance_performance` (split at the
    means; "fix first" order = quadrants Concentrate here, Keep up the good work, Low priority,
    Possible overkill, within a quadrant by descending importance × gap to the best performer).
    """
    cfg = data.config
    by = element_constructs(cfg)
    cons = [c for names in by.values() for c in names]
    if len(cons) < 2:
        cons = list(cfg.drivers)
    if len(cons) < 2 or not cfg.outcomes:
        return None
    outcome = outcome or cfg.main_outcome or cfg.outcomes[0]
    own = data.own
    predictors = list(dict.fromkeys([*cons, *[d for d in cfg.drivers if d != outcome]]))
    predictors = [p for p in predictors if p != outcome]
    imp = None
    if 2 <= len(predictors) <= pf.MAX_LMG:
        try:
            ri = stats.relative_importance(own, outcome, predictors, n_boot=n_boot, seed=seed).set_index("driver")
            imp = pd.DataFrame({"importance": ri["share"],
                                "importance_ci_low": ri["relimp_ci_low"] / ri["r2"],
                                "importance_ci_high": ri["relimp_ci_high"] / ri["r2"]}).loc[cons]
            measure = f"share of R² of {_label(cfg, outcome)} (LMG, {len(predictors)} predictors)"
        except ValueError:
            imp = None
    if imp is None:
        rows = []
        for c in cons:
            sub = own[[c, outcome]].dropna()
            if len(sub) < 4 or sub[c].std() == 0 or sub[outcome].std() == 0:
                rows.append({"importance": np.nan, "importance_ci_low": np.nan, "importance_ci_high": np.nan})
                continue
            r = pg.corr(sub[c], sub[outcome])
            lo, hi = r["CI95"].iloc[0]
            rows.append({"importance": float(r["r"].iloc[0]), "importance_ci_low": float(lo),
                         "importance_ci_high": float(hi)})
        imp = pd.DataFrame(rows, index=cons)
        measure = f"correlation with {_label(cfg, outcome)}"
    perf = []
    for c in cons:
        lo, hi = cfg.constructs[c].scale
        m = stats.mean_ci(own, c, weights=data.weight).iloc[0]
        perf.append({"construct": c, "label": _label(cfg, c),
                     "element_label": ELEMENT_LABELS.get(cfg.constructs[c].element or "", "(driver)"),
                     "performance": float(_pomp(m["mean"], lo, hi)),
                     "performance_ci_low": float(_pomp(m["ci_low"], lo, hi)),
                     "performance_ci_high": float(_pomp(m["ci_high"], lo, hi)),
                     "mean": float(m["mean"]), "mean_ci_low": float(m["ci_low"]),
                     "mean_ci_high": float(m["ci_high"]), "n": int(m["n"])})
    df = pd.DataFrame(perf).join(imp, on="construct")
    df["importance_measure"] = measure
    df = df.dropna(subset=["importance", "performance"])
    if len(df) < 2:
        return None
    out = stats.importance_performance(df, "importance", "performance", "label")
    out["quadrant"] = out["quadrant"].astype(str)
    out = pf.add_reliability_flag(out, reliability, on="construct")
    cols = ["priority", "construct", "label", "element_label", "importance", "importance_ci_low",
            "importance_ci_high", "importance_measure", "performance", "performance_ci_low", "performance_ci_high",
            "mean", "mean_ci_low", "mean_ci_high", "n", "quadrant", "importance_split", "performance_split", "gap",
            "priority_score", "reliability_flag"]
    out.attrs["outcome"] = outcome
    return out[cols]


def fix_first(ipa: pd.DataFrame | None) -> pd.DataFrame | None:
    """The ranked "fix first" list.

    Returns
    -------
    DataFrame or None
        ``priority, label, quadrant, importance, importance_ci_low, importance_ci_high,
        performance, performance_ci_low, performance_ci_high, gap, priority_score, action,
        reliability_flag`` in priority order: quadrants "Concentrate here", "Keep up the good
        work", "Low priority", "Possible overkill"; within a quadrant by descending
        ``priority_score`` (= importance × gap to the best-performing element), then descending
        importance (the rule of :func:`cem_research.stats.importance_performance`).
    """
    if ipa is None:
        return None
    actions = {"Concentrate here": "fix first: matters and underperforms",
               "Keep up the good work": "protect: matters and performs",
               "Low priority": "monitor: matters less and underperforms",
               "Possible overkill": "reconsider investment: performs but matters less"}
    out = ipa.sort_values("priority", kind="stable").copy()
    out["action"] = out["quadrant"].map(actions)
    return out[["priority", "label", "quadrant", "importance", "importance_ci_low", "importance_ci_high",
                "performance", "performance_ci_low", "performance_ci_high", "gap", "priority_score", "action",
                "reliability_flag"]].reset_index(drop=True)


def ipa_finding(ipa: pd.DataFrame | None, brand: str) -> dict:
    """Plain-words finding for the importance–performance section: what to fix first, with its
    importance and performance intervals."""
    first = ipa.sort_values("priority").iloc[0]
    conc = ipa[ipa["quadrant"] == "Concentrate here"]
    imp_pct = "share of R²" in str(first["importance_measure"])
    fmt = (lambda v: _pct(v)) if imp_pct else (lambda v: _fmt(v))
    imp_txt = (f"importance {fmt(first['importance'])} (95% CI {fmt(first['importance_ci_low'])} to "
               f"{fmt(first['importance_ci_high'])}; {first['importance_measure']})")
    perf_txt = (f"performance {first['performance']:.0f}/100 (95% CI {first['performance_ci_low']:.0f} to "
                f"{first['performance_ci_high']:.0f})")
    if len(conc):
        text = (f"Fix first for {brand}: {first['label']} – above-average importance but below-average performance: "
                f"{imp_txt}, {perf_txt}.")
        if len(conc) > 1:
            text += f" Also in 'Concentrate here': {_join(conc['label'].iloc[1:].tolist())}."
    else:
        text = (f"No brand element combines above-average importance with below-average performance for {brand}; "
                f"the top priority is {first['label']} ({first['quadrant']}): {imp_txt}, {perf_txt}.")
    if first["reliability_flag"]:
        text += f" Caution: {first['reliability_flag']}."
    return {"text": text, "headline": bool(len(conc)), "key": "fix_first", "value": float(first["importance"]),
            "ci": (float(first["importance_ci_low"]), float(first["importance_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# 7. segment differences
# ---------------------------------------------------------------------------------------------


def brand_experience_constructs(cfg: "ClientConfig") -> list[str]:
    """The brand-experience dimensions compared across segments: the experience dimensions
    (:func:`cem_research.steps.platform.experience_dimensions`) followed by the element constructs."""
    dims = pf.experience_dimensions(cfg)[0]
    els = [c for names in element_constructs(cfg).values() for c in names]
    return list(dict.fromkeys([*dims, *els]))


def _groups(frame: pd.DataFrame, seg: str, value: str, min_group: int) -> pd.DataFrame:
    sub = frame[[seg, value]].dropna()
    counts = sub[seg].value_counts()
    keep = counts[counts >= min_group].index
    sub = sub[sub[seg].isin(keep)].copy()
    sub[seg] = sub[seg].astype(str)
    return sub


def _group_reliability(frame: pd.DataFrame, seg: str, items: list[str], groups: list[str],
                       threshold: float) -> tuple[float, list[str]]:
    if len(items) < 2:
        return np.nan, []
    alphas = {}
    for g in groups:
        r = stats.reliability(frame[frame[seg].astype(str) == g], items, threshold=threshold)
        alphas[g] = float(r["alpha"].iloc[0])
    low = [g for g, a in alphas.items() if np.isfinite(a) and a < threshold]
    finite = [a for a in alphas.values() if np.isfinite(a)]
    return (min(finite) if finite else np.nan), low


def _extreme_pair(sub: pd.DataFrame, value: str, seg: str, means: pd.Series) -> dict:
    """Games-Howell comparison of the highest- and lowest-scoring groups (Welch CI of the pair).

    ``pingouin.pairwise_gameshowell`` gives the family-wise p-value over all pairs; the interval is
    the per-pair Welch interval ``diff ± t(df) · se`` from the same standard error and df (the
    simultaneous Games-Howell interval of :func:`cem_research.stats.compare_groups` needs a
    studentized-range quantile per pair, which costs about a second each).
    """
    hi, lo = means.idxmax(), means.idxmin()
    gh = pg.pairwise_gameshowell(data=sub, dv=value, between=seg)
    row = gh[((gh["A"] == hi) & (gh["B"] == lo)) | ((gh["A"] == lo) & (gh["B"] == hi))].iloc[0]
    sign = 1.0 if row["A"] == hi else -1.0
    diff = sign * float(row["diff"])
    half = float(sps.t.ppf(0.975, float(row["df"]))) * float(row["se"])
    return {"pair": f"{hi} vs {lo}", "pair_diff": diff, "pair_ci_low": diff - half, "pair_ci_high": diff + half,
            "pair_hedges": sign * float(row["hedges"]), "pair_p": float(row["pval"])}


def segment_pairs(data: "ClientData", segments: pd.DataFrame | None, significant_only: bool = True,
                  min_group: int = MIN_GROUP, max_rows: int = 5) -> pd.DataFrame | None:
    """All Games-Howell pairs for the segment × construct rows of :func:`segment_differences`.

    Returns
    -------
    DataFrame or None
        ``segment, label`` and the :func:`cem_research.stats.compare_groups` columns (``A, B,
        n_A, n_B, mean_A, mean_B, diff, ci_low, ci_high`` – simultaneous Games-Howell interval –
        ``hedges, p_unc, p_gameshowell, p_corr``), for the rows whose omnibus test is significant
        after Holm (all rows with ``significant_only=False``), at most ``max_rows`` rows with the
        largest effects (each needs a studentized-range quantile per pair, about a second).
        ``None`` when there are none.
    """
    if segments is None or segments.empty:
        return None
    rows = segments[segments["significant"]] if significant_only else segments
    rows = rows.sort_values("effect", ascending=False).head(max_rows)
    if rows.empty:
        return None
    own = data.own
    parts = []
    for r in rows.itertuples():
        sub = _groups(own, r.segment, r.dimension, min_group)
        t = stats.compare_groups(sub, r.dimension, r.segment)
        t.insert(0, "segment", r.segment)
        t.insert(1, "label", r.label)
        parts.append(t.drop(columns=["dv"]))
    return pd.concat(parts, ignore_index=True)


def segment_differences(data: "ClientData", constructs: list[str] | None = None, min_group: int = MIN_GROUP,
                        threshold: float = pf.RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Do the brand-experience dimensions differ across each declared segment? (own brand rows)

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`brand_experience_constructs`.
    min_group : int, default 5
        Segment groups with fewer answers are left out.
    threshold : float, default 0.70
        Alpha below this *within any compared group* flags the construct for that segment.

    Returns
    -------
    DataFrame or None
        One row per segment × construct: ``segment, segment_label, dimension, label, test, k, n,
        statistic, df1, df2, p_unc, p_corr, significant, effect, effect_measure, highest_group,
        highest_mean, lowest_group, lowest_mean, pair, pair_diff, pair_ci_low, pair_ci_high,
        pair_hedges, pair_p, min_group_alpha, unreliable_in, reliability_flag``.  ``None`` when
        the client declares no segments (or no segment has two groups of ``min_group``).

    Notes
    -----
    Test: Welch's ANOVA (:func:`cem_research.stats.omnibus`; effect ω²) unless the smallest group
    has fewer than 15 answers or the within-group residuals are clearly skewed (|skewness| > 1),
    then Kruskal–Wallis (``pingouin.kruskal``; effect :math:`\\eta^2_H = (H - k + 1)/(n - k)`,
    Tomczak & Tomczak 2014, floored at 0).  ``p_corr``: Holm over every segment × construct
    row.  ``pair``: the highest- vs the lowest-scoring group, with the difference, its Welch 95% CI,
    Hedges g and the Games–Howell p-value (``pingouin.pairwise_gameshowell``; every pair with the
    simultaneous interval: :func:`segment_pairs`).
    ``unreliable_in`` lists the groups in which the construct's raw alpha is below ``threshold``;
    ``reliability_flag`` joins that with the overall flag.
    """
    cfg = data.config
    if not cfg.segments:
        return None
    cons = list(constructs) if constructs is not None else brand_experience_constructs(cfg)
    own = data.own
    rows = []
    for seg, seg_label in cfg.segments.items():
        if seg not in own:
            continue
        for c in cons:
            sub = _groups(own, seg, c, min_group)
            groups = list(pd.unique(sub[seg]))
            if len(groups) < 2:
                continue
            try:
                groups = sorted(groups)
            except TypeError:
                pass
            sizes = sub[seg].value_counts()
            resid = sub[c] - sub.groupby(seg)[c].transform("mean")
            skew = float(sps.skew(resid)) if resid.std() > 0 else 0.0
            means = sub.groupby(seg)[c].mean()
            if sizes.min() < SMALL_GROUP or abs(skew) > SKEW_LIMIT:
                kw = pg.kruskal(data=sub, dv=c, between=seg)
                h = float(kw["H"].iloc[0])
                n, k = len(sub), len(groups)
                row = {"test": "Kruskal-Wallis", "statistic": h, "df1": float(kw["ddof1"].iloc[0]), "df2": np.nan,
                       "p_unc": float(kw["p_unc"].iloc[0]), "effect": max(0.0, (h - k + 1) / (n - k)) if n > k else np.nan,
                       "effect_measure": "eta2_H"}
            else:
                om = stats.omnibus(sub, c, seg).iloc[0]
                row = {"test": "Welch ANOVA", "statistic": float(om["F"]), "df1": float(om["ddof1"]),
                       "df2": float(om["ddof2"]), "p_unc": float(om["p_unc"]), "effect": float(om["omega2"]),
                       "effect_measure": "omega2"}
            best = _extreme_pair(sub, c, seg, means)
            min_alpha, low = _group_reliability(own[own[seg].astype(str).isin(groups)], seg,
                                                list(cfg.constructs[c].items), groups, threshold)
            rows.append({"segment": seg, "segment_label": seg_label, "dimension": c, "label": _label(cfg, c),
                         "k": len(groups), "n": int(len(sub)), **row,
                         "highest_group": means.idxmax(), "highest_mean": float(means.max()),
                         "lowest_group": means.idxmin(), "lowest_mean": float(means.min()),
                         **best,
                         "min_group_alpha": min_alpha, "unreliable_in": ", ".join(map(str, low))})
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm")
    rel = pf.reliability_table(data, threshold=threshold)
    overall = pf.add_reliability_flag(out[["dimension"]], rel, on="dimension")["reliability_flag"]
    out["reliability_flag"] = [
        "; ".join(x for x in (o, f"alpha < {threshold:.2f} in {u}".replace("0.", ".") if u else "") if x)
        for o, u in zip(overall, out["unreliable_in"])]
    cols = ["segment", "segment_label", "dimension", "label", "test", "k", "n", "statistic", "df1", "df2", "p_unc",
            "p_corr", "significant", "effect", "effect_measure", "highest_group", "highest_mean", "lowest_group",
            "lowest_mean", "pair", "pair_diff", "pair_ci_low", "pair_ci_high", "pair_hedges", "pair_p",
            "min_group_alpha", "unreliable_in", "reliability_flag"]
    return out[cols]


def segment_means(data: "ClientData", constructs: list[str] | None = None,
                  min_group: int = MIN_GROUP, reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Means (95% CI) of the brand-experience constructs per segment group (own brand rows).

    Returns
    -------
    DataFrame or None
        ``segment, segment_label, group, dimension, label, n, mean, sd, ci_low, ci_high, series,
        reliability_flag`` (``series`` = "group (n = …)" for chart legends; the flag is the
        construct's overall one, from ``reliability``).  ``None`` without segments.
    """
    cfg = data.config
    if not cfg.segments:
        return None
    cons = list(constructs) if constructs is not None else brand_experience_constructs(cfg)
    own = data.own
    parts = []
    for seg, seg_label in cfg.segments.items():
        if seg not in own:
            continue
        counts = own[seg].value_counts()
        keep = sorted(map(str, counts[counts >= min_group].index))
        if len(keep) < 2:
            continue
        frame = own[own[seg].astype(str).isin(keep)].copy()
        frame[seg] = pd.Categorical(frame[seg].astype(str), categories=keep, ordered=True)
        for c in cons:
            m = stats.mean_ci(frame, c, by=seg, weights=data.weight).rename(columns={seg: "group"})
            m["group"] = m["group"].astype(str)
            m.insert(0, "segment", seg)
            m.insert(1, "segment_label", seg_label)
            m.insert(3, "dimension", c)
            m.insert(4, "label", _label(cfg, c))
            parts.append(m.drop(columns=["n_eff"]))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    sizes = {(s, g): int(n) for s, g, n in
             own.melt(value_vars=[s for s in cfg.segments if s in own], var_name="segment", value_name="group")
             .dropna().astype(str).value_counts(["segment", "group"]).reset_index().itertuples(index=False)}
    out["series"] = [f"{g} (n = {sizes.get((s, g), 0):,})" for s, g in zip(out["segment"], out["group"])]
    return pf.add_reliability_flag(out, reliability, on="dimension")


def group_palette(means: pd.DataFrame) -> dict[str, str]:
    """Distinct colours (never the own-brand red) per ``series`` of :func:`segment_means`."""
    colors = ["#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2", "#828282", "#219653", "#bb6bd9"]
    return {s: colors[i % len(colors)] for i, s in enumerate(pd.unique(means["series"]))}


def segment_finding(seg: pd.DataFrame) -> dict:
    """Plain-words finding for the segment section: how many segment × dimension differences
    survive Holm correction, and the largest one with its effect size and pair difference."""
    sig = seg[seg["significant"]]
    base = (f"{len(sig)} of {len(seg)} segment × dimension comparisons differ after Holm correction "
            f"({seg['segment'].nunique()} segment(s), own-brand rows).")
    pick = (sig if len(sig) else seg).sort_values("effect", ascending=False).iloc[0]
    detail = (f"{pick['label']} by {pick['segment_label']}: {pick['highest_group']} {pick['highest_mean']:.2f} vs "
              f"{pick['lowest_group']} {pick['lowest_mean']:.2f} ({pick['test']}, {pick['effect_measure']} = "
              f"{pick['effect']:.3f}, Holm {_p(pick['p_corr'])}; difference {pick['pair']}: "
              f"{_signed(pick['pair_diff'])}, {_ci(pick['pair_ci_low'], pick['pair_ci_high'])}, "
              f"g = {_fmt(pick['pair_hedges'])})")
    text = base + (f" Largest: {detail}." if len(sig) else f" The largest (not significant): {detail}.")
    flagged = seg[seg["unreliable_in"].astype(bool)]
    if len(flagged):
        counts = flagged.assign(g=flagged["unreliable_in"].str.count(",") + 1).groupby("label", sort=True)["g"].sum()
        text += (" Alpha falls below .70 within some compared groups for "
                 + _join([f"{lab} ({g} group{'s' if g > 1 else ''})" for lab, g in counts.items()])
                 + "; read those segment comparisons with care.")
    return {"text": text, "headline": bool(len(sig)), "key": "segment_effect", "value": float(pick["pair_diff"]),
            "ci": (float(pick["pair_ci_low"]), float(pick["pair_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# optional sections (kano, modules, audit): shown only for clients that declare them
# ---------------------------------------------------------------------------------------------


