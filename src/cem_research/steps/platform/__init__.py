"""Step 2 – build the experiential platform (Schmitt 2003).

Schmitt's experiential platform has three parts: the *experiential positioning* (what the brand
stands for, in experiential terms), the *experiential value promise* (EVP: what the customer gets
out of it) and the *overall implementation theme* (the style and content that carries the promise
into every later step).  This module turns a client's survey (and, if supplied, verbatims) into a
data-driven proposal for each part, together with the evidence behind it:

* :func:`reliability_table` / :func:`item_table` – is each construct measured well enough to
  build on (Cronbach's alpha raw and standardized, corrected item-total r, alpha if deleted)?
* :func:`experiential_profile` / :func:`profile_tests` – where does the own brand stand against
  each competitor and each kind of competitor on the experience dimensions?
* :func:`driver_importance` / :func:`emotional_functional` / :func:`nps_table` – which
  dimensions drive the outcomes (Shapley/LMG share of R² with bootstrap intervals)?
* :func:`positioning_candidates` / :func:`implementation_theme` / :func:`propose_platform` –
  the proposal: dimensions where the brand is strong, that drive outcomes and that set it apart.

Every function takes a :class:`~cem_research.client.data.ClientData` (or the tables built from it) and
returns a tidy DataFrame (or ``None`` when the client's data does not support the analysis).
Functions ending in ``_finding`` build the plain-words sentences the notebook records.

Conventions used throughout
---------------------------
* Reliability, drivers and NPS use the **own brand's rows only** (one row per respondent rating
  the client's brand); the competitor rows are other brands' ratings, whose item structure may
  differ.  Profiles and tests use every row.
* A construct whose raw alpha is below :data:`RELIABILITY_THRESHOLD` carries the note in a
  ``reliability_flag`` column in every later table that uses it ("" when fine).
* All waves up to the notebook's ``wave`` parameter are pooled.
* Survey weights (when the client supplies or declares them) are used for means, NPS and the
  Welch tests of the profile; reliability and relative importance are unweighted (the shared
  statistics do not support weights there; the notebook says so once).
* Driver importance is cross-checked: Johnson's relative weights beside the LMG decomposition,
  both with bootstrap intervals, and a flag where the two rank the drivers differently
  (:func:`driver_crosscheck`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.stats import RELIABILITY_THRESHOLD

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

STEP = 2
POSITIVE_COMPOUND = 0.5
SECTIONS = ("Measurement quality", "Experiential profile", "What drives the outcomes",
            "The experiential platform")
ELEMENTS = ("Experiential positioning", "Experiential value promise", "Overall implementation theme")
KIND_LABELS = {"own": "own brand", "direct": "direct competitors", "new_entrant": "new entrants",
               "outside_industry": "outside-industry competitors"}

__all__ = [
    "client_summary", "dimensions_note", "profile_plot_frame", "importance_plot_frame", "outcome_palette", "reliability_table", "item_table", "add_reliability_flag", "reliability_finding",
    "experience_dimensions", "experiential_profile", "profile_palette", "profile_tests",
    "profile_finding", "driver_importance", "driver_crosscheck", "crosscheck_finding", "emotional_functional",
    "nps_table", "drivers_finding",
    "positioning_candidates", "implementation_theme", "propose_platform", "apply_override",
    "platform_findings", "PlatformProposal",
]


# ---------------------------------------------------------------------------------------------
# formatting helpers (sentences are built here so that they are unit-tested)
# ---------------------------------------------------------------------------------------------


def _num(x: float, digits: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}"


def _ci(lo: float, hi: float, digits: int = 2) -> str:
    return f"95% CI {_num(lo, digits)} to {_num(hi, digits)}"


def _pct(x: float, digits: int = 0) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.{digits}f}%"


def _pci(lo: float, hi: float) -> str:
    return f"95% CI {_pct(lo)} to {_pct(hi)}"


def _p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".", 1)


def _signed(x: float, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:+.{digits}f}"


def _md(text: Any) -> str:
    """Escape client-supplied text for Markdown display."""
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", html.escape(str(text), quote=False))


def _label(cfg: "ClientConfig", construct: str) -> str:
    c = cfg.constructs.get(construct)
    return c.title if c is not None else str(construct)


def _join(words: list[str]) -> str:
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def client_summary(data: "ClientData") -> str:
    """One Markdown line naming the client, brand, waves and rows (client names escaped)."""
    cfg = data.config
    return (f"**Client:** {_md(cfg.name)} · **brand:** {_md(cfg.brand)} · **waves:** "
            f"{_md(', '.join(map(str, data.waves)))} · **rows:** {len(data.ratings):,} "
            f"({len(data.own):,} rating the own brand)")


# ---------------------------------------------------------------------------------------------
# 1. measurement quality
# ---------------------------------------------------------------------------------------------


def _role(cfg: "ClientConfig", name: str) -> str:
    roles = []
    if name in cfg.drivers:
        roles.append("driver")
    if name in cfg.outcomes:
        roles.append("outcome")
    if cfg.constructs[name].experience:
        roles.append("experience dimension")
    if cfg.constructs[name].element:
        roles.append(f"brand element ({cfg.constructs[name].element.replace('_', ' ')})")
    return ", ".join(roles) or "other"


def _flag_text(alpha: float, k: int, threshold: float) -> str:
    if k < 2:
        return "single item: alpha not estimable"
    if alpha is None or not np.isfinite(alpha):
        return "alpha not estimable"
    if alpha < 0:
        return f"alpha = {alpha:.2f} (negative: check reverse-keyed items)"
    if alpha < threshold:
        return f"alpha = {alpha:.2f} < {threshold:.2f}".replace("0.", ".")
    return ""


def reliability_table(data: "ClientData", threshold: float = RELIABILITY_THRESHOLD,
                      rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardized) of every declared construct.

    Parameters
    ----------
    data : ClientData
    threshold : float, default 0.70
        Raw alpha below this value flags the construct.
    rows : DataFrame, optional
        The rows to use (default: the own brand's rows, ``data.own``).

    Returns
    -------
    DataFrame
        One row per construct, in declaration order: ``construct, label, role, k, n, alpha,
        alpha_ci_low, alpha_ci_high, alpha_std, reversed_items, below_threshold,
        reliability_flag``.  ``alpha`` is the raw (covariance-based) alpha with pingouin's
        F-based CI; ``alpha_std`` the standardized alpha (alpha of z-scored items, the value PLS
        packages such as R plspm, seminr and SmartPLS report); ``reversed_items`` lists the
        items that were reverse-keyed in processing; ``below_threshold`` is True when raw alpha
        is below ``threshold``; ``reliability_flag`` is "" when fine, else a short note (also
        "single item: alpha not estimable").

    Notes
    -----
    Computed with :func:`cem_research.stats.reliability` on the items as stored in
    ``data.ratings`` (reverse-keyed already), listwise on complete rows, own brand only:
    reliability is a property of how the client's customers answer about the client's brand.
    """
    cfg = data.config
    frame = data.own if rows is None else rows
    out = []
    for name, c in cfg.constructs.items():
        r = stats.reliability(frame, list(c.items), name=name, threshold=threshold).iloc[0]
        alpha = float(r["alpha"])
        flag = _flag_text(alpha, int(r["k"]), threshold)
        out.append({"construct": name, "label": c.title, "role": _role(cfg, name), "k": int(r["k"]),
                    "n": int(r["n"]), "alpha": alpha, "alpha_ci_low": float(r["alpha_ci_low"]),
                    "alpha_ci_high": float(r["alpha_ci_high"]), "alpha_std": float(r["alpha_std"]),
                    "reversed_items": ", ".join(c.reverse),
                    "below_threshold": bool(len(c.items) > 1 and np.isfinite(alpha) and alpha < threshold),
                    "reliability_flag": flag})
    return pd.DataFrame(out)


