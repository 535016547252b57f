"""Measurement quality: Cronbach's alpha of every construct, and the reliability flag every step uses.

This module is the single home of the reliability table (:func:`reliability_table`, the result
of :class:`Reliability`) and of the ``reliability_flag`` column that every later table carries
(:func:`add_reliability_flag`).  Other steps take the table from
``Reliability().result(data, settings)`` and never recompute it another way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.platform.common import STEP
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

__all__ = ["reliability_table", "item_table", "reverse_worded_items", "add_reliability_flag",
           "reliability_finding", "flag_text", "Reliability"]

ITEM_COLUMNS = ["construct", "item", "reversed", "n", "mean", "sd", "item_total_r", "alpha_if_deleted",
                "alpha", "raises_alpha"]


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


def flag_text(alpha: float, k: int, threshold: float = RELIABILITY_THRESHOLD) -> str:
    """The reliability note of one construct ("" when its raw alpha reaches ``threshold``).

    Parameters
    ----------
    alpha : float
        Raw Cronbach's alpha (NaN when not estimable).
    k : int
        Number of items.
    threshold : float, default :data:`cem_research.stats.RELIABILITY_THRESHOLD`

    Returns
    -------
    str
        ``"single item: alpha not estimable"``, ``"alpha not estimable"``, ``"alpha = -0.12
        (negative: check reverse-keyed items)"``, ``"alpha = .55 < .70"`` or ``""``.

    Examples
    --------
    >>> flag_text(0.55, 3)
    'alpha = .55 < .70'
    >>> flag_text(0.8, 3)
    ''
    """
    if k < 2:
        return "single item: alpha not estimable"
    if alpha is None or not np.isfinite(alpha):
        return "alpha not estimable"
    if alpha < 0:
        return f"alpha = {nv.num(alpha)} (negative: check reverse-keyed items)"
    if alpha < threshold:
        return f"alpha = {nv.num(alpha)} < {nv.num(threshold)}".replace("0.", ".")
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
        is below ``threshold``; ``reliability_flag`` is "" when fine, else a short note
        (:func:`flag_text`).

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
        out.append({"construct": name, "label": c.title, "role": _role(cfg, name), "k": int(r["k"]),
                    "n": int(r["n"]), "alpha": alpha, "alpha_ci_low": float(r["alpha_ci_low"]),
                    "alpha_ci_high": float(r["alpha_ci_high"]), "alpha_std": float(r["alpha_std"]),
                    "reversed_items": ", ".join(c.reverse),
                    "below_threshold": bool(len(c.items) > 1 and np.isfinite(alpha) and alpha < threshold),
                    "reliability_flag": flag_text(alpha, int(r["k"]), threshold)})
    return pd.DataFrame(out)


def item_table(data: "ClientData", rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Item analysis of every multi-item construct (own brand rows by default).

    Parameters
    ----------
    data : ClientData
    rows : DataFrame, optional
        The rows to use (default ``data.own``).

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
        return pd.DataFrame(columns=ITEM_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def reverse_worded_items(items: pd.DataFrame) -> pd.DataFrame:
    """Items that correlate negatively with the rest of their construct and whose deletion raises alpha.

    Parameters
    ----------
    items : DataFrame
        :func:`item_table`.

    Returns
    -------
    DataFrame
        The rows of ``items`` with ``item_total_r < 0`` and ``raises_alpha`` (each item once, in table
        order).  Not yet ``reversed``: probably reverse-worded and not declared under ``reverse:``;
        already ``reversed``: declared, yet still negative (check whether it really is reverse-worded).

    Notes
    -----
    A reverse-worded item left unreversed correlates negatively with the construct's other items,
    pulls alpha down, and alpha rises when it is dropped (e.g. Streiner 2003, *J. Pers. Assess.* 80,
    99-103).  Both conditions are required, so a merely weak item is not called reverse-worded.

    Examples
    --------
    >>> t = pd.DataFrame({"construct": ["a", "a"], "item": ["x", "y"], "reversed": [False, False],
    ...                   "item_total_r": [0.5, -0.4], "raises_alpha": [False, True]})
    >>> reverse_worded_items(t)["item"].tolist()
    ['y']
    """
    if items is None or items.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    hit = (items["item_total_r"] < 0) & items["raises_alpha"].astype(bool)
    return items[hit].drop_duplicates(["construct", "item"]).reset_index(drop=True)


def _reverse_text(items: pd.DataFrame | None, labels: dict, cfg=None) -> str:
    """The sentence naming each probably reverse-worded item by its wording ("" when there is none)."""
    rev = reverse_worded_items(items) if items is not None else pd.DataFrame()
    if rev.empty:
        return ""

    def one(r):
        return (f"“{nv.item_label(cfg, r.item)}” of {labels.get(r.construct, r.construct)} "
                f"(item–total r = {nv.num(r.item_total_r)}; "
                f"alpha {nv.num(r.alpha)} rises to {nv.num(r.alpha_if_deleted)} without it)")

    new, declared = rev[~rev["reversed"].astype(bool)], rev[rev["reversed"].astype(bool)]
    text = ""
    if len(new):
        text += (f" Probably reverse-worded: {nv.join([one(r) for r in new.itertuples()])}: declare "
                 f"{'it' if len(new) == 1 else 'them'} under `reverse:`.")
    if len(declared):
        text += (f" Declared under `reverse:` yet still negative: {nv.join([one(r) for r in declared.itertuples()])}: "
                 "check whether the wording is really reversed.")
    return text


def add_reliability_flag(frame: pd.DataFrame | None, reliability: pd.DataFrame | None,
                         on: str | list[str] = "construct") -> pd.DataFrame | None:
    """Add a ``reliability_flag`` column to a table of constructs.

    Parameters
    ----------
    frame : DataFrame or None
        Any table with one or more columns naming constructs.
    reliability : DataFrame or None
        Output of :func:`reliability_table` (the result of :class:`Reliability`).
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


