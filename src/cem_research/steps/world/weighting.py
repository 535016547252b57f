"""Step 1's "Survey weighting" section, and the note on unweighted analyses of notebooks 01, 02 and 05.

The weights themselves are computed while the client is processed
(:mod:`cem_research.stats.weighting`, from the ``weighting:`` spec parsed into ``cfg.weighting``);
this module shows what they correct and what they cost.  A client without ``weighting:`` gets
nothing: no heading, no finding (:class:`~cem_research.steps.optional.OptionalSection`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Section, Settings, Shown

STEP = 1
SECTION = "Survey weighting"

__all__ = ["STEP", "SECTION", "SurveyWeighting", "WeightingResult", "UnweightedNote", "is_declared",
           "margins_table", "weight_summary", "weighting_finding", "weighting_figure", "section_intro",
           "unweighted_note"]


def is_declared(data) -> bool:
    """Whether the client declares ``weighting:`` (the section appears only then)."""
    return data.config.weighting is not None


def _wave_groups(data, spec: WeightingSpec) -> list[tuple[str, pd.DataFrame]]:
    own = data.own
    if spec.by_wave:
        return [(str(w), own[own["wave"] == w]) for w in data.waves if (own["wave"] == w).any()]
    return [("all waves", own)]


def margins_table(data) -> pd.DataFrame | None:
    """Sample, target and weighted share of every level of every weighting column.

    Returns
    -------
    DataFrame or None
        ``wave, column, column_label, level, n, sample_share, target, weighted_share, gap`` for the
        own-brand rows (per wave with ``by_wave: true``, else ``wave = "all waves"``); ``gap =
        weighted_share - target`` (zero when raking converged). ``None`` without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    cfg = data.config
    spec = cfg.weighting
    rows = []
    for wave, sub in _wave_groups(data, spec):
        w = sub["weight"].to_numpy(dtype=float)
        for col, shares in spec.targets.items():
            vals = sub[col].astype(str).to_numpy()
            for lv, t in shares.items():
                hit = vals == lv
                rows.append({"wave": wave, "column": col, "column_label": cfg.segments.get(col, col), "level": lv,
                             "n": int(hit.sum()), "sample_share": float(hit.mean()) if len(hit) else np.nan,
                             "target": t, "weighted_share": float(w[hit].sum() / w.sum()) if len(w) else np.nan})
    out = pd.DataFrame(rows)
    out["gap"] = out["weighted_share"] - out["target"]
    return out


