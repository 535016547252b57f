"""Step 1, "The experiential layers": the own brand's scores on Schmitt's four layers.

Schmitt looks at the customer's experience from the outside in: the sociocultural (or business)
*context*, the *usage* situation, the product *category*, and the *brand*.  The client assigns
constructs to layers (``layer:`` in ``client.yaml``); this module scores them on a common 0-100 axis
(percent of the scale maximum), pooled and per wave, with the changes between waves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cem_research import stats
from cem_research.client.config import LAYERS, ClientConfig
from cem_research.present import narrative as nv
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import LAYER_LABELS, STEP, finding_kwargs, own_rows, weight_column


def missing_layers(cfg: ClientConfig) -> list[str]:
    """Experiential layers (context, usage, category, brand) with no declared construct."""
    have = {c.layer for c in cfg.constructs.values() if c.layer}
    return [lay for lay in LAYERS if lay not in have]


def layer_coverage(cfg: ClientConfig) -> pd.DataFrame:
    """Which of Schmitt's four experiential layers the client measured, and with which constructs.

    Returns
    -------
    DataFrame
        One row per layer (context, usage, category, brand): ``layer, layer_label, measured, constructs``
        (construct titles, comma-separated; empty when not measured).
    """
    rows = []
    for lay in LAYERS:
        names = [c.title for c in cfg.constructs.values() if c.layer == lay]
        rows.append({"layer": lay, "layer_label": LAYER_LABELS[lay], "measured": bool(names),
                     "constructs": ", ".join(names)})
    return pd.DataFrame(rows)


def layer_scores(data, by_wave: bool = False, confidence: float = 0.95) -> pd.DataFrame | None:
    """Own-brand scores of the constructs declared with ``layer:``.

    Parameters
    ----------
    data : ClientData
    by_wave : bool, default False
        One row per construct and wave (in wave order) instead of all waves pooled.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``layer, layer_label, construct, label, [wave], n, mean, sd, ci_low, ci_high, scale_min,
        scale_max, pomp, pomp_low, pomp_high``; layers in the order context, usage, category, brand.
        ``pomp`` is the percent of the scale maximum, ``100 (mean - min) / (max - min)``, so constructs on
        different scales can share an axis. ``None`` if no construct declares a layer.
    """
    cfg = data.config
    layered = [c for c in cfg.constructs.values() if c.layer and c.name in data.ratings.columns]
    if not layered:
        return None
    layered.sort(key=lambda c: LAYERS.index(c.layer))
    own = own_rows(data)
    if by_wave:
        own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves)))
    parts = []
    for c in layered:
        m = stats.mean_ci(own, c.name, by="wave" if by_wave else None, weights=weight_column(data),
                          confidence=confidence).drop(columns="n_eff")
        m.insert(0, "label", c.title)
        m.insert(0, "construct", c.name)
        m.insert(0, "layer_label", LAYER_LABELS[c.layer])
        m.insert(0, "layer", c.layer)
        lo, hi = c.scale
        m["scale_min"], m["scale_max"] = lo, hi
        for col, src in (("pomp", "mean"), ("pomp_low", "ci_low"), ("pomp_high", "ci_high")):
            m[col] = 100 * (m[src] - lo) / (hi - lo)
        parts.append(m)
    out = pd.concat(parts, ignore_index=True)
    if by_wave:
        out["wave"] = out["wave"].astype(str)
    return out


def layer_changes(data, correction: str = "holm", confidence: float = 0.95) -> pd.DataFrame | None:
    """Change of each layer construct between consecutive waves (own brand, Welch t, Holm).

    Parameters
    ----------
    data : ClientData
    correction : str, default "holm"
        Across all constructs and pairs of waves.
    confidence : float, default 0.95
        Level of the intervals of the differences.

    Returns
    -------
    DataFrame or None
        Columns ``layer, construct, label`` and those of :func:`cem_research.stats.wave_changes`
        (``from_wave, to_wave, n_from, n_to, mean_from, mean_to, diff, ci_low, ci_high, hedges, p_unc,
        p_corr, significant``), Holm-corrected across all rows. ``None`` with fewer than two waves or no
        layered construct.
    """
    cfg = data.config
    waves = list(data.waves)
    layered = [c for c in cfg.constructs.values() if c.layer and c.name in data.ratings.columns]
    if len(waves) < 2 or not layered:
        return None
    layered.sort(key=lambda c: LAYERS.index(c.layer))
    parts = []
    for c in layered:
        w = stats.wave_changes(own_rows(data), c.name, "wave", waves, weights=weight_column(data), correction="none",
                               confidence=confidence)
        w = w.drop(columns=["dv"])
        w.insert(0, "label", c.title)
        w.insert(0, "construct", c.name)
        w.insert(0, "layer", c.layer)
        parts.append(w)
    out = stats.adjust_pvalues(pd.concat(parts, ignore_index=True), "p_unc", correction)
    return out[["layer", "construct", "label", "from_wave", "to_wave", "n_from", "n_to", "mean_from",
                "mean_to", "diff", "ci_low", "ci_high", "hedges", "p_unc", "p_corr", "significant"]]


def layer_finding(scores: pd.DataFrame | None, missing: Sequence[str],
                  changes: pd.DataFrame | None = None, confidence: float = 0.95) -> dict:
    """Plain-words summary of the layers: measured/missing, highest and lowest construct, changes.

    Parameters
    ----------
    scores : DataFrame or None
        :func:`layer_scores` (pooled).
    missing : list of str
        :func:`missing_layers`.
    changes : DataFrame, optional
        :func:`layer_changes`.
    confidence : float, default 0.95
        Level of the intervals (as computed), for the sentence.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="layer_top"``, value = the top construct's
        percent of scale maximum, with its interval).
    """
    miss = (f" Not measured: {nv.join([LAYER_LABELS[m] for m in missing])} \u2014 the report cannot say how "
            "customers experience these layers; add items for them to the next survey wave."
            if missing else " All four layers were measured.")
    if scores is None or scores.empty:
        return finding_kwargs("No construct declares an experiential layer." + miss, key="layer_top")
    s = scores.dropna(subset=["mean"])
    if "wave" in s:
        raise ValueError("layer_finding expects pooled scores (layer_scores(data, by_wave=False))")
    top = s.loc[s["pomp"].idxmax()]
    low = s.loc[s["pomp"].idxmin()]
    measured = list(dict.fromkeys(s["layer"]))
    text = (f"Measured layers: {nv.join([LAYER_LABELS[m] for m in measured])}. The own brand does best on "
            f"{top['label']} ({top['layer_label']} layer: mean {nv.num(top['mean'])} on "
            f"{nv.scale_text((top['scale_min'], top['scale_max']))}, "
            f"{nv.ci(top['ci_low'], top['ci_high'], confidence=confidence)}, "
            f"{nv.num(top['pomp'], 0)}% of the scale)")
    if low["construct"] != top["construct"]:
        text += (f" and worst on {low['label']} ({low['layer_label']} layer: mean {nv.num(low['mean'])}, "
                 f"{nv.ci(low['ci_low'], low['ci_high'], confidence=confidence)}, "
                 f"{nv.num(low['pomp'], 0)}% of the scale).")
    else:
        text += "."
    if changes is not None and len(changes):
        sig = changes[changes["significant"]]
        if len(sig):
            parts = [f"{r['label']} {nv.signed(r['diff'])} from {r['from_wave']} to {r['to_wave']} "
                     f"({nv.ci(r['ci_low'], r['ci_high'], confidence=confidence)}; Holm {nv.p(r['p_corr'])})"
                     for _, r in sig.iterrows()]
            text += " Significant changes between waves: " + "; ".join(parts) + "."
        else:
            text += " No layer construct changed significantly between waves (Holm-corrected)."
    text += miss
    return finding_kwargs(text, key="layer_top", value=top["pomp"], ci=(top["pomp_low"], top["pomp_high"]))



@dataclass(frozen=True, eq=False)
class LayerResult:
    """The tables of "The experiential layers".

    Attributes
    ----------
    coverage : DataFrame
        :func:`layer_coverage`.
    scores : DataFrame or None
        :func:`layer_scores`, all waves pooled.
    scores_by_wave : DataFrame or None
        :func:`layer_scores` per wave (``None`` with one wave).
    changes : DataFrame or None
        :func:`layer_changes` (``None`` with one wave).
    missing : tuple of str
        :func:`missing_layers`.
    """

    coverage: pd.DataFrame
    scores: pd.DataFrame | None
    scores_by_wave: pd.DataFrame | None
    changes: pd.DataFrame | None
    missing: tuple[str, ...]


class ExperientialLayers(Section):
    """The experiential layers: which layers were measured, the own brand's score on each, and its change."""

    step = STEP
    title = "The experiential layers"

    def skip_reason(self, data, settings: Settings) -> str | None:
        if not [c for c in data.config.constructs.values() if c.layer]:
            return ("no construct in client.yaml declares an experiential layer ('layer: context | usage | "
                    "category | brand'), so none of the four layers was measured")
        return None

    def compute(self, data, settings: Settings) -> LayerResult:
        cfg = data.config
        by_wave = (layer_scores(data, by_wave=True, confidence=settings.confidence) if len(data.waves) > 1
                   else None)
        return LayerResult(coverage=layer_coverage(cfg), scores=layer_scores(data, confidence=settings.confidence),
                           scores_by_wave=by_wave, changes=layer_changes(data, confidence=settings.confidence),
                           missing=tuple(missing_layers(cfg)))

    def findings(self, result: LayerResult, data, settings: Settings) -> list[dict]:
        return [layer_finding(result.scores, result.missing, result.changes, confidence=settings.confidence)]

    def present(self, result: LayerResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import world as world_plots

        r, ci = result, nv.level(settings.confidence)
        out = [Shown("table", r.coverage, "Schmitt's four experiential layers: measured by this client?")]
        if r.scores is not None:
            out.append(Shown("table", r.scores.drop(columns=["layer", "construct", "pomp_low", "pomp_high"]),
                             f"Own brand per layer construct (all waves, mean with {ci} CI; pomp = % of scale)",
                             layer="appendix"))
            out.append(Shown("figure", world_plots.layer_chart(r.scores, confidence=settings.confidence).figure,
                             "Dot chart: the own brand's score on each layer construct as a percent of the scale "
                             f"maximum (0-100), all waves pooled, with {ci} intervals"))
        if r.scores_by_wave is not None:
            ax = world_plots.layer_chart(r.scores_by_wave, confidence=settings.confidence)
            out.append(Shown("figure", ax.figure,
                             "Dot chart: the own brand's score on each layer construct as a percent of the scale "
                             f"maximum (0-100), one colour per survey wave, with {ci} intervals", layer="appendix"))
        if r.changes is not None:
            out.append(Shown("table", r.changes.drop(columns=["layer", "construct", "p_unc"]),
                             "Change between consecutive waves (own brand; Welch t, Holm-adjusted)", layer="appendix"))
        return out
