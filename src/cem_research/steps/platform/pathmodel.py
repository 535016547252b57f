"""The satisfaction-index path model: a PLS path model over the client's constructs (``model:``).

Relative importance (:mod:`.drivers`) splits one outcome's explained variance among its drivers. A
satisfaction-index model (ACSI, Fornell et al. 1996; ECSI, Tenenhaus et al. 2005) instead declares the
chain researchers study -- experience shapes quality and value, they shape satisfaction, satisfaction
shapes loyalty -- and estimates every link at once, with each construct measured by its items. This
section estimates the model the client declares in ``client.yaml`` with
:func:`cem_research.stats.pls.pls_sem` (own brand's rows; seeded percentile bootstrap), and reports
the path coefficients, the total effects on the model's target with their intervals, the measurement
model (loadings, reliability, HTMT) and the importance-performance map (:func:`cem_research.stats.pls.ipma`).
With ``model: {groups: <segment column>}`` it also compares the path coefficients between the segment's
levels (:func:`cem_research.stats.pls.pls_mga`: permutation test, Holm-corrected, after a reliability check
in each group).

It is an optional section: a client without ``model:`` gets nothing (no heading, no skip line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cem_research.present import narrative as nv
from cem_research.stats import pls
from cem_research.steps.optional import OptionalSection
from cem_research.steps.platform.common import STEP
from cem_research.steps.section import Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["SECTION", "RHO_C_MIN", "AVE_MIN", "HTMT_MAX", "MGA_MIN_GROUP", "PathModelResult", "PathModel",
           "fit_model", "compare_groups", "total_effects_on", "path_model_findings", "group_findings",
           "section_intro"]

SECTION = "The satisfaction-index path model"
#: Composite reliability a reflective block should reach (Hair et al. 2022, *A Primer on PLS-SEM*).
RHO_C_MIN = 0.70
#: Average variance extracted a reflective block should reach (Fornell & Larcker 1981).
AVE_MIN = 0.50
#: HTMT above which two constructs may not be distinct (Henseler, Ringle & Sarstedt 2015).
HTMT_MAX = 0.90
#: Respondents a segment level needs to enter the multi-group comparison (smaller levels are left out).
MGA_MIN_GROUP = 30


@dataclass(frozen=True)
class PathModelResult:
    """Result of :class:`PathModel`.

    Attributes
    ----------
    fit : cem_research.stats.pls.PLSResult
        The estimated model (construct names as in ``client.yaml``).
    target : str
        The construct the findings and the importance-performance map lead with.
    ipma : DataFrame
        :func:`cem_research.stats.pls.ipma` on the target.
    mga : cem_research.stats.pls.MGAResult or None
        The comparison of the paths between the levels of ``model.groups`` (None: not declared, or
        fewer than two levels with :data:`MGA_MIN_GROUP` respondents).
    """

    fit: pls.PLSResult
    target: str
    ipma: pd.DataFrame
    mga: "pls.MGAResult | None" = None


def fit_model(data: "ClientData", settings: Settings, n_boot: int | None = None) -> pls.PLSResult:
    """Estimate the client's declared model on the own brand's rows.

    Parameters
    ----------
    data : ClientData
        A client whose ``client.yaml`` declares ``model:``.
    settings : Settings
        Seed and confidence; ``n_boot`` unless the model declares its own.
    n_boot : int, optional
        Resamples (overrides both; 0 for point estimates only).
    """
    cfg = data.config
    model = cfg.model
    blocks = {c: list(cfg.constructs[c].items) for c in cfg.constructs if c in model.constructs}  # declared order
    if n_boot is None:
        n_boot = model.n_boot or settings.n_boot
    return pls.pls_sem(data.own, blocks, model.paths, modes=model.modes, scheme=model.scheme,
                       missing=model.missing, n_boot=int(n_boot), seed=settings.seed,
                       confidence=settings.confidence)


def compare_groups(data: "ClientData", settings: Settings, n_perm: int | None = None) -> "pls.MGAResult | None":
    """Compare the declared model's paths between the levels of ``model.groups`` (own brand's rows).

    Every pair of levels with at least :data:`MGA_MIN_GROUP` respondents, in the segment's declared order;
    ``n_perm`` permutations per pair (default: the model's ``n_boot``, else the report's), seeded with
    ``settings.seed``. ``None`` when no segment is declared or fewer than two levels are large enough.
    """
    cfg = data.config
    model = cfg.model
    col = model.groups
    if col is None or col not in data.own.columns:
        return None
    frame = data.own.copy()
    frame[col] = frame[col].map(lambda v: None if pd.isna(v) else str(v))
    sizes = frame[col].value_counts()
    levels = [lv for lv in cfg.segment_order(col, sizes.index) if sizes[lv] >= MGA_MIN_GROUP]
    if len(levels) < 2:
        return None
    blocks = {c: list(cfg.constructs[c].items) for c in cfg.constructs if c in model.constructs}
    if n_perm is None:
        n_perm = model.n_boot or settings.n_boot
    return pls.pls_mga(frame, blocks, model.paths, col, levels=levels, modes=model.modes, scheme=model.scheme,
                       missing=model.missing, n_perm=max(int(n_perm), 1), seed=settings.seed)


def group_findings(mga: "pls.MGAResult", cfg) -> list[dict]:
    """The multi-group comparison in words: which paths differ (Holm-corrected permutation p < .05) and
    which groups' blocks fall short of the reliability a comparison needs."""
    col = cfg.model.groups
    seg = cfg.segments.get(col) or col

    def lv(v):
        return nv.value_label(cfg, col, v)

    def path(r):
        return f"{nv.label(cfg, r['from'])} → {nv.label(cfg, r['to'])}"

    t = mga.paths
    sig = t[t["significant"]]
    pairs = t[["group_1", "group_2"]].drop_duplicates()
    between = (f"between {lv(pairs.iloc[0, 0])} and {lv(pairs.iloc[0, 1])}" if len(pairs) == 1
               else f"between the {len(mga.groups)} levels of {seg} ({len(pairs)} pairs)")
    perms = int(t["n_perm"].min())
    if len(sig):
        shown = "; ".join(f"{path(r)} {nv.num(r['estimate_1'])} for {lv(r['group_1'])} against "
                          f"{nv.num(r['estimate_2'])} for {lv(r['group_2'])} (corrected {nv.p(r['p_corr'])})"
                          for _, r in sig.iterrows())
        text = (f"Paths by {seg}: {len(sig)} of the {len(t)} path comparisons {between} differ after Holm "
                f"correction (permutation test, {nv.count(perms, 'permutation')} per pair): {shown}.")
    else:
        top = t.loc[t["diff"].abs().idxmax()]
        text = (f"Paths by {seg}: no path differs {between} after Holm correction (permutation test, "
                f"{nv.count(perms, 'permutation')} per pair); the largest difference, {path(top)} "
                f"{nv.num(top['estimate_1'])} for {lv(top['group_1'])} against {nv.num(top['estimate_2'])} for "
                f"{lv(top['group_2'])}, has corrected {nv.p(top['p_corr'])}. Group sizes: "
                + nv.join(f"{lv(g)} {n}" for g, n in mga.reliability.drop_duplicates("group")[["group", "n"]]
                          .itertuples(index=False)) + ".")
    rel = mga.reliability[(mga.reliability["mode"] == "A") & (mga.reliability["k"] > 1)]
    low = rel[(rel["rho_c"] < RHO_C_MIN) | (rel["ave"] < AVE_MIN)]
    if len(low):
        text += (" Reliability within groups falls short for " + nv.join(
            f"{nv.label(cfg, r['construct'])} among {lv(r['group'])} (rhoC {nv.num(r['rho_c'])}, AVE "
            f"{nv.num(r['ave'])})" for _, r in low.iterrows()) + "; comparisons of paths touching it are less "
            "certain than their p-values suggest.")
    else:
        text += (f" Every reflective block reaches composite reliability {nv.num(RHO_C_MIN).replace('0.', '.')} "
                 f"and AVE {nv.num(AVE_MIN).replace('0.', '.')} in every group.")
    return [{"text": text, "key": f"pls_group_differences_{col}", "value": float(len(sig))}]


