"""Stated loyalty against behaviour: do the customers who *say* they will recommend and stay then refer,
come back and stay?

Every other outcome of the report is an intention.  When the client supplies a ``behaviour:`` file
(:mod:`cem_research.client.behaviour`: referrals made, repeat business, churn over a stated period, one
row per respondent), this section joins it to the own brand's respondents and checks the intentions
against what customers did:

* the referral, repeat and churn rates of promoters, passives and detractors (NPS groups of the
  likelihood-to-recommend item), each with its Wilson interval (:func:`rates_by_nps_group`);
* how well likelihood to recommend and the loyalty construct tell apart the customers who did and did
  not refer, come back or leave: ROC AUC with a percentile bootstrap interval, overall and within each
  segment level (:func:`loyalty_auc`; :func:`cem_research.stats.discrimination.auc_ci`).  0.5 is
  chance, 1 a perfect ranking; a score "predicts" a behaviour only when the interval lies above 0.5;
* how well the same scores rank *how much* customers did -- referrals made, repeat purchases, spend
  (every ``count`` and ``amount`` column): Harrell's concordance C with a percentile bootstrap interval
  and a Holm-corrected test of no association (:func:`loyalty_concordance`;
  :func:`cem_research.stats.discrimination.concordance_ci`).  C is the AUC's counterpart for an ordered
  outcome (for a 0/1 outcome it *is* the AUC), so both read on one scale: of two customers, the chance
  that the one who said more also did more.  Spearman's rho would answer on a correlation scale that
  cannot be set beside the AUC;
* which experience dimensions predict what customers did, not just what they said: logistic and
  Poisson quasi-likelihood models of each behaviour on the standardised experience constructs, Holm-
  corrected (:mod:`cem_research.steps.innovation.behaviour_drivers`).

A respondent rated in several waves is matched with the latest one (the behaviour follows the survey).
Unweighted: the behaviour validates the intention measure, not a population estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.behaviour import behaviour_accounting
from cem_research.present import narrative as nv
from cem_research.stats.discrimination import auc_ci, concordance_ci
from cem_research.steps.innovation.behaviour_drivers import DRIVER_LABELS, behaviour_drivers, behaviour_drivers_finding
from cem_research.steps.innovation.common import STEP
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["NPS_GROUPS", "ROLE_WORDS", "loyalty_construct", "latest_own", "stated_and_done", "rates_by_nps_group",
           "loyalty_auc", "experience_and_behaviour", "loyalty_concordance", "behaviour_finding", "BehaviourResult",
           "StatedVsBehaviour"]

SECTION = "Stated loyalty against behaviour"
#: The section's heading and explanation: shown only for clients that declare ``behaviour:``.
INTRO = """## Stated loyalty against behaviour

**What is computed.** Only when the client supplies a behaviour file (`behaviour:` in client.yaml): what
each surveyed customer did in a stated period — referrals made, repeat business, churn — joined by
respondent id (ids the survey does not know, and respondents without a record, are counted). The share of
promoters (9–10), passives (7–8) and detractors (0–6) who referred someone, came back or left, with Wilson
95% intervals. How well likelihood to recommend and the loyalty construct rank the customers who did it
above those who did not: the ROC AUC (0.5 = chance, 1 = perfect), with a bootstrap 95% interval, overall
and within each segment level. For counts and amounts (referrals made, spend), how well they rank who did
*more*: the concordance C (the AUC's counterpart for an ordered outcome), with a bootstrap interval and a
Holm-corrected test. Which experience dimensions predict each behaviour, each standardised and the others
held equal: odds ratios per SD (logistic regression) for a yes/no behaviour, ratios of means per SD
(Poisson quasi-likelihood, robust errors) for counts and amounts, Holm-corrected over the dimensions, beside
each dimension's share of the explained variance in the corresponding stated outcome (step 2's drivers).

**How to read it.** Stated loyalty is an intention; behaviour is the outcome the business lives on. If
promoters refer more than detractors and the AUC interval lies above 0.5, the survey measure is a valid
signal; when it holds 0.5 the intention does not tell who will act, and targets set on it deserve caution.