def item_table(data: "ClientData", rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Item analysis of every multi-item construct (own brand rows by default).

    Returns
    -------
    DataFrame
        One row per item: ``construct, item, reversed, n, mean, sd, item_total_r,
        alpha_if_deleted, alpha, raises_alpha``; ``reversed`` says whether the item was
        reverse-keyed in processing (its ``mean`` is on the reversed scale), ``item_total_r`` the
        corrected item-total correlation, ``alpha`` the construct's raw alpha and
        ``raises_alpha`` True when dropping the item would raise raw alpha by more than .01.
        Single-item constructs are left out.
    """
    cfg = data.config
    frame = data.own if rows is None else rows
    parts = []
    for name, c in cfg.constructs.items():
        if len(c.items) < 2:
            continue
        it = stats.item_statistics(frame, list(c.items), name=name)
        alpha = float(stats.reliability(frame, list(c.items), name=name)["alpha"].iloc[0])
        it.insert(2, "reversed", it["item"].isin(c.reverse))
        it["alpha"] = alpha
        it["raises_alpha"] = (it["alpha_if_deleted"] > alpha + 0.01).fillna(False).astype(bool)
        parts.append(it)
    if not parts:
        return pd.DataFrame(columns=["construct", "item", "reversed", "n", "mean", "sd", "item_total_r",
                                     "alpha_if_deleted", "alpha", "raises_alpha"])
    return pd.concat(parts, ignore_index=True)


def add_reliability_flag(frame: pd.DataFrame | None, reliability: pd.DataFrame | None,
                         on: str | list[str] = "construct") -> pd.DataFrame | None:
    """Add a ``reliability_flag`` column to a table of constructs.

    Parameters
    ----------
    frame : DataFrame or None
        Any table with one or more columns naming constructs.
    reliability : DataFrame or None
        Output of :func:`reliability_table`.
    on : str or list of str
        Column(s) holding construct names; with several columns the notes are joined with "; "
        (e.g. a driver table flags both the driver and the outcome).

    Returns
    -------
    DataFrame or None
        A copy with ``reliability_flag`` ("" when every named construct is fine); ``None`` in,
        ``None`` out.
    """
    if frame is None:
        return None
    out = frame.copy()
    if reliability is None or not len(reliability):
        out["reliability_flag"] = ""
        return out
    cols = [on] if isinstance(on, str) else list(on)
    notes = {r.construct: r.reliability_flag for r in reliability.itertuples()
             if r.reliability_flag and r.below_threshold}

    def note(row):
        parts = [f"{row[c]}: {notes[row[c]]}" for c in cols if row[c] in notes]
        return "; ".join(dict.fromkeys(parts))

    out["reliability_flag"] = out.apply(note, axis=1) if len(out) else pd.Series(dtype=object)
    return out


def reliability_finding(reliability: pd.DataFrame) -> dict:
    """Plain-words finding for the measurement-quality section.

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record` (``text, headline, key,
        value, ci``): the weakest multi-item construct's raw alpha with its CI, and every
        construct below the threshold by name.
    """
    multi = reliability[reliability["k"] >= 2].dropna(subset=["alpha"])
    if multi.empty:
        return {"text": "Every construct is measured with a single item, so internal-consistency "
                        "reliability cannot be estimated; results rest on single questions.",
                "headline": False, "key": "reliability_min_alpha", "value": None, "ci": None}
    weakest = multi.sort_values("alpha").iloc[0]
    low = multi[multi["below_threshold"]]
    n_ok = int((~multi["below_threshold"]).sum())
    base = (f"{n_ok} of {len(multi)} multi-item constructs reach raw Cronbach's alpha ≥ "
            f"{RELIABILITY_THRESHOLD:.2f} on the own brand's rows (n = {int(multi['n'].max())}). ")
    if len(low):
        names = _join([f"{r.label} (alpha = {r.alpha:.2f}, {_ci(r.alpha_ci_low, r.alpha_ci_high)})"
                       for r in low.itertuples()])
        text = base + (f"Below the threshold: {names}; results that use "
                       f"{'it' if len(low) == 1 else 'them'} are flagged in every later table and "
                       "should be read as tentative.")
    else:
        text = base + (f"The weakest is {weakest['label']} (alpha = {weakest['alpha']:.2f}, "
                       f"{_ci(weakest['alpha_ci_low'], weakest['alpha_ci_high'])}; standardized "
                       f"{weakest['alpha_std']:.2f}).")
    return {"text": text, "headline": bool(len(low)), "key": "reliability_min_alpha",
            "value": float(weakest["alpha"]),
            "ci": (float(weakest["alpha_ci_low"]), float(weakest["alpha_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# 2. experiential profile
# ---------------------------------------------------------------------------------------------


def experience_dimensions(cfg: "ClientConfig") -> tuple[list[str], str]:
    """The constructs profiled as experience dimensions, and where the list comes from.

    Returns
    -------
    (list of str, str)
        The constructs flagged ``experience: true``; if none, every driver construct; if there
        are no drivers either, every construct that is not an outcome.  The second value is
        ``"declared"``, ``"drivers"`` or ``"constructs"``.
    """
    dims = cfg.experience_dimensions
    if dims:
        return dims, "declared"
    if cfg.drivers:
        return list(cfg.drivers), "drivers"
    return [c for c in cfg.constructs if c not in cfg.outcomes], "constructs"


def dimensions_note(cfg: "ClientConfig") -> str:
    """One sentence (Markdown, labels escaped) saying which constructs are profiled and why."""
    dims, source = experience_dimensions(cfg)
    labels = _md(_join([_label(cfg, d) for d in dims]))
    if source == "declared":
        return f"Experience dimensions declared in client.yaml: {labels}."
    if source == "drivers":
        return ("The client declares no experience dimensions (`experience: true`), so all driver "
                f"constructs are profiled instead: {labels}.")
    return ("The client declares neither experience dimensions nor drivers, so every construct that "
            f"is not an outcome is profiled: {labels}.")


def _weights(data: "ClientData") -> str | None:
    return data.weight


def experiential_profile(data: "ClientData", constructs: list[str] | None = None,
                         reliability: pd.DataFrame | None = None) -> pd.DataFrame:
    """Means with 95% CIs of each dimension for the own brand, each competitor and each kind.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Constructs to profile (default :func:`experience_dimensions`).
    reliability : DataFrame, optional
        :func:`reliability_table`, to add ``reliability_flag``.

    Returns
    -------
    DataFrame
        ``dimension, label, level, brand, brand_kind, n, mean, sd, ci_low, ci_high, scale_min,
        scale_max, series, reliability_flag``.  ``level`` is ``brand`` (one row per rated brand,
        own brand first), ``kind`` (pooled rows of all competitors of one kind; only when a
        kind holds more than one brand) or ``all competitors`` (pooled competitor rows; only
        with competitors).  ``series`` is the legend label with the brand's sample size.
    """
    cfg = data.config
    dims = list(constructs) if constructs is not None else experience_dimensions(cfg)[0]
    r = data.ratings
    w = _weights(data)
    parts = []
    brand_order = [b for b in cfg.brands if b in set(r["brand"])]
    kinds_present = [k for k in ("direct", "new_entrant", "outside_industry")
                     if (r["brand_kind"] == k).any()]
    for d in dims:
        c = cfg.constructs[d]
        by_brand = stats.mean_ci(r, d, by="brand", weights=w)
        by_brand = by_brand.set_index("brand").reindex(brand_order).reset_index()
        by_brand["level"] = "brand"
        by_brand["brand_kind"] = by_brand["brand"].map(cfg.brand_kind)
        frames = [by_brand]
        comp = r[r["brand_kind"] != "own"]
        for k in kinds_present:
            if comp.loc[comp["brand_kind"] == k, "brand"].nunique() > 1:
                m = stats.mean_ci(comp[comp["brand_kind"] == k], d, weights=w)
                m["brand"], m["level"], m["brand_kind"] = f"all {KIND_LABELS[k]}", "kind", k
                frames.append(m)
        if len(comp):
            m = stats.mean_ci(comp, d, weights=w)
            m["brand"], m["level"], m["brand_kind"] = "all competitors", "all competitors", "competitors"
            frames.append(m)
        f = pd.concat(frames, ignore_index=True)
        f.insert(0, "dimension", d)
        f.insert(1, "label", c.title)
        f["scale_min"], f["scale_max"] = c.scale
        parts.append(f)
    out = pd.concat(parts, ignore_index=True)
    n_brand = r.groupby("brand")[dims].apply(lambda x: int(x.notna().any(axis=1).sum()))
    out["n"] = out["n"].fillna(0).astype(int)

    def series(row):
        if row["level"] == "brand":
            kind = "own brand" if row["brand_kind"] == "own" else str(row["brand_kind"]).replace("_", " ")
            return f"{row['brand']} ({kind}, n = {int(n_brand.get(row['brand'], 0)):,})"
        return row["brand"]

    out["series"] = out.apply(series, axis=1)
    cols = ["dimension", "label", "level", "brand", "brand_kind", "n", "mean", "sd", "ci_low", "ci_high",
            "scale_min", "scale_max", "series"]
    out = out[cols]
    return add_reliability_flag(out, reliability, on="dimension")


def profile_palette(profile: pd.DataFrame) -> dict[str, str]:
    """Colour per ``series`` of a profile: the own brand red, competitors grey by kind."""
    from cem_research.present import plots

    pal = {}
    for s, k in zip(profile["series"], profile["brand_kind"]):
        pal[s] = plots.KIND_COLORS.get(k, "#7b8794")
    return pal


def profile_plot_frame(profile: pd.DataFrame) -> pd.DataFrame:
    """The brand-level rows of a profile, ready for :func:`cem_research.present.plots.dot_interval`
    (``y="label"``, ``hue="series"``); a reliability note is appended to flagged labels."""
    sub = profile[profile["level"] == "brand"].copy()
    sub["label"] = np.where(sub["reliability_flag"].astype(bool), sub["label"] + " (alpha < .70)",
                            sub["label"])
    return sub


def importance_plot_frame(importance: pd.DataFrame) -> pd.DataFrame:
    """Importance rows ready for :func:`cem_research.present.plots.dot_interval` (``x="share_pct"``,
    ``y="driver_label"``, ``low="share_pct_low"``, ``high="share_pct_high"``, ``hue="series"``):
    shares in percent, and a reliability note on flagged drivers' labels."""
    out = importance.copy()
    for a, b in (("share_pct", "share"), ("share_pct_low", "share_ci_low"), ("share_pct_high", "share_ci_high")):
        out[a] = 100 * out[b]
    flags = out["reliability_flag"] if "reliability_flag" in out else pd.Series("", index=out.index)
    notes = {d for d, f in zip(out["driver"], flags) if f and f"{d}:" in f}
    out["driver_label"] = [f"{lab} (alpha < .70)" if d in notes else lab
                           for d, lab in zip(out["driver"], out["driver_label"])]
    return out


def outcome_palette(importance: pd.DataFrame) -> dict[str, str]:
    """Distinct colours per outcome ``series`` (never the own-brand red)."""
    colors = ["#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2", "#219653", "#828282"]
    series = list(pd.unique(importance["series"]))
    return {s: colors[i % len(colors)] for i, s in enumerate(series)}


def profile_tests(data: "ClientData", constructs: list[str] | None = None,
                  reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Own brand against each competitor, each competitor kind and all competitors pooled.

    Returns
    -------
    DataFrame or None
        One row per dimension × comparison: ``dimension, label, level, comparison, brand_kind,
        n_ref, n_other, mean_ref, mean_other, diff, ci_low, ci_high, T, df, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, direction,
        reliability_flag``.  ``diff = own − other`` with its Welch CI; ``hedges`` Hedges' g with
        CI; ``p_corr`` Holm-corrected over **all rows of the table** (every dimension ×
        comparison); ``direction`` is "higher", "lower" or "no clear difference" (Holm p ≥ .05).
        ``None`` when the client has no competitor ratings.

    Notes
    -----
    :func:`cem_research.stats.compare_to_reference` (Welch t-test, Hedges g; weighted when the
    client has survey weights) with the own brand as reference, called for brands, kinds and the
    pooled competitors; the combined table is corrected once with
    :func:`cem_research.stats.adjust_pvalues`.
    """
    if not data.has_competitors:
        return None
    cfg = data.config
    dims = list(constructs) if constructs is not None else experience_dimensions(cfg)[0]
    r = data.ratings.copy()
    r["__all"] = np.where(r["brand_kind"] == "own", "own", "all competitors")
    parts = []
    specs = [("brand", "brand", cfg.brand), ("kind", "brand_kind", "own"), ("all competitors", "__all", "own")]
    for level, col, ref in specs:
        if level == "kind" and r.loc[r["brand_kind"] != "own", "brand_kind"].nunique() < 1:
            continue
        t = stats.compare_to_reference(r, dims, col, ref, correction="none", weights=_weights(data))
        t = t.rename(columns={"dv": "dimension", "group": "comparison"})
        t["level"] = level
        if level == "brand":
            t["brand_kind"] = t["comparison"].map(cfg.brand_kind)
        elif level == "kind":
            t["brand_kind"] = t["comparison"]
            t["comparison"] = "all " + t["comparison"].map(KIND_LABELS).astype(str)
        else:
            t["brand_kind"] = "competitors"
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out = stats.adjust_pvalues(out, "p_unc", "holm")
    out["label"] = out["dimension"].map(lambda d: _label(cfg, d))
    out["direction"] = np.select([out["significant"] & (out["diff"] > 0), out["significant"] & (out["diff"] < 0)],
                                 ["higher", "lower"], default="no clear difference")
    cols = ["dimension", "label", "level", "comparison", "brand_kind", "n_ref", "n_other", "mean_ref",
            "mean_other", "diff", "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low", "hedges_ci_high",
            "p_unc", "p_corr", "significant", "direction"]
    out = out[cols]
    order = {d: i for i, d in enumerate(dims)}
    lev = {"all competitors": 0, "kind": 1, "brand": 2}
    out = out.assign(_d=out["dimension"].map(order), _l=out["level"].map(lev))
    out = out.sort_values(["_d", "_l"], kind="stable").drop(columns=["_d", "_l"]).reset_index(drop=True)
    return add_reliability_flag(out, reliability, on="dimension")


def profile_finding(profile: pd.DataFrame, tests: pd.DataFrame | None, brand: str) -> dict:
    """Plain-words finding for the experiential profile.

    With competitors: on how many dimensions the own brand is significantly above / below the
    pooled competitors (Holm), with the largest lead and the largest deficit (difference, CI,
    Hedges g, Holm p).  Without: the own brand's best and weakest dimension (mean and CI).
    """
    own = profile[(profile["level"] == "brand") & (profile["brand_kind"] == "own")]
    if tests is None or tests.empty:
        best = own.sort_values("mean", ascending=False).iloc[0]
        worst = own.sort_values("mean").iloc[0]
        text = (f"No competitor ratings were supplied, so {brand} can only be compared with itself: "
                f"highest on {best['label']} ({_num(best['mean'])}, {_ci(best['ci_low'], best['ci_high'])}, "
                f"scale {best['scale_min']:g}–{best['scale_max']:g}), lowest on {worst['label']} "
                f"({_num(worst['mean'])}, {_ci(worst['ci_low'], worst['ci_high'])}).")
        if best["dimension"] == worst["dimension"]:
            text = (f"No competitor ratings were supplied; {brand} scores {_num(best['mean'])} on "
                    f"{best['label']} ({_ci(best['ci_low'], best['ci_high'])}).")
        return {"text": text, "headline": False, "key": "profile_best_mean", "value": float(best["mean"]),
                "ci": (float(best["ci_low"]), float(best["ci_high"]))}
    pooled = tests[tests["level"] == "all competitors"]
    up, down = pooled[pooled["direction"] == "higher"], pooled[pooled["direction"] == "lower"]
    lead = pooled.sort_values("hedges", ascending=False).iloc[0]
    text = (f"Against all competitors pooled, {brand} is significantly ahead on {len(up)} and behind on "
            f"{len(down)} of {len(pooled)} experience dimensions (Welch tests, Holm-corrected). ")
    if len(up):
        best = up.sort_values("hedges", ascending=False).iloc[0]
        text += (f"Largest lead: {best['label']}, {_num(best['mean_ref'])} vs {_num(best['mean_other'])} "
                 f"(difference {_signed(best['diff'])}, {_ci(best['ci_low'], best['ci_high'])}; "
                 f"Hedges g = {_num(best['hedges'])}; {_p(best['p_corr'])}). ")
        lead = best
    if len(down):
        worst = down.sort_values("hedges").iloc[0]
        text += (f"Largest deficit: {worst['label']} (difference {_signed(worst['diff'])}, "
                 f"{_ci(worst['ci_low'], worst['ci_high'])}; g = {_num(worst['hedges'])}; {_p(worst['p_corr'])}). ")
    if not len(up) and not len(down):
        text += (f"The largest (non-significant) difference is on {lead['label']} ({_signed(lead['diff'])}, "
                 f"{_ci(lead['ci_low'], lead['ci_high'])}). ")
    flagged = sorted(set(pooled.loc[pooled["reliability_flag"].astype(bool), "label"])) \
        if "reliability_flag" in pooled else []
    if flagged:
        text += f"Read {_join(flagged)} with care (alpha below .70)."
    return {"text": text.strip(), "headline": bool(len(up)), "key": "profile_lead_diff",
            "value": float(lead["diff"]), "ci": (float(lead["ci_low"]), float(lead["ci_high"]))}


# ---------------------------------------------------------------------------------------------
# 3. what drives the outcomes
# ---------------------------------------------------------------------------------------------

MAX_LMG = 12


def driver_importance(data: "ClientData", n_boot: int = 400, seed: int = 2003,
                      reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Relative importance of the declared drivers for each declared outcome (own brand rows).

    Parameters
    ----------
    data : ClientData
    n_boot : int, default 400
        Bootstrap resamples for the intervals.
    seed : int, default 2003
    reliability : DataFrame, optional
        :func:`reliability_table`, to flag unreliable drivers and outcomes.

    Returns
    -------
    DataFrame or None
        One row per outcome × driver, each outcome sorted by importance: the columns of
        :func:`cem_research.stats.relative_importance` (``outcome, driver, beta, relimp,
        relimp_ci_low, relimp_ci_high, share, rank, r2, r2_ci_low, r2_ci_high, n``) plus
        ``share_ci_low, share_ci_high`` (the relimp interval divided by the point R²),
        ``driver_label, outcome_label, driver_kind`` (emotional/functional), ``method``,
        ``series`` (legend label: outcome, R², n) and ``reliability_flag``.  ``None`` when fewer than two drivers or no outcome is declared, or
        the own brand has too few complete rows.

    Notes
    -----
    LMG / Shapley decomposition of R² (Lindeman, Merenda & Gold 1980; Grömping 2006) with
    percentile bootstrap CIs.  With more than 12 drivers LMG is too costly and Johnson's (2000)
    relative weights are used instead (``method`` says which); their ``raw_weight`` is reported as
    ``relimp``.
    """
    cfg = data.config
    drivers = list(cfg.drivers)
    if len(drivers) < 2 or not cfg.outcomes:
        return None
    own = data.own
    parts = []
    for outcome in cfg.outcomes:
        try:
            if len(drivers) <= MAX_LMG:
                t = stats.relative_importance(own, outcome, drivers, n_boot=n_boot, seed=seed)
                t["method"] = "LMG (Shapley)"
            else:
                t = stats.relative_weights(own, outcome, drivers, n_boot=n_boot, seed=seed)
                t = t.rename(columns={"raw_weight": "relimp", "raw_weight_ci_low": "relimp_ci_low",
                                      "raw_weight_ci_high": "relimp_ci_high"})
                t["method"] = "relative weights (Johnson)"
        except ValueError:
            continue
        parts.append(t)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["share_ci_low"] = out["relimp_ci_low"] / out["r2"]
    out["share_ci_high"] = out["relimp_ci_high"] / out["r2"]
    out["driver_label"] = out["driver"].map(lambda d: _label(cfg, d))
    out["outcome_label"] = out["outcome"].map(lambda d: _label(cfg, d))
    out["driver_kind"] = out["driver"].map(lambda d: cfg.constructs[d].kind)
    out["series"] = [f"{o} (R² = {r2:.2f}, n = {int(n):,})"
                     for o, r2, n in zip(out["outcome_label"], out["r2"], out["n"])]
    return add_reliability_flag(out, reliability, on=["driver", "outcome"])


def driver_crosscheck(data: "ClientData", importance: pd.DataFrame | None, n_boot: int = 400,
                      seed: int = 2003) -> pd.DataFrame | None:
    """Cross-check the driver ranking: Johnson's relative weights beside LMG, with a disagreement flag.

    Parameters
    ----------
    data : ClientData
    importance : DataFrame
        :func:`driver_importance` (LMG; when it fell back to relative weights, there is nothing to
        cross-check and ``None`` is returned).
    n_boot, seed
        Bootstrap of the relative weights (use the settings of the importances).

    Returns
    -------
    DataFrame or None
        One row per outcome × driver, ordered by the LMG rank: ``outcome, outcome_label, driver,
        driver_label, lmg_rank, lmg_share, lmg_ci_low, lmg_ci_high, rw_rank, rw_share, rw_ci_low,
        rw_ci_high, rank_diff, disagree, spearman_rho, n``.  Shares are parts of the explained
        variance (0–1) with 95% percentile-bootstrap intervals (each importance's interval divided by
        the point R²); ``disagree`` is True where the two methods give the driver a different rank
        (:func:`cem_research.stats.driver_agreement`); ``spearman_rho`` the rank correlation of the
        two rankings per outcome.

    Notes
    -----
    LMG averages a driver's R² gain over all orders of entry (Lindeman, Merenda & Gold 1980);
    Johnson's (2000) relative weights regress the outcome on orthogonal counterparts of the
    drivers.  Both split R² and usually agree closely; where they rank drivers differently, the
    difference is within what collinear drivers allow, and the ranking of those drivers is not
    settled.  Same own-brand rows and listwise deletion as :func:`driver_importance`.
    """
    if importance is None or importance.empty or not (importance["method"] == "LMG (Shapley)").all():
        return None
    cfg = data.config
    drivers = list(cfg.drivers)
    parts = []
    for outcome, lmg in importance.groupby("outcome", sort=False):
        try:
            rw = stats.relative_weights(data.own, outcome, drivers, n_boot=n_boot, seed=seed)
        except ValueError:
            continue
        agree = stats.driver_agreement(lmg, rw)
        r2_lmg = float(lmg["r2"].iloc[0])
        r2_rw = float(rw["r2"].iloc[0])
        L = lmg.set_index("driver")
        R = rw.set_index("driver")
        t = pd.DataFrame({
            "outcome": outcome, "outcome_label": _label(cfg, outcome), "driver": agree["driver"],
            "driver_label": agree["driver"].map(lambda d: _label(cfg, d)),
            "lmg_rank": agree["rank_a"].astype(int), "lmg_share": agree["share_a"],
            "lmg_ci_low": agree["driver"].map(L["relimp_ci_low"]) / r2_lmg,
            "lmg_ci_high": agree["driver"].map(L["relimp_ci_high"]) / r2_lmg,
            "rw_rank": agree["rank_b"].astype(int), "rw_share": agree["share_b"],
            "rw_ci_low": agree["driver"].map(R["raw_weight_ci_low"]) / r2_rw,
            "rw_ci_high": agree["driver"].map(R["raw_weight_ci_high"]) / r2_rw,
            "rank_diff": agree["rank_diff"].astype(int), "disagree": agree["disagree"].astype(bool),
            "spearman_rho": agree["spearman_rho"], "n": int(lmg["n"].iloc[0])})
        parts.append(t)
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True)


def crosscheck_finding(cross: pd.DataFrame | None) -> dict:
    """One sentence on the cross-check: do LMG and relative weights agree on the top driver and the ranking?

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="driver_method_agreement"``, value = the
        lowest Spearman correlation of the two rankings over the outcomes; not a headline).
    """
    if cross is None or cross.empty:
        return {"text": "The driver ranking could not be cross-checked with Johnson's relative weights "
                        "(more than 12 drivers use relative weights only).", "key": "driver_method_agreement",
                "value": None, "ci": None, "headline": False}
    tops_agree, bits, swapped = [], [], []
    for outcome, t in cross.groupby("outcome", sort=False):
        lab = t["outcome_label"].iloc[0]
        lt = t.loc[t["lmg_rank"] == t["lmg_rank"].min()].iloc[0]
        rt = t.loc[t["rw_rank"] == t["rw_rank"].min()].iloc[0]
        if lt["driver"] == rt["driver"]:
            tops_agree.append(lab)
            bits.append(f"{lt['driver_label']} for {lab} ({_pct(lt['lmg_share'])} of R² by LMG, "
                        f"{_pci(lt['lmg_ci_low'], lt['lmg_ci_high'])}; {_pct(lt['rw_share'])} by relative "
                        f"weights, {_pci(lt['rw_ci_low'], lt['rw_ci_high'])})")
        else:
            bits.append(f"for {lab}, LMG ranks {lt['driver_label']} first ({_pct(lt['lmg_share'])}, "
                        f"{_pci(lt['lmg_ci_low'], lt['lmg_ci_high'])}) but relative weights rank "
                        f"{rt['driver_label']} first ({_pct(rt['rw_share'])}, {_pci(rt['rw_ci_low'], rt['rw_ci_high'])})")
        d = t[t["disagree"]]
        if len(d):
            swapped.append(f"{lab}: {_join(list(d['driver_label']))}")
    n_out = cross["outcome"].nunique()
    rho = cross.groupby("outcome", sort=False)["spearman_rho"].first()
    if len(tops_agree) == n_out:
        text = "Johnson's relative weights confirm the top driver of every outcome: " + "; ".join(bits) + "."
    else:
        text = ("Johnson's relative weights and LMG do not agree on every top driver: " + "; ".join(bits)
                + ". Treat the order of those drivers as unsettled.")
    if swapped:
        text += (f" The two methods rank some drivers differently ({'; '.join(swapped)})"
                 + (f"; rank correlation {rho.min():.2f} at the lowest" if rho.notna().any() else "")
                 + " — their order is within what correlated drivers allow.")
    else:
        text += " Both methods give every driver the same rank."
    value = float(rho.min()) if rho.notna().any() else None
    return {"text": text, "key": "driver_method_agreement", "value": value, "ci": None, "headline": False}


def _lmg_boot(z: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """LMG (Shapley) importances of bootstrap resamples of the rows of ``z`` (outcome first):
    (n_boot, p) and R² (n_boot,).

    Private helper: :func:`cem_research.stats.relative_importance` returns only the percentile
    limits, not the resamples needed for the interval of a *sum* of importances.
    """
    return stats.lmg_from_corr(stats.boot_corr_all(z, n_boot, seed))


def emotional_functional(data: "ClientData", importance: pd.DataFrame | None, n_boot: int = 400,
                         seed: int = 2003) -> pd.DataFrame | None:
    """Emotional vs functional contribution to each outcome's explained variance.

    Parameters
    ----------
    data : ClientData
    importance : DataFrame
        Output of :func:`driver_importance`.
    n_boot, seed
        Bootstrap of the emotional share (same settings as the importances).

    Returns
    -------
    DataFrame or None
        One row per outcome: ``outcome, outcome_label, n, r2, emotional, functional,
        emotional_share, emotional_share_ci_low, emotional_share_ci_high, emotional_drivers,
        functional_drivers, reliability_flag`` (the flags of the drivers and the outcome, from
        ``importance``).  ``emotional``/``functional`` are the summed relative importances
        (parts of R²) of drivers declared ``kind: emotional`` / functional; ``emotional_share =
        emotional / r2`` with a percentile bootstrap CI.  ``None`` without importances.

    Notes
    -----
    The bootstrap resamples own-brand rows and recomputes every driver's LMG importance in each
    resample (private helper ``_lmg_boot``), so the interval accounts for the correlation
    between the drivers' importances.  Only computed with LMG (at most 12 drivers).
    """
    if importance is None or importance.empty:
        return None
    cfg = data.config
    drivers = list(cfg.drivers)
    if len(drivers) > MAX_LMG:
        return None
    emo = [d for d in drivers if cfg.constructs[d].kind == "emotional"]
    fun = [d for d in drivers if d not in emo]
    rows = []
    for outcome, t in importance.groupby("outcome", sort=False):
        e = float(t.loc[t["driver"].isin(emo), "relimp"].sum())
        f = float(t.loc[t["driver"].isin(fun), "relimp"].sum())
        r2 = float(t["r2"].iloc[0])
        lo = hi = np.nan
        if emo and fun and n_boot > 0:
            z = data.own[[outcome, *drivers]].astype(float).dropna().to_numpy()
            lmg, r2b = _lmg_boot(z, n_boot, seed)
            mask = np.array([d in emo for d in drivers])
            share = lmg[:, mask].sum(axis=1) / r2b
            lo, hi = np.nanpercentile(share, [2.5, 97.5])
        elif not emo:
            lo = hi = 0.0
        elif not fun:
            lo = hi = 1.0
        rows.append({"outcome": outcome, "outcome_label": _label(cfg, outcome), "n": int(t["n"].iloc[0]),
                     "r2": r2, "emotional": e, "functional": f, "emotional_share": e / r2 if r2 > 0 else np.nan,
                     "emotional_share_ci_low": float(lo), "emotional_share_ci_high": float(hi),
                     "emotional_drivers": ", ".join(_label(cfg, d) for d in emo),
                     "functional_drivers": ", ".join(_label(cfg, d) for d in fun),
                     "reliability_flag": "; ".join(dict.fromkeys(
                         f for f in t.get("reliability_flag", pd.Series(dtype=object)) if f))})
    return pd.DataFrame(rows)


def nps_table(data: "ClientData") -> pd.DataFrame | None:
    """Net Promoter Score of the own brand, overall and per wave.

    Returns
    -------
    DataFrame or None
        ``wave, n, promoters, passives, detractors, pct_promoters, pct_detractors, nps, ci_low,
        ci_high, n_eff``: the first row (``wave = "all waves"``) pools every wave, then one row
        per wave in wave order.  Promoters answer 9–10, detractors 0–6
        (:func:`cem_research.stats.nps`; weighted when the client supplies weights).  ``None``
        when the client declares no ``nps`` construct.
    """
    cfg = data.config
    if not cfg.nps:
        return None
    item = cfg.constructs[cfg.nps].items[0]
    own = data.own
    w = _weights(data)
    overall = stats.nps(own, item, weights=w)
    overall.insert(0, "wave", "all waves")
    waves = [wv for wv in data.waves if (own["wave"] == wv).any()]
    frame = own.assign(wave=pd.Categorical(own["wave"], categories=waves, ordered=True))
    per = stats.nps(frame, item, by="wave", weights=w)
    per["wave"] = per["wave"].astype(str)
    out = pd.concat([overall, per], ignore_index=True) if len(waves) > 1 else overall
    return out.reset_index(drop=True)


def drivers_finding(importance: pd.DataFrame | None, emo: pd.DataFrame | None = None,
                    nps: pd.DataFrame | None = None) -> dict:
    """Plain-words finding for the driver section: the top driver of each outcome with its
    share of explained variance (CI) and R² (CI), the emotional share and the NPS."""
    parts = []
    first = None
    for outcome, t in importance.groupby("outcome", sort=False):
        top = t.sort_values("rank").iloc[0]
        if first is None:
            first = top
        parts.append(f"{top['outcome_label']} is driven most by {top['driver_label']} "
                     f"({_pct(top['share'])} of the explained variance, "
                     f"{_pci(top['share_ci_low'], top['share_ci_high'])}; R² = {_num(top['r2'])}, "
                     f"{_ci(top['r2_ci_low'], top['r2_ci_high'])}, n = {int(top['n'])})")
    text = "; ".join(parts) + "."
    if emo is not None and len(emo):
        e = emo.iloc[0]
        if e["emotional_drivers"] and e["functional_drivers"]:
            text += (f" Emotional drivers ({e['emotional_drivers']}) account for {_pct(e['emotional_share'])} "
                     f"of the explained variance in {e['outcome_label']} "
                     f"({_pci(e['emotional_share_ci_low'], e['emotional_share_ci_high'])}).")
        elif not e["emotional_drivers"]:
            text += " No driver is declared emotional, so the emotional/functional split is not informative."
    if nps is not None and len(nps):
        a = nps.iloc[0]
        text += (f" NPS is {a['nps']:+.0f} ({_ci(a['ci_low'], a['ci_high'], 0)}, n = {int(a['n'])}; "
                 f"{_pct(a['pct_promoters'] / 100)} promoters, {_pct(a['pct_detractors'] / 100)} detractors).")
    flagged = importance.loc[importance["reliability_flag"].astype(bool), "reliability_flag"] \
        if "reliability_flag" in importance else []
    if len(flagged):
        text += f" Flagged for reliability: {'; '.join(sorted(set(flagged)))}."
    return {"text": text, "headline": True, "key": f"top_driver_{first['outcome']}",
            "value": float(first["share"]), "ci": (float(first["share_ci_low"]), float(first["share_ci_high"]))}


# ---------------------------------------------------------------------------------------------
# 4. the experiential platform
# ---------------------------------------------------------------------------------------------


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
        for source in (d, _label(cfg, d)):
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
            target = "mentions " + _join([_label(cfg, d) for d in dimensions])
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


@dataclass
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
    """

    table: pd.DataFrame
    markdown: str
    candidates: pd.DataFrame
    theme: pd.DataFrame | None = None
    positioning: list[str] = field(default_factory=list)
    evp: str | None = None
    brand: str = ""

    def _repr_markdown_(self) -> str:  # pragma: no cover - display only
        return self.markdown


def _evidence(row: pd.Series, importance_text: bool = True) -> str:
    bits = [f"mean {_num(row['mean'])} ({_ci(row['ci_low'], row['ci_high'])}; midpoint {row['midpoint']:g})"]
    if np.isfinite(row.get("diff", np.nan)):
        bits.append(f"{_signed(row['diff'])} vs competitors ({_ci(row['diff_ci_low'], row['diff_ci_high'])}; "
                    f"g = {_num(row['hedges'])}; Holm {_p(row['p_corr'])})")
    if importance_text and np.isfinite(row.get("importance_share", np.nan)):
        bits.append(f"{_pct(row['importance_share'])} of explained variance in the outcomes "
                    f"({_pci(row['importance_ci_low'], row['importance_ci_high'])})")
    if row.get("reliability_flag"):
        bits.append(f"caution: {row['reliability_flag']}")
    return "; ".join(bits)


def _markdown(table: pd.DataFrame, brand: str) -> str:
    lines = [f"**Proposed experiential platform for {_md(brand)}** (data-driven draft; edit the wording below)."]
    for r in table.itertuples():
        lines.append(f"\n* **{_md(r.element)}:** {_md(r.proposal)}  \n  *Evidence:* {_md(r.evidence)}")
    return "\n".join(lines)


def propose_platform(data: "ClientData", profile: pd.DataFrame, tests: pd.DataFrame | None,
                     importance: pd.DataFrame | None, max_positioning: int = 2,
                     theme: pd.DataFrame | None | bool = True) -> PlatformProposal:
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
    outcomes = _join([_label(cfg, o) for o in cfg.outcomes]) or "the outcomes"
    rows = []
    if len(full):
        claims = ["strong"]
        if importance is not None and not importance.empty:
            claims.append(f"drives {outcomes.lower()}")
        if tests is not None and not tests.empty:
            claims.append("sets it apart from competitors")
        prop = (f"Position {brand} on the {_join([lab.lower() for lab in labels])} experience: where the brand "
                f"is {_join(claims)}.")
    else:
        prop = (f"Tentatively position {brand} on the {labels[0].lower()} experience, the best available "
                f"candidate; it does not yet meet: {chosen.iloc[0]['missing']}.")
    ev = " | ".join(f"{r['label']}: {_evidence(r)}" for _, r in chosen.iterrows())
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
        where = f"{top['outcome_label'].lower()} ({_pct(top['share'])} of its explained variance)"
        if top["rank"] == 1:
            prop += f" – the strongest driver of {where}."
        elif best["drives"]:
            prop += f" – an experience that drives {where}."
        else:
            prop += (f" – distinctive, but it explains only {_pct(top['share'])} of "
                     f"{top['outcome_label'].lower()}: test whether the promise can be made to matter "
                     "before committing to it.")
    else:
        prop += "."
    rows.append({"element": ELEMENTS[1], "proposal": prop, "evidence": f"{best['label']}: {_evidence(best)}"})

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
                  f"{r.term} ({_pct(r.target_share)} vs {_pct(r.reference_share)}, G² = {r.g2:.1f})"
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
                            positioning=positioning, evp=evp, brand=brand)


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
    with its numbers (record each with :func:`cem_research.present.findings.record`)."""
    cand = proposal.candidates.set_index("dimension")
    tab = proposal.table.set_index("element")
    out = []
    pos = proposal.positioning
    first = cand.loc[pos[0]]
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[0], "edited"] else ""
    out.append({"text": f"Proposed experiential positioning{edited}: {tab.loc[ELEMENTS[0], 'proposal']} "
                        "Evidence – " + "; ".join(f"{cand.loc[d, 'label']}: {_evidence(cand.loc[d])}" for d in pos) + ".",
                "headline": True, "key": "positioning", "value": float(first["mean"]),
                "ci": (float(first["ci_low"]), float(first["ci_high"]))})
    e = cand.loc[proposal.evp]
    has_imp = np.isfinite(e["importance_share"])
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[1], "edited"] else ""
    out.append({"text": f"Proposed experiential value promise{edited}: {tab.loc[ELEMENTS[1], 'proposal']} "
                        f"Evidence – {_evidence(e)}.",
                "headline": True, "key": "evp",
                "value": float(e["importance_share"]) if has_imp else float(e["mean"]),
                "ci": ((float(e["importance_ci_low"]), float(e["importance_ci_high"])) if has_imp
                       else (float(e["ci_low"]), float(e["ci_high"])))})
    edited = " (wording edited by the researcher)" if tab.loc[ELEMENTS[2], "edited"] else ""
    out.append({"text": f"Overall implementation theme{edited}: {tab.loc[ELEMENTS[2], 'proposal']} "
                        f"Evidence – {tab.loc[ELEMENTS[2], 'evidence']}.",
                "headline": False, "key": "implementation_theme", "value": None, "ci": None})
    return out