def weight_summary(data) -> pd.DataFrame | None:
    """Distribution of the weights and what they cost in precision, per wave (own brand).

    Returns
    -------
    DataFrame or None
        ``wave, n, min, max, cv, n_eff, deff, trimmed, iterations, converged``: ``cv`` the
        coefficient of variation of the weights (SD / mean, population SD), ``n_eff`` Kish's
        effective sample size (:func:`cem_research.stats.effective_sample_size`), ``deff = n /
        n_eff = 1 + cv²`` the design effect due to weighting, ``trimmed`` weights at a trim bound;
        ``iterations``/``converged`` of the raking (from ``meta.json``).  With more than one wave
        a last row ``all waves`` pools them (the basis of the pooled estimates).  ``None``
        without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    from cem_research.stats import effective_sample_size

    spec = data.config.weighting
    info = {w["wave"]: w for w in (data.meta.get("weighting") or {}).get("waves", [])}
    own = data.own
    groups = [(str(w), own[own["wave"] == w]) for w in data.waves if (own["wave"] == w).any()]
    if len(groups) > 1 or not groups:
        groups.append(("all waves", own))
    rows = []
    for wave, sub in groups:
        w = sub["weight"].to_numpy(dtype=float)
        n_eff = effective_sample_size(w)
        at = (np.isclose(w / w.mean(), spec.trim[0]) | np.isclose(w / w.mean(), spec.trim[1])) if spec.trim else []
        i = info.get(wave, {})
        rows.append({"wave": wave, "n": int(w.size), "min": float(w.min()), "max": float(w.max()),
                     "cv": float(w.std() / w.mean()), "n_eff": n_eff, "deff": w.size / n_eff,
                     "trimmed": int(np.sum(at)), "iterations": i.get("iterations", np.nan),
                     "converged": i.get("converged", np.nan)})
    out = pd.DataFrame(rows)
    out["iterations"] = out["iterations"].astype("Int64") if out["iterations"].notna().any() else ""
    out["converged"] = out["converged"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
    return out


def weighting_finding(margins: pd.DataFrame | None, summary: pd.DataFrame | None) -> dict:
    """The sentence for "Survey weighting": what the weights correct, and what they cost.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record``: ``key="weighting_deff"``, value = the design
        effect of the pooled own-brand sample (no interval).
    """
    if margins is None or summary is None or margins.empty:
        return {"text": "No survey weights were computed.", "key": "weighting_deff", "value": None, "ci": None,
                "headline": False}
    m = margins.assign(raw_gap=(margins["sample_share"] - margins["target"]).abs())
    worst = m.loc[m["raw_gap"].idxmax()]
    cols = list(dict.fromkeys(margins["column_label"]))
    pooled = summary.iloc[-1]
    by_wave = (margins["wave"] != "all waves").any()
    text = (f"Own-brand respondents are weighted (raking{' per wave' if by_wave else ''}) to the target shares of "
            f"{nv.join(cols)}. The largest imbalance corrected: '{worst['level']}' of {worst['column_label']}"
            f"{'' if worst['wave'] == 'all waves' else ' in ' + str(worst['wave'])} made up "
            f"{nv.pct(worst['sample_share'])} of the sample against a target of {nv.pct(worst['target'])}. "
            f"Weights range from {nv.num(summary['min'].min())} to {nv.num(summary['max'].max())} (CV "
            f"{nv.num(pooled['cv'])}); the design effect of {nv.num(pooled['deff'])} means the {int(pooled['n']):,} "
            f"own-brand ratings carry the precision of {nv.num(pooled['n_eff'], 0)} unweighted ones.")
    gap = margins["gap"].abs().max()
    if gap > 0.005:
        g = margins.loc[margins["gap"].abs().idxmax()]
        text += (f" The targets are not fully met: {g['column_label']} '{g['level']}'"
                 f"{'' if g['wave'] == 'all waves' else ' in ' + str(g['wave'])} is weighted to "
                 f"{nv.pct(g['weighted_share'], 1)} against {nv.pct(g['target'], 1)} (the trim bounds keep the "
                 "weights from going further; widen 'trim' or collect more of that group).")
    else:
        text += " Every weighted margin matches its target."
    return {"text": text, "key": "weighting_deff", "value": float(pooled["deff"]), "ci": None, "headline": False}


def weighting_figure(data):
    """Distribution of the own-brand weights per wave (strip of dots and box), trim bounds dashed
    (:func:`cem_research.present.plots.optional.weights_by_wave`).

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    from cem_research.present.plots import optional as charts

    own = data.own
    return charts.weights_by_wave(own, [w for w in data.waves if (own["wave"] == w).any()],
                                  data.config.weighting.trim)


def section_intro(data) -> "nv.SectionMarkdown | None":
    """The heading and explanation of the "Survey weighting" section, only when declared.

    Returned as a :class:`~cem_research.present.narrative.SectionMarkdown` the notebook displays: clients without ``weighting:`` get nothing,
    so their notebook and report do not change.
    """
    if not is_declared(data):
        return None
    spec = data.config.weighting
    trim = (f"kept between {spec.trim[0]:g} and {spec.trim[1]:g} times the mean weight (trimmed, then raked "
            "again)" if spec.trim else "not trimmed")
    return nv.SectionMarkdown(
        f"## {SECTION}\n\n"
        "**What is computed.** The client declared the true make-up of its customer base (target shares in "
        "`client.yaml`). Surveys rarely hit it: some groups answer more readily than others. Each own-brand "
        "respondent gets a **weight** so that the weighted sample has the target shares on every declared "
        "column at once — by *raking* (iterative proportional fitting: adjust to one column's targets, then "
        f"the next, and repeat until all match){' in each wave separately' if spec.by_wave else ''}. "
        f"Weights are normalised to a mean of 1 and {trim}. Means, shares, NPS and group comparisons use "
        "these weights; competitors' raters keep weight 1. Analyses that cannot take them (reliability, "
        "relative importance, touchpoint events and verbatims) are named in a note at the top of each step.\n\n"
        "**How to read it.** The first table compares the sample's shares with the targets and the weighted "
        "shares (which should equal the targets). The second shows the weights' spread: the more they vary "
        "(CV), the less precise the weighted estimates — Kish's *effective sample size* n_eff = (Σw)²/Σw² is "
        "the number of unweighted respondents that would give the same precision, and the *design effect* "
        "n / n_eff = 1 + CV² says by how much the variance grows. **What would change the conclusion.** "
        "Weighting corrects the mix only on the declared columns, and only if respondents within a group are "
        "like the non-respondents of that group; a design effect above 2, or a group with very few "
        "respondents and a large target, makes weighted results fragile.")