**What would change the conclusion.** The behaviour period matters (churn over a month and over a year are
different questions); per-segment intervals are not adjusted for multiplicity, so one segment out of many
can fall short by chance.
"""
NPS_GROUPS = ("promoters", "passives", "detractors")
#: How a finding names each behaviour role (what a 1 means).
ROLE_WORDS = {"referral": "referring someone", "repeat": "repeat business", "churn": "churn"}
#: Reader's labels of the AUC tables' columns.
AUC_LABELS = {"n_event": "n who did it", "auc": "ROC AUC"}
#: Reader's labels of the concordance table's columns.
C_LABELS = {"behaviour_label": "behaviour", "n_nonzero": "n above 0", "c": "concordance C", "p_corr": "Holm p"}
#: Smallest count of each class (did / did not) in a segment level whose AUC is estimated.
MIN_CLASS = 10
#: An AUC whose interval holds 0.5 is "no better than chance" when the estimate itself is below 0.5 or
#: at most this much above it; an estimate farther above 0.5 is "unclear" (too few respondents to tell).
CHANCE_BAND = 0.05


def loyalty_construct(cfg) -> str | None:
    """The construct that states loyalty: one named ``loyalty``, else the first outcome with "loyal" in its
    name, else ``None``."""
    if "loyalty" in cfg.constructs:
        return "loyalty"
    return next((o for o in cfg.outcomes if "loyal" in o.lower()), None)


def latest_own(data: "ClientData") -> pd.DataFrame:
    """The own brand's rows, one per respondent: the latest wave of a respondent rated in several."""
    own = data.own
    if "wave" in own and len(data.waves) > 1:
        order = {w: i for i, w in enumerate(data.waves)}
        own = own.assign(_w=own["wave"].map(order)).sort_values("_w", kind="stable").drop(columns="_w")
    return own.drop_duplicates("respondent", keep="last")


def stated_and_done(data: "ClientData") -> pd.DataFrame:
    """The own brand's respondents (latest wave each) with what they said and what they did.

    Returns
    -------
    DataFrame
        ``respondent``, the segment columns, ``ltr`` (likelihood-to-recommend item, when ``nps:`` is
        declared), ``nps_group``, ``loyalty`` (the :func:`loyalty_construct` score, when declared), and,
        per behaviour role, a 0/1 column named after the role (a count is 1 when above 0); only
        respondents with a behaviour row.
    """
    cfg = data.config
    own = latest_own(data)
    out = pd.DataFrame({"respondent": own["respondent"].astype(str).to_numpy()})
    for seg in cfg.segments:
        if seg in own:
            out[seg] = own[seg].to_numpy()
    if cfg.nps:
        ltr = own[cfg.constructs[cfg.nps].items[0]].astype(float).to_numpy()
        out["ltr"] = ltr
        out["nps_group"] = np.select([ltr >= 9, ltr >= 7, ltr >= 0], list(NPS_GROUPS), default=None)
        out.loc[np.isnan(ltr), "nps_group"] = None
    loyal = loyalty_construct(cfg)
    if loyal is not None and loyal in own:
        out["loyalty"] = own[loyal].astype(float).to_numpy()
    b = data.behaviour[data.behaviour["matched"]]
    spec = cfg.behaviour
    did = pd.DataFrame({"respondent": b["respondent"].to_numpy()})
    for m in spec.measures:
        if m.role is not None:
            v = b[m.name].to_numpy(dtype=float)
            did[m.role] = np.where(np.isnan(v), np.nan, (v > 0).astype(float))
    return out.merge(did, on="respondent", how="inner")


def rates_by_nps_group(joined: pd.DataFrame, roles, confidence: float = 0.95) -> pd.DataFrame | None:
    """Referral, repeat and churn rates of promoters, passives and detractors, with Wilson intervals.

    Returns
    -------
    DataFrame or None
        ``behaviour, nps_group, n, events, rate, ci_low, ci_high``; ``None`` without an NPS item or a role.
    """
    if "nps_group" not in joined or not roles:
        return None
    rows = []
    for role in roles:
        for g in NPS_GROUPS:
            v = joined.loc[joined["nps_group"] == g, role].dropna()
            n, k = len(v), int(v.sum())
            lo, hi = stats.proportion_ci(k, n, confidence=confidence) if n else (np.nan, np.nan)
            rows.append({"behaviour": role, "nps_group": g, "n": n, "events": k,
                         "rate": k / n if n else np.nan, "ci_low": float(lo), "ci_high": float(hi)})
    out = pd.DataFrame(rows)
    return out[out["n"] > 0].reset_index(drop=True)


