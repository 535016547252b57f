"""Pope's (2010) five UCE factors of a demo client: planted scores, importances and one limiting factor.

A spec may declare ``uce:`` (software_vendor does)::

    uce:
      outcome: satisfaction                 # the outcome the factors relate to (the client's main outcome)
      limiting: relationship                # the planted limiting factor (written to truth.json)
      factors:                              # Pope's factor -> its construct
        relationship:
          construct: client_relationship
          mean: 3.9                         # own-brand mean on the 1-7 agreement scale
          corr: 0.6                         # correlation of the factor's latent with the outcome's answers
          items: {q31_1: "...", q31_2: "..."}
      brand_offsets: {Vizora: {relationship: 0.5}}   # competitors' latent means (SD units; missing = 0)

Every rater (own brand and competitors) answers the factors' items.  They are drawn after everything
else, from their own random stream (:func:`uce_rng`, derived from the client's seed sequence without
drawing from the main generator), so every other answer, file and planted truth stays byte-identical
with or without the factors; only the survey and competitor-ratings files gain the factors' columns.

The factors' latents are drawn *given* the outcome's answers (standardised within each brand): each
latent correlates ``corr`` with the outcome and 0.3 with the other factors beyond what the outcome
carries (:data:`FACTOR_CORR`), so the factor with the highest ``corr`` carries the most importance for
the outcome; with the lowest mean, it is the factor that most limits the client experience.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from datasets.model import clip_round

__all__ = ["UCE_FACTORS", "FACTOR_CORR", "UceFactor", "UcePlant", "parse_uce", "uce_rng", "simulate_uce",
           "uce_yaml", "uce_truth"]

#: Pope's five factors, in the contract's order (cem_research.client.config.UCE_FACTORS; datasets/ does not
#: import the package)
UCE_FACTORS = ("culture", "people", "relationship", "understanding", "uncommon")
#: correlation of two factors' latents beyond what the outcome carries (a general "good vendor" factor)
FACTOR_CORR = 0.3
#: share of the factors' answers left blank (as datasets.survey.MISSING_SHARE)
MISSING_SHARE_UCE = 0.01
#: item noise (SD units of the latent): 2-3 items reach a Cronbach's alpha of about .8
ITEM_NOISE = 0.7


@dataclass(frozen=True)
class UceFactor:
    """One factor: its construct, items and planted mean and importance."""

    factor: str
    construct: str
    items: tuple[str, ...]
    wording: tuple[str, ...]
    mean: float
    corr: float


@dataclass(frozen=True)
class UcePlant:
    """The planted UCE profile of a demo client (see the module docstring)."""

    outcome: str
    limiting: str
    factors: tuple[UceFactor, ...]
    brand_offsets: dict[str, dict[str, float]]

    @property
    def items(self) -> list[str]:
        return [i for f in self.factors for i in f.items]


def parse_uce(checker, raw, competitors, outcomes) -> UcePlant:
    """The ``uce:`` block of a spec file, checked with the spec's :class:`datasets.checks.Checker`."""
    u = checker.mapping(raw, "uce", allowed=("outcome", "limiting", "factors", "brand_offsets"),
                        required=("outcome", "limiting", "factors"))
    outcome = checker.one_of(u["outcome"], "uce.outcome", list(outcomes), "an outcome")
    fm = checker.mapping(u["factors"], "uce.factors", allowed=UCE_FACTORS)
    if not fm:
        checker.fail("uce.factors", "expected at least one factor")
    factors = []
    for name, f in fm.items():
        p = f"uce.factors.{name}"
        f = checker.mapping(f, p, allowed=("construct", "mean", "corr", "items"),
                            required=("construct", "mean", "corr", "items"))
        items = checker.mapping(f["items"], f"{p}.items")
        if len(items) < 2:
            checker.fail(f"{p}.items", "expected at least two items (a scale whose reliability can be checked)")
        corr = checker.number(f["corr"], f"{p}.corr")
        if not 0 <= corr < 1:
            checker.fail(f"{p}.corr", "expected a correlation from 0 to below 1")
        factors.append(UceFactor(str(name), checker.text(f["construct"], f"{p}.construct"),
                                 tuple(checker.text(k, f"{p}.items") for k in items),
                                 tuple(checker.text(v, f"{p}.items.{k}") for k, v in items.items()),
                                 checker.number(f["mean"], f"{p}.mean"), corr))
    limiting = checker.one_of(u["limiting"], "uce.limiting", [f.factor for f in factors], "a declared factor")
    offsets = {}
    for comp, by in checker.mapping(u.get("brand_offsets", {}), "uce.brand_offsets", allowed=list(competitors)).items():
        by = checker.mapping(by, f"uce.brand_offsets.{comp}", allowed=[f.factor for f in factors])
        offsets[comp] = {k: checker.number(v, f"uce.brand_offsets.{comp}.{k}") for k, v in by.items()}
    return UcePlant(outcome, limiting, tuple(factors), offsets)