_NOTES = {
    1: ("the Welch ANOVA of segment differences (weights enter the segment means, shares and "
        "Games-Howell pairs), the reliability of constructs within segments (Cronbach's alpha), and the "
        "journey and comment-sentiment sections (touchpoint events and verbatims are not survey rows and "
        "carry no survey weight)"),
    2: ("reliability and item analysis (Cronbach's alpha, item-total correlations), driver importance "
        "(LMG / Shapley and Johnson's relative weights, with their bootstrap intervals) and the "
        "implementation theme (verbatims)"),
    3: ("the rank-based (Kruskal-Wallis) rows and the reliability within groups in the segment "
        "differences, the importance axis of the brand-element importance-performance analysis (LMG) and "
        "the verbatim analyses"),
    4: ("the touchpoint, journey and verbatim analyses (touchpoint events and comments are not survey rows "
        "and carry no survey weight)"),
    5: ("the reliability of constructs within waves (Cronbach's alpha), the driver shares (LMG) quoted in "
        "the innovation agenda's evidence (its gains use the weighted regression), the touchpoint analysis "
        "(touchpoint events) and emerging themes (verbatims)"),
}


def unweighted_note(data, step: int):
    """A one-off note naming the analyses of a notebook that do not use the survey weights.

    Returns
    -------
    IPython.display.Markdown or None
        ``None`` when the data carry no weights (then nothing is shown) or for a step without a note.
    """
    if getattr(data, "weight", None) is None or step not in _NOTES:
        return None
    from IPython.display import Markdown

    return Markdown(f"*Survey weights are used for every estimate and test that supports them. Unweighted: "
                    f"{_NOTES[step]} — these methods have no weighted form here.*")


MARGINS_CAPTION = "Sample, target and weighted shares per weighting column (own brand)"
SUMMARY_CAPTION = "Weights per wave: range, CV, Kish effective n and design effect"


@dataclass(frozen=True)
class WeightingResult:
    """The tables of the "Survey weighting" section.

    Attributes
    ----------
    margins : DataFrame
        :func:`margins_table`.
    summary : DataFrame
        :func:`weight_summary`.
    """

    margins: pd.DataFrame
    summary: pd.DataFrame


class SurveyWeighting(OptionalSection):
    """Survey weighting (step 1): sample, target and weighted shares, the weights' spread and cost.

    Shown only for clients that declare ``weighting:``.
    """

    step = STEP
    title = SECTION
    option = "weighting"

    def data_skip_reason(self, data, settings: Settings) -> str | None:
        if "weight" not in data.ratings:
            return "the client declares weighting: but the processed ratings carry no weight column"
        return None

    def compute(self, data, settings: Settings) -> WeightingResult:
        return WeightingResult(margins_table(data), weight_summary(data))

    def findings(self, result: WeightingResult, data, settings: Settings) -> list[dict]:
        return [weighting_finding(result.margins, result.summary)]

    def present(self, result: WeightingResult, data, settings: Settings) -> list[Shown]:
        waves = list(result.summary["wave"][result.summary["wave"] != "all waves"])
        return [
            Shown("markdown", section_intro(data), layer="appendix"),
            Shown("table", result.margins.drop(columns=["column"]), MARGINS_CAPTION,
                  {"percent": ("sample_share", "target", "weighted_share", "gap")}, layer="appendix"),
            Shown("table", result.summary, SUMMARY_CAPTION, layer="appendix"),
            Shown("figure", weighting_figure(data),
                  "Box and dot plot: survey weights of the own brand's respondents in each wave "
                  f"({nv.join(waves) or 'all waves'}), with the trim bounds dashed and the mean weight 1 marked"),
            # the client's compact table: what the weighting costs in precision, per wave
            Shown("table", result.summary[["wave", "n", "n_eff", "deff", "converged"]],
                  "Precision after weighting: respondents, Kish effective n and design effect per wave"),
        ]


class UnweightedNote(Section):
    """The one-off note at the top of a notebook naming its analyses that do not use the survey weights.

    Not a report section of its own (no heading, no finding): ``UnweightedNote(step).run(data)``
    shows the note when the data carry survey weights, and nothing otherwise.
    """

    title = "Unweighted analyses"

    def __init__(self, step: int):
        self.step = step

    @property
    def key(self) -> str:
        return f"UnweightedNote{self.step}"

    def skip_reason(self, data, settings: Settings) -> str | None:
        return None if unweighted_note(data, self.step) else "the data carry no survey weights"

    def compute(self, data, settings: Settings):
        return unweighted_note(data, self.step)

    def present(self, result, data, settings: Settings) -> list[Shown]:
        return [Shown("markdown", result, layer="appendix")]

    def run(self, data, settings: Settings | None = None, *, show: bool = True):
        """Show the note when there is one; record nothing (not even a skip line)."""
        settings = settings or Settings()
        if self.skip_reason(data, settings) is not None:
            return None
        return super().run(data, settings, show=show)