def loyalty_auc(joined: pd.DataFrame, roles, segments, settings: Settings) -> pd.DataFrame | None:
    """ROC AUC of each stated-loyalty score for each behaviour, overall and within each segment level.

    Returns
    -------
    DataFrame or None
        ``behaviour, predictor, segment, level, n, n_event, auc, ci_low, ci_high, verdict``
        (``segment = "all"`` for every respondent); ``verdict`` is ``predicts`` (interval above 0.5),
        ``reversed`` (interval below 0.5), ``no better than chance`` (interval holds 0.5 and the
        estimate is at most :data:`CHANCE_BAND` above it) or ``unclear`` (interval holds 0.5, estimate higher).  For churn
        a *low* score is expected to go with leaving, so the score is negated and 0.5 stays chance.
    """
    predictors = [p for p in ("ltr", "loyalty") if p in joined]
    if not predictors or not roles:
        return None
    groups = [("all", "all", joined)]
    for seg in segments:
        if seg in joined:
            for level, sub in joined.groupby(seg, sort=False, observed=True):
                groups.append((seg, str(level), sub))
    rows = []
    for role in roles:
        for p in predictors:
            for seg, level, sub in groups:
                d = sub[[role, p]].dropna()
                k = int(d[role].sum())
                if min(k, len(d) - k) < (1 if seg == "all" else MIN_CLASS):
                    continue
                a = auc_ci(d, role, p, n_boot=settings.n_boot, seed=settings.seed, confidence=settings.confidence,
                           higher_means_event=role != "churn").iloc[0]
                verdict = ("predicts" if a["ci_low"] > 0.5 else "reversed" if a["ci_high"] < 0.5
                           else "no better than chance" if a["auc"] <= 0.5 + CHANCE_BAND else "unclear")
                rows.append({"behaviour": role, "predictor": p, "segment": seg, "level": level, "n": int(a["n"]),
                             "n_event": int(a["n_event"]), "auc": a["auc"], "ci_low": a["ci_low"],
                             "ci_high": a["ci_high"], "verdict": verdict})
    return pd.DataFrame(rows) if rows else None


def experience_and_behaviour(data: "ClientData", joined: pd.DataFrame) -> pd.DataFrame:
    """:func:`stated_and_done` with the experience constructs' scores (the drivers, named after them) and
    every behaviour column's value (``b:<name>``: the count, amount or 0/1 as recorded)."""
    own = latest_own(data)
    scores = pd.DataFrame({"respondent": own["respondent"].astype(str).to_numpy()})
    for c in data.config.drivers:
        if c in own:
            scores[c] = own[c].astype(float).to_numpy()
    b = data.behaviour[data.behaviour["matched"]]
    did = pd.DataFrame({"respondent": b["respondent"].to_numpy()})
    for m in data.config.behaviour.measures:
        did[f"b:{m.name}"] = b[m.name].to_numpy(dtype=float)
    return joined.merge(scores, on="respondent", how="left").merge(did, on="respondent", how="left")