def reliability_finding(reliability: pd.DataFrame, threshold: float = RELIABILITY_THRESHOLD,
                        confidence: float = 0.95, items: pd.DataFrame | None = None, cfg=None) -> dict:
    """Plain-words finding for the measurement-quality section.

    Parameters
    ----------
    reliability : DataFrame
        :func:`reliability_table`.
    threshold : float, default 0.70
        The threshold the table was built with (stated in the sentence).
    confidence : float, default 0.95
        Level of the alpha intervals.
    items : DataFrame, optional
        :func:`item_table`: every item :func:`reverse_worded_items` finds is named, with the advice
        to declare it under ``reverse:`` (a headline).
    cfg : ClientConfig, optional
        Names those items by their question wording (:func:`cem_research.present.narrative.item_label`).

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record` (``text, headline, key,
        value, ci``): the weakest multi-item construct's raw alpha with its CI, every construct
        below the threshold by name, and every probably reverse-worded item.
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
            f"{nv.num(threshold)} on the own brand's rows (n = {int(multi['n'].max())}). ")
    if len(low):
        names = nv.join([f"{r.label} (alpha = {nv.num(r.alpha)}, "
                         f"{nv.ci(r.alpha_ci_low, r.alpha_ci_high, confidence=confidence)})"
                         for r in low.itertuples()])
        text = base + (f"Below the threshold: {names}; results that use "
                       f"{'it' if len(low) == 1 else 'them'} are flagged in every later table and "
                       "should be read as tentative.")
    else:
        text = base + (f"The weakest is {weakest['label']} (alpha = {nv.num(weakest['alpha'])}, "
                       f"{nv.ci(weakest['alpha_ci_low'], weakest['alpha_ci_high'], confidence=confidence)}; "
                       f"standardized {nv.num(weakest['alpha_std'])}).")
    rev = _reverse_text(items, dict(zip(reliability["construct"], reliability["label"])), cfg)
    return {"text": text + rev, "headline": bool(len(low)) or bool(rev), "key": "reliability_min_alpha",
            "value": float(weakest["alpha"]),
            "ci": (float(weakest["alpha_ci_low"]), float(weakest["alpha_ci_high"]))}


def flat_constructs(data: "ClientData") -> dict[str, str]:
    """Constructs the own brand's customers did not answer, or all answered alike: ``{name: why}``.

    The comparisons and driver analyses leave them out (a constant explains and distinguishes nothing);
    the measurement-quality finding names them, so their absence elsewhere is explained once.

    Examples
    --------
    >>> class Cfg:
    ...     constructs = {"a": None, "b": None, "c": None}
    >>> class Data:
    ...     config = Cfg()
    ...     own = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 3.0], "c": [np.nan, np.nan]})
    >>> flat_constructs(Data())
    {'b': 'every answer is 3', 'c': 'no answers'}
    """
    out = {}
    for c in data.config.constructs:
        if c not in data.own:
            continue
        values = data.own[c].dropna()
        if values.empty:
            out[c] = "no answers"
        elif values.nunique() < 2:
            v = float(values.iloc[0])
            out[c] = f"every answer is {nv.num(v, 0 if v.is_integer() else 2)}"
    return out


class Reliability(Section):
    """Measurement quality: Cronbach's alpha of every construct (own-brand rows) and the item analysis.

    The result is THE reliability table (:func:`reliability_table`) of the client: every step
    takes its ``reliability_flag`` from ``Reliability().result(data, settings)``.

    Examples
    --------
    >>> from cem_research.steps.platform import Reliability
    >>> Reliability().title
    'Measurement quality'
    """

    step = STEP
    title = "Measurement quality"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if not data.config.constructs:
            return "the client declares no constructs, so there is nothing to measure"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> pd.DataFrame:
        return reliability_table(data, threshold=settings.reliability_threshold)

    def findings(self, result: pd.DataFrame, data: "ClientData", settings: Settings) -> list[dict]:
        finding = reliability_finding(result, threshold=settings.reliability_threshold,
                                      confidence=settings.confidence, items=item_table(data), cfg=data.config)
        flat = flat_constructs(data)
        if flat:
            finding = {**finding, "headline": True, "text": finding["text"] + " Left out of every comparison and "
                       "driver analysis, as there is nothing to compare: " + nv.join(
                           [f"{nv.label(data.config, c)} ({why})" for c, why in flat.items()]) + "."}
        return [finding]

    def present(self, result: pd.DataFrame, data: "ClientData", settings: Settings) -> list[Shown]:
        cfg = data.config
        # constructs and items are shown in words when displayed (show.display_all); the joined
        # reverse-keyed items are named here
        shown = result.drop(columns=["below_threshold"]).assign(reversed_items=[
            "; ".join(nv.item_label(cfg, i) for i in cfg.constructs[c].reverse) if c in cfg.constructs else r
            for c, r in zip(result["construct"], result["reversed_items"])])
        return [
            Shown("table", shown,
                  "Reliability per construct (own-brand rows; alpha = raw, alpha_std = standardized)",
                  {"rename": {"alpha": "alpha (raw)", "alpha_std": "alpha (standardized)",
                              "reversed_items": "reverse-keyed items"}}, layer="appendix"),
            Shown("table", item_table(data),
                  "Item analysis (reverse-keyed items already reversed)", {"rename": {"item": "question"}},
                  layer="appendix"),
        ]