def uce_rng(rng: np.random.Generator, stream: str) -> np.random.Generator:
    """The factors' own random stream: the client's seed sequence (``seed``, CRC of its stream) extended by
    the CRC of ``<stream>/uce``.  Nothing is drawn from ``rng``, so its draws are unchanged."""
    entropy = rng.bit_generator.seed_seq.entropy
    entropy = list(entropy) if isinstance(entropy, (list, tuple)) else [int(entropy)]
    return np.random.default_rng(np.random.SeedSequence([*entropy, zlib.crc32(f"{stream}/uce".encode())]))


def simulate_uce(spec, sim, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The factors' item answers of every row of ``sim`` (int8, -1 = missing), keyed by item.

    Parameters
    ----------
    spec : datasets.model.Spec
        With ``spec.uce`` set.
    sim : datasets.model.Sim
        The simulated client (its outcome answers are read, nothing is changed).
    rng : numpy.random.Generator
        :func:`uce_rng`.
    """
    plant = spec.uce
    item = next(o for o in spec.outcomes if o.name == plant.outcome).items[0]
    y = sim.items[item].astype(float)
    y[y < 0] = np.nan
    R = y.size
    z = np.full(R, np.nan)
    for b in np.unique(sim.brand):          # standardised within each rated brand
        rows = sim.brand == b
        m, s = np.nanmean(y[rows]), np.nanstd(y[rows])
        z[rows] = (y[rows] - m) / (s if s > 0 else 1.0)
    gap = np.isnan(z)
    z[gap] = rng.standard_normal(int(gap.sum()))   # a blank outcome answer: the factor still has a latent
    g = rng.standard_normal(R)
    brands = [spec.brand] + [c for c, _ in spec.competitors]
    out: dict[str, np.ndarray] = {}
    for f in plant.factors:
        rest = np.sqrt(FACTOR_CORR) * g + np.sqrt(1 - FACTOR_CORR) * rng.standard_normal(R)
        latent = f.corr * z + np.sqrt(1 - f.corr ** 2) * rest
        offset = np.array([0.0] + [plant.brand_offsets.get(b, {}).get(f.factor, 0.0) for b in brands[1:]])
        offs = (0.1, -0.05, -0.05)[: len(f.items)] + (0.0,) * max(0, len(f.items) - 3)
        for j, name in enumerate(f.items):
            v = clip_round(f.mean + offs[j] + offset[sim.brand] + latent + ITEM_NOISE * rng.standard_normal(R), 1, 7)
            v[rng.random(R) < MISSING_SHARE_UCE] = -1
            out[name] = v
    return out


def uce_yaml(spec) -> list[str]:
    """The factors' constructs in client.yaml's ``constructs:`` block (each with ``uce:``)."""
    lines = ["  # Pope (2010), the five factors of the Ultimate Client Experience (1 = strongly disagree ... "
             "7 = strongly agree)"]
    for f in spec.uce.factors:
        lines.append(f"  {f.construct}:")
        lines.append("    items:")
        for name, w in zip(f.items, f.wording):
            lines.append(f"      - {{name: {name}, question: {_quote(w)}}}")
        lines.append(f"    uce: {f.factor}")
    return lines


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def uce_truth(spec) -> dict:
    """truth.json's ``uce`` entry: the planted limiting factor and each factor's construct."""
    plant = spec.uce
    return {"limiting_factor": plant.limiting, "outcome": plant.outcome,
            "constructs": {f.factor: f.construct for f in plant.factors}}