def loyalty_concordance(frame: pd.DataFrame, measures, settings: Settings) -> pd.DataFrame | None:
    """Harrell's C of each stated-loyalty score for each count and amount behaviour (how much customers did).

    Parameters
    ----------
    frame : DataFrame
        :func:`experience_and_behaviour`.
    measures : sequence of Measure
        The declared behaviour columns; the ``count`` and ``amount`` ones are used.
    settings : Settings

    Returns
    -------
    DataFrame or None
        ``behaviour, behaviour_label, kind, predictor, n, n_nonzero, c, ci_low, ci_high, p_unc, p_corr,
        verdict``: C with its percentile bootstrap interval
        (:func:`cem_research.stats.discrimination.concordance_ci`), the p-value of no association
        Holm-corrected over every row; ``verdict`` is ``predicts`` (corrected p < .05 and interval above
        0.5), ``reversed`` (corrected p < .05, interval below 0.5), ``no better than chance`` (corrected
        p >= .05, C at most :data:`CHANCE_BAND` above 0.5) or ``unclear``.  ``None`` without a count or
        amount column or a loyalty score.
    """
    predictors = [p for p in ("ltr", "loyalty") if p in frame]
    rows = []
    for m in measures:
        if m.kind not in ("count", "amount"):
            continue
        for p in predictors:
            d = frame[[f"b:{m.name}", p]].dropna()
            if d[f"b:{m.name}"].nunique() < 2:
                continue
            c = concordance_ci(d, f"b:{m.name}", p, n_boot=settings.n_boot, seed=settings.seed,
                               confidence=settings.confidence).iloc[0]
            rows.append({"behaviour": m.name, "behaviour_label": m.title, "kind": m.kind, "predictor": p,
                         **c.to_dict()})
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc").drop(columns="significant")
    out[["n", "n_nonzero"]] = out[["n", "n_nonzero"]].astype(int)
    sig = out["p_corr"] < 0.05
    out["verdict"] = np.select(
        [sig & (out["ci_low"] > 0.5), sig & (out["ci_high"] < 0.5), ~sig & (out["c"] <= 0.5 + CHANCE_BAND)],
        ["predicts", "reversed", "no better than chance"], default="unclear")
    return out


@dataclass(frozen=True)
class BehaviourResult:
    """Result of :class:`StatedVsBehaviour`: the join's accounting, the rates and the AUCs."""

    accounting: dict
    rates: pd.DataFrame | None
    auc: pd.DataFrame | None
    joined: pd.DataFrame
    concordance: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None


def _predictor_name(cfg, p: str) -> str:
    return "likelihood to recommend" if p == "ltr" else f"the {nv.label(cfg, loyalty_construct(cfg))} construct"


def _concordance_text(c: pd.DataFrame | None, cfg, confidence: float) -> str:
    """The concordance part of :func:`behaviour_finding`: whether each score ranks how much customers did."""
    if c is None or c.empty:
        return ""
    text = ""
    for p, t in c.groupby("predictor", sort=False):
        name = _predictor_name(cfg, p)

        def ev(r):
            return (f"{r.behaviour_label[0].lower() + r.behaviour_label[1:]}: C = {nv.num(r.c)}, "
                    f"{nv.ci(r.ci_low, r.ci_high, confidence=confidence)}, Holm {nv.p(r.p_corr)}")

        yes = [ev(r) for r in t.itertuples() if r.verdict == "predicts"]
        no = [ev(r) for r in t.itertuples() if r.verdict != "predicts"]
        if yes:
            text += f" {nv.initial(name)} also ranks how much customers did ({'; '.join(yes)})"
            text += (f", but not {'; '.join(no)}." if no else ".")
        elif no:
            text += (f" {nv.initial(name)} does not rank how much customers did, with corrected evidence "
                     f"({'; '.join(no)}).")
    return text


def _auc_evidence(row, confidence: float) -> str:
    return f"AUC {nv.num(row.auc)}, {nv.ci(row.ci_low, row.ci_high, confidence=confidence)}, n = {row.n}"


def _stated_predicts(a: pd.DataFrame, role: str, cfg, confidence: float) -> str:
    """The sentences of :func:`behaviour_finding` on whether stated loyalty predicts one behaviour (ROC AUC
    overall, then the segment levels where a score that predicts overall shows no evidence of doing so)."""
    overall = a[(a["segment"] == "all") & (a["behaviour"] == role)]
    by_verdict: dict[str, list[str]] = {}
    for row in overall.itertuples():
        by_verdict.setdefault(row.verdict, []).append(f"{_predictor_name(cfg, row.predictor)} "
                                                      f"({_auc_evidence(row, confidence)})")
    text = ""
    if by_verdict.get("predicts"):
        who = by_verdict["predicts"]
        text += f" {nv.initial(nv.join(who))} {'predict' if len(who) > 1 else 'predicts'} it."
    if by_verdict.get("unclear"):
        text += f" The data cannot tell whether {nv.join(by_verdict['unclear'])} predict{'s' if len(by_verdict['unclear']) == 1 else ''} it."
    for verdict in ("no better than chance", "reversed"):
        if by_verdict.get(verdict):
            who = by_verdict[verdict]
            text += (f" {nv.initial(nv.join(who))} {'does' if len(who) == 1 else 'do'} not predict "
                     f"it: {'no better than chance' if verdict != 'reversed' else 'the relation is reversed'}.")
    predicting = set(overall.loc[overall["verdict"] == "predicts", "predictor"])
    segs = a[(a["behaviour"] == role) & (a["segment"] != "all") & a["predictor"].isin(predicting)
             & a["verdict"].isin(["no better than chance", "reversed"])]
    for (seg, level), rows in segs.groupby(["segment", "level"], sort=False):
        parts = [f"{_predictor_name(cfg, r.predictor)} ({_auc_evidence(r, confidence)})" for r in rows.itertuples()]
        text += (f" But not within {cfg.segments.get(seg, seg)} {nv.value_label(cfg, seg, level)}: there "
                 f"{nv.join(parts)} {'is' if len(parts) == 1 else 'are'} no better than chance at "
                 f"{ROLE_WORDS[role]} (segment intervals not adjusted for multiplicity).")
    return text


