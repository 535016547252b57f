"""The data model of a demo client: what the generator works from and what it draws.

A :class:`Spec` is read from ``datasets/specs/<client>.yaml`` by :func:`datasets.spec.load_spec`;
the simulation (:mod:`datasets.survey`, :mod:`datasets.touchpoints`, :mod:`datasets.text`) fills a
:class:`Sim` with the draws, which the writer (:mod:`datasets.writer`) turns into files.  The
published instruments the specs refer to (the Brand Experience Scale, Schmitt's experiential
modules, Kano's categories) are defined here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "BES_ITEMS", "BES_KIND", "MODULES", "KANO_CATEGORIES", "SENTIMENTS",
    "Construct", "Outcome", "Touchpoint", "Feedback", "Kano", "Promise", "Spec", "Sim",
    "clip_round", "centre",
]

# Brand Experience Scale (Brakus, Schmitt & Zarantonello 2009, Journal of Marketing 73(3)):
# dimension -> (wording, reverse-keyed) of its three items, in the published order.
BES_ITEMS: dict[str, list[tuple[str, bool]]] = {
    "sensory": [
        ("This brand makes a strong impression on my visual sense or other senses.", False),
        ("I find this brand interesting in a sensory way.", False),
        ("This brand does not appeal to my senses.", True),
    ],
    "affective": [
        ("This brand induces feelings and sentiments.", False),
        ("I do not have strong emotions for this brand.", True),
        ("This brand is an emotional brand.", False),
    ],
    "behavioral": [
        ("I engage in physical actions and behaviors when I use this brand.", False),
        ("This brand results in bodily experiences.", False),
        ("This brand is not action oriented.", True),
    ],
    "intellectual": [
        ("I engage in a lot of thinking when I encounter this brand.", False),
        ("This brand does not make me think.", True),
        ("This brand stimulates my curiosity and problem solving.", False),
    ],
}
#: ``kind`` of each Brand Experience Scale dimension.  All four are experiential in Schmitt's (1999)
#: framework (SENSE, FEEL, THINK, ACT), so all take the contract's experiential kind ``emotional``;
#: "functional" belongs to product, price and convenience attributes.
BES_KIND = {"sensory": "emotional", "affective": "emotional",
            "behavioral": "emotional", "intellectual": "emotional"}
#: Schmitt's (1999) experiential modules, the codes of the hand-coded verbatim sample
MODULES = ("SENSE", "FEEL", "THINK", "ACT", "RELATE")
#: Kano categories (Berger et al. 1993), in the order of :attr:`Kano.shares`
KANO_CATEGORIES = ("attractive", "one_dimensional", "must_be", "indifferent", "reverse", "questionable")
#: sentiment blocks of the verbatim catalogue, in the generator's order
SENTIMENTS = ("neg", "neu", "pos")


# --------------------------------------------------------------------------------------------
# the data model
@dataclass(frozen=True)
class Construct:
    """A multi-item construct of the questionnaire and how its answers are drawn."""

    name: str
    items: tuple[str, ...]
    wording: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    scale: tuple[int, int] | None = None      # None: the client's default scale
    experience: bool = False
    kind: str | None = None
    layer: str | None = None
    element: str | None = None
    note: str = ""                              # YAML comment on the construct
    mean: float = 4.5                           # own-brand mean on the scale
    reliable: bool = True                       # False: items nearly uncorrelated
    item_offsets: tuple[float, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """An outcome (satisfaction, recommendation, loyalty) driven by the constructs."""

    name: str
    items: tuple[str, ...]
    wording: tuple[str, ...]
    scale: tuple[int, int]
    mean: float
    spread: float          # scale points per SD of the latent outcome
    item_noise: float = 0.0


@dataclass(frozen=True)
class Touchpoint:
    """A touchpoint of the customer journey and its planted ratings."""

    name: str
    stage: str
    interface: str
    channel: str
    rate: float            # expected events per respondent reaching the stage
    mean: float            # mean satisfaction (1-5)
    effort: float          # mean effort (1-7)
    sd: float = 0.8


@dataclass(frozen=True)
class Feedback:
    """The verbatim catalogue of a client and its planted themes."""

    columns: dict[str, str]                          # contract role -> column
    topics: dict[str, dict[str, list[str]]]          # topic -> {neg, neu, pos} templates
    vocab: dict[str, list[str]]
    closers: dict[str, list[str]]
    rising: tuple[str, tuple[str, ...], tuple[float, ...]]   # phrase, sentences, share per wave
    stable: tuple[str, tuple[str, ...], float]               # phrase, sentences, share
    pii: tuple[tuple[str, str], ...] = ()                     # (touchpoint, text)
    touchpoint_share: float = 0.65
    # Schmitt's experiential modules a human coder gives each sentence, template or closer
    # ("ACT;FEEL", "" = none); only clients with a hand-coded sample need them
    codes: dict[str, str] = field(default_factory=dict)
    rising_module: str | None = None                          # module of the rising theme


@dataclass(frozen=True)
class Kano:
    """A feature asked as a Kano question pair, with the planted shares of its categories."""

    feature: str
    label: str
    functional: str                                           # column of the functional question
    dysfunctional: str                                        # column of the dysfunctional question
    shares: tuple[float, float, float, float, float, float]   # A, O, M, I, R, Q


@dataclass(frozen=True)
class Promise:
    """A brand promise of the experiential platform and whether the data deliver it."""

    promise: str
    construct: str
    touchpoints: tuple[str, ...]
    target: float | None = None
    delivered: bool | None = None                             # planted verdict (None: not planted)


@dataclass(frozen=True)
class Spec:
    """Everything the generator needs to write one demo client (read from its spec file)."""

    name: str                                   # spec name (file stem) = --client value
    stream: str                                 # name whose CRC seeds the random stream
    folder: str
    display_name: str
    market: str
    brand: str
    competitors: tuple[tuple[str, str], ...]
    waves: tuple[str, ...]
    wave_starts: tuple[str, ...]
    wave_days: int
    n_own: int                                  # own-brand respondents per wave
    n_comp: int                                 # respondents per competitor per wave
    survey_only: bool                           # competitors' rows inside survey.csv
    survey_cols: dict[str, str]                 # id, wave, brand, date
    id_prefix: tuple[str, str]                  # own, competitor
    segments: tuple[tuple[str, str, tuple[str, ...], tuple[float, ...]], ...]
    constructs: tuple[Construct, ...]
    outcomes: tuple[Outcome, ...]
    drivers: tuple[str, ...]
    betas: dict[str, dict[str, float]]
    brand_offsets: dict[str, dict[str, float]]
    wave_shift: tuple[str, float]               # construct, delta in the latest wave (own brand)
    no_change: str
    segment_effect: tuple[str, str, str, str, float]   # segment, construct, higher, lower, delta
    brand_advantage: str
    brand_gap: tuple[str, str]                  # construct, competitor
    header: str
    csv_block: dict[str, str] | None = None
    journey: tuple[str, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    tp_cols: dict[str, str] = field(default_factory=dict)
    stage_days: tuple[int, ...] = ()
    stage_gap: int = 1
    open_hours: tuple[int, int] = (7, 20)
    worst_tp: str = ""
    tp_rate_scale: float = 0.96                 # calibrates events to ~10 per respondent
    tp_effect: dict[str, float] = field(default_factory=dict)
    tp_multipliers: tuple[tuple[str, str, str, float], ...] = ()   # touchpoint, segment, level, x
    early_stop: tuple[float, float, dict[int, float]] = (-1.9, 1.5, {})
    human_minus_technology: float = 0.5
    # segment, level, extra human-minus-technology gap in that segment (as seen in the data),
    # penalty on technology touchpoints that produces it (rounding to 1-5 absorbs a little)
    human_touch: tuple[str, str, float, float] | None = None
    feedback: Feedback | None = None
    # research methods (fitness_club): Kano pairs, promises, module coding, weighting
    kano: tuple[Kano, ...] = ()
    promises: tuple[Promise, ...] = ()
    hand_coded: int = 0                         # comments in a hand-coded module sample (0: none)
    weighting: tuple[str, tuple[float, ...]] | None = None     # segment, population shares
    # segment, construct, latent offset per level (own brand; centred so the own mean is kept)
    gradient: tuple[str, str, tuple[float, ...]] | None = None
    noisy_segment: tuple[str, str, str] | None = None          # segment, level, construct: items noise
    # what the respondents did after the survey (datasets.behaviour.BehaviourPlant; None: no behaviour file)
    behaviour: object | None = None
    # Pope's UCE factors (datasets.uce.UcePlant: their constructs, planted means and importances, the limiting
    # factor; drawn from their own random stream); None: none declared
    uce: object | None = None
    # the PLS path model declared in client.yaml: (from, to) paths into outcomes, planted by ``betas``,
    # its target outcome and the segment whose groups it compares (None: not declared); None: no model
    model: tuple[tuple[tuple[str, str], ...], str | None, str | None] | None = None


# --------------------------------------------------------------------------------------------
# the draws
@dataclass
class Sim:
    """Everything generated for one client, kept as compact arrays until written."""

    n_survey: int
    brand: np.ndarray          # int8 index into brands
    wave: np.ndarray           # int8
    ids: np.ndarray            # object
    date_day: np.ndarray       # int32 day index from base
    segments: dict[str, np.ndarray]
    items: dict[str, np.ndarray]   # int8, -1 = missing
    own_rows: np.ndarray       # row indices of own-brand survey respondents
    events: dict[str, np.ndarray] | None = None
    feedback: dict[str, np.ndarray] | None = None
    kano: dict[str, np.ndarray] | None = None
    hand_coded: dict[str, np.ndarray] | None = None


def clip_round(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Round continuous answers to the whole points of the scale ``[lo, hi]`` (int8)."""
    return np.clip(np.rint(x), lo, hi).astype(np.int8)


def centre(z: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Subtract the group means of ``z`` (groups coded 0 .. n_groups-1)."""
    sums = np.bincount(groups, weights=z, minlength=n_groups)
    sizes = np.bincount(groups, minlength=n_groups)
    return z - np.divide(sums, sizes, out=np.zeros(n_groups), where=sizes > 0)[groups]