def total_effects_on(fit: pls.PLSResult, target: str) -> pd.DataFrame:
    """Every construct's total effect on `target`, largest first: ``construct, direct, indirect, total,
    total_ci_low, total_ci_high``."""
    e = fit.effects[fit.effects["to"] == target]
    out = e.rename(columns={"from": "construct"})[["construct", "direct", "indirect", "total", "total_ci_low",
                                                   "total_ci_high"]]
    return out.sort_values("total", ascending=False, ignore_index=True)


def _effect_text(cfg, row, confidence) -> str:
    interval = nv.ci(row["total_ci_low"], row["total_ci_high"], confidence=confidence)
    return f"{nv.label(cfg, row['construct'])}, {nv.num(row['total'])} ({interval})"


def path_model_findings(result: PathModelResult, cfg, confidence: float = 0.95) -> list[dict]:
    """The findings in words: the largest total effect on the target, the paths the data support, the
    measurement model's checks.

    "Moves ... most" is said only when the largest total effect's interval lies above every other
    construct's interval; a path is "supported" when its (unadjusted) percentile interval excludes 0.
    """
    fit, target = result.fit, result.target
    tname = nv.label(cfg, target)
    level = nv.level(confidence)
    out = []
    tot = total_effects_on(fit, target)
    r2 = fit.r2.set_index("construct").loc[target]
    fit_text = (f" The model explains {nv.pct(r2['r2'])} of the variance in {tname} (R² {nv.num(r2['r2'])}, "
                f"adjusted {nv.num(r2['r2_adj'])}; n = {fit.n}).")
    if len(tot):
        top = tot.iloc[0]
        rest = tot.iloc[1:]
        clear = len(rest) > 0 and bool((top["total_ci_low"] > rest["total_ci_high"]).all())
        if not len(rest):
            text = (f"{nv.label(cfg, top['construct'])} is the one construct with an effect on {tname}: "
                    f"{nv.num(top['total'])} ({nv.ci(top['total_ci_low'], top['total_ci_high'], confidence=confidence)}).")
        elif clear:
            text = (f"{nv.label(cfg, top['construct'])} moves {tname} most: total effect "
                    f"{nv.num(top['total'])} "
                    f"({nv.ci(top['total_ci_low'], top['total_ci_high'], confidence=confidence)}), its interval "
                    f"above every other construct's.")
        else:
            nxt = rest.iloc[0]
            text = (f"{nv.label(cfg, top['construct'])} has the largest total effect on {tname}: "
                    f"{nv.num(top['total'])} ({nv.ci(top['total_ci_low'], top['total_ci_high'], confidence=confidence)}"
                    f"); the order is not settled, since the interval overlaps that of "
                    f"{_effect_text(cfg, nxt, confidence)}.")
        out.append({"text": text + fit_text, "headline": True, "key": f"pls_top_total_{target}",
                    "value": float(top["total"]), "ci": (float(top["total_ci_low"]), float(top["total_ci_high"]))})
    p = fit.paths
    has_ci = p["ci_low"].notna()
    excl = has_ci & ((p["ci_low"] > 0) | (p["ci_high"] < 0))

    def path_text(r):
        return (f"{nv.label(cfg, r['from'])} → {nv.label(cfg, r['to'])} {nv.num(r['estimate'])} "
                f"({nv.ci(r['ci_low'], r['ci_high'], confidence=confidence)})")

    weak = p[has_ci & ~excl]
    text = (f"{int(excl.sum())} of the {len(p)} paths have a {level} bootstrap interval that excludes zero "
            f"(intervals not adjusted for the number of paths).")
    if len(weak):
        text += f" Not supported by these data: {'; '.join(path_text(r) for _, r in weak.iterrows())}."
    out.append({"text": text, "key": "pls_paths_supported", "value": float(excl.sum())})
    rel = fit.reliability[fit.reliability["mode"] == "A"]
    rel = rel[rel["k"] > 1]
    low_rho = rel[rel["rho_c"] < RHO_C_MIN]
    low_ave = rel[rel["ave"] < AVE_MIN]
    notes = []
    if len(low_rho):
        notes.append("composite reliability below " + nv.num(RHO_C_MIN).replace("0.", ".") + " for "
                     + nv.join(f"{nv.label(cfg, r['construct'])} ({nv.num(r['rho_c'])})" for _, r in low_rho.iterrows()))
    if len(low_ave):
        notes.append("AVE below " + nv.num(AVE_MIN).replace("0.", ".") + " for "
                     + nv.join(f"{nv.label(cfg, r['construct'])} ({nv.num(r['ave'])})" for _, r in low_ave.iterrows()))
    high = fit.htmt[fit.htmt["htmt"] > HTMT_MAX]
    if len(high):
        notes.append("HTMT above " + nv.num(HTMT_MAX).replace("0.", ".") + " for "
                     + nv.join(f"{nv.label(cfg, r['construct_1'])} and {nv.label(cfg, r['construct_2'])} "
                               f"({nv.num(r['htmt'])}, {nv.ci(r['ci_low'], r['ci_high'], confidence=confidence)})"
                               for _, r in high.iterrows()) + ", which may not be measured as distinct constructs")
    if notes:
        text = ("Measurement model: " + "; ".join(notes) + ". Paths into and out of these constructs are less "
                "certain than their intervals suggest.")
    else:
        text = (f"Measurement model: every reflective block reaches composite reliability "
                f"{nv.num(RHO_C_MIN).replace('0.', '.')} and AVE {nv.num(AVE_MIN).replace('0.', '.')}, and no pair "
                f"of constructs has an HTMT above {nv.num(HTMT_MAX).replace('0.', '.')}.")
    out.append({"text": text, "key": "pls_measurement_flags",
                "value": float(len(low_rho) + len(low_ave) + len(high))})
    return out


