"""Behavioural outcomes of a demo client: what the surveyed customers did after the survey.

A spec may declare ``behaviour:`` (fitness_club does)::

    behaviour:
      period: 12 months after the survey
      referral: {base: -1.0, slope: 1.0}      # logit of making a referral; slope per SD of likelihood to recommend
      churn: {base: -1.1, slope: -1.0}        # logit of leaving
      flat_churn: {segment: member_type, level: trial, base: 0.0}   # there churn ignores the stated intention
      churn_driver: {construct: club_design, slope: -0.9}   # optional: an experience that predicts leaving
                                                            # beyond the stated intention (outside flat_churn)
      unknown_ids: 6                          # ids in the file that are not survey respondents
      no_record: 10                           # surveyed respondents missing from the file

The draws use their own random stream (:func:`behaviour_rng`), so the survey and every other file
stay byte-identical with or without a behaviour file.  Written as ``behaviour.csv``: the respondent
id, ``referrals`` (count), ``churned`` (binary) and ``spend`` (amount), one row per own-brand
respondent (the latest wave for a respondent surveyed twice), in the client's CSV delimiter.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BehaviourPlant", "parse_behaviour", "behaviour_rng", "simulate_behaviour", "behaviour_yaml",
           "behaviour_truth"]

#: The columns of behaviour.csv, their kind and role in client.yaml.
COLUMNS = {"referrals": ("count", "referral", "Referrals made"),
           "churned": ("binary", "churn", "Left the club"),
           "spend": ("amount", None, "Spend (EUR)")}


@dataclass(frozen=True)
class BehaviourPlant:
    """The planted behaviour of a demo client (see the module docstring)."""

    period: str
    referral: tuple[float, float]
    churn: tuple[float, float]
    flat_segment: str
    flat_level: str
    flat_base: float
    unknown_ids: int = 0
    no_record: int = 0
    driver: tuple[str, float] | None = None     # (construct, slope per SD on the logit of churn)


def parse_behaviour(checker, raw, segs) -> BehaviourPlant:
    """The ``behaviour:`` block of a spec file, checked with the spec's :class:`datasets.checks.Checker`."""
    b = checker.mapping(raw, "behaviour", allowed=("period", "referral", "churn", "flat_churn", "unknown_ids",
                                                   "no_record", "churn_driver"),
                        required=("period", "referral", "churn", "flat_churn"))

    def logit(key):
        x = checker.mapping(b[key], f"behaviour.{key}", allowed=("base", "slope"), required=("base", "slope"))
        return (checker.number(x["base"], f"behaviour.{key}.base"), checker.number(x["slope"], f"behaviour.{key}.slope"))

    flat = checker.mapping(b["flat_churn"], "behaviour.flat_churn", allowed=("segment", "level", "base"),
                           required=("segment", "level", "base"))
    seg = checker.one_of(flat["segment"], "behaviour.flat_churn.segment", [c for c, *_ in segs], "a segment")
    levels = next(lv for c, _l, lv, _p in segs if c == seg)
    level = checker.one_of(flat["level"], "behaviour.flat_churn.level", levels, f"a level of {seg}")
    driver = None
    if "churn_driver" in b:
        x = checker.mapping(b["churn_driver"], "behaviour.churn_driver", allowed=("construct", "slope"),
                            required=("construct", "slope"))
        driver = (checker.one_of(x["construct"], "behaviour.churn_driver.construct",
                                 [c.name for c in checker.constructs], "a construct"),
                  checker.number(x["slope"], "behaviour.churn_driver.slope"))
    return BehaviourPlant(checker.text(b["period"], "behaviour.period"), logit("referral"), logit("churn"), seg,
                          level, checker.number(flat["base"], "behaviour.flat_churn.base"),
                          checker.integer(b.get("unknown_ids", 0), "behaviour.unknown_ids"),
                          checker.integer(b.get("no_record", 0), "behaviour.no_record"), driver)