def behaviour_finding(result: BehaviourResult, data: "ClientData", confidence: float = 0.95) -> dict:
    """Plain-words finding, one short paragraph per behaviour: the promoters' and detractors' rates, whether
    stated loyalty predicts it (and, when it does overall, the segment levels where it shows no evidence of
    doing so); then how many respondents the behaviour file covers and the concordance for amounts."""
    cfg = data.config
    acc = result.accounting
    r, a = result.rates, result.auc
    roles = list(dict.fromkeys(([] if r is None else list(pd.unique(r["behaviour"])))
                               + ([] if a is None else list(pd.unique(a["behaviour"])))))
    text = ""
    for role in roles:
        text += f" {nv.initial(ROLE_WORDS[role])}:"
        t = None if r is None else r[r["behaviour"] == role].set_index("nps_group")
        if t is not None and {"promoters", "detractors"} <= set(t.index):
            p, d = t.loc["promoters"], t.loc["detractors"]
            text += (f" promoters {nv.pct(p['rate'])} "
                     f"({nv.pct_ci(p['ci_low'], p['ci_high'], confidence=confidence)}, n = {int(p['n'])}), "
                     f"detractors {nv.pct(d['rate'])} "
                     f"({nv.pct_ci(d['ci_low'], d['ci_high'], confidence=confidence)}, n = {int(d['n'])}).")
        if a is not None:
            text += _stated_predicts(a, role, cfg, confidence)
    value = None
    if a is not None:
        overall = a[a["segment"] == "all"]
        churn = overall[overall["behaviour"] == "churn"]
        if len(churn) and churn["verdict"].isin(["no better than chance", "reversed"]).all():
            text += " Stated loyalty does not predict which customers left."
        if len(overall):
            value = float(overall.iloc[0]["auc"])
    text += _concordance_text(result.concordance, cfg, confidence)
    text += (f" Behaviour records: {acc['matched']} own-brand respondents ({acc['respondents_without']} have none; "
             f"{acc['unknown_ids']} ids of the behaviour file are not survey respondents).")
    return {"text": text.strip(), "headline": False, "key": "stated_vs_behaviour", "value": value, "ci": None}