def section_intro(data: "ClientData") -> "nv.SectionMarkdown | None":
    """The section's heading and explanation, only for clients that declare ``model:``."""
    model = data.config.model
    if model is None:
        return None
    cfg = data.config
    scheme = {"path": "path weighting (as seminr and SmartPLS)", "centroid": "the centroid scheme",
              "factorial": "the factorial scheme"}[model.scheme]
    formative = [nv.label(cfg, c) for c, m in model.modes.items() if m == "B"]
    modes = (f" {nv.join(formative)} {'is' if len(formative) == 1 else 'are'} formative (mode B: regression "
             "weights, the items together form the construct)." if formative else "")
    groups = ""
    if model.groups:
        seg = cfg.segments.get(model.groups) or model.groups
        groups = (f"""

**Groups compared.** The appendix compares each path between the levels of {seg} (PLS multi-group
analysis, Chin & Dibbern 2010): the model is estimated in each group, and the difference of each path is
set against the differences found when the group labels are shuffled at random; p-values are Holm-corrected
over every pair and path. Each group's blocks are checked for reliability first; levels with fewer than
{MGA_MIN_GROUP} respondents are left out. The comparison assumes the constructs mean the same in each group
(measurement invariance, not tested here).""")
    return nv.SectionMarkdown(f"""## {SECTION}

**What is computed.** The client's path model ({len(model.paths)} paths among {len(model.constructs)}
constructs, declared under `model:` in `client.yaml`) estimated by PLS path modelling (Wold's algorithm as in
Lohmöller 1989; {scheme}) on the own brand's standardized items. Each construct is a weighted sum of its
items; reflective blocks (mode A) weight each item by its correlation with the construct's neighbours in the
model.{modes} Path coefficients are standardized regression weights between the construct scores; a
construct's **total effect** on another adds every chain of paths between them. Intervals are {nv.level()}
percentile bootstrap intervals (resampled respondents, the whole model re-estimated each time).

**How to read it.** The diagram shows each path's coefficient (solid where its interval excludes zero, dashed
where it does not) and each endogenous construct's R². The table ranks the total effects on
{nv.label(cfg, model.target)}. Unlike relative importance, which splits one outcome's R² among correlated
drivers, the path model says through which constructs an effect travels; it rests on the declared paths
being the right ones, and coefficients are associations, not proven causes. **What would change the
conclusion:** a construct below composite reliability .70 or AVE .50, two constructs with an HTMT above .90
(not distinct), or a path missing from the model.{groups}""")


