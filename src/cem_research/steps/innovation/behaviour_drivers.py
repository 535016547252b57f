"""Which experience dimensions predict what customers did, not just what they said (issue 20).

Part of the section *Stated loyalty against behaviour* (:class:`~cem_research.steps.innovation.behaviour.
StatedVsBehaviour`).  For each declared behaviour column, the own brand's respondents' behaviour is
modelled on the experience constructs the drivers section uses (``drivers:`` in client.yaml), each
standardised, all at once (:func:`cem_research.stats.outcome_models.per_sd_effects`):

* a 0/1 behaviour (churned, renewed): logistic regression, **odds ratio per SD** of the construct;
* a count (referrals made) or an amount (spend): log-link Poisson quasi-likelihood with robust standard
  errors, **ratio of means per SD** (a rate ratio for a count).

p-values are Holm-corrected over the constructs of each model; a construct "predicts" a behaviour only
when its corrected p is below .05.  Each row carries the construct's share of the explained variance
in the stated outcome that corresponds to the behaviour (likelihood to recommend for referrals, the
loyalty construct for churn, repeat business and amounts; else the main outcome) from the drivers
section (:func:`cem_research.steps.platform.drivers.importance_for`), so a reader sees where what
predicts the behaviour differs from what drives the intention.  Constructs below the reliability
threshold stay in the model (they adjust the others) but carry their flag and are never named as
predictors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.stats.outcome_models import per_sd_effects

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData
    from cem_research.steps.section import Settings

__all__ = ["MIN_EVENTS_PER_PREDICTOR", "DRIVER_LABELS", "stated_counterpart", "behaviour_drivers",
           "behaviour_drivers_finding"]

#: Fewest events (and non-events) per construct for a model to be fitted (Vittinghoff & McCulloch 2007
#: find 5-9 events per predictor adequate for logistic regression).
MIN_EVENTS_PER_PREDICTOR = 5
#: Reader's labels of the columns of :func:`behaviour_drivers`.
DRIVER_LABELS = {"behaviour_label": "behaviour", "construct_label": "experience", "ratio": "ratio per SD",
                 "p_corr": "Holm p", "n_event": "n who did it", "stated_label": "stated outcome",
                 "stated_share": "share of R²", "stated_share_ci_low": "share, CI low",
                 "stated_share_ci_high": "share, CI high"}


def stated_counterpart(cfg, role: str | None, outcomes, main_outcome: str | None, loyalty: str | None) -> str | None:
    """The stated outcome a behaviour is the deed of: likelihood to recommend (the ``nps`` construct) for
    referrals, the loyalty construct for anything else; the main outcome when that one has no drivers.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stated_counterpart(SimpleNamespace(nps="recommend"), "referral", ["satisfaction", "recommend"],
    ...                    "satisfaction", None)
    'recommend'
    """
    want = cfg.nps if role == "referral" else loyalty
    if want in outcomes:
        return want
    return main_outcome if main_outcome in outcomes else (next(iter(outcomes), None))


def behaviour_drivers(data: "ClientData", frame: pd.DataFrame, importance: pd.DataFrame | None,
                      reliability: pd.DataFrame | None, loyalty: str | None,
                      settings: "Settings") -> pd.DataFrame | None:
    """Odds ratios (0/1 behaviours) and ratios of means (counts, amounts) per SD of each experience
    construct, adjusted for the others, with Holm-corrected p-values.

    Parameters
    ----------
    data : ClientData
    frame : DataFrame
        One row per own-brand respondent with a behaviour record: the construct scores (named after the
        constructs) and the behaviour values (columns ``b:<name>``); see
        :func:`cem_research.steps.innovation.behaviour.experience_and_behaviour`.
    importance : DataFrame or None
        The drivers section's importances (:func:`cem_research.steps.platform.drivers.importance_for`).
    reliability : DataFrame or None
        :class:`cem_research.steps.platform.reliability.Reliability`'s table (flags).
    loyalty : str or None
        The loyalty construct (:func:`cem_research.steps.innovation.behaviour.loyalty_construct`).
    settings : Settings

    Returns
    -------
    DataFrame or None
        One row per behaviour x construct: ``behaviour, behaviour_label, kind, effect, construct,
        construct_label, ratio, ci_low, ci_high, p_unc, p_corr, significant, n, n_event,
        reliability_flag, stated_outcome, stated_label, stated_share, stated_share_ci_low,
        stated_share_ci_high``; ``None`` with fewer than two constructs or no behaviour with enough
        events (:data:`MIN_EVENTS_PER_PREDICTOR` per construct).
    """
    from cem_research.steps.platform.reliability import add_reliability_flag

    cfg = data.config
    constructs = [c for c in cfg.drivers if c in frame]
    if len(constructs) < 2:
        return None
    outcomes = list(pd.unique(importance["outcome"])) if importance is not None else []
    parts = []
    for m in cfg.behaviour.measures:
        col = f"b:{m.name}"
        d = frame[[col, *constructs]].dropna()
        events = int((d[col] > 0).sum())
        rare = min(events, len(d) - events) if m.kind == "binary" else events
        if rare < MIN_EVENTS_PER_PREDICTOR * len(constructs):
            continue
        try:
            t = per_sd_effects(d, col, constructs, kind=m.kind, confidence=settings.confidence)
        except ValueError:
            continue
        t = t.rename(columns={"predictor": "construct"})
        t.insert(0, "behaviour", m.name)
        t.insert(1, "behaviour_label", m.title)
        t.insert(2, "kind", m.kind)
        stated = stated_counterpart(cfg, m.role, outcomes, data.main_outcome, loyalty)
        t["stated_outcome"] = stated
        t["stated_label"] = nv.label(cfg, stated) if stated else ""
        shares = (importance[importance["outcome"] == stated].set_index("driver")
                  if stated else pd.DataFrame(columns=["share", "share_ci_low", "share_ci_high"]))
        for c in ("share", "share_ci_low", "share_ci_high"):
            t[f"stated_{c}"] = t["construct"].map(shares[c]) if c in shares else np.nan
        parts.append(t)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out.insert(out.columns.get_loc("construct") + 1, "construct_label", out["construct"].map(lambda c: nv.label(cfg, c)))
    out = add_reliability_flag(out, reliability, on="construct")
    return out.drop(columns=["sd"])


def _ratio_text(r, confidence: float) -> str:
    return (f"{r.effect} {nv.num(r.ratio)} per SD, {nv.ci(r.ci_low, r.ci_high, confidence=confidence)}; "
            f"Holm {nv.p(r.p_corr)}")


def _share_text(r, confidence: float, named: bool = True) -> str:
    where = f" in stated {r.stated_label}" if named else ""
    return (f"{nv.pct(r.stated_share)} of the explained variance{where}, "
            f"{nv.pct_ci(r.stated_share_ci_low, r.stated_share_ci_high, confidence=confidence)}")


def behaviour_drivers_finding(table: pd.DataFrame | None, confidence: float = 0.95) -> dict | None:
    """One sentence per behaviour: which experience dimensions predict it (Holm-corrected), and how that
    differs from what drives the stated outcome it corresponds to.

    Returns
    -------
    dict or None
        Keyword arguments for ``findings.record`` (``key="behaviour_drivers"``, value = the strongest
        predictor's ratio, or ``None``); ``None`` without a table.
    """
    if table is None or table.empty:
        return None
    k = table.groupby("behaviour", sort=False)["construct"].nunique().max()
    text = (f"Experiences against what customers did, not just what they said (each score per SD, the others "
            f"held equal; Holm over the {k} experience dimensions of each model).")
    bits, quiet, value = [], [], None
    groups = [t for _, t in table.groupby("behaviour", sort=False)]
    # behaviours some experience predicts come first: they carry the news
    groups.sort(key=lambda t: not (t["significant"] & (t["reliability_flag"] == "")).any())
    for t in groups:
        name = t["behaviour_label"].iloc[0]
        usable = t[t["reliability_flag"] == ""]
        sig = usable[usable["significant"]].assign(strength=lambda x: np.abs(np.log(x["ratio"])))
        sig = sig.sort_values("strength", ascending=False)
        stated = t.dropna(subset=["stated_share"])
        top = stated.loc[stated["stated_share"].idxmax()] if len(stated) else None
        if len(sig):
            preds = [f"{r.construct_label} ({_ratio_text(r, confidence)}"
                     + (f"; {_share_text(r, confidence)}" if pd.notna(r.stated_share) else "") + ")"
                     for r in sig.itertuples()]
            bit = f"{name} is predicted by {nv.join(preds)}"
            if value is None:
                value = float(sig["ratio"].iloc[0])
            if top is not None and top["construct"] not in set(sig["construct"]):
                bit += (f" — not by {top['construct_label']}, which drives stated {top['stated_label']} most "
                        f"({_share_text(top, confidence, named=False)}) but shows no corrected evidence of predicting what "
                        f"customers did ({_ratio_text(top, confidence)})")
        else:
            quiet.append(f"{name[0].lower() + name[1:]} (smallest Holm {nv.p(t['p_corr'].min())})")
            continue
        bits.append(bit)
    if quiet:
        either = quiet[0] if len(quiet) == 1 else ", ".join(quiet[:-1]) + " or " + quiet[-1]
        bits.append(f"no experience dimension predicts {either} with corrected evidence")
    text += "".join(f" {nv.initial(b)}." for b in bits)
    flagged = sorted(set(table.loc[table["reliability_flag"] != "", "reliability_flag"]))
    if flagged:
        text += f" Kept in the models but not read, for reliability: {'; '.join(flagged)}."
    return {"text": text, "headline": False, "key": "behaviour_drivers", "value": value, "ci": None}