class StatedVsBehaviour(OptionalSection):
    """Stated loyalty against behaviour: referral, repeat and churn rates by NPS group, ROC AUC of the
    intentions for what customers did."""

    step = STEP
    title = SECTION
    option = "behaviour"

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        cfg = data.config
        if getattr(data, "behaviour", None) is None:
            return "the processed data hold no behaviour table; process the client again"
        if not any(m.role for m in cfg.behaviour.measures):
            return "no behaviour column is declared as a referral, repeat or churn role"
        if not cfg.nps and loyalty_construct(cfg) is None:
            return "the client declares neither an NPS item nor a loyalty construct to check against behaviour"
        if not data.behaviour["matched"].any():
            return "no id of the behaviour file is a respondent of the survey"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> BehaviourResult:
        joined = stated_and_done(data)
        roles = [m.role for m in data.config.behaviour.measures if m.role in joined]
        frame = experience_and_behaviour(data, joined)
        return BehaviourResult(behaviour_accounting(data),
                               rates_by_nps_group(joined, roles, confidence=settings.confidence),
                               loyalty_auc(joined, roles, list(data.config.segments), settings), joined,
                               loyalty_concordance(frame, data.config.behaviour.measures, settings),
                               self._drivers(data, frame, settings))

    @staticmethod
    def _drivers(data: "ClientData", frame: pd.DataFrame, settings: Settings) -> pd.DataFrame | None:
        """:func:`behaviour_drivers`, beside the drivers section's importances and reliability flags."""
        from cem_research.steps.platform.drivers import Drivers, importance_for
        from cem_research.steps.platform.reliability import Reliability

        importance = importance_for(data, settings) if Drivers().skip_reason(data, settings) is None else None
        return behaviour_drivers(data, frame, importance, Reliability().result(data, settings),
                                 loyalty_construct(data.config), settings)

    def findings(self, result: BehaviourResult, data: "ClientData", settings: Settings) -> list[dict]:
        out = [behaviour_finding(result, data, confidence=settings.confidence)]
        drivers = behaviour_drivers_finding(result.drivers, confidence=settings.confidence)
        return out + ([drivers] if drivers else [])

    def present(self, result: BehaviourResult, data: "ClientData", settings: Settings) -> list[Shown]:
        cfg = data.config
        level = nv.ci_label(settings.confidence)
        periods = "; ".join(f"{m.title}: {m.period}" for m in cfg.behaviour.measures)
        shown = [Shown("markdown", nv.SectionMarkdown(INTRO), layer="appendix"),
                 Shown("markdown", f"Behaviour joined by respondent id ({periods}). "
                                   f"{result.accounting['rows']} rows in the file, {result.accounting['matched']} "
                                   f"matched, {result.accounting['unknown_ids']} unknown ids, "
                                   f"{result.accounting['respondents_without']} respondents without a record.", layer="appendix")]
        words = {"ltr": "likelihood to recommend", "loyalty": nv.label(cfg, loyalty_construct(cfg) or "loyalty"),
                 **ROLE_WORDS}

        def readable(t):
            return t.replace({c: words for c in ("behaviour", "predictor") if c in t})

        if result.rates is not None:
            shown.append(Shown("table", readable(result.rates).rename(columns={"nps_group": "group"}),
                               f"What promoters, passives and detractors did ({level}, Wilson)",
                               {"percent": ("rate", "ci_low", "ci_high"), "rename": {"events": "did it"}}))
        if result.auc is not None:
            overall = readable(result.auc[result.auc["segment"] == "all"].drop(columns=["segment", "level"]))
            shown.append(Shown("table", overall, f"How well stated loyalty predicts behaviour: ROC AUC ({level}, "
                                                 "bootstrap; 0.5 = chance)", {"digits": 2, "rename": AUC_LABELS},
                               layer="appendix"))
            shown.append(Shown("table", readable(result.auc), f"ROC AUC of stated loyalty for behaviour, overall and per "
                                                    f"segment level ({level}, bootstrap, not adjusted for multiplicity)",
                               {"digits": 2, "rename": AUC_LABELS}, layer="appendix"))
        if result.concordance is not None:
            shown.append(Shown("table", readable(result.concordance.drop(columns=["behaviour"])),
                               f"How well stated loyalty ranks how much customers did: Harrell's concordance C "
                               f"({level}, bootstrap; 0.5 = chance; p of no association, Holm over the rows)",
                               {"digits": 2, "rename": C_LABELS}, layer="appendix"))
        if result.drivers is not None:
            cols = ["behaviour_label", "construct_label", "ratio", "ci_low", "ci_high", "p_corr",
                    "n_event", "stated_label", "stated_share", "stated_share_ci_low", "stated_share_ci_high",
                    "reliability_flag"]
            shown.append(Shown("table", result.drivers[cols],
                               f"Which experiences predict what customers did: odds ratios (yes/no) and ratios of means "
                               f"(counts, amounts) per SD of each experience score, the others held equal ({level} "
                               "Wald CI, not adjusted; p Holm-corrected over the experiences of each behaviour), beside "
                               "each experience's share of the explained variance in the stated outcome (step 2)",
                               {"digits": 2, "percent": ("stated_share", "stated_share_ci_low", "stated_share_ci_high"),
                                "rename": DRIVER_LABELS}, layer="appendix"))
        return shown