class PathModel(OptionalSection):
    """The satisfaction-index path model (PLS-SEM), for clients that declare ``model:``."""

    step = STEP
    title = SECTION
    option = "model"

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        try:
            fit_model(data, settings, n_boot=0)
        except ValueError as exc:
            why = str(exc).removeprefix("pls_sem: ")
            return f"the path model cannot be estimated on the own brand's rows: {why}"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> PathModelResult:
        cfg = data.config
        fit = fit_model(data, settings)
        target = cfg.model.target
        scale = {i: cfg.constructs[c].scale for c in fit.spec.constructs for i in cfg.constructs[c].items}
        return PathModelResult(fit, target, pls.ipma(fit, target, scale), compare_groups(data, settings))

    def findings(self, result: PathModelResult, data: "ClientData", settings: Settings) -> list[dict]:
        out = path_model_findings(result, data.config, settings.confidence)
        if result.mga is not None:
            out += group_findings(result.mga, data.config)
        return out

    def present(self, result: PathModelResult, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import platform as plots_pf

        cfg, fit = data.config, result.fit
        level = nv.level(settings.confidence)
        lab = {c: nv.label(cfg, c) for c in fit.spec.constructs}

        def named(df, *cols):
            df = df.copy()
            for c in cols:
                df[c] = df[c].map(lambda v: lab.get(v, v))
            return df

        tname = lab[result.target]
        boot = f"{fit.n_boot - fit.n_boot_failed} bootstrap resamples"
        shown = [Shown("markdown", section_intro(data), layer="appendix")]
        ax = plots_pf.path_diagram(fit, labels=lab)
        shown.append(Shown("figure", ax.figure,
                           f"Path diagram of the declared model: {len(fit.paths)} paths among "
                           f"{len(fit.spec.constructs)} constructs with their standardized coefficients (solid where "
                           f"the {level} bootstrap interval excludes zero, dashed where it does not) and each "
                           f"endogenous construct's R²"))
        shown.append(Shown("table", named(total_effects_on(fit, result.target), "construct"),
                           f"Total effects on {tname}: direct plus every indirect chain ({level} percentile "
                           f"bootstrap CI, {boot}; n = {fit.n})"))
        ax2 = plots_pf.ipma_chart(named(result.ipma, "construct"), tname)
        shown.append(Shown("figure", ax2.figure,
                           f"Importance-performance map for {tname}: each construct's unstandardized total effect "
                           f"(points of {tname} per point of performance) against its performance on 0-100",
                           layer="appendix"))
        shown += [
            Shown("table", named(fit.paths, "from", "to"), f"Path coefficients ({level} percentile bootstrap CI)",
                  layer="appendix"),
            Shown("table", named(fit.effects.drop(columns=["indirect_ci_low", "indirect_ci_high"]), "from", "to"),
                  f"Direct, indirect and total effects ({level} bootstrap CI of the total)", layer="appendix"),
            Shown("table", named(fit.r2, "construct"), "R² and adjusted R² of each endogenous construct",
                  layer="appendix"),
            Shown("table", named(fit.loadings[["construct", "item", "mode", "loading", "loading_ci_low",
                                               "loading_ci_high", "weight"]], "construct"),
                  f"Outer loadings ({level} bootstrap CI) and weights (standardized items)", layer="appendix"),
            Shown("table", named(fit.reliability, "construct"),
                  "Reliability per block: Cronbach's alpha (raw and standardized), composite reliability rhoC, "
                  "Dijkstra-Henseler's rhoA, AVE (for reflective blocks; shown but not applicable to mode B)",
                  layer="appendix"),
            Shown("table", named(fit.htmt, "construct_1", "construct_2"),
                  f"Discriminant validity: HTMT ratio ({level} bootstrap CI; above .90 the two may not be distinct)",
                  layer="appendix"),
            Shown("table", named(fit.fornell_larcker.reset_index(names="construct"), "construct")
                  .rename(columns=lab),
                  "Fornell-Larcker criterion: square root of AVE on the diagonal, construct correlations elsewhere",
                  layer="appendix"),
            Shown("table", named(result.ipma, "construct"),
                  f"Importance-performance map of {tname} (importance: unstandardized total effect on the 0-100 "
                  "metric; performance: mean score on 0-100)", layer="appendix"),
        ]
        if result.mga is not None:
            col = cfg.model.groups
            seg = cfg.segments.get(col) or col

            def levels(df, *cols):
                df = df.copy()
                for c in cols:
                    df[c] = df[c].map(lambda v: nv.value_label(cfg, col, v))
                return df

            mga = result.mga
            shown += [
                Shown("table", levels(named(mga.paths.drop(columns=["n_1", "n_2", "n_perm"]), "from", "to"),
                                      "group_1", "group_2"),
                      f"Path coefficients compared between the levels of {seg}: each group's estimate, the "
                      f"difference (group 1 minus group 2) and its two-sided permutation p-value "
                      f"({mga.n_perm} permutations per pair; corrected p: Holm over every pair and path; group "
                      "sizes in the next table)", layer="appendix"),
                Shown("table", levels(named(mga.reliability.rename(columns={"k": "items"}), "construct"), "group"),
                      f"Reliability of each block within each level of {seg} (standardized alpha, rhoC, rhoA, "
                      "AVE): the check before comparing paths between groups", layer="appendix"),
            ]
        return shown