def behaviour_rng(stream: str, seed: int) -> np.random.Generator:
    """The behaviour file's own random stream (independent of the survey's)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(f"{stream}/behaviour".encode())]))


def simulate_behaviour(spec, sim, rng: np.random.Generator) -> pd.DataFrame:
    """behaviour.csv of a simulated client.

    Likelihood to recommend (the ``nps`` item, standardised over the own brand's respondents) sets
    the logit of making a referral and of leaving; in the ``flat_churn`` segment level the chance of
    leaving is the same whatever the customer said.  With ``churn_driver``, the standardised score of one
    experience construct (mean of its z-scored items, reverse-keyed ones turned) adds to the logit of
    leaving outside that level: an experience that predicts churn beyond the stated intention.  Referrals made: 0 for non-referrers, else
    1 + Poisson(0.4).  Spend: a monthly fee over the months stayed, with noise.
    """
    plant = spec.behaviour
    rows = sim.own_rows
    ids = sim.ids[rows].astype(str)
    keep = ~pd.Series(ids).duplicated(keep="last").to_numpy()        # latest wave of a repeated id
    rows, ids = rows[keep], ids[keep]
    ltr_item = next(o.items[0] for o in spec.outcomes if o.name == "recommend")
    ltr = sim.items[ltr_item][rows].astype(float)
    ltr[ltr < 0] = np.nan
    z = (ltr - np.nanmean(ltr)) / np.nanstd(ltr)
    z = np.where(np.isnan(z), 0.0, z)
    col = plant.flat_segment
    levels = next(lv for c, _l, lv, _p in spec.segments if c == col)
    flat = sim.segments[col][rows] == levels.index(plant.flat_level)
    n = rows.size
    p_ref = 1 / (1 + np.exp(-(plant.referral[0] + plant.referral[1] * z)))
    churn_logit = plant.churn[0] + plant.churn[1] * z
    if plant.driver is not None:
        churn_logit = churn_logit + plant.driver[1] * _construct_z(spec, sim, rows, plant.driver[0])
    churn_logit = np.where(flat, plant.flat_base, churn_logit)
    p_churn = 1 / (1 + np.exp(-churn_logit))
    referred = rng.random(n) < p_ref
    churned = rng.random(n) < p_churn
    referrals = np.where(referred, 1 + rng.poisson(0.4, n), 0)
    months = np.where(churned, rng.integers(1, 12, n), 12)
    spend = np.round(months * rng.normal(39.0, 6.0, n).clip(20, None), 2)
    frame = pd.DataFrame({spec.survey_cols["id"]: ids, "referrals": referrals, "churned": churned.astype(int),
                          "spend": spend})
    if plant.no_record:
        frame = frame.drop(index=rng.choice(n, plant.no_record, replace=False)).reset_index(drop=True)
    if plant.unknown_ids:
        # "X" never occurs in a generated id (prefix + digits), so these never match a respondent
        extra = pd.DataFrame({spec.survey_cols["id"]: [f"{spec.id_prefix[0]}X{k:04d}" for k in range(plant.unknown_ids)],
                              "referrals": 0, "churned": 1, "spend": 0.0})
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


def _construct_z(spec, sim, rows, name: str) -> np.ndarray:
    """Standardised score of construct ``name`` for the survey ``rows``: the mean of its z-scored items
    (reverse-keyed items turned; missing answers left out), standardised again; 0 where all are missing."""
    con = next(c for c in spec.constructs if c.name == name)
    parts = []
    for item in con.items:
        v = sim.items[item][rows].astype(float)
        v[v < 0] = np.nan
        parts.append((-1 if item in con.reverse else 1) * (v - np.nanmean(v)) / np.nanstd(v))
    with np.errstate(all="ignore"):
        score = np.nanmean(np.vstack(parts), axis=0)
    score = (score - np.nanmean(score)) / np.nanstd(score)
    return np.where(np.isnan(score), 0.0, score)


def behaviour_yaml(spec, n_rows: int) -> list[str]:
    """The ``behaviour:`` block of client.yaml."""
    plant = spec.behaviour
    lines = [f"behaviour:                          # what members did after the survey, one row per member "
             f"({n_rows} rows)",
             "  file: behaviour.csv",
             f"  id: {spec.survey_cols['id']}",
             "  columns:"]
    for name, (kind, role, label) in COLUMNS.items():
        role_text = f", role: {role}" if role else ""
        lines.append(f"    {name}: {{kind: {kind}, period: {plant.period}{role_text}, label: {label}}}")
    return lines


def behaviour_truth(spec) -> dict:
    """truth.json's ``behaviour`` entry: what the stated intention predicts, and where it does not."""
    plant = spec.behaviour
    out = {"predicted": ["referral", "churn"], "predictor": "ltr",
           "not_predicted": {"behaviour": "churn", "segment": plant.flat_segment, "level": plant.flat_level},
           "unknown_ids": plant.unknown_ids, "no_record": plant.no_record}
    if plant.driver is not None:
        # the experience that predicts leaving beyond what the member said (lower score, more churn when < 0)
        out["churn_driver"] = {"construct": plant.driver[0], "slope_per_sd": plant.driver[1],
                               "outside": {"segment": plant.flat_segment, "level": plant.flat_level}}
    return out
