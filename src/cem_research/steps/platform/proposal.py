"""The experiential platform: a data-driven proposal for positioning, value promise and theme.

Every experience dimension is scored on three criteria (:func:`positioning_candidates`: strong,
drives outcomes, differs from competitors); the proposal (:func:`propose_platform`) takes the
dimensions meeting every assessable criterion as the positioning, the best of them as the
experiential value promise (EVP), and the characteristic words of the brand's most positive
verbatims as the start of the implementation theme (:func:`implementation_theme`).  The researcher
edits the wording (:func:`apply_override`); the evidence stays attached.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.steps.platform.common import ELEMENTS, POSITIVE_COMPOUND, STEP
from cem_research.steps.platform.drivers import Drivers
from cem_research.steps.platform.profile import ExperientialProfile
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

__all__ = ["positioning_candidates", "implementation_theme", "PlatformProposal", "propose_platform",
           "apply_override", "platform_findings", "ExperientialPlatform"]


def positioning_candidates(data: "ClientData", profile: pd.DataFrame, tests: pd.DataFrame | None,
                           importance: pd.DataFrame | None) -> pd.DataFrame:
    """Score every experience dimension on the three positioning criteria.

    Returns
    -------
    DataFrame
        One row per dimension, best candidate first: ``dimension, label, mean, ci_low, ci_high,
        midpoint, strong, competitor_mean, diff, diff_ci_low, diff_ci_high, hedges, p_corr,
        differs, importance_share, importance_ci_low, importance_ci_high, drives, criteria_met,
        criteria_assessed, missing, reliability_flag``.

    Notes
    -----
    The criteria:

    * **strong** – the own brand's mean is above the scale midpoint (lower CI limit above it)
      and, with competitors, above the pooled competitor mean;
    * **drives** – the dimension is a driver whose share of explained variance, averaged over
      the outcomes, is at least its fair share ``1 / number of drivers`` (not assessed without
      driver analysis; ``False`` for a dimension that is not a driver);
    * **differs** – the own brand is significantly above the pooled competitors (Welch,
      Holm-corrected over the profile table; not assessed without competitors).

    Ranking: number of criteria met (descending), then importance share, then the difference
    to competitors (both descending), then the own mean.
    """
    own = profile[(profile["level"] == "brand") & (profile["brand_kind"] == "own")].set_index("dimension")
    dims = list(own.index)
    out = pd.DataFrame({"dimension": dims, "label": [own.loc[d, "label"] for d in dims]})
    out["mean"] = [own.loc[d, "mean"] for d in dims]
    out["ci_low"] = [own.loc[d, "ci_low"] for d in dims]
    out["ci_high"] = [own.loc[d, "ci_high"] for d in dims]
    out["midpoint"] = [(own.loc[d, "scale_min"] + own.loc[d, "scale_max"]) / 2 for d in dims]
    comp = profile[profile["level"] == "all competitors"].set_index("dimension")
    out["competitor_mean"] = [comp.loc[d, "mean"] if d in comp.index else np.nan for d in dims]
    above_mid = out["ci_low"] > out["midpoint"]
    above_comp = out["competitor_mean"].isna() | (out["mean"] > out["competitor_mean"])
    out["strong"] = (above_mid & above_comp).astype(bool)
    has_tests = tests is not None and not tests.empty
    if has_tests:
        pooled = tests[tests["level"] == "all competitors"].set_index("dimension")
        for col, src in (("diff", "diff"), ("diff_ci_low", "ci_low"), ("diff_ci_high", "ci_high"),
                         ("hedges", "hedges"), ("p_corr", "p_corr")):
            out[col] = [pooled.loc[d, src] if d in pooled.index else np.nan for d in dims]
        out["differs"] = [(bool(pooled.loc[d, "significant"]) and pooled.loc[d, "diff"] > 0)
                          if d in pooled.index else False for d in dims]
    else:
        for col in ("diff", "diff_ci_low", "diff_ci_high", "hedges", "p_corr"):
            out[col] = np.nan
        out["differs"] = False
    has_imp = importance is not None and not importance.empty
    if has_imp:
        imp = importance.groupby("driver").agg(importance_share=("share", "mean"),
                                               importance_ci_low=("share_ci_low", "mean"),
                                               importance_ci_high=("share_ci_high", "mean"))
        out = out.join(imp, on="dimension")
        fair = 1.0 / importance["driver"].nunique()
        out["drives"] = (out["importance_share"] >= fair - 1e-12).fillna(False).astype(bool)
    else:
        out["importance_share"] = out["importance_ci_low"] = out["importance_ci_high"] = np.nan
        out["drives"] = False
    out["criteria_met"] = out["strong"].astype(int) + out["drives"].astype(int) * has_imp \
        + out["differs"].astype(int) * has_tests
    out["criteria_assessed"] = 1 + int(has_imp) + int(has_tests)

    def missing(row):
        names = []
        if not row["strong"]:
            names.append("strong")
        if has_imp and not row["drives"]:
            names.append("drives outcomes")
        if has_tests and not row["differs"]:
            names.append("differs from competitors")
        return ", ".join(names)

    out["missing"] = out.apply(missing, axis=1)
    out = out.sort_values(["criteria_met", "importance_share", "diff", "mean"],
                          ascending=[False, False, False, False], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    if "reliability_flag" in profile:
        flags = own["reliability_flag"].to_dict()
        out["reliability_flag"] = out["dimension"].map(flags).fillna("")
    else:
        out["reliability_flag"] = ""
    return out


def _dimension_lexicon(cfg: "ClientConfig", dims: list[str]) -> dict[str, list[str]]:
    """Words that mark a verbatim as being about a dimension: the words of its name and label
    (4+ letters) and, if the client declares an ``aspects:`` entry of the same name, its words."""
    lex = {}
    for d in dims:
        words = set()
        for source in (d, nv.label(cfg, d)):
            words.update(w for w in re.split(r"[^a-z0-9]+", str(source).lower()) if len(w) >= 4)
        words.update((cfg.aspects or {}).get(d, []))
        lex[d] = sorted(words)
    return lex


def implementation_theme(data: "ClientData", dimensions: list[str], min_compound: float = POSITIVE_COMPOUND,
                         top: int = 8, min_docs: int = 5) -> pd.DataFrame | None:
    """Words and phrases customers use about the brand's best experiences.

    Parameters
    ----------
    data : ClientData
    dimensions : list of str
        The proposed positioning dimensions.
    min_compound : float, default 0.5
        A verbatim is *positive* when its VADER compound is at least this.
    top : int, default 8
        Terms kept.
    min_docs : int, default 5
        Fewest positive own-brand verbatims mentioning a dimension needed to use them as the
        target; otherwise every positive own-brand verbatim is used ("overall").

    Returns
    -------
    DataFrame or None
        The :func:`cem_research.text.keyness` columns of the top over-represented terms (sorted by
        G²) plus ``target`` ("mentions <dimensions>" or "overall"), ``n_target``,
        ``n_reference`` and ``example`` (one verbatim using the term, PII-masked and shortened by
        :func:`cem_research.text.safe_text`, then unescaped: display it only through
        :func:`cem_research.present.tables.show`, which escapes).  ``None`` when the client supplies no verbatims or
        fewer than ``min_docs`` positive own-brand verbatims.

    Notes
    -----
    Target: positive own-brand verbatims (compound ≥ ``min_compound``) that mention a positioning
    dimension (by the words of its name/label or the client's ``aspects:`` entry of the same
    name; see ``_dimension_lexicon``), or all positive own-brand verbatims when too few do.
    Reference: every other verbatim (own brand's less positive comments and competitors').
    Dropped: terms made only of brand-name words; single words of the VADER sentiment lexicon
    ("great", "love" ...: they separate the positive target by construction and say nothing
    about *what* customers value); an n-gram found in exactly the same number of target
    documents as a better-ranked term it shares a word with.  Keyness is Dunning's G² on document
    counts with Benjamini–Hochberg FDR (:func:`cem_research.text.keyness`); unigrams and
    bigrams; at least 3 documents per term.
    """
    from cem_research import text as tx

    fb = data.feedback
    if fb is None or fb.empty or "compound" not in fb:
        return None
    cfg = data.config
    own = fb["brand"].fillna(cfg.brand) == cfg.brand
    positive = own & (fb["compound"] >= min_compound)
    if positive.sum() < min_docs:
        return None
    target_mask = positive.copy()
    target = "overall"
    if dimensions:
        lex = _dimension_lexicon(cfg, dimensions)
        m = tx.aspect_mentions(fb.loc[positive, ["text"]], "text", lexicon=lex, keep=[])
        hit = fb.index.isin(m.index)
        if (positive & hit).sum() >= min_docs:
            target_mask = positive & hit
            target = "mentions " + nv.join([nv.label(cfg, d) for d in dimensions])
    tgt, ref = fb.loc[target_mask, "text"], fb.loc[~target_mask, "text"]
    if len(ref) == 0:
        return None
    k = tx.keyness(tgt, ref, ngram_range=(1, 2), min_count=3)
    k = k[k["direction"] == "over"]
    brand_words = set()
    for b in cfg.brands:
        brand_words.update(tx.tokenize(b, stopwords=False))
    k = k[~k["term"].map(lambda t: all(w in brand_words for w in t.split()))]
    valence = tx.sentiment_analyzer().lexicon
    k = k[~k["term"].map(lambda t: " " not in t and t in valence)]
    kept, seen = [], []
    for r in k.itertuples():
        words = set(r.term.split())
        if any(words & w and r.target_docs == d for w, d in seen):
            continue  # the same documents as a kept overlapping n-gram: redundant
        kept.append(r.Index)
        seen.append((words, r.target_docs))
        if len(kept) == top:
            break
    k = k.loc[kept].reset_index(drop=True)
    k["target"] = target
    k["n_target"] = int(len(tgt))
    k["n_reference"] = int(len(ref))

    def example(term):
        pat = re.compile(r"\b" + r"\W+".join(map(re.escape, term.split())) + r"\b", re.IGNORECASE)
        for t in tgt:
            if isinstance(t, str) and pat.search(t):
                # masked and shortened; unescaped because tables.show escapes once more
                return html.unescape(tx.safe_text(t, max_chars=160))
        return ""

    k["example"] = k["term"].map(example)
    return k


@dataclass(frozen=True)
class PlatformProposal:
    """A proposed experiential platform with its evidence.

    Attributes
    ----------
    table : DataFrame
        ``element, proposal, evidence, edited`` – one row per platform element
        (:data:`ELEMENTS`).
    markdown : str
        The proposal as a paragraph (client names escaped).
    candidates : DataFrame
        :func:`positioning_candidates`.
    theme : DataFrame or None
        :func:`implementation_theme`.
    positioning : list of str
        The positioning dimensions (construct names).
    evp : str or None
        The dimension of the value promise.
    brand : str
        The own brand's name.
    confidence : float
        Level of the intervals quoted in the evidence.
    """

    table: pd.DataFrame
    markdown: str
    candidates: pd.DataFrame
    theme: pd.DataFrame | None = None
    positioning: list[str] = field(default_factory=list)
    evp: str | None = None
    brand: str = ""
    confidence: float = 0.95

    def _repr_markdown_(self) -> str:  # pragma: no cover - display only
        return self.markdown


def _evidence(row: pd.Series, importance_text: bool = True, confidence: float = 0.95) -> str:
    """The numbers behind one candidate dimension, in words (mean, lead over competitors, importance)."""
    bits = [f"mean {nv.num(row['mean'])} ({nv.ci(row['ci_low'], row['ci_high'], confidence=confidence)}; "
            f"midpoint {row['midpoint']:g})"]
    if np.isfinite(row.get("diff", np.nan)):
        bits.append(f"{nv.signed(row['diff'])} vs competitors "
                    f"({nv.ci(row['diff_ci_low'], row['diff_ci_high'], confidence=confidence)}; "
                    f"g = {nv.num(row['hedges'])}; Holm {nv.p(row['p_corr'])})")
    if importance_text and np.isfinite(row.get("importance_share", np.nan)):
        bits.append(f"{nv.pct(row['importance_share'])} of explained variance in the outcomes "
                    f"({nv.pct_ci(row['importance_ci_low'], row['importance_ci_high'], confidence=confidence)})")
    if row.get("reliability_flag"):
        bits.append(f"caution: {row['reliability_flag']}")
    return "; ".join(bits)


def _markdown(table: pd.DataFrame, brand: str) -> str:
    lines = [f"**Proposed experiential platform for {nv.md(brand)}** (a draft derived from the data; the evidence for each element is in the table below)."]
    for r in table.itertuples():
        lines.append(f"\n* **{nv.md(r.element)}:** {nv.md(r.proposal)}  \n  *Evidence:* {nv.md(r.evidence)}")
    return "\n".join(lines)


def propose_platform(data: "ClientData", profile: pd.DataFrame, tests: pd.DataFrame | None,
                     importance: pd.DataFrame | None, max_positioning: int = 2,
                     theme: pd.DataFrame | None | bool = True, confidence: float = 0.95) -> PlatformProposal:
    """A data-driven proposal for the experiential platform, with the evidence for each element.

    Parameters
    ----------
    data : ClientData
    profile, tests, importance : DataFrame
        :func:`experiential_profile`, :func:`profile_tests` (or ``None``), :func:`driver_importance`
        (or ``None``).
    max_positioning : int, default 2
        At most this many dimensions in the positioning.
    theme : DataFrame, None or True
        The implementation-theme terms; ``True`` (default) computes them with
        :func:`implementation_theme` for the chosen positioning.
    confidence : float, default 0.95
        Level of the intervals (as computed in ``profile``, ``tests`` and ``importance``).

    Returns
    -------
    PlatformProposal

    Notes
    -----
    *Positioning*: the dimensions meeting every assessable criterion of
    :func:`positioning_candidates` (up to ``max_positioning``); if none does, the best-ranked
    dimension with the criteria it misses stated.  *Value promise (EVP)*: the first positioning
    dimension (the one that meets most criteria and matters most for the outcomes).
    *Implementation theme*: the top characteristic terms of positive verbatims
    (:func:`implementation_theme`), or a note that the client supplies no verbatims.
    """
    cfg = data.config
    brand = cfg.brand
    cand = positioning_candidates(data, profile, tests, importance)
    full = cand[cand["criteria_met"] == cand["criteria_assessed"]]
    chosen = full.head(max_positioning) if len(full) else cand.head(1)
    positioning = list(chosen["dimension"])
    labels = [r.label for r in chosen.itertuples()]
    outcomes = nv.join([nv.label(cfg, o) for o in cfg.ordered_outcomes]) or "the outcomes"
    rows = []
    if len(full):
        claims = ["strong"]
        if importance is not None and not importance.empty:
            claims.append(f"drives {outcomes.lower()}")
        if tests is not None and not tests.empty:
            claims.append("sets it apart from competitors")
        prop = (f"Position {brand} on the {nv.join([lab.lower() for lab in labels])} experience: where the brand "
                f"is {nv.join(claims)}.")
    else:
        prop = (f"Tentatively position {brand} on the {labels[0].lower()} experience, the best available "
                f"candidate; it does not yet meet: {chosen.iloc[0]['missing']}.")
    ev = " | ".join(f"{r['label']}: {_evidence(r, confidence=confidence)}" for _, r in chosen.iterrows())
    others = cand[~cand["dimension"].isin(positioning)]
    if len(others):
        ev += " | not chosen: " + "; ".join(f"{r.label} (misses {r.missing or 'nothing'})"
                                            for r in others.itertuples())
    rows.append({"element": ELEMENTS[0], "proposal": prop, "evidence": ev})

    best = chosen.iloc[0]
    evp = best["dimension"]
    prop = f"Promise customers a distinctly {best['label'].lower()} experience with {brand}"
    t = importance[importance["driver"] == evp] if importance is not None and not importance.empty else []
    if len(t):
        top = t.sort_values("share", ascending=False).iloc[0]
        where = f"{top['outcome_label'].lower()} ({nv.pct(top['share'])} of its explained variance)"
        if top["rank"] == 1:
            prop += f" – the strongest driver of {where}."
        elif best["drives"]:
            prop += f" – an experience that drives {where}."
        else:
            prop += (f" – distinctive, but it explains only {nv.pct(top['share'])} of "
                     f"{top['outcome_label'].lower()}: test whether the promise can be made to matter "
                     "before committing to it.")
    else:
        prop += "."
    rows.append({"element": ELEMENTS[1], "proposal": prop,
                 "evidence": f"{best['label']}: {_evidence(best, confidence=confidence)}"})

    if theme is True:
        theme = implementation_theme(data, positioning)
    if theme is not None and len(theme):
        terms = list(theme["term"].head(5))
        sig = theme["significant"].any()
        prop = ("Carry the promise into every touchpoint in the customers' own words: "
                + ", ".join(f"“{t}”" for t in terms) + ".")
        ev = (f"characteristic terms of {int(theme['n_target'].iloc[0])} positive own-brand verbatims "
              f"(compound ≥ {POSITIVE_COMPOUND}; {theme['target'].iloc[0]}) vs {int(theme['n_reference'].iloc[0])} "
              "other verbatims: " + "; ".join(
                  f"{r.term} ({nv.pct(r.target_share)} vs {nv.pct(r.reference_share)}, G² = {r.g2:.1f})"
                  for r in theme.head(5).itertuples())
              + ("" if sig else " (none significant after FDR correction: read as indicative)"))
    elif data.feedback is None:
        prop = ("No verbatims supplied: derive the implementation theme from qualitative research "
                "(interviews, observation) around the value promise.")
        ev = "the client supplies no feedback file"
    else:
        prop = "Too few positive own-brand verbatims to derive a theme from customers' words."
        ev = f"fewer than 5 own-brand verbatims with compound ≥ {POSITIVE_COMPOUND}"
    rows.append({"element": ELEMENTS[2], "proposal": prop, "evidence": ev})
    table = pd.DataFrame(rows)
    table["edited"] = False
    return PlatformProposal(table=table, markdown=_markdown(table, brand), candidates=cand,
                            theme=theme if isinstance(theme, pd.DataFrame) else None,
                            positioning=positioning, evp=evp, brand=brand, confidence=confidence)


def apply_override(proposal: PlatformProposal, override: dict | str | None) -> PlatformProposal:
    """Replace the proposal's wording with the researcher's.

    Parameters
    ----------
    proposal : PlatformProposal
    override : dict, str or None
        ``None``: unchanged.  A dict maps an element (``"Experiential positioning"``,
        ``"Experiential value promise"``, ``"Overall implementation theme"``; or the short keys
        ``positioning``, ``evp``, ``theme``) to new wording; the evidence is kept.  A string
        replaces the whole paragraph (the table's wording stays, marked as not edited).

    Returns
    -------
    PlatformProposal
        A copy; edited rows have ``edited = True``.

    Raises
    ------
    ValueError
        For an unknown element name.
    """
    if override is None:
        return proposal
    if isinstance(override, str):
        return replace(proposal, markdown=override)
    short = {"positioning": ELEMENTS[0], "evp": ELEMENTS[1], "value promise": ELEMENTS[1],
             "theme": ELEMENTS[2], "implementation theme": ELEMENTS[2]}
    table = proposal.table.copy()
    for key, wording in override.items():
        element = short.get(str(key).lower(), key)
        if element not in ELEMENTS:
            raise ValueError(f"unknown platform element {key!r}; use one of {list(ELEMENTS)} "
                             "(or positioning, evp, theme)")
        table.loc[table["element"] == element, "proposal"] = str(wording)
        table.loc[table["element"] == element, "edited"] = True
    return replace(proposal, table=table, markdown=_markdown(table, proposal.brand))


def platform_findings(proposal: PlatformProposal) -> list[dict]:
    """Headline findings for the executive summary: the proposed positioning and the EVP, each
    with its numbers, and the implementation theme.

    Parameters
    ----------
    proposal : PlatformProposal

    Returns
    -------
    list of dict
        Keyword arguments of :func:`cem_research.present.findings.record` (keys ``positioning``,
        ``evp``, ``implementation_theme``).
    """
    cand = proposal.candidates.set_index("dimension")
    tab = proposal.table.set_index("element")
    out = []
    pos = proposal.positioning
    first = cand.loc[pos[0]]
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[0], "edited"] else ""
    out.append({"text": f"Proposed experiential positioning{edited}: {tab.loc[ELEMENTS[0], 'proposal']} "
                        "Evidence – " + "; ".join(f"{cand.loc[d, 'label']}: "
                                                  f"{_evidence(cand.loc[d], confidence=proposal.confidence)}"
                                                  for d in pos) + ".",
                "headline": True, "key": "positioning", "value": float(first["mean"]),
                "ci": (float(first["ci_low"]), float(first["ci_high"]))})
    e = cand.loc[proposal.evp]
    has_imp = np.isfinite(e["importance_share"])
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[1], "edited"] else ""
    out.append({"text": f"Proposed experiential value promise{edited}: {tab.loc[ELEMENTS[1], 'proposal']} "
                        f"Evidence – {_evidence(e, confidence=proposal.confidence)}.",
                "headline": True, "key": "evp",
                "value": float(e["importance_share"]) if has_imp else float(e["mean"]),
                "ci": ((float(e["importance_ci_low"]), float(e["importance_ci_high"])) if has_imp
                       else (float(e["ci_low"]), float(e["ci_high"])))})
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[2], "edited"] else ""
    out.append({"text": f"Overall implementation theme{edited}: {tab.loc[ELEMENTS[2], 'proposal']} "
                        f"Evidence – {tab.loc[ELEMENTS[2], 'evidence']}.",
                "headline": False, "key": "implementation_theme", "value": None, "ci": None})
    return out


class ExperientialPlatform(Section):
    """The experiential platform: positioning candidates, the proposal and its evidence.

    Parameters
    ----------
    override : dict, str or None
        The researcher's wording (:func:`apply_override`); the notebook's ``platform_override``.

    Examples
    --------
    >>> from cem_research.steps.platform import ExperientialPlatform
    >>> ExperientialPlatform(override={"evp": "Warmth."}).key
    "ExperientialPlatform({'evp': 'Warmth.'})"
    """

    step = STEP
    title = "The experiential platform"

    def __init__(self, override: dict | str | None = None):
        self.override = override

    @property
    def key(self) -> str:
        """The class name, with the override when there is one (results are memoised per key)."""
        name = type(self).__name__
        return name if self.override is None else f"{name}({self.override!r})"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        return ExperientialProfile().skip_reason(data, settings)

    def compute(self, data: "ClientData", settings: Settings) -> PlatformProposal:
        profile = ExperientialProfile().result(data, settings)
        drivers = Drivers().result(data, settings)
        proposal = propose_platform(data, profile.profile, profile.tests,
                                    drivers.importance if drivers is not None else None,
                                    confidence=settings.confidence)
        return apply_override(proposal, self.override)

    def findings(self, result: PlatformProposal, data: "ClientData", settings: Settings) -> list[dict]:
        return platform_findings(result)

    def present(self, result: PlatformProposal, data: "ClientData", settings: Settings) -> list[Shown]:
        cols = ["label", "mean", "ci_low", "ci_high", "midpoint", "competitor_mean", "strong", "diff", "p_corr",
                "differs", "importance_share", "importance_ci_low", "importance_ci_high", "drives", "criteria_met",
                "missing", "reliability_flag"]
        shown = [Shown("table", result.candidates[cols], "Positioning candidates: the three criteria per dimension",
                       {"percent": ("importance_share", "importance_ci_low", "importance_ci_high")}, layer="appendix")]
        if result.theme is not None:
            shown.append(Shown("table", result.theme[["term", "target_docs", "target_share", "reference_share",
                                                      "log_ratio", "g2", "p_corr", "example"]],
                               f"Implementation theme: characteristic terms ({result.theme['target'].iloc[0]})",
                               {"percent": ("target_share", "reference_share")}, layer="appendix"))
        shown.append(Shown("markdown", result.markdown, layer="appendix"))
        shown.append(Shown("table", result.table, "The experiential platform: proposal and evidence"))
        return shown
