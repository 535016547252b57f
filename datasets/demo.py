"""Seeded demo clients with planted, machine-readable truth.

Four realistic demo clients are generated from latent variables, so that every analysis
of the toolkit has something known to find:

* ``coffee_house``   -- "Bean & Co.", a B2C coffee-shop chain (all optional files, 3 waves);
* ``software_vendor`` -- "Nimbus Analytics", a B2B SaaS vendor (4 waves);
* ``hotel_group``    -- "Harbor Hotels", survey only: one ``survey.csv`` whose brand column
  holds the own brand and its competitors (2 waves, ``;``-delimited export);
* ``fitness_club``   -- "Pulse Fitness", a B2C gym chain (all optional files, 3 waves) that also
  declares the optional research methods: Kano question pairs in the survey (``kano:``), brand
  promises (``promises:``), experiential-module coding of the verbatims with a hand-coded
  sample ``hand_coded.csv`` (``modules:``) and population targets for survey weighting
  (``weighting:``); kept small (under 500 kB).

Each client folder holds a commented ``client.yaml`` (see ``docs/contract.md``), the CSV files
and ``truth.json``: the effects planted in the data (top driver, unreliable construct,
reverse-keyed items, brand advantage and gap, segment difference, wave shift, worst
touchpoint, human-vs-technology gap, rising and stable verbatim themes; for ``fitness_club``
also the must-be and attractive Kano features, the undelivered and the delivered promise, the
rising experiential module, the weighting targets with the weighted and unweighted mean of a
construct that differs by age, and a segment level whose answers on one construct are noise).
The contract reader ignores ``truth.json``; tests and notebooks' self-checks use it.

Everything is drawn from one :class:`numpy.random.Generator` seeded per client, so the same
seed gives byte-identical files.  The generator is vectorised: 300,000 respondents (with about
3 verbatims and 10 touchpoint events each) take seconds, written in chunks to stay lean.

Usage
-----
Function API::

    from datasets.demo import write_demo_clients, generate_client, write_tiny_client
    write_demo_clients("data/raw")                       # the four committed demo clients
    generate_client("coffee_house", "/tmp/bench", n_respondents=300_000, name="coffee_300k")
    write_tiny_client("tests/fixtures")                  # tests/fixtures/tiny_client/

Command line::

    python -m datasets.demo --out data/raw [--client NAME] [--respondents N] [--seed S]

``--client`` is one of ``coffee_house``, ``software_vendor``, ``hotel_group``, ``fitness_club``,
``tiny_client`` (default: the four demo clients).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import string
import sys
import time
import zlib
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SEED", "TEMPLATES", "TINY_CLIENT",
    "generate_client", "write_demo_clients", "write_tiny_client", "main",
]

DEFAULT_SEED = 2026
TEMPLATES = ("coffee_house", "software_vendor", "hotel_group", "fitness_club")
TINY_CLIENT = "tiny_client"

#: verbatims per own-brand respondent: committed demos vs. scaled (benchmark) clients
DEMO_VERBATIMS = 1.25
BENCH_VERBATIMS = 3.0
#: share of item answers left blank
MISSING_SHARE = 0.01
#: share of verbatim rows whose comment field is blank
BLANK_COMMENT_SHARE = 0.04
#: correlation of construct latents through a general factor
LATENT_CORR = 0.3
#: rows per chunk when writing CSV files
CHUNK_ROWS = 50_000

_FILES = ("client.yaml", "survey.csv", "competitor_ratings.csv", "feedback.csv",
          "touchpoints.csv", "hand_coded.csv", "truth.json")

# --------------------------------------------------------------------------------------------
# Brand Experience Scale (Brakus, Schmitt & Zarantonello 2009, Journal of Marketing 73(3)).
# (wording, reverse-keyed)
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
BES_KIND = {"sensory": "emotional", "affective": "emotional",
            "behavioral": "functional", "intellectual": "functional"}


# --------------------------------------------------------------------------------------------
# specification of a demo client
@dataclass(frozen=True)
class _Construct:
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
class _Outcome:
    name: str
    items: tuple[str, ...]
    wording: tuple[str, ...]
    scale: tuple[int, int]
    mean: float
    spread: float          # scale points per SD of the latent outcome
    item_noise: float = 0.0


@dataclass(frozen=True)
class _Touchpoint:
    name: str
    stage: str
    interface: str
    channel: str
    rate: float            # expected events per respondent reaching the stage
    mean: float            # mean satisfaction (1-5)
    effort: float          # mean effort (1-7)
    sd: float = 0.8


@dataclass(frozen=True)
class _Feedback:
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
class _Kano:
    """A feature asked as a Kano question pair, with the planted shares of its categories."""

    feature: str
    label: str
    functional: str                                           # column of the functional question
    dysfunctional: str                                        # column of the dysfunctional question
    shares: tuple[float, float, float, float, float, float]   # A, O, M, I, R, Q


@dataclass(frozen=True)
class _Promise:
    """A brand promise of the experiential platform and whether the data deliver it."""

    promise: str
    construct: str
    touchpoints: tuple[str, ...]
    target: float | None = None
    delivered: bool | None = None                             # planted verdict (None: not planted)


@dataclass(frozen=True)
class _Spec:
    template: str
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
    constructs: tuple[_Construct, ...]
    outcomes: tuple[_Outcome, ...]
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
    touchpoints: tuple[_Touchpoint, ...] = ()
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
    feedback: _Feedback | None = None
    cli_client: str | None = None               # --client value that rebuilds it (default template)
    # research methods of issue 8 (fitness_club): Kano pairs, promises, module coding, weighting
    kano: tuple[_Kano, ...] = ()
    promises: tuple[_Promise, ...] = ()
    hand_coded: int = 0                         # comments in a hand-coded module sample (0: none)
    weighting: tuple[str, tuple[float, ...]] | None = None     # segment, population shares
    # segment, construct, latent offset per level (own brand; centred so the own mean is kept)
    gradient: tuple[str, str, tuple[float, ...]] | None = None
    noisy_segment: tuple[str, str, str] | None = None          # segment, level, construct: items noise


# --------------------------------------------------------------------------------------------
def _bes(cols: dict[str, tuple[str, str, str]], means: dict[str, float],
         scale_note: str) -> tuple[_Construct, ...]:
    out = []
    for dim in cols:                       # column order of the client's questionnaire
        names = cols[dim]
        wording = tuple(w for w, _ in BES_ITEMS[dim])
        reverse = tuple(n for n, (_, r) in zip(names, BES_ITEMS[dim]) if r)
        note = f"Brand Experience Scale, {dim} dimension{scale_note}" if dim == "sensory" else ""
        out.append(_Construct(dim, tuple(names), wording, reverse, experience=True, kind=BES_KIND[dim],
                              layer="brand", mean=means[dim], note=note))
    return tuple(out)


_LIKERT = (" (Brakus, Schmitt & Zarantonello 2009; 1 = strongly disagree ... "
           "7 = strongly agree)")


def _coffee_spec() -> _Spec:
    bes = _bes({
        "sensory": ("bx_sens1", "bx_sens2", "bx_sens3r"),
        "affective": ("bx_aff1", "bx_aff2r", "bx_aff3"),
        "intellectual": ("bx_int1", "bx_int2r", "bx_int3"),
        "behavioral": ("bx_beh1", "bx_beh2", "bx_beh3r"),
    }, {"sensory": 4.5, "affective": 4.9, "intellectual": 3.9, "behavioral": 4.0}, _LIKERT)
    functional = (
        _Construct("product_quality", ("pq_taste", "pq_fresh", "pq_consistent"),
                   ("The coffee tastes excellent.", "Food and drinks are always fresh.",
                    "My drink is made the same way every time."),
                   kind="functional", element="product", mean=5.2, note="Brand elements"),
        _Construct("look_and_feel", ("lf_store", "lf_cups", "lf_logo"),
                   ("The stores are attractively designed.", "Cups and packaging look good.",
                    "I like the logo and visual identity."),
                   kind="functional", element="look_and_feel", mean=4.9),
        _Construct("communications", ("com_ads", "com_app", "com_social"),
                   ("The advertising of [brand] is appealing.",
                    "Messages in the app and e-mails are relevant to me.",
                    "I like what [brand] posts on social media."),
                   kind="functional", element="communications", mean=4.3),
        _Construct("convenience", ("conv_location", "conv_hours", "conv_wait"),
                   ("There is a store close to where I need one.", "Opening hours suit my routine.",
                    "I rarely have to wait long for my coffee."),
                   kind="functional", mean=4.8, reliable=False,
                   note="three unrelated conveniences: items hardly correlate (low alpha)"),
        _Construct("category_involvement", ("cat_inv1", "cat_inv2", "cat_inv3"),
                   ("Coffee is an important part of my day.", "I enjoy trying new kinds of coffee.",
                    "I would notice if my coffee were made with cheaper beans."),
                   layer="category", mean=5.0, note="Experiential world beyond the brand"),
        _Construct("usage_situation", ("use_sit1", "use_sit2", "use_sit3"),
                   ("My coffee break is a moment just for me.",
                    "Getting a coffee is part of my daily routine.",
                    "I often meet friends or colleagues over coffee."),
                   layer="usage", mean=4.7),
    )
    outcomes = (
        _Outcome("satisfaction", ("osat",),
                 ("Overall, how satisfied are you with [brand]? (1 = not at all, 10 = completely)",),
                 (1, 10), 7.4, 1.35),
        _Outcome("recommend", ("ltr",),
                 ("How likely are you to recommend [brand] to a friend or colleague? "
                  "(0 = not at all likely, 10 = extremely likely)",), (0, 10), 7.8, 1.6),
        _Outcome("loyalty", ("loy1", "loy2", "loy3"),
                 ("I will keep buying my coffee at [brand].", "[brand] is my first choice for coffee.",
                  "I would still go to [brand] if prices rose a little."), (1, 7), 4.8, 0.95, 0.75),
    )
    drivers = ("sensory", "affective", "intellectual", "behavioral", "product_quality",
               "look_and_feel", "communications", "convenience")
    base = {"sensory": 0.13, "affective": 0.55, "intellectual": 0.06, "behavioral": 0.10,
            "product_quality": 0.16, "look_and_feel": 0.08, "communications": 0.06, "convenience": 0.12}
    betas = {"satisfaction": base,
             "recommend": {**base, "sensory": 0.11, "product_quality": 0.14},
             "loyalty": {**base, "affective": 0.45, "convenience": 0.16}}
    brand_offsets = {
        "Daily Grind": {"sensory": -0.2, "affective": -0.75, "intellectual": 0.0, "behavioral": -0.1,
                        "product_quality": -0.2, "look_and_feel": -0.3, "communications": -0.1},
        "Roast Republic": {"sensory": 0.15, "affective": -0.6, "intellectual": 0.25, "behavioral": 0.1,
                           "product_quality": 0.15, "look_and_feel": 0.1, "communications": -0.3},
        "SipNow": {"sensory": -0.5, "affective": -0.9, "intellectual": 0.1, "behavioral": 0.8,
                   "product_quality": -0.4, "look_and_feel": -0.2, "communications": 0.4,
                   "category_involvement": -0.3},
        "FreshMart Café": {"sensory": -0.6, "affective": -1.1, "intellectual": -0.3, "behavioral": -0.2,
                           "product_quality": -0.6, "look_and_feel": -0.6, "communications": -0.4,
                           "category_involvement": -0.5},
    }
    tps = (
        _Touchpoint("social_media_ad", "awareness", "human_technology", "social", 0.95, 4.3, 2.3),
        _Touchpoint("storefront", "awareness", "human_environment", "store", 0.85, 4.1, 2.0),
        _Touchpoint("app_menu_browse", "consideration", "human_technology", "app", 0.85, 4.3, 2.8),
        _Touchpoint("loyalty_email", "consideration", "human_technology", "email", 0.65, 4.15, 2.2),
        _Touchpoint("counter_order", "purchase", "human_human", "store", 1.8, 4.25, 3.0),
        _Touchpoint("mobile_app_order", "purchase", "human_technology", "app", 1.35, 2.96, 4.8, 1.05),
        _Touchpoint("barista_interaction", "usage", "human_human", "store", 1.55, 4.3, 2.2),
        _Touchpoint("seating_area", "usage", "human_environment", "store", 1.25, 3.8, 2.6),
        _Touchpoint("service_recovery", "service", "human_human", "store", 0.25, 3.9, 3.8),
        _Touchpoint("app_support_chat", "service", "human_technology", "app", 0.25, 3.4, 4.6),
        _Touchpoint("cup_return", "disposal", "human_environment", "store", 0.95, 3.6, 3.0),
    )
    return _Spec(
        template="coffee_house", folder="coffee_house", display_name="Bean & Co. Coffee", market="B2C",
        brand="Bean & Co.",
        competitors=(("Daily Grind", "direct"), ("Roast Republic", "direct"), ("SipNow", "new_entrant"),
                     ("FreshMart Café", "outside_industry")),
        waves=("2025Q4", "2026Q1", "2026Q2"),
        wave_starts=("2025-10-01", "2026-01-01", "2026-04-01"), wave_days=90,
        n_own=350, n_comp=80, survey_only=False,
        survey_cols={"id": "resp_id", "wave": "wave", "brand": "brand_rated", "date": "interview_date"},
        id_prefix=("B", "C"),
        segments=(
            ("role", "Purchaser (buys for others) or user (drinks it)", ("purchaser", "user"), (0.3, 0.7)),
            ("usage", "Usage frequency", ("daily", "weekly", "occasional"), (0.35, 0.4, 0.25)),
            ("tenure", "Customer since", ("<1 year", "1-3 years", ">3 years"), (0.25, 0.4, 0.35)),
            ("age_group", "Age group", ("18-29", "30-44", "45-59", "60+"), (0.25, 0.35, 0.25, 0.15)),
        ),
        constructs=bes + functional, outcomes=outcomes, drivers=drivers, betas=betas,
        brand_offsets=brand_offsets,
        wave_shift=("sensory", 0.5), no_change="intellectual",
        segment_effect=("usage", "behavioral", "daily", "occasional", 0.66),
        brand_advantage="affective", brand_gap=("behavioral", "SipNow"),
        header="B2C coffee-shop chain: 3 survey waves of own customers, competitor ratings,\n"
               "# touchpoint events along the journey and verbatim comments.",
        csv_block={"delimiter": ",", "decimal": ".", "encoding": "utf-8"},
        journey=("awareness", "consideration", "purchase", "usage", "service", "disposal"),
        touchpoints=tps,
        tp_cols={"id": "resp_id", "touchpoint": "touchpoint", "stage": "stage", "interface": "interface",
                 "channel": "channel", "time": "timestamp", "satisfaction": "tp_sat", "effort": "effort"},
        stage_days=(4, 3, 14, 14, 5, 3), stage_gap=2, open_hours=(7, 20),
        worst_tp="mobile_app_order",
        tp_effect={"satisfaction": 0.9, "recommend": 0.9, "loyalty": 0.6},
        tp_multipliers=(
            ("counter_order", "usage", "daily", 1.3), ("counter_order", "usage", "occasional", 0.6),
            ("mobile_app_order", "usage", "daily", 1.3), ("mobile_app_order", "usage", "occasional", 0.6),
            ("barista_interaction", "usage", "daily", 1.3),
            ("barista_interaction", "usage", "occasional", 0.6),
        ),
        early_stop=(-1.9, 1.5, {1: 0.2, 2: 0.4, 3: 0.4}),
        human_minus_technology=0.5, human_touch=("age_group", "60+", 0.4, 0.46),
        feedback=_Feedback(
            columns={"text": "comment", "id": "resp_id", "wave": "wave", "brand": "brand",
                     "touchpoint": "touchpoint"},
            topics=_COFFEE_TOPICS, vocab=_COFFEE_VOCAB, closers=_COFFEE_CLOSERS,
            rising=("oat milk", (
                "Please add oat milk without the extra charge.",
                "Would love oat milk as the default option.",
                "Glad you finally stock oat milk, it is great.",
                "The oat milk ran out again, please order more.",
                "Switching to oat milk made my latte even better.",
                "Any chance of an oat milk version of the seasonal drinks?"), (0.02, 0.02, 0.15)),
            stable=("wifi", (
                "The wifi keeps dropping when I try to work.",
                "Free wifi makes it easy to work here.",
                "Please fix the wifi, it is painfully slow.",
                "The wifi password is never on display."), 0.06),
            pii=(("mobile_app_order", "The app charged me twice for one order, please email me at "
                  "jamie.lee@example.com to sort this out."),
                 ("service_recovery", "Nobody called me back about the wrong order, my number is "
                  "07700 900123.")),
        ),
    )


def _software_spec() -> _Spec:
    bes = _bes({
        "sensory": ("q12_1", "q12_2", "q12_3"),
        "affective": ("q12_4", "q12_5", "q12_6"),
        "behavioral": ("q12_7", "q12_8", "q12_9"),
        "intellectual": ("q12_10", "q12_11", "q12_12"),
    }, {"sensory": 3.9, "affective": 4.1, "intellectual": 4.9, "behavioral": 4.2}, _LIKERT)
    functional = (
        _Construct("product_quality", ("q14_1", "q14_2", "q14_3"),
                   ("[brand] delivers accurate, reliable results.",
                    "The platform is stable and rarely has outages.",
                    "[brand] has the features our team needs."),
                   kind="functional", element="product", mean=5.0, note="Functional constructs"),
        _Construct("ease_of_use", ("q15_1", "q15_2", "q15_3"),
                   ("The interface is clear and well designed.", "New users find their way around quickly.",
                    "Building a dashboard takes little effort."),
                   kind="functional", element="look_and_feel", layer="usage", mean=4.8),
        _Construct("support", ("q16_1", "q16_2", "q16_3"),
                   ("Support resolves our issues quickly.", "Support staff understand our business.",
                    "Documentation and help articles answer my questions."),
                   kind="functional", mean=4.5),
        _Construct("value_for_money", ("q17_1", "q17_2", "q17_3"),
                   ("The licence price is fair.", "Contract terms are flexible.",
                    "We can see a clear return on our investment."),
                   kind="functional", mean=4.3, reliable=False,
                   note="price, terms and ROI are judged separately: items hardly correlate"),
    )
    outcomes = (
        _Outcome("satisfaction", ("q20",),
                 ("All in all, how satisfied are you with [brand]? (1 = very dissatisfied, "
                  "10 = very satisfied)",), (1, 10), 7.2, 1.35),
        _Outcome("recommend", ("q21",),
                 ("How likely is it that you would recommend [brand] to a peer? (0-10)",), (0, 10), 7.8, 1.6),
        _Outcome("loyalty", ("q22_1", "q22_2", "q22_3"),
                 ("We intend to renew our [brand] contract.", "[brand] is our preferred analytics platform.",
                  "We would roll out [brand] to further teams."), (1, 7), 4.9, 0.95, 0.75),
    )
    drivers = ("sensory", "affective", "intellectual", "behavioral", "product_quality", "ease_of_use",
               "support", "value_for_money")
    base = {"sensory": 0.06, "affective": 0.10, "intellectual": 0.12, "behavioral": 0.06,
            "product_quality": 0.55, "ease_of_use": 0.16, "support": 0.14, "value_for_money": 0.12}
    betas = {"satisfaction": base, "recommend": {**base, "ease_of_use": 0.14, "support": 0.16},
             "loyalty": {**base, "product_quality": 0.45, "value_for_money": 0.16}}
    brand_offsets = {
        "Vizora": {"sensory": 0.1, "affective": -0.3, "intellectual": -0.7, "behavioral": -0.1,
                   "product_quality": -0.2, "ease_of_use": 0.1, "support": -0.2},
        "MetricLane": {"sensory": -0.2, "affective": -0.2, "intellectual": -0.8, "behavioral": 0.0,
                       "product_quality": -0.3, "ease_of_use": -0.3, "support": 0.2},
        "Pulse AI": {"sensory": 0.8, "affective": 0.1, "intellectual": -0.6, "behavioral": 0.1,
                     "product_quality": -0.5, "ease_of_use": 0.4, "support": -0.5},
        "SheetWorks": {"sensory": -0.6, "affective": -0.4, "intellectual": -1.0, "behavioral": 0.2,
                       "product_quality": -0.7, "ease_of_use": 0.3, "support": -0.3},
    }
    tps = (
        _Touchpoint("webinar", "awareness", "human_technology", "web", 0.8, 3.9, 2.5),
        _Touchpoint("trade_show_booth", "awareness", "human_human", "event", 0.5, 4.2, 2.5),
        _Touchpoint("sales_demo", "evaluation", "human_human", "video_call", 0.9, 4.3, 2.5),
        _Touchpoint("free_trial", "evaluation", "human_technology", "web", 0.8, 3.8, 3.5),
        _Touchpoint("contract_negotiation", "purchase", "human_human", "email", 0.8, 3.7, 4.5),
        _Touchpoint("onboarding_session", "onboarding", "human_human", "video_call", 1.0, 4.4, 3.0),
        _Touchpoint("dashboard_use", "usage", "human_technology", "app", 2.6, 3.72, 3.0),
        _Touchpoint("user_conference", "usage", "human_environment", "event", 0.4, 4.1, 2.0),
        _Touchpoint("support_ticket", "support", "human_technology", "portal", 1.0, 2.7, 5.0, 1.05),
        _Touchpoint("phone_support", "support", "human_human", "phone", 0.7, 4.1, 3.5),
        _Touchpoint("renewal_call", "renewal", "human_human", "phone", 0.6, 3.9, 3.0),
    )
    return _Spec(
        template="software_vendor", folder="software_vendor", display_name="Nimbus Analytics",
        market="B2B", brand="Nimbus Analytics",
        competitors=(("Vizora", "direct"), ("MetricLane", "direct"), ("Pulse AI", "new_entrant"),
                     ("SheetWorks", "outside_industry")),
        waves=("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"),
        wave_starts=("2025-07-01", "2025-10-01", "2026-01-01", "2026-04-01"), wave_days=91,
        n_own=150, n_comp=40, survey_only=False,
        survey_cols={"id": "respondent_id", "wave": "survey_wave", "brand": "vendor", "date": "completed_at"},
        id_prefix=("N", "X"),
        segments=(
            ("cust_type", "Customer type", ("SMB", "Enterprise"), (0.6, 0.4)),
            ("role", "Purchaser (buyer, IT lead) or user (analyst)", ("purchaser", "user"), (0.35, 0.65)),
            ("tenure", "Customer since", ("<1 year", "1-3 years", ">3 years"), (0.3, 0.45, 0.25)),
        ),
        constructs=bes + functional, outcomes=outcomes, drivers=drivers, betas=betas,
        brand_offsets=brand_offsets,
        wave_shift=("ease_of_use", -0.5), no_change="behavioral",
        segment_effect=("cust_type", "affective", "SMB", "Enterprise", 0.66),
        brand_advantage="intellectual", brand_gap=("sensory", "Pulse AI"),
        header="B2B analytics SaaS: 4 quarterly waves of customer contacts, competitor ratings,\n"
               "# touchpoint events along the B2B journey and verbatim comments.",
        journey=("awareness", "evaluation", "purchase", "onboarding", "usage", "support", "renewal"),
        touchpoints=tps,
        tp_cols={"id": "respondent_id", "touchpoint": "touchpoint", "stage": "journey_stage",
                 "interface": "interface_type", "channel": "channel", "time": "event_time",
                 "satisfaction": "csat", "effort": "ces"},
        stage_days=(7, 10, 7, 7, 20, 10, 4), stage_gap=1, open_hours=(8, 18),
        worst_tp="support_ticket",
        tp_effect={"satisfaction": 0.9, "recommend": 0.9, "loyalty": 0.6},
        tp_multipliers=(
            ("contract_negotiation", "role", "purchaser", 1.8), ("contract_negotiation", "role", "user", 0.55),
            ("renewal_call", "role", "purchaser", 1.8), ("renewal_call", "role", "user", 0.55),
            ("dashboard_use", "role", "purchaser", 0.5), ("dashboard_use", "role", "user", 1.27),
            ("support_ticket", "cust_type", "Enterprise", 1.3), ("support_ticket", "cust_type", "SMB", 0.8),
        ),
        early_stop=(-1.9, 1.5, {4: 0.5, 5: 0.5}),
        human_minus_technology=0.5, human_touch=None,
        feedback=_Feedback(
            columns={"text": "verbatim", "id": "respondent_id", "wave": "survey_wave",
                     "touchpoint": "touchpoint"},
            topics=_SOFTWARE_TOPICS, vocab=_SOFTWARE_VOCAB, closers=_SOFTWARE_CLOSERS,
            rising=("AI assistant", (
                "Please add an AI assistant to help write queries.",
                "The new AI assistant saves our analysts hours.",
                "The AI assistant gave wrong answers on our data, worrying.",
                "When will the AI assistant be available on all plans?"), (0.02, 0.02, 0.02, 0.15)),
            stable=("Excel export", (
                "The Excel export still breaks our formatting.",
                "Excel export works well for our finance team.",
                "Please make the Excel export faster."), 0.06),
        ),
    )


def _hotel_spec() -> _Spec:
    bes = _bes({
        "sensory": ("sensory_a", "sensory_b", "sensory_c"),
        "affective": ("affective_a", "affective_b", "affective_c"),
        "intellectual": ("intellectual_a", "intellectual_b", "intellectual_c"),
        "behavioral": ("behavioral_a", "behavioral_b", "behavioral_c"),
    }, {"sensory": 5.0, "affective": 4.5, "intellectual": 3.8, "behavioral": 3.9}, _LIKERT)
    functional = (
        _Construct("room_quality", ("room_1", "room_2", "room_3"),
                   ("Rooms are clean and comfortable.", "The beds let me sleep well.",
                    "Breakfast is of high quality."),
                   kind="functional", element="product", mean=5.1, note="Functional constructs"),
        _Construct("ambience", ("amb_1", "amb_2", "amb_3"),
                   ("The lobby and public areas are beautifully designed.", "The hotel has a distinctive style.",
                    "Website, signage and brochures look consistent and attractive."),
                   kind="functional", element="look_and_feel", mean=4.9),
        _Construct("staff_service", ("staff_1", "staff_2", "staff_3"),
                   ("Staff are friendly and welcoming.", "Requests are handled quickly.",
                    "Check-in and check-out are smooth."),
                   kind="functional", mean=5.0),
        _Construct("facilities", ("fac_pool", "fac_gym", "fac_parking"),
                   ("The pool and spa are excellent.", "The gym is well equipped.", "Parking is easy."),
                   kind="functional", mean=4.4, reliable=False,
                   note="pool, gym and parking are unrelated: items hardly correlate"),
    )
    outcomes = (
        _Outcome("satisfaction", ("overall_sat",),
                 ("Overall, how satisfied were you with your stay at [brand]? (1-10)",), (1, 10), 7.4, 1.35),
        _Outcome("recommend", ("likely_recommend",),
                 ("How likely are you to recommend [brand] to friends or colleagues? (0-10)",),
                 (0, 10), 8.0, 1.6),
        _Outcome("loyalty", ("loyal_1", "loyal_2", "loyal_3"),
                 ("I will book [brand] again.", "[brand] is my first choice when I travel.",
                  "I would choose [brand] even if others were cheaper."), (1, 7), 4.7, 0.95, 0.75),
    )
    drivers = ("sensory", "affective", "intellectual", "behavioral", "room_quality", "ambience",
               "staff_service", "facilities")
    base = {"sensory": 0.55, "affective": 0.14, "intellectual": 0.05, "behavioral": 0.07,
            "room_quality": 0.16, "ambience": 0.08, "staff_service": 0.14, "facilities": 0.10}
    betas = {"satisfaction": base, "recommend": {**base, "affective": 0.16, "room_quality": 0.13},
             "loyalty": {**base, "sensory": 0.45, "staff_service": 0.16}}
    brand_offsets = {
        "Meridian Suites": {"sensory": -0.7, "affective": -0.1, "intellectual": 0.1, "behavioral": -0.1,
                            "room_quality": 0.1, "ambience": -0.3, "staff_service": 0.1},
        "Coastline Inns": {"sensory": -0.9, "affective": -0.3, "intellectual": -0.2, "behavioral": 0.0,
                           "room_quality": -0.4, "ambience": -0.5, "staff_service": -0.2},
        "StayLocal": {"sensory": -0.8, "affective": 0.2, "intellectual": 0.5, "behavioral": 0.2,
                      "room_quality": -0.5, "ambience": -0.6, "staff_service": -1.0},
        "Azure Cruises": {"sensory": -0.6, "affective": 0.1, "intellectual": 0.0, "behavioral": 0.9,
                          "room_quality": -0.3, "ambience": 0.0, "staff_service": 0.0},
    }
    return _Spec(
        template="hotel_group", folder="hotel_group", display_name="Harbor Hotels Group", market="B2C",
        brand="Harbor Hotels",
        competitors=(("Meridian Suites", "direct"), ("Coastline Inns", "direct"), ("StayLocal", "new_entrant"),
                     ("Azure Cruises", "outside_industry")),
        waves=("Summer 2025", "Winter 2026"),
        wave_starts=("2025-06-02", "2026-01-12"), wave_days=70,
        n_own=120, n_comp=45, survey_only=True,
        survey_cols={"id": "guest_id", "wave": "wave", "brand": "hotel_brand", "date": "survey_date"},
        id_prefix=("G", "G"),
        segments=(
            ("traveller", "Business or leisure traveller", ("business", "leisure"), (0.4, 0.6)),
            ("role", "Booker or guest", ("booker", "guest"), (0.3, 0.7)),
            ("stays_per_year", "Hotel stays per year", ("1-2", "3-5", "6+"), (0.45, 0.35, 0.2)),
        ),
        constructs=bes + functional, outcomes=outcomes, drivers=drivers, betas=betas,
        brand_offsets=brand_offsets,
        wave_shift=("intellectual", 0.5), no_change="sensory",
        segment_effect=("traveller", "affective", "leisure", "business", 0.66),
        brand_advantage="sensory", brand_gap=("behavioral", "Azure Cruises"),
        header="Hotel group, survey only: one semicolon-delimited export in which each row rates\n"
               "# the own brand or a competitor (column hotel_brand); 2 waves.",
        csv_block={"delimiter": ";"},
    )


def _fitness_spec() -> _Spec:
    bes = _bes({
        "sensory": ("bes_s1", "bes_s2", "bes_s3r"),
        "affective": ("bes_a1", "bes_a2r", "bes_a3"),
        "behavioral": ("bes_b1", "bes_b2", "bes_b3r"),
        "intellectual": ("bes_i1", "bes_i2r", "bes_i3"),
    }, {"sensory": 5.2, "affective": 4.6, "intellectual": 4.1, "behavioral": 3.8}, _LIKERT)
    functional = (
        _Construct("equipment", ("eq_range", "eq_condition", "eq_available"),
                   ("[brand] has the equipment I need for my training.", "The machines are well maintained.",
                    "I rarely wait for a machine or a rack."),
                   kind="functional", element="product", mean=5.0, note="Brand elements"),
        _Construct("club_design", ("cd_interior", "cd_app", "cd_logo"),
                   ("The clubs are attractively designed.", "The app looks good and is easy to use.",
                    "I like the logo and visual identity."),
                   kind="functional", element="look_and_feel", mean=5.1),
        _Construct("communications", ("cm_ads", "cm_news", "cm_social"),
                   ("The advertising of [brand] is appealing.", "The member newsletter is relevant to me.",
                    "I like what [brand] posts on social media."),
                   kind="functional", element="communications", mean=4.2),
        _Construct("coaching", ("co_knowledge", "co_attention", "co_motivation"),
                   ("The coaches know what they are talking about.", "Coaches notice me and help when needed.",
                    "The coaches keep me motivated."),
                   kind="functional", mean=4.6),
        _Construct("convenience", ("cv_location", "cv_hours", "cv_parking"),
                   ("There is a club close to where I live or work.", "Opening hours suit my routine.",
                    "Parking at the club is easy."),
                   kind="functional", mean=4.7, reliable=False,
                   note="location, hours and parking are unrelated: items hardly correlate (low alpha)"),
        _Construct("fitness_involvement", ("fi_1", "fi_2", "fi_3"),
                   ("Being fit is an important part of my life.", "I enjoy trying new kinds of training.",
                    "I follow what is new in sport and fitness."),
                   layer="category", mean=5.1, note="Experiential world beyond the brand"),
    )
    outcomes = (
        _Outcome("satisfaction", ("osat",),
                 ("Overall, how satisfied are you with [brand]? (1 = not at all, 10 = completely)",),
                 (1, 10), 7.2, 1.35),
        _Outcome("recommend", ("ltr",),
                 ("How likely are you to recommend [brand] to a friend or colleague? "
                  "(0 = not at all likely, 10 = extremely likely)",), (0, 10), 7.6, 1.6),
        _Outcome("loyalty", ("ren1", "ren2", "ren3"),
                 ("I will renew my membership at [brand].", "[brand] is my first choice for training.",
                  "I would stay with [brand] if the fee rose a little."), (1, 7), 4.7, 0.95, 0.75),
    )
    drivers = ("sensory", "affective", "intellectual", "behavioral", "equipment", "club_design",
               "communications", "coaching", "convenience")
    base = {"sensory": 0.12, "affective": 0.14, "intellectual": 0.05, "behavioral": 0.55, "equipment": 0.14,
            "club_design": 0.07, "communications": 0.05, "coaching": 0.12, "convenience": 0.10}
    betas = {"satisfaction": base, "recommend": {**base, "affective": 0.16, "coaching": 0.14},
             "loyalty": {**base, "behavioral": 0.45, "convenience": 0.15}}
    brand_offsets = {
        "FitNation": {"sensory": -0.3, "affective": -0.4, "intellectual": -0.1, "behavioral": 0.9,
                      "equipment": 0.1, "club_design": -0.3, "communications": 0.0, "coaching": 0.0},
        "Iron Temple": {"sensory": -0.6, "affective": -0.2, "intellectual": -0.3, "behavioral": 0.3,
                        "equipment": 0.3, "club_design": -0.7, "communications": -0.4, "coaching": -0.3},
        "StreamFit": {"sensory": -0.8, "affective": -0.6, "intellectual": -0.1, "behavioral": -0.2,
                      "equipment": -0.8, "club_design": 0.2, "communications": 0.5, "coaching": -0.6,
                      "fitness_involvement": -0.2},
        "Riverside Climbing": {"sensory": -0.4, "affective": -0.3, "intellectual": -0.1, "behavioral": 0.5,
                               "equipment": -0.3, "club_design": -0.4, "communications": -0.5,
                               "coaching": -0.2, "fitness_involvement": -0.3},
    }
    tps = (
        _Touchpoint("social_media_ad", "awareness", "human_technology", "social", 0.6, 4.0, 2.2),
        _Touchpoint("club_tour", "awareness", "human_human", "club", 0.5, 4.4, 2.0),
        _Touchpoint("online_signup", "joining", "human_technology", "web", 0.8, 3.85, 2.8),
        _Touchpoint("induction_session", "onboarding", "human_human", "club", 0.8, 4.4, 2.5),
        _Touchpoint("reception_checkin", "training", "human_human", "club", 1.0, 4.3, 1.8),
        _Touchpoint("changing_rooms", "training", "human_environment", "club", 1.0, 4.4, 2.2),
        _Touchpoint("gym_floor", "training", "human_environment", "club", 1.0, 4.1, 2.6),
        _Touchpoint("class_booking", "training", "human_technology", "app", 1.0, 2.85, 4.9, 1.05),
        _Touchpoint("group_class", "training", "human_human", "club", 0.9, 3.55, 3.2),
        _Touchpoint("trainer_help", "training", "human_human", "club", 0.5, 4.3, 2.4),
        _Touchpoint("front_desk_service", "service", "human_human", "club", 0.3, 3.9, 3.6),
        _Touchpoint("renewal_email", "renewal", "human_technology", "email", 0.6, 3.75, 2.6),
    )
    topics, codes = _coded(_FITNESS_TOPICS)
    closers = {k: [t for t, _ in v] for k, v in _FITNESS_CLOSERS.items()}
    codes.update({t: c for v in _FITNESS_CLOSERS.values() for t, c in v})
    rising = _FITNESS_RISING
    stable = _FITNESS_STABLE
    codes.update(dict(rising) | dict(stable))
    return _Spec(
        template="fitness_club", folder="fitness_club", display_name="Pulse Fitness", market="B2C",
        brand="Pulse Fitness",
        competitors=(("FitNation", "direct"), ("Iron Temple", "direct"), ("StreamFit", "new_entrant"),
                     ("Riverside Climbing", "outside_industry")),
        waves=("2025H1", "2025H2", "2026H1"),
        wave_starts=("2025-02-03", "2025-08-04", "2026-02-02"), wave_days=60,
        n_own=200, n_comp=50, survey_only=False,
        survey_cols={"id": "member_id", "wave": "wave", "brand": "club_rated", "date": "completed"},
        id_prefix=("P", "R"),
        segments=(
            ("member_type", "Membership type", ("trial", "standard", "premium"), (0.15, 0.55, 0.3)),
            ("age_group", "Age group", ("18-29", "30-44", "45-59", "60+"), (0.42, 0.30, 0.18, 0.10)),
            ("visits", "Visits per week", ("3+ per week", "1-2 per week", "less than weekly"), (0.3, 0.45, 0.25)),
        ),
        constructs=bes + functional, outcomes=outcomes, drivers=drivers, betas=betas,
        brand_offsets=brand_offsets,
        wave_shift=("club_design", 0.5), no_change="equipment",
        segment_effect=("visits", "affective", "3+ per week", "less than weekly", 0.66),
        brand_advantage="sensory", brand_gap=("behavioral", "FitNation"),
        header="B2C gym chain: 3 half-yearly waves of members, competitor ratings, touchpoint\n"
               "# events, verbatim comments with a hand-coded sample, Kano questions, brand promises\n"
               "# and population targets for survey weighting.",
        csv_block={"delimiter": ",", "decimal": ".", "encoding": "utf-8"},
        journey=("awareness", "joining", "onboarding", "training", "service", "renewal"),
        touchpoints=tps,
        tp_cols={"id": "member_id", "touchpoint": "touchpoint", "stage": "stage", "interface": "interface",
                 "channel": "channel", "time": "timestamp", "satisfaction": "tp_sat", "effort": "effort"},
        stage_days=(5, 3, 7, 30, 5, 4), stage_gap=2, open_hours=(6, 22),
        worst_tp="class_booking", tp_rate_scale=0.4,
        tp_effect={"satisfaction": 0.9, "recommend": 0.9, "loyalty": 0.6},
        early_stop=(-1.9, 1.5, {1: 0.2, 2: 0.3, 3: 0.5}),
        human_minus_technology=0.5, human_touch=None,
        feedback=_Feedback(
            columns={"text": "comment", "id": "member_id", "wave": "wave", "touchpoint": "touchpoint"},
            topics=topics, vocab=_FITNESS_VOCAB, closers=closers,
            rising=("community", tuple(t for t, _ in rising), (0.02, 0.035, 0.2)),
            stable=("parking", tuple(t for t, _ in stable), 0.06),
            codes=codes, rising_module="RELATE"),
        kano=(
            _Kano("clean_showers", "Clean showers", "kano_showers_f", "kano_showers_d",
                  (0.06, 0.17, 0.58, 0.14, 0.03, 0.02)),
            _Kano("sauna", "Sauna", "kano_sauna_f", "kano_sauna_d", (0.55, 0.10, 0.05, 0.25, 0.03, 0.02)),
            _Kano("app_class_booking", "Booking classes in the app", "kano_app_f", "kano_app_d",
                  (0.18, 0.50, 0.17, 0.11, 0.02, 0.02)),
            _Kano("towel_service", "Towel service", "kano_towel_f", "kano_towel_d",
                  (0.15, 0.06, 0.08, 0.63, 0.06, 0.02)),
        ),
        promises=(
            _Promise("Energising group classes", "behavioral", ("class_booking", "group_class"), 5.0, False),
            _Promise("A spotless, inspiring club", "sensory", ("changing_rooms", "reception_checkin"), 4.8, True),
            _Promise("Training that teaches you something new", "intellectual", ("induction_session", "trainer_help"),
                     None, None),
        ),
        hand_coded=60,
        weighting=("age_group", (0.22, 0.28, 0.27, 0.23)),
        gradient=("age_group", "coaching", (-0.6, -0.15, 0.4, 0.8)),
        noisy_segment=("member_type", "trial", "intellectual"),
    )


def _coded(topics: dict[str, dict[str, list[tuple[str, str]]]]) -> tuple[dict, dict[str, str]]:
    """Split (template, modules) pairs into the generator's topics and a template -> modules map."""
    plain = {t: {k: [x for x, _ in v] for k, v in by.items()} for t, by in topics.items()}
    codes = {x: c for by in topics.values() for v in by.values() for x, c in v}
    return plain, codes


# Pulse Fitness verbatims, each sentence with the experiential modules (Schmitt 1999) a human coder
# would give it: SENSE (senses, aesthetics), FEEL (feelings, moods), THINK (learning, curiosity,
# surprise), ACT (bodily experience, behaviour, lifestyle), RELATE (community, belonging).
_FITNESS_VOCAB = {
    "cls": ["spin", "HIIT", "yoga", "pilates", "boxing", "circuits"],
    "mins": ["10", "15", "20"],
    "when": ["this morning", "on Monday", "last week", "after work", "on Saturday"],
}
_FITNESS_TOPICS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "social_media_ad": {
        "pos": [("Loved the new Instagram campaign, it made me want to work out.", "FEEL;ACT"),
                ("Your videos of members training together are inspiring.", "ACT;RELATE;FEEL")],
        "neu": [("Saw your ad for the {cls} classes {when}.", ""),
                ("Noticed your sponsored posts in my feed.", "")],
        "neg": [("The ads are everywhere, really annoying and pushy.", "FEEL"),
                ("The ad promised a free month but the club knew nothing about it, so disappointing.", "FEEL")],
    },
    "club_tour": {
        "pos": [("The club tour was great, the place looks bright and spotless.", "SENSE"),
                ("Nice tour, the staff made me feel really welcome.", "FEEL")],
        "neu": [("Had a tour of the club {when}.", ""), ("The tour showed the gym floor and the studios.", "")],
        "neg": [("The tour was rushed and the changing rooms smelled bad.", "SENSE"),
                ("Nobody was available to show me around, poor first impression.", "")],
    },
    "online_signup": {
        "pos": [("Signing up online took two minutes, easy.", ""),
                ("The online joining process was clear and simple.", "")],
        "neu": [("Joined online {when}.", ""), ("Signed up on the website for the standard plan.", "")],
        "neg": [("The online sign-up crashed twice, so frustrating.", "FEEL"),
                ("Hidden joining fee at the end of the online form, annoying.", "FEEL")],
    },
    "induction_session": {
        "pos": [("My induction taught me how to use every machine, I learned a lot.", "THINK"),
                ("The trainer explained a routine that suits my goals.", "THINK;ACT")],
        "neu": [("Had my induction session {when}.", ""), ("The induction covered the basics.", "")],
        "neg": [("The induction was rushed and nobody explained the machines.", "THINK"),
                ("My induction got cancelled twice, disappointing.", "FEEL")],
    },
    "reception_checkin": {
        "pos": [("Friendly welcome at reception every time, it puts me in a good mood.", "FEEL"),
                ("Checking in with the app at the door is quick.", "")],
        "neu": [("Checked in at reception {when}.", ""), ("The entry gates work with the app.", "")],
        "neg": [("The entry gate rejected my card again, annoying queue at reception.", "FEEL"),
                ("Reception staff ignored me while chatting, unprofessional.", "")],
    },
    "changing_rooms": {
        "pos": [("The changing rooms are spotless and smell fresh.", "SENSE"),
                ("Clean showers with great water pressure.", "SENSE")],
        "neu": [("Used the changing rooms {when}.", ""), ("The lockers take a coin.", "")],
        "neg": [("The showers were cold and the floor was dirty {when}.", "SENSE"),
                ("Broken lockers and a smelly changing room, not acceptable.", "SENSE")],
    },
    "gym_floor": {
        "pos": [("Great range of equipment, I can train exactly how I want.", "ACT"),
                ("The gym floor has bright lighting and good music for a workout.", "SENSE;ACT")],
        "neu": [("The gym floor gets busy after six.", ""), ("Most machines were free {when}.", "")],
        "neg": [("Half the machines were broken {when}, I could not finish my workout.", "ACT"),
                ("The music on the gym floor is far too loud.", "SENSE")],
    },
    "class_booking": {
        "pos": [("Booking a {cls} class in the app is quick now.", ""),
                ("Got a spot in {cls} through the app, easy.", "")],
        "neu": [("Booked a {cls} class in the app {when}.", ""), ("Joined the waiting list for {cls}.", "")],
        "neg": [("The booking app shows {cls} full within seconds, hopeless.", ""),
                ("The app cancelled my {cls} booking without telling me, so frustrating.", "FEEL"),
                ("Could never book a {cls} class after work, the booking system is a joke.", ""),
                ("Waited {mins} minutes on the booking screen and still no place, annoying.", "FEEL")],
    },
    "group_class": {
        "pos": [("The {cls} class was energising, I left buzzing.", "ACT;FEEL"),
                ("Our {cls} instructor pushes us to move more and it works.", "ACT")],
        "neu": [("Went to {cls} {when}.", ""), ("The {cls} class ran as usual.", "")],
        "neg": [("The {cls} class was dull and overcrowded, no energy at all.", "ACT"),
                ("The {cls} instructor just shouted, I was bored.", "FEEL")],
    },
    "trainer_help": {
        "pos": [("A trainer showed me a better technique and explained why, really useful.", "THINK"),
                ("The coaches give great tips on my training.", "THINK;ACT")],
        "neu": [("Asked a trainer about the rowing machine.", ""), ("A coach checked my form {when}.", "")],
        "neg": [("No trainer on the floor when I needed advice.", "THINK"),
                ("The coach gave me the wrong advice and I hurt my back.", "THINK")],
    },
    "front_desk_service": {
        "pos": [("Reception sorted my billing problem quickly, great service.", ""),
                ("They froze my membership while I was injured, very fair.", "")],
        "neu": [("Asked the front desk to update my details.", ""), ("Reported a broken locker {when}.", "")],
        "neg": [("Complained twice about the billing and nobody cared, disappointing.", "FEEL"),
                ("The front desk could not help with a simple request.", "")],
    },
    "renewal_email": {
        "pos": [("The renewal email offered a fair loyalty discount.", ""),
                ("Renewing was easy with the email link.", "")],
        "neu": [("Got the renewal email {when}.", ""), ("The renewal email listed my visits this year.", "")],
        "neg": [("The renewal email hid a price rise in the small print, not happy.", "FEEL"),
                ("Too many emails about renewing, it reads like spam.", "")],
    },
    "_equipment": {
        "pos": [("The equipment is modern and well maintained.", ""),
                ("Excellent free weights and plenty of racks.", "")],
        "neu": [("The equipment is fine.", ""), ("Same machines as in most gyms.", "")],
        "neg": [("Old equipment that keeps breaking, poor quality.", ""),
                ("Too few squat racks for a club this size.", "")],
    },
    "_design": {
        "pos": [("The club looks beautiful, bright colours and great lighting.", "SENSE"),
                ("Love the look of the new studios.", "SENSE;FEEL")],
        "neu": [("The studios all look the same.", "SENSE"), ("The new colour scheme is fine.", "SENSE")],
        "neg": [("The club looks tired and dark.", "SENSE"),
                ("The redesign is cold and soulless.", "SENSE")],
    },
    "_comms": {
        "pos": [("The monthly newsletter has useful tips on nutrition.", "THINK"),
                ("Your posts teach me new exercises.", "THINK;ACT")],
        "neu": [("We get the member newsletter.", ""), ("Saw the announcement about the new app.", "")],
        "neg": [("Too many marketing emails, annoying spam.", "FEEL"),
                ("The app notifications are pointless.", "")],
    },
    "_price": {
        "pos": [("Fair price for what you get.", ""), ("The annual plan is good value.", "")],
        "neu": [("About the same price as other gyms.", ""), ("The fee went up a little.", "")],
        "neg": [("Another price rise, I may cancel.", ""), ("Far too expensive for what you get.", "")],
    },
}
_FITNESS_CLOSERS = {
    "pos": [("Keep up the great work!", ""), ("Thank you!", ""), ("Will keep coming.", ""),
            ("Highly recommend.", "")],
    "neu": [("That is all.", ""), ("Nothing more to add.", "")],
    "neg": [("Sort this out please.", ""), ("Very disappointed.", "FEEL"), ("Not happy at all.", "FEEL"),
            ("Might cancel soon.", "")],
}
_FITNESS_RISING = (
    ("I love the community here, I have made real friends.", "RELATE;FEEL"),
    ("The community feels like a family, everyone says hello.", "RELATE"),
    ("The Saturday run club built a real community.", "RELATE;ACT"),
    ("Being part of the community keeps me coming back.", "RELATE"),
    ("Met great people through the community, we train together now.", "RELATE;ACT"),
    ("Please organise more community events for members.", "RELATE"),
)
_FITNESS_STABLE = (
    ("Parking is a nightmare in the evening.", ""),
    ("Free parking makes it easy to come.", ""),
    ("Please add more parking spaces.", ""),
)


# --------------------------------------------------------------------------------------------
# verbatim vocabulary (the themes' phrases never occur in these templates)
_COFFEE_VOCAB = {
    "drink": ["flat white", "cappuccino", "latte", "americano", "cold brew", "mocha", "chai latte",
              "espresso"],
    "food": ["croissant", "banana bread", "cinnamon roll", "bagel", "toastie"],
    "mins": ["15", "20", "25", "30"],
    "when": ["this morning", "on Monday", "last week", "at lunchtime", "before work", "on Saturday"],
}
_COFFEE_TOPICS: dict[str, dict[str, list[str]]] = {
    "social_media_ad": {
        "pos": ["Loved the new campaign on Instagram, it made me crave a {drink}.",
                "Your Instagram posts are fun and the latest ad got me through the door."],
        "neu": ["Saw the ad for the new {drink} on Instagram {when}.",
                "Noticed your sponsored posts in my feed."],
        "neg": ["The Instagram ads are everywhere, really annoying and pushy.",
                "The ad promised a {food} deal but the store knew nothing about it, so disappointing."],
    },
    "storefront": {
        "pos": ["The shopfront looks so inviting, lovely warm lights in the evening.",
                "Beautiful new storefront, it made me stop {when}."],
        "neu": ["Walked past the new storefront {when}, it is easy to spot.",
                "The shop sign is clear enough from the street."],
        "neg": ["The storefront looks tired and dirty, I almost did not go in.",
                "Could not find the entrance behind the scaffolding, poor signage."],
    },
    "app_menu_browse": {
        "pos": ["Browsing the menu in the app is easy and the photos are great.",
                "Love checking the seasonal menu in the app before I go."],
        "neu": ["Checked the menu in the app {when}.", "The app menu lists prices, which helps."],
        "neg": ["The app menu was out of date and the {food} was sold out. Really frustrating.",
                "The menu in the app is slow and confusing."],
    },
    "loyalty_email": {
        "pos": ["Great loyalty email {when}, the free {drink} voucher was a nice surprise.",
                "The birthday reward email was a lovely touch."],
        "neu": ["Got the monthly member email {when}.", "The member email listed my points balance."],
        "neg": ["Too many member emails, it feels like spam and it is annoying.",
                "The voucher in the member email had already expired, so annoying."],
    },
    "counter_order": {
        "pos": ["The barista remembered my order, lovely start to the day.",
                "Ordering my {drink} at the counter was quick and friendly.",
                "Friendly chat at the till {when}, great service."],
        "neu": ["Ordering at the counter was fine, a short queue {when}.",
                "Ordered a {drink} and a {food} at the counter."],
        "neg": ["Waited {mins} minutes in the queue at the counter {when}, terrible.",
                "Staff at the till were rude when I asked about the {food}.",
                "The queue at the counter was a mess and nobody was in charge."],
    },
    "mobile_app_order": {
        "pos": ["Ordered my {drink} in the app and it was ready when I walked in, brilliant.",
                "Mobile ordering is a great time saver on busy mornings."],
        "neu": ["Used the app to order {when}, pickup was at the side counter.",
                "Ordered a {drink} through the app for pickup."],
        "neg": ["Mobile app order took {mins} minutes, never again.",
                "The app said my {drink} was ready but nobody had started it. Awful.",
                "The app crashed at checkout and took my money anyway, really frustrating.",
                "Ordered ahead in the app and still waited {mins} minutes, what a joke, so annoying."],
    },
    "barista_interaction": {
        "pos": ["The barista made a perfect {drink} and had a friendly chat with me.",
                "The staff are always cheerful, they make my day.",
                "The barista recommended the {food}, excellent tip."],
        "neu": ["The barista was polite and quick.", "The staff made my {drink} as usual."],
        "neg": ["The barista got my {drink} wrong twice and seemed annoyed.",
                "Staff ignored me while chatting among themselves, unprofessional."],
    },
    "seating_area": {
        "pos": ["Cosy seating and great music, a lovely place to relax with a {drink}.",
                "Comfortable chairs and plenty of sockets, perfect for an afternoon."],
        "neu": ["The seating area gets busy around noon.", "Found a table {when} after a short wait."],
        "neg": ["Tables were sticky and there was nowhere to sit {when}, disappointing.",
                "The music is far too loud in the seating area, unpleasant."],
    },
    "service_recovery": {
        "pos": ["I complained about a cold {drink} and they replaced it immediately, excellent service.",
                "They apologised for the mix-up and gave me a free {food}, great."],
        "neu": ["Raised an issue about my order with staff, it was sorted eventually.",
                "Reported a wrong order {when}, they took my details."],
        "neg": ["Complained about a wrong order and the manager just shrugged. Poor service.",
                "Nobody took my complaint seriously, very disappointing."],
    },
    "app_support_chat": {
        "pos": ["The in-app support chat refunded my order within minutes, great.",
                "Support in the app was fast and helpful."],
        "neu": ["Contacted support in the app about a missing stamp and got a standard reply.",
                "Used the app chat to ask about my points."],
        "neg": ["The in-app support chat is useless and the bot is hopeless.",
                "Waited two days for an answer from app support, terrible."],
    },
    "cup_return": {
        "pos": ["Love the reusable cup return scheme, so easy to drop off.",
                "Great that I can return the reusable cup at any store."],
        "neu": ["Returned my reusable cup at the station {when}.", "The cup return station is by the door."],
        "neg": ["The cup return station was full again, I had to carry the cup home. Annoying.",
                "Lost my deposit because the cup return machine was broken, not happy."],
    },
    "_taste": {
        "pos": ["The {drink} tastes amazing, best coffee in town.",
                "Rich, smooth coffee and the {food} is always fresh.",
                "Consistently great {drink}, I love the new roast."],
        "neu": ["The coffee is decent and the {food} is average.", "The {drink} tastes the same as anywhere."],
        "neg": ["The {drink} tasted burnt and bitter {when}, really disappointed.",
                "The {food} was stale, poor quality for the price."],
    },
    "_design": {
        "pos": ["Beautiful cups and packaging, the new logo looks great.",
                "The stores have a lovely, warm design."],
        "neu": ["The new cup design is fine.", "The stores all look the same inside."],
        "neg": ["The new cup design is ugly and the lids leak.",
                "The store redesign feels cold, soulless and depressing."],
    },
    "_ads": {
        "pos": ["Your adverts are witty and make me smile.", "Great billboard campaign, very memorable."],
        "neu": ["I have seen the new billboard ads around town.", "Noticed your radio advert {when}."],
        "neg": ["The new adverts are loud, cheesy and irritating.",
                "The ads overpromise and the stores disappoint."],
    },
    "_price": {
        "pos": ["Fair prices for the quality, good value.", "The loyalty points make it great value."],
        "neu": ["Prices went up a little but still okay.", "About the same price as other coffee shops."],
        "neg": ["Far too expensive for a {drink} now, terrible value.",
                "Another price rise, I am seriously considering going elsewhere."],
    },
}
_COFFEE_CLOSERS = {
    "pos": ["Keep up the great work!", "Thank you!", "Will definitely come back.", "Highly recommend."],
    "neu": ["That is all.", "Nothing more to add."],
    "neg": ["Sort this out, it is bad.", "Very disappointed.", "Not happy at all.",
            "Sadly thinking of going elsewhere."],
}

_SOFTWARE_VOCAB = {
    "feature": ["dashboards", "SQL editor", "scheduled reports", "data connectors", "alerting",
                "embedded charts"],
    "days": ["two", "three", "four", "five"],
    "when": ["last month", "this quarter", "in our last sprint", "during month-end close"],
}
_SOFTWARE_TOPICS: dict[str, dict[str, list[str]]] = {
    "webinar": {
        "pos": ["The product webinar on the {feature} was genuinely useful.",
                "Great webinar, the speaker showed real customer examples."],
        "neu": ["Attended a webinar about the {feature} {when}.", "The webinar covered the roadmap."],
        "neg": ["The webinar was a boring sales pitch, a waste of an hour.",
                "The webinar audio kept failing, poorly run."],
    },
    "trade_show_booth": {
        "pos": ["Great conversation at your trade show booth, the team knew their stuff.",
                "The booth demo of the {feature} was impressive."],
        "neu": ["Stopped by the booth at the trade show and picked up a brochure.",
                "Met your team at the trade show {when}."],
        "neg": ["Nobody at the trade show booth could answer a technical question. Poor.",
                "The booth staff were pushy and uninterested in our use case."],
    },
    "sales_demo": {
        "pos": ["The sales demo was tailored to our data and really convincing.",
                "Excellent demo, the presales engineer answered every question."],
        "neu": ["The demo covered the basics of the {feature}.", "Had a sales demo {when}."],
        "neg": ["The sales demo was generic and the rep dodged questions about pricing. Disappointing.",
                "The demo crashed twice, not a good sign."],
    },
    "free_trial": {
        "pos": ["The free trial was easy to set up, we connected our warehouse in an hour.",
                "Loved the trial, the {feature} worked out of the box."],
        "neu": ["The trial period was a bit short.", "We ran a trial {when} with two analysts."],
        "neg": ["The free trial expired before we could test the {feature}, very frustrating and annoying.",
                "Setting up the trial needed three calls with sales, annoying."],
    },
    "contract_negotiation": {
        "pos": ["Contract negotiation was smooth and the account manager was fair.",
                "Procurement was quick thanks to clear paperwork, great."],
        "neu": ["Procurement took the usual few weeks.", "Signed the contract {when}."],
        "neg": ["Contract negotiation dragged on for months, a terrible experience with legal.",
                "Hidden fees appeared late in the negotiation, not acceptable."],
    },
    "onboarding_session": {
        "pos": ["Our onboarding specialist was excellent, the team was productive in a week.",
                "Great onboarding sessions, clear and well paced."],
        "neu": ["Onboarding covered what we needed.", "Had our onboarding sessions {when}."],
        "neg": ["Onboarding was rushed and nobody explained the {feature}. Poor start.",
                "Our onboarding contact changed three times, chaotic."],
    },
    "dashboard_use": {
        "pos": ["Working with the {feature} every day is a pleasure.",
                "The {feature} save us hours every week, love it."],
        "neu": ["We use the {feature} daily.", "The team relies on the {feature} for reporting."],
        "neg": ["Performance of the {feature} is awful with large datasets.",
                "The {feature} broke {when} and we missed a deadline, really frustrating."],
    },
    "user_conference": {
        "pos": ["The user conference venue was great and the sessions inspiring.",
                "Loved the user conference, excellent networking."],
        "neu": ["Went to the user conference, some good sessions.", "Attended the user conference {when}."],
        "neg": ["The user conference was overcrowded and badly organised.",
                "The conference venue was cramped and noisy, disappointing."],
    },
    "support_ticket": {
        "pos": ["Our support ticket was resolved the same day, impressive.",
                "The support portal answered our ticket about the {feature} quickly, great."],
        "neu": ["Opened a ticket in the support portal and got an answer eventually.",
                "Logged a ticket about the {feature} {when}."],
        "neg": ["Our support ticket sat unanswered for {days} days. Unacceptable.",
                "The support portal closes tickets without fixing anything, very frustrating.",
                "Raised a ticket about the {feature} and got a copy-paste reply. Useless.",
                "Ticket escalated {days} times and still broken, terrible and slow."],
    },
    "phone_support": {
        "pos": ["Phone support was brilliant, the engineer fixed it while we were on the call.",
                "Calling support got us a helpful expert within minutes."],
        "neu": ["Called the support line, waited a bit but they helped.", "Phoned support {when}."],
        "neg": ["Phone support kept transferring me, a horrible waste of time.",
                "Support hotline hold times are awful."],
    },
    "renewal_call": {
        "pos": ["The renewal call was easy and they offered a fair discount.",
                "Our account manager made the renewal painless, thanks."],
        "neu": ["The renewal call was routine.", "Discussed the renewal {when}."],
        "neg": ["The renewal call was an aggressive upsell, not happy.",
                "They tried to lock us into three years at renewal, disappointing."],
    },
    "_product": {
        "pos": ["Reliable platform and the data accuracy is excellent.",
                "The {feature} are the best we have used."],
        "neu": ["The product does what it says.", "Solid product with a few rough edges."],
        "neg": ["Too many bugs in the {feature} since the last release, poor quality.",
                "The platform was down twice {when}, unacceptable for a paid tool."],
    },
    "_interface": {
        "pos": ["The new interface looks clean and modern.", "Beautiful charts, our executives love them."],
        "neu": ["The interface is okay once you get used to it.", "The layout changed again {when}."],
        "neg": ["The redesigned interface is confusing, everything moved.",
                "The new navigation is cluttered and slow, frustrating."],
    },
    "_communications": {
        "pos": ["Release notes and newsletters are clear and helpful.", "Great product blog, always useful."],
        "neu": ["We get the monthly product newsletter.", "Saw the announcement about the {feature}."],
        "neg": ["Too many marketing emails, annoying spam.", "Release notes never mention breaking changes, annoying."],
    },
    "_pricing": {
        "pos": ["Pricing is fair for what we get.", "Good value compared with the alternatives."],
        "neu": ["Pricing is in line with the market.", "Our licence costs were reviewed {when}."],
        "neg": ["The price increase this year is outrageous.", "Per-seat pricing punishes growing teams, bad deal."],
    },
}
_SOFTWARE_CLOSERS = {
    "pos": ["Great partner.", "Keep up the good work.", "Happy to recommend Nimbus."],
    "neu": ["Overall okay.", "That is all for now."],
    "neg": ["Seriously disappointed, considering alternatives at renewal.", "This is a serious problem.",
            "Very disappointed."],
}


# --------------------------------------------------------------------------------------------
def _spec(template: str) -> _Spec:
    builders = {"coffee_house": _coffee_spec, "software_vendor": _software_spec, "hotel_group": _hotel_spec,
                "fitness_club": _fitness_spec}
    if template not in builders:
        raise ValueError(f"unknown demo template {template!r}; use one of {', '.join(TEMPLATES)}")
    return builders[template]()


def _tiny_spec() -> _Spec:
    """A very small coffee-shop client: 2 waves, 2 competitors, every optional file."""
    s = _coffee_spec()
    fb = dataclasses.replace(s.feedback, rising=(s.feedback.rising[0], s.feedback.rising[1], (0.02, 0.15)))
    return dataclasses.replace(
        s, template="coffee_house", folder=TINY_CLIENT, display_name="Tiny Client (Bean & Co. sample)",
        competitors=(("Daily Grind", "direct"), ("SipNow", "new_entrant")),
        waves=s.waves[1:], wave_starts=s.wave_starts[1:], n_own=40, n_comp=10,
        header="Tiny test client for fast notebook runs: 2 waves, ~120 respondent rows and every\n"
               "# optional file (competitor ratings, touchpoints, feedback).",
        feedback=fb, cli_client=TINY_CLIENT)


def _seed_for(template: str, seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(seed), zlib.crc32(template.encode("utf-8"))])


# --------------------------------------------------------------------------------------------
# YAML (written by hand so that it carries comments)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.&()/'é+-]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def _q(value: str) -> str:
    s = str(value)
    if _PLAIN.match(s) and s.lower() not in _YAML_WORDS and not s.endswith((" ", ".", ":")) \
            and not re.match(r"^[0-9.+-]+$", s) and ": " not in s and " #" not in s:
        return s
    return json.dumps(s, ensure_ascii=False)


def _qb(value: str) -> str:
    """Quote a block-context scalar (a trailing '.' is fine there)."""
    s = str(value)
    if _PLAIN.match(s) and s.lower() not in _YAML_WORDS and not re.match(r"^[0-9.+-]+$", s) \
            and ": " not in s and " #" not in s:
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(names) -> str:
    return "[" + ", ".join(_q(n) for n in names) + "]"


def _c(text: str, comment: str = "", col: int = 36) -> str:
    """A YAML line with an end-of-line comment aligned at ``col``."""
    return f"{text:<{col - 1}} # {comment}" if comment else text


def _render_yaml(spec: _Spec, seed: int, n_rows: dict[str, int], command: str) -> str:
    L: list[str] = []
    add = L.append
    add(f"# {spec.folder}/client.yaml -- {spec.display_name}")
    add(f"# {spec.header}")
    add("# SYNTHETIC demo data with planted effects (see truth.json), generated by datasets.demo")
    add(f"# with seed {seed}. Do not edit by hand; regenerate with")
    add(f"#   {command}")
    add("# The data contract is described in docs/contract.md. In the item wordings below, [brand] is")
    add("# the brand the row rates.")
    add("")
    add(f"name: {_qb(spec.display_name)}")
    add(f"market: {spec.market}")
    add(_c(f"brand: {_qb(spec.brand)}", "the own brand, as written in the brand column"))
    add(_c("competitors:", "direct | new_entrant | outside_industry"))
    for name, kind in spec.competitors:
        add(f"  - {{name: {_q(name)}, kind: {kind}}}")
    if spec.csv_block:
        add(_c("csv:", "how the CSV files were exported"))
        for k, v in spec.csv_block.items():
            add(f"  {k}: {json.dumps(v) if k != 'encoding' else v}")
    add(_c("scale: [1, 7]", "default response scale of every item"))
    add("")
    what = "own brand and competitors" if spec.survey_only else "own-brand customers"
    add(_c("survey:", f"one row per respondent x rated brand: {what} ({n_rows['survey']} rows)"))
    add("  file: survey.csv")
    for role in ("id", "wave", "brand", "date"):
        if role in spec.survey_cols:
            add(f"  {role}: {spec.survey_cols[role]}")
    add(_c(f"waves: {_flow(spec.waves)}", "wave order"))
    if not spec.survey_only:
        add("")
        add(_c("competitor_ratings:", f"competitors' customers rate their brand ({n_rows['competitor_ratings']} rows)"))
        add("  file: competitor_ratings.csv")
    add("")
    add("constructs:")
    for c in spec.constructs:
        _render_construct(L, c)
    add("  # Outcomes")
    for o in spec.outcomes:
        for item, w in zip(o.items, o.wording):
            add(f"  #   {item}: {w}")
        if len(o.items) == 1:
            add(f"  {o.name}: {{items: {_flow(o.items)}, scale: [{o.scale[0]}, {o.scale[1]}]}}")
        else:
            add(f"  {o.name}: {{items: {_flow(o.items)}}}")
    add(f"drivers: {_flow(spec.drivers)}")
    add(f"outcomes: {_flow(o.name for o in spec.outcomes)}")
    add(_c("nps: recommend", "single 0-10 item used for the Net Promoter Score"))
    add("")
    add(_c("segments:", "segment column -> label shown in the report"))
    for col, label, levels, _ in spec.segments:
        add(_c(f"  {col}: {_qb(label)}", " / ".join(levels), col=56))
    if spec.touchpoints:
        add("")
        add(_c(f"journey: {_flow(spec.journey)}", "stage order", col=80))
    if spec.feedback:
        fb = spec.feedback
        add("")
        add(_c("feedback:", f"verbatim comments, one row per comment ({n_rows['feedback']} rows)"))
        add("  file: feedback.csv")
        for role in ("text", "id", "wave", "brand", "touchpoint"):
            if role in fb.columns:
                add(f"  {role}: {fb.columns[role]}")
    if spec.touchpoints:
        add("")
        add(_c("touchpoints:", f"one row per touchpoint event ({n_rows['touchpoints']} rows)"))
        add("  file: touchpoints.csv")
        notes = {"satisfaction": "1 = very dissatisfied ... 5 = very satisfied",
                 "effort": "customer effort: 1 = very easy ... 7 = very hard",
                 "time": "ISO 8601"}
        for role in ("id", "touchpoint", "stage", "interface", "channel", "time", "satisfaction", "effort"):
            if role in spec.tp_cols:
                add(_c(f"  {role}: {spec.tp_cols[role]}", notes.get(role, "")))
        add("  scale: [1, 5]")
        add("  effort_scale: [1, 7]")
        add("# touchpoints in the file (stage / interface / channel):")
        for tp in spec.touchpoints:
            add(f"#   {tp.name:<22} {tp.stage} / {tp.interface} / {tp.channel}")
    _render_methods(L, spec, n_rows)
    return "\n".join(L) + "\n"


def _render_methods(L: list[str], spec: _Spec, n_rows: dict[str, int]) -> None:
    """The optional research-method keys (Kano, promises, modules, weighting) of client.yaml."""
    add = L.append
    if spec.kano:
        add("")
        add(_c("kano:", "Kano question pairs in survey.csv (Berger et al. 1993)"))
        add(_c("  scale: [1, 5]", "1 like, 2 expect, 3 neutral, 4 live with, 5 dislike"))
        add("  features:                         # feature -> its functional and dysfunctional question")
        for k in spec.kano:
            add(f"    {k.feature}: {{functional: {k.functional}, dysfunctional: {k.dysfunctional}, "
                f"label: {_q(k.label)}}}")
    if spec.promises:
        add("")
        add(_c("promises:", "brand promises of the experiential platform (step 2) and where they are kept"))
        for pr in spec.promises:
            target = f", target: {pr.target:g}" if pr.target is not None else ""
            line = (f"  - {{promise: {_q(pr.promise)}, construct: {pr.construct}, "
                    f"touchpoints: {_flow(pr.touchpoints)}{target}}}")
            add(line if pr.target is not None else line + "   # no target: the best competitor's mean")
    if spec.hand_coded:
        add("")
        add(_c("modules:", "Schmitt's experiential modules in the verbatims (default codebook:"))
        add(_c("", "src/cem_research/resources/modules.yaml; override with codebook:)"))
        add(_c("  hand_coded: {file: hand_coded.csv, text: " + spec.feedback.columns["text"] + ", module: module}",
               f"{n_rows.get('hand_coded', 0)} comments coded by hand", col=70))
    if spec.weighting:
        col, shares = spec.weighting
        levels = next(lv for c, _l, lv, _p in spec.segments if c == col)
        add("")
        add(_c("weighting:", "population shares of the own brand's customers (survey weighting)"))
        add("  targets:")
        add(f"    {col}: {{" + ", ".join(f"{_q(lv)}: {sh:g}" for lv, sh in zip(levels, shares)) + "}")


def _render_construct(L: list[str], c: _Construct) -> None:
    if c.note:
        L.append(f"  # {c.note}")
    L.append(f"  {c.name}:")
    L.append(f"    items: {_flow(c.items)}")
    for item, w in zip(c.items, c.wording):
        rev = "  (reverse-keyed)" if item in c.reverse else ""
        L.append(f"    #   {item}: {w}{rev}")
    if c.reverse:
        L.append(f"    reverse: {_flow(c.reverse)}")
    if c.scale:
        L.append(f"    scale: [{c.scale[0]}, {c.scale[1]}]")
    if c.experience:
        L.append("    experience: true")
    if c.kind:
        L.append(f"    kind: {c.kind}")
    if c.layer:
        L.append(f"    layer: {c.layer}")
    if c.element:
        L.append(f"    element: {c.element}")


# --------------------------------------------------------------------------------------------
# simulation
def _clip_round(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi).astype(np.int8)


def _centre(z: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Subtract the group means of ``z`` (groups coded 0 .. n_groups-1)."""
    sums = np.bincount(groups, weights=z, minlength=n_groups)
    sizes = np.bincount(groups, minlength=n_groups)
    return z - np.divide(sums, sizes, out=np.zeros(n_groups), where=sizes > 0)[groups]


def _expand(template: str, vocab: dict[str, list[str]]) -> list[str]:
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    fields = list(dict.fromkeys(fields))
    if not fields:
        return [template]
    out = []
    for combo in product(*(vocab[f] for f in fields)):
        out.append(template.format(**dict(zip(fields, combo))))
    return out


@dataclass
class _Catalogue:
    """Every sentence the verbatim generator can emit, addressed by integer codes."""

    topics: list[str]
    sentences: np.ndarray          # object array
    offset: np.ndarray             # [topic, sentiment]
    count: np.ndarray
    closers: np.ndarray            # object: "" then " " + closer, by sentiment blocks
    closer_offset: np.ndarray
    closer_count: np.ndarray
    themes: np.ndarray             # "", rising..., stable...
    sentence_codes: np.ndarray | None = None   # human coder's modules per sentence ("A;B", "")
    closer_codes: np.ndarray | None = None
    theme_codes: np.ndarray | None = None


_SENT = ("neg", "neu", "pos")


def _catalogue(fb: _Feedback) -> _Catalogue:
    topics = list(fb.topics)
    sentences: list[str] = []
    s_codes: list[str] = []
    offset = np.zeros((len(topics), 3), np.int64)
    count = np.zeros((len(topics), 3), np.int64)
    for t, name in enumerate(topics):
        for s, key in enumerate(_SENT):
            pairs = [(x, fb.codes.get(tpl, "")) for tpl in fb.topics[name][key] for x in _expand(tpl, fb.vocab)]
            expanded = [x for x, _ in pairs]
            offset[t, s], count[t, s] = len(sentences), len(expanded)
            sentences.extend(expanded)
            s_codes.extend(c for _, c in pairs)
    closers = [""]
    c_off = np.zeros(3, np.int64)
    c_cnt = np.zeros(3, np.int64)
    for s, key in enumerate(_SENT):
        c_off[s], c_cnt[s] = len(closers), len(fb.closers[key])
        closers.extend(" " + c for c in fb.closers[key])
    themes = [""] + [" " + t for t in fb.rising[1]] + [" " + t for t in fb.stable[1]]
    cat = _Catalogue(topics, np.array(sentences, dtype=object), offset, count,
                     np.array(closers, dtype=object), c_off, c_cnt, np.array(themes, dtype=object))
    if fb.codes:
        cat.sentence_codes = np.array(s_codes, dtype=object)
        cat.closer_codes = np.array([fb.codes.get(c.strip(), "") for c in closers], dtype=object)
        cat.theme_codes = np.array([fb.codes.get(t.strip(), "") for t in themes], dtype=object)
    return cat


@dataclass
class _Sim:
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


def _counts(spec: _Spec, n_respondents: int | None) -> np.ndarray:
    """Rows per (brand, wave): brand 0 = own."""
    B, W = 1 + len(spec.competitors), len(spec.waves)
    base = np.zeros((B, W), np.int64)
    base[0] = spec.n_own
    base[1:] = spec.n_comp
    if n_respondents is None:
        return base
    n_respondents = int(n_respondents)
    if n_respondents < W:
        raise ValueError(f"n_respondents must be at least the number of waves ({W})")
    survey_rows = base.sum() if spec.survey_only else base[0].sum()
    f = n_respondents / survey_rows
    scaled = np.floor(base * f).astype(np.int64)
    scaled = np.maximum(scaled, 1)
    # make the survey rows add up to n_respondents exactly
    target = n_respondents
    if spec.survey_only:
        diff = target - scaled.sum()
        flat = scaled.reshape(-1)
        flat[np.arange(abs(diff)) % flat.size] += np.sign(diff)
        scaled = flat.reshape(B, W)
    else:
        diff = target - scaled[0].sum()
        scaled[0, np.arange(abs(diff)) % W] += np.sign(diff)
    return scaled


def _simulate(spec: _Spec, rng: np.random.Generator, counts: np.ndarray, verbatim_rate: float,
              base_day: np.datetime64) -> _Sim:
    brands = [spec.brand] + [c for c, _ in spec.competitors]
    B, W = counts.shape
    # ---- rows: survey first (by wave), then competitor ratings (by wave, brand) ----------------
    s_brand, s_wave, c_brand, c_wave = [], [], [], []
    for w in range(W):
        if spec.survey_only:
            bw = np.repeat(np.arange(B), counts[:, w])
            bw = bw[rng.permutation(bw.size)]
            s_brand.append(bw)
            s_wave.append(np.full(bw.size, w))
        else:
            s_brand.append(np.zeros(counts[0, w], np.int64))
            s_wave.append(np.full(counts[0, w], w))
            for b in range(1, B):
                c_brand.append(np.full(counts[b, w], b))
                c_wave.append(np.full(counts[b, w], w))
    brand = np.concatenate(s_brand + c_brand).astype(np.int8)
    wave = np.concatenate(s_wave + c_wave).astype(np.int8)
    n_survey = int(sum(x.size for x in s_brand))
    R = brand.size
    own = brand == 0
    width = max(5, len(str(R)))
    ids = np.empty(R, dtype=object)
    if spec.survey_only:
        ids[:] = [f"{spec.id_prefix[0]}{i:0{width}d}" for i in range(1, R + 1)]
    else:
        ids[:n_survey] = [f"{spec.id_prefix[0]}{i:0{width}d}" for i in range(1, n_survey + 1)]
        ids[n_survey:] = [f"{spec.id_prefix[1]}{i:0{width}d}" for i in range(1, R - n_survey + 1)]

    # ---- segments ---------------------------------------------------------------------------
    segments = {}
    for col, _label, levels, probs in spec.segments:
        p = np.asarray(probs, float)
        segments[col] = rng.choice(len(levels), size=R, p=p / p.sum()).astype(np.int8)

    # ---- construct latents and items --------------------------------------------------------
    wave_start = np.array([(np.datetime64(d) - base_day).astype(int) for d in spec.wave_starts])
    g = rng.standard_normal(R)
    outcome_names = ("satisfaction", "recommend", "loyalty")
    lin = {o: np.zeros(R) for o in outcome_names}       # driver part of each outcome
    items: dict[str, np.ndarray] = {}
    seg_levels = {col: levels for col, _l, levels, _p in spec.segments}
    s_col, s_con, s_hi, s_lo, s_delta = spec.segment_effect
    latest = W - 1
    # planted mean differences are made exact: latents and item noise are centred within
    # brand x wave cells (and segment levels for the segment effect), so sampling noise in
    # small demo samples can neither hide nor fake a planted effect
    cell = brand.astype(np.int64) * W + wave
    n_cells = B * W
    seg_cell = cell * len(seg_levels[s_col]) + segments[s_col]
    n_seg_cells = n_cells * len(seg_levels[s_col])
    for c in spec.constructs:
        z = np.sqrt(LATENT_CORR) * g + np.sqrt(1 - LATENT_CORR) * rng.standard_normal(R)
        off = np.zeros(R)
        if c.reliable:
            if c.name == s_con:
                z = _centre(z, seg_cell, n_seg_cells)
            else:
                z = _centre(z, cell, n_cells)
            table = np.array([0.0] + [spec.brand_offsets.get(b, {}).get(c.name, 0.0) for b in brands[1:]])
            off += table[brand]
            if c.name == spec.wave_shift[0]:
                off += np.where(own & (wave == latest), spec.wave_shift[1], 0.0)
            if c.name == s_con:
                lv = seg_levels[s_col]
                eff = np.zeros(len(lv))
                eff[lv.index(s_hi)] = s_delta / 2
                eff[lv.index(s_lo)] = -s_delta / 2
                off += eff[segments[s_col]]
            if spec.gradient and c.name == spec.gradient[1]:
                # own-brand differences between segment levels, centred within wave: the own
                # mean is kept, and a weighted mean (other level shares) moves
                g_col, _g, g_off = spec.gradient
                grad = np.where(own, np.asarray(g_off, float)[segments[g_col]], 0.0)
                off += _centre(grad, cell, n_cells)
        xc = z + off
        for o in outcome_names:
            if c.name in spec.betas[o]:
                lin[o] += spec.betas[o][c.name] * xc
        lo, hi = c.scale or (1, 7)
        item_off = c.item_offsets or (0.1, -0.05, -0.05)[: len(c.items)] + (0.0,) * max(0, len(c.items) - 3)
        for j, item in enumerate(c.items):
            if c.reliable:
                e = _centre(rng.standard_normal(R), seg_cell if c.name == s_con else cell,
                            n_seg_cells if c.name == s_con else n_cells)
                v = c.mean + item_off[j] + xc + 0.75 * e
            else:
                v = c.mean + item_off[j] + 0.3 * z + 1.25 * rng.standard_normal(R)
            if spec.noisy_segment and c.name == spec.noisy_segment[2]:
                # in one segment level the items measure nothing: answers are noise
                n_col, n_level, _n = spec.noisy_segment
                noisy = segments[n_col] == seg_levels[n_col].index(n_level)
                v = np.where(noisy, c.mean + item_off[j] + 0.9 * rng.standard_normal(R), v)
            v = _clip_round(v, lo, hi)
            if item in c.reverse:
                v = (lo + hi - v).astype(np.int8)
            items[item] = v
    del g
    common = rng.standard_normal(R)

    # ---- dates of interview ------------------------------------------------------------------
    date_day = (wave_start[wave] + rng.integers(0, spec.wave_days, R)).astype(np.int32)

    # ---- touchpoint events for own-brand survey respondents ----------------------------------
    own_rows = np.flatnonzero(own[:n_survey]) if spec.survey_only else np.arange(n_survey)
    tp_eff = np.zeros(R)
    events = None
    if spec.touchpoints:
        events, eff_own, interview = _simulate_events(spec, rng, own_rows, lin, common, segments,
                                                      wave, wave_start)
        tp_eff[own_rows] = eff_own
        date_day[own_rows] = interview
    # ---- outcomes ----------------------------------------------------------------------------
    for o in spec.outcomes:
        e = rng.standard_normal(R)
        y = lin[o.name] + 0.6 * common + 0.5 * e + spec.tp_effect.get(o.name, 0.0) * tp_eff
        lo, hi = o.scale
        if len(o.items) == 1:
            items[o.items[0]] = _clip_round(o.mean + o.spread * y, lo, hi)
        else:
            for j, item in enumerate(o.items):
                items[item] = _clip_round(o.mean + (0.1, -0.05, -0.05)[j % 3] + o.spread * y
                                          + o.item_noise * rng.standard_normal(R), lo, hi)
    del lin, common, tp_eff
    # ---- missing answers ---------------------------------------------------------------------
    for item, v in items.items():
        v[rng.random(R) < MISSING_SHARE] = -1

    sim = _Sim(n_survey=n_survey, brand=brand, wave=wave, ids=ids, date_day=date_day, segments=segments,
               items=items, own_rows=own_rows, events=events)
    if spec.feedback is not None:
        sim.feedback = _simulate_feedback(spec, rng, sim, verbatim_rate)
    if spec.kano:
        sim.kano = _simulate_kano(spec, rng, n_survey)
    if spec.hand_coded and sim.feedback is not None:
        sim.hand_coded = _simulate_hand_coding(spec, rng, sim)
    return sim


#: answer pairs (functional, dysfunctional; 1 like ... 5 dislike) of each Kano category in the
#: evaluation table of Berger et al. (1993): A, O, M, I, R, Q
_KANO_CELLS = (
    ((1, 2), (1, 3), (1, 4)),
    ((1, 5),),
    ((2, 5), (3, 5), (4, 5)),
    tuple((f, d) for f in (2, 3, 4) for d in (2, 3, 4)),
    ((2, 1), (3, 1), (4, 1), (5, 1), (5, 2), (5, 3), (5, 4)),
    ((1, 1), (5, 5)),
)


def _simulate_kano(spec: _Spec, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Kano answer pairs of the survey respondents: a category per respondent and feature from
    the planted shares, then one of the category's answer pairs at random."""
    out: dict[str, np.ndarray] = {}
    for k in spec.kano:
        p = np.asarray(k.shares, float)
        cat = rng.choice(len(p), size=n, p=p / p.sum())
        f = np.zeros(n, np.int8)
        d = np.zeros(n, np.int8)
        for c, cells in enumerate(_KANO_CELLS):
            idx = np.flatnonzero(cat == c)
            pick = rng.integers(0, len(cells), idx.size)
            f[idx] = np.array([x for x, _ in cells], np.int8)[pick]
            d[idx] = np.array([y for _, y in cells], np.int8)[pick]
        f[rng.random(n) < MISSING_SHARE] = -1
        d[rng.random(n) < MISSING_SHARE] = -1
        out[k.functional], out[k.dysfunctional] = f, d
    return out


MODULES = ("SENSE", "FEEL", "THINK", "ACT", "RELATE")


def _simulate_hand_coding(spec: _Spec, rng: np.random.Generator, sim: _Sim) -> dict:
    """A sample of own-brand comments with the modules a human coder gave them.

    The coder's modules are those of the comment's sentences (``_Feedback.codes``); in about one
    comment in six the coder misses one module or adds another (coders disagree a little).  The
    sample is drawn so that every module occurs about ten times."""
    f = sim.feedback
    cat: _Catalogue = f["catalogue"]
    codes = [set(filter(None, (cat.sentence_codes[b] + ";" + cat.closer_codes[c] + ";"
                               + cat.theme_codes[t]).split(";")))
             for b, c, t in zip(f["base"], f["closer"], f["theme"])]
    ok = ~f["blank"] & (f["pii"] < 0)
    chosen: list[int] = []
    per_module = max(1, int(round(spec.hand_coded * 0.16)))
    for m in MODULES:
        cand = [i for i in np.flatnonzero(ok) if m in codes[i] and i not in chosen]
        take = rng.permutation(len(cand))[:per_module]
        chosen.extend(cand[j] for j in take)
    rest = [i for i in np.flatnonzero(ok) if i not in chosen]
    chosen.extend(rest[j] for j in rng.permutation(len(rest))[: max(0, spec.hand_coded - len(chosen))])
    chosen = sorted(chosen)
    human = []
    for i in chosen:
        mods = set(codes[i])
        u = rng.random()
        if u < 0.08 and mods:                 # the coder misses a module
            mods.discard(sorted(mods)[rng.integers(0, len(mods))])
        elif u < 0.16:                        # the coder sees one that the text does not name
            absent = [m for m in MODULES if m not in mods]
            mods.add(absent[rng.integers(0, len(absent))])
        human.append(";".join(m for m in MODULES if m in mods) or "none")
    return {"rows": np.array(chosen, np.int64), "modules": np.array(human, dtype=object)}


def _simulate_events(spec: _Spec, rng: np.random.Generator, own_rows: np.ndarray, lin: dict,
                     common: np.ndarray, segments: dict, wave: np.ndarray, wave_start: np.ndarray):
    """Touchpoint events along the journey; returns (events, worst-touchpoint effect, interview day)."""
    n = own_rows.size
    tps = spec.touchpoints
    T, K = len(tps), len(spec.journey)
    stage_of = np.array([spec.journey.index(tp.stage) for tp in tps], dtype=np.int8)
    # journey depth: disloyal respondents stop early
    pre = lin["loyalty"][own_rows] + 0.6 * common[own_rows]
    pre = (pre - pre.mean()) / (pre.std() or 1.0)
    a, b, stops = spec.early_stop
    p_early = 1.0 / (1.0 + np.exp(-(a - b * pre)))
    early = rng.random(n) < p_early
    stop_stages = np.array(list(stops), dtype=np.int64)
    stop_p = np.array(list(stops.values()), float)
    last_stage = np.where(early, stop_stages[rng.choice(stop_stages.size, n, p=stop_p / stop_p.sum())], K - 1)
    # events per touchpoint and respondent
    seg_level = {col: levels for col, _l, levels, _p in spec.segments}
    counts = np.zeros((n, T), np.int32)
    for j, tp in enumerate(tps):
        lam = np.full(n, tp.rate * spec.tp_rate_scale)
        for name, col, level, mult in spec.tp_multipliers:
            if name == tp.name:
                lam = np.where(segments[col][own_rows] == seg_level[col].index(level), lam * mult, lam)
        c = rng.poisson(lam).astype(np.int32)
        c[stage_of[j] > last_stage] = 0
        counts[:, j] = c
    # everybody has at least one event in the last stage they reach, so that where a journey
    # ends is visible in the data
    rates = np.array([tp.rate for tp in tps])
    in_last = stage_of[None, :] == last_stage[:, None]
    none = (counts * in_last).sum(axis=1) == 0
    w = np.where(in_last[none], rates[None, :], 0.0)
    cum = np.cumsum(w, axis=1)
    pick = (cum < rng.random(int(none.sum()))[:, None] * cum[:, -1:]).sum(axis=1)
    counts[np.flatnonzero(none), pick] += 1
    flat = counts.reshape(-1)
    resp = np.repeat(np.repeat(np.arange(n, dtype=np.int32), T), flat)
    tp = np.repeat(np.tile(np.arange(T, dtype=np.int8), n), flat)
    del flat
    E = resp.size
    st = stage_of[tp]
    # timing: stage windows in days, ordered along the journey
    widths = np.array(spec.stage_days, np.int32)
    gaps = rng.integers(0, spec.stage_gap + 1, size=(n, K))
    gaps[:, 0] = rng.integers(0, 8, size=n)                 # start within the wave
    starts = np.cumsum(gaps + np.concatenate([[0], widths[:-1]])[None, :], axis=1).astype(np.int32)
    day0 = wave_start[wave[own_rows]].astype(np.int32)
    ev_day = day0[resp] + starts[resp, st] + (rng.random(E, dtype=np.float32) * widths[st]).astype(np.int32)
    open_min, close_min = spec.open_hours[0] * 60, spec.open_hours[1] * 60
    ev_min = ev_day * 1440 + open_min + (rng.random(E, dtype=np.float32) * (close_min - open_min)).astype(np.int32)
    del st
    interview = (day0 + starts[np.arange(n), last_stage] + widths[last_stage]
                 + rng.integers(0, 4, n)).astype(np.int32)
    del ev_day
    # satisfaction with the touchpoint
    general = lin["satisfaction"][own_rows]
    general = ((general - general.mean()) / (general.std() or 1.0)).astype(np.float32)
    means = np.array([tp_.mean for tp_ in tps], dtype=np.float32)
    sds = np.array([tp_.sd for tp_ in tps], dtype=np.float32)
    tech = np.array([tp_.interface == "human_technology" for tp_ in tps])
    q = rng.standard_normal(E, dtype=np.float32)
    cont = means[tp] + np.float32(0.2) * general[resp] + sds[tp] * q
    if spec.human_touch:
        col, level, _gap, pen = spec.human_touch
        hit = segments[col][own_rows] == seg_level[col].index(level)
        cont -= np.where(tech[tp] & hit[resp], np.float32(pen), np.float32(0.0))
    sat = _clip_round(cont, 1, 5)
    efforts = np.array([tp_.effort for tp_ in tps], dtype=np.float32)
    effort = _clip_round(efforts[tp] - np.float32(0.7) * (cont - means[tp])
                         + np.float32(0.8) * rng.standard_normal(E, dtype=np.float32), 1, 7)
    del cont
    worst = tp == [t.name for t in tps].index(spec.worst_tp)
    s_q = np.bincount(resp[worst], weights=q[worst], minlength=n)
    n_q = np.bincount(resp[worst], minlength=n)
    eff = np.divide(s_q, n_q, out=np.zeros(n), where=n_q > 0)
    del q, worst
    order = np.lexsort((ev_min, resp))
    events = {"resp": resp[order], "tp": tp[order], "minute": ev_min[order], "sat": sat[order],
              "effort": effort[order]}
    return events, eff, interview


def _simulate_feedback(spec: _Spec, rng: np.random.Generator, sim: _Sim, rate: float) -> dict:
    fb = spec.feedback
    cat = _catalogue(fb)
    rows = sim.own_rows
    n = rows.size
    k = rng.poisson(rate, n)
    resp = np.repeat(np.arange(n, dtype=np.int32), k)
    F = resp.size
    tp_names = [t.name for t in spec.touchpoints]
    topic_index = {t: i for i, t in enumerate(cat.topics)}
    tp_topic = np.array([topic_index[t] for t in tp_names])
    elem_topics = np.array([i for i, t in enumerate(cat.topics) if t.startswith("_")])
    # touchpoint comment (about one of the respondent's own events) or brand-element comment
    ev = sim.events
    if ev is not None and ev["resp"].size:
        ev_start = np.searchsorted(ev["resp"], np.arange(n))
        ev_count = np.bincount(ev["resp"], minlength=n)
    else:
        ev_start = np.zeros(n, np.int64)
        ev_count = np.zeros(n, np.int64)
    use_tp = (rng.random(F) < fb.touchpoint_share) & (ev_count[resp] > 0)
    # customers write about bad moments more readily: of two of the respondent's events, the
    # comment is about the one rated lower
    span = np.maximum(ev_count[resp], 1)
    pick = ev_start[resp] + (rng.random(F) * span).astype(np.int64)
    other = ev_start[resp] + (rng.random(F) * span).astype(np.int64)
    pick = np.where(use_tp, pick, 0)
    other = np.where(use_tp, other, 0)
    if ev is not None and ev["resp"].size:
        pick = np.where(ev["sat"][other] < ev["sat"][pick], other, pick)
    touchpoint = np.where(use_tp, ev["tp"][pick] if ev is not None and ev["resp"].size else -1, -1)
    # sentiment: from the event's rating, else from the overall satisfaction
    sat_item = spec.outcomes[0].items[0]
    osat = sim.items[sat_item][rows][resp].astype(float)
    osat = np.where(osat < 0, 7.0, osat) + 1.0 * rng.standard_normal(F)
    sent_overall = np.where(osat < 5.5, 0, np.where(osat < 7.5, 1, 2))
    if ev is not None and ev["resp"].size:
        ev_sat = ev["sat"][pick]
        sent_tp = np.where(ev_sat <= 2, 0, np.where(ev_sat == 3, 1, 2))
    else:
        sent_tp = sent_overall
    sentiment = np.where(use_tp, sent_tp, sent_overall)
    topic = np.where(use_tp, tp_topic[np.maximum(touchpoint, 0)],
                     elem_topics[rng.integers(0, elem_topics.size, F)])
    base = cat.offset[topic, sentiment] + (rng.random(F) * cat.count[topic, sentiment]).astype(np.int64)
    closer = np.where(rng.random(F) < 0.35,
                      cat.closer_offset[sentiment]
                      + (rng.random(F) * cat.closer_count[sentiment]).astype(np.int64), 0)
    # themes: rising phrase (share per wave) and stable phrase, among non-blank comments
    fwave = sim.wave[rows][resp]
    blank = rng.random(F) < BLANK_COMMENT_SHARE
    n_rise, n_stab = len(fb.rising[1]), len(fb.stable[1])
    theme = np.zeros(F, np.int64)
    for w, share in enumerate(fb.rising[2]):        # exact shares of the non-blank comments
        idx = np.flatnonzero((fwave == w) & ~blank)
        idx = idx[rng.permutation(idx.size)]
        k_r, k_s = int(round(share * idx.size)), int(round(fb.stable[2] * idx.size))
        theme[idx[:k_r]] = 1 + rng.integers(0, n_rise, k_r)
        theme[idx[k_r:k_r + k_s]] = 1 + n_rise + rng.integers(0, n_stab, k_s)
    # privacy test cases: a few comments carrying an e-mail address or phone number
    pii = np.full(F, -1, np.int64)
    for j, (tp_name, _text) in enumerate(fb.pii):
        t_idx = tp_names.index(tp_name)
        cand = np.flatnonzero((touchpoint == t_idx) & (sentiment == 0) & ~blank & (theme == 0) & (pii < 0))
        if cand.size == 0:
            cand = np.flatnonzero(~blank & (theme == 0) & (pii < 0))
        if cand.size:
            pii[cand[rng.integers(0, cand.size)]] = j
    return {"resp": resp, "touchpoint": touchpoint.astype(np.int16), "base": base, "closer": closer,
            "theme": theme, "blank": blank, "pii": pii, "catalogue": cat}


# --------------------------------------------------------------------------------------------
# writing
def _write_csv(path: Path, n: int, make_chunk, sep: str = ",", plain: bool = False) -> None:
    """Write a CSV file in chunks of ``CHUNK_ROWS`` rows.

    ``make_chunk(a, b)`` returns rows ``a:b`` as a DataFrame of text columns.  Chunks are written
    with :meth:`pandas.DataFrame.to_csv`; when ``plain`` is true (the caller has checked that no
    value can contain the delimiter, a quote or a line break, so that no field needs quoting)
    the same bytes are produced by joining the fields directly, which is several times faster for
    the millions of cells of a benchmark-sized client.
    """
    with open(path, "w", encoding="utf-8", newline="") as fh:
        start = 0
        while True:
            stop = min(n, start + CHUNK_ROWS)
            frame = make_chunk(start, stop)
            if plain:
                if start == 0:
                    fh.write(sep.join(map(str, frame.columns)) + "\n")
                if stop > start:
                    cols = [frame[c].to_numpy(dtype=object).tolist() for c in frame.columns]
                    fh.write("\n".join(map(sep.join, zip(*cols))))
                    fh.write("\n")
            else:
                frame.to_csv(fh, index=False, header=start == 0, sep=sep, lineterminator="\n")
            start = stop
            if start >= n:
                break


def _plain(sep: str, *tables) -> bool:
    """True if no value in the lookup tables would need quoting in a CSV field."""
    bad = (sep, '"', "\n", "\r")
    return all(not any(ch in str(v) for ch in bad) for table in tables for v in table)


#: answer codes as text: index v + 1, so that -1 (missing) becomes an empty field
_CODES = np.array([""] + [str(v) for v in range(0, 11)], dtype=object)


def _codes(v: np.ndarray) -> np.ndarray:
    return _CODES[v.astype(np.int64) + 1]


def _day_strings(base_day: np.datetime64, n_days: int) -> np.ndarray:
    days = base_day + np.arange(n_days).astype("timedelta64[D]")
    return np.array(np.datetime_as_string(days, unit="D"), dtype=object)


def _write_client(spec: _Spec, sim: _Sim, folder: Path, base_day: np.datetime64,
                  fast_csv: bool = True) -> dict[str, int]:
    sep = (spec.csv_block or {}).get("delimiter", ",")
    brands = np.array([spec.brand] + [c for c, _ in spec.competitors], dtype=object)
    waves = np.array(spec.waves, dtype=object)
    n_days = int(sim.date_day.max()) + 2
    if sim.events is not None and sim.events["minute"].size:
        n_days = max(n_days, int(sim.events["minute"].max() // 1440) + 2)
    daystr = _day_strings(base_day, n_days)
    seg_levels = {col: np.array(levels, dtype=object) for col, _l, levels, _p in spec.segments}
    item_order = [i for c in spec.constructs for i in c.items] + [i for o in spec.outcomes for i in o.items]
    cols = spec.survey_cols
    n_rows: dict[str, int] = {}

    def ratings_chunk(offset: int):
        def make(a: int, b: int) -> pd.DataFrame:
            sl = slice(offset + a, offset + b)
            data = {cols["id"]: sim.ids[sl], cols["wave"]: waves[sim.wave[sl]]}
            if "brand" in cols:
                data[cols["brand"]] = brands[sim.brand[sl]]
            if "date" in cols:
                data[cols["date"]] = daystr[sim.date_day[sl]]
            for col, levels in seg_levels.items():
                data[col] = levels[sim.segments[col][sl]]
            for item in item_order:
                data[item] = _codes(sim.items[item][sl])
            if offset == 0 and sim.kano:        # Kano questions: survey (own brand) only
                for col, v in sim.kano.items():
                    data[col] = _codes(v[a:b])
            return pd.DataFrame(data, dtype=object)
        return make

    plain = fast_csv and _plain(sep, spec.id_prefix, brands, waves, daystr, _CODES, *seg_levels.values(),
                                [cols[k] for k in cols], item_order, list(sim.kano or ()))
    _write_csv(folder / "survey.csv", sim.n_survey, ratings_chunk(0), sep, plain)
    n_rows["survey"] = sim.n_survey
    n_comp = sim.brand.size - sim.n_survey
    if not spec.survey_only:
        _write_csv(folder / "competitor_ratings.csv", n_comp, ratings_chunk(sim.n_survey), sep, plain)
        n_rows["competitor_ratings"] = n_comp

    own_ids = sim.ids[sim.own_rows]
    if sim.events is not None:
        ev = sim.events
        tc = spec.tp_cols
        names = np.array([t.name for t in spec.touchpoints], dtype=object)
        stages = np.array([t.stage for t in spec.touchpoints], dtype=object)
        ifaces = np.array([t.interface for t in spec.touchpoints], dtype=object)
        channels = np.array([t.channel for t in spec.touchpoints], dtype=object)
        hhmm = np.array([f"T{m // 60:02d}:{m % 60:02d}:00" for m in range(1440)], dtype=object)

        def make_ev(a: int, b: int) -> pd.DataFrame:
            t = ev["tp"][a:b]
            minute = ev["minute"][a:b]
            return pd.DataFrame({
                tc["id"]: own_ids[ev["resp"][a:b]], tc["touchpoint"]: names[t], tc["stage"]: stages[t],
                tc["interface"]: ifaces[t], tc["channel"]: channels[t],
                tc["time"]: daystr[minute // 1440] + hhmm[minute % 1440],
                tc["satisfaction"]: _codes(ev["sat"][a:b]), tc["effort"]: _codes(ev["effort"][a:b])},
                dtype=object)

        plain_ev = plain and _plain(sep, names, stages, ifaces, channels, hhmm, tc.values())
        _write_csv(folder / "touchpoints.csv", ev["resp"].size, make_ev, sep, plain_ev)
        n_rows["touchpoints"] = int(ev["resp"].size)

    if sim.feedback is not None:
        f = sim.feedback
        cat: _Catalogue = f["catalogue"]
        fcols = spec.feedback.columns
        tp_names = np.array([""] + [t.name for t in spec.touchpoints], dtype=object)
        pii_text = np.array([t for _, t in spec.feedback.pii] or [""], dtype=object)
        own_wave = sim.wave[sim.own_rows]

        # comments are the only values that may need CSV quoting; they are assembled from known
        # parts, so whether a comment needs quotes follows from its parts (none holds a '"')
        parts = (cat.sentences, cat.closers, cat.themes, pii_text)
        plain_fb = fast_csv and _plain(sep, own_ids[:1], waves, tp_names, [spec.brand], fcols.values()) \
            and not any('"' in str(v) for table in parts for v in table)
        quote = [np.array([_plain(sep, [v]) is False for v in table]) for table in parts]

        def make_fb(a: int, b: int) -> pd.DataFrame:
            r = f["resp"][a:b]
            base, closer, theme = f["base"][a:b], f["closer"][a:b], f["theme"][a:b]
            text = cat.sentences[base] + cat.closers[closer] + cat.themes[theme]
            needs = quote[0][base] | quote[1][closer] | quote[2][theme]
            p = f["pii"][a:b]
            if (p >= 0).any():
                text = np.where(p >= 0, pii_text[np.maximum(p, 0)], text)
                needs = np.where(p >= 0, quote[3][np.maximum(p, 0)], needs)
            blank = f["blank"][a:b]
            text = np.where(blank, "", text)
            if plain_fb:           # quote exactly as to_csv (QUOTE_MINIMAL) would
                text = np.where(needs & ~blank, '"' + text + '"', text)
            data = {}
            for role in ("id", "wave", "brand", "touchpoint", "text"):
                if role not in fcols:
                    continue
                if role == "id":
                    data[fcols[role]] = own_ids[r]
                elif role == "wave":
                    data[fcols[role]] = waves[own_wave[r]]
                elif role == "brand":
                    data[fcols[role]] = np.full(r.size, spec.brand, dtype=object)
                elif role == "touchpoint":
                    data[fcols[role]] = tp_names[f["touchpoint"][a:b] + 1]
                else:
                    data[fcols[role]] = text
            return pd.DataFrame(data, dtype=object)

        _write_csv(folder / "feedback.csv", f["resp"].size, make_fb, sep, plain_fb)
        n_rows["feedback"] = int(f["resp"].size)
        if sim.hand_coded is not None:
            h = sim.hand_coded
            i = h["rows"]
            text = (cat.sentences[f["base"][i]] + cat.closers[f["closer"][i]] + cat.themes[f["theme"][i]])
            frame = pd.DataFrame({"comment_id": [f"HC{k + 1:03d}" for k in range(i.size)],
                                  fcols["text"]: text, "module": h["modules"]}, dtype=object)
            frame.to_csv(folder / "hand_coded.csv", index=False, sep=sep, lineterminator="\n")
            n_rows["hand_coded"] = int(i.size)
    return n_rows


def _truth(spec: _Spec, n_survey: int, sim: _Sim | None = None) -> dict:
    waves = list(spec.waves)
    reverse = [i for c in spec.constructs for i in c.reverse]
    poor = [c.name for c in spec.constructs if not c.reliable]
    s_col, s_con, s_hi, s_lo, s_delta = spec.segment_effect
    top = max(spec.betas["satisfaction"], key=spec.betas["satisfaction"].get)
    top_rec = max(spec.betas["recommend"], key=spec.betas["recommend"].get)
    con, delta = spec.wave_shift
    truth: dict = {
        "top_driver": {"satisfaction": top, "recommend": top_rec},
        "poor_reliability": poor[0] if poor else None,
        "reverse_items": reverse,
        "brand_advantage": {"construct": spec.brand_advantage, "direction": "higher"},
        "brand_gap": {"construct": spec.brand_gap[0], "competitor": spec.brand_gap[1], "direction": "lower"},
        "segment_difference": {"segment": s_col, "construct": s_con, "higher": s_hi, "lower": s_lo,
                               "effect_sd": 0.6},
        "wave_shift": {"construct": con, "from": waves[-2], "to": waves[-1],
                       "direction": "up" if delta > 0 else "down", "delta": delta},
        "no_change": spec.no_change,
    }
    if spec.touchpoints:
        truth["worst_touchpoint"] = spec.worst_tp
        truth["human_minus_technology"] = spec.human_minus_technology
        if spec.human_touch:
            col, level, extra, _pen = spec.human_touch
            truth["human_touch_segment"] = {"segment": col, "level": level,
                                            "human_minus_technology": round(spec.human_minus_technology + extra, 2)}
    if spec.feedback:
        phrase, _s, shares = spec.feedback.rising
        truth["rising_theme"] = {"phrase": phrase, "wave": waves[-1],
                                 "shares": {w: s for w, s in zip(waves, shares)}}
        truth["stable_theme"] = {"phrase": spec.feedback.stable[0], "share": spec.feedback.stable[2]}
    if sim is not None:
        truth.update(_method_truth(spec, sim))
    truth["latest_wave"] = waves[-1]
    truth["waves"] = waves
    truth["n_respondents"] = int(n_survey)
    return {k: v for k, v in truth.items() if v is not None}


_KANO_NAMES = ("attractive", "one_dimensional", "must_be", "indifferent", "reverse", "questionable")


def _own_score(spec: _Spec, sim: _Sim, construct: str) -> np.ndarray:
    """A construct's score per own-brand survey row as processing computes it (reverse-keyed
    mean of the answered items, missing when fewer than half are answered)."""
    c = next(x for x in spec.constructs if x.name == construct)
    lo, hi = c.scale or (1, 7)
    rows = sim.own_rows
    vals = np.stack([sim.items[i][rows].astype(float) for i in c.items], axis=1)
    vals[vals < 0] = np.nan
    for j, item in enumerate(c.items):
        if item in c.reverse:
            vals[:, j] = lo + hi - vals[:, j]
    answered = np.isfinite(vals).sum(axis=1)
    with np.errstate(invalid="ignore"):
        score = np.nanmean(np.where(np.isfinite(vals), vals, np.nan), axis=1)
    return np.where(answered >= 0.5 * len(c.items), score, np.nan)


def _method_truth(spec: _Spec, sim: _Sim) -> dict:
    """Truth of the research methods of issue 8 (Kano, promises, modules, weighting, per-group
    reliability) for the clients that plant them."""
    out: dict = {}
    if spec.kano:
        cats = {k.feature: _KANO_NAMES[int(np.argmax(k.shares))] for k in spec.kano}
        out["kano"] = {"must_be": next(f for f, c in cats.items() if c == "must_be"),
                       "attractive": next(f for f, c in cats.items() if c == "attractive"),
                       "categories": cats}
    if spec.promises:
        out["undelivered_promise"] = next((p.promise for p in spec.promises if p.delivered is False), None)
        out["delivered_promise"] = next((p.promise for p in spec.promises if p.delivered is True), None)
    if spec.feedback is not None and spec.feedback.rising_module:
        phrase, _s, shares = spec.feedback.rising
        out["module_theme"] = {"module": spec.feedback.rising_module, "direction": "rising", "phrase": phrase,
                               "wave": spec.waves[-1], "theme_shares": dict(zip(spec.waves, shares)),
                               "hand_coded": int(spec.hand_coded)}
    if spec.weighting:
        col, targets = spec.weighting
        levels = next(lv for c, _l, lv, _p in spec.segments if c == col)
        seg = sim.segments[col][sim.own_rows]
        sample = np.bincount(seg, minlength=len(levels)) / seg.size
        entry = {"segment": col, "targets": dict(zip(levels, targets)),
                 "sample_shares": {lv: round(float(x), 3) for lv, x in zip(levels, sample)}}
        if spec.gradient and spec.gradient[0] == col:
            score = _own_score(spec, sim, spec.gradient[1])
            ok = np.isfinite(score)
            # post-stratified (cell-weighted) mean: each level's mean at its target share
            level_means = np.array([score[ok & (seg == j)].mean() for j in range(len(levels))])
            entry.update({"construct": spec.gradient[1],
                          "unweighted_mean": round(float(score[ok].mean()), 3),
                          "weighted_mean": round(float(np.dot(targets, level_means)), 3),
                          "direction": "up" if np.dot(targets, level_means) > score[ok].mean() else "down"})
        out["weighting"] = entry
    if spec.noisy_segment:
        col, level, construct = spec.noisy_segment
        out["unreliable_segment"] = {"segment": col, "level": level, "construct": construct}
    return out


def _build(spec: _Spec, out_dir: str | Path, seed: int, n_respondents: int | None,
           verbatims_per_respondent: float | None, fast_csv: bool = True) -> Path:
    folder = Path(out_dir) / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    rate = verbatims_per_respondent
    if rate is None:
        rate = DEMO_VERBATIMS if n_respondents is None else BENCH_VERBATIMS
    rng = np.random.default_rng(_seed_for(spec.template, seed))
    base_day = np.datetime64(min(spec.wave_starts), "D")
    counts = _counts(spec, n_respondents)
    sim = _simulate(spec, rng, counts, float(rate), base_day)
    n_rows = _write_client(spec, sim, folder, base_day, fast_csv)
    written = {"client.yaml", "truth.json", *(f"{k}.csv" for k in n_rows)}
    for name in _FILES:                     # drop stale optional files of an earlier run
        if name not in written and (folder / name).exists():
            (folder / name).unlink()
    client_arg = spec.cli_client or spec.template
    command = f"python -m datasets.demo --out <parent folder> --client {client_arg}"
    if n_respondents is not None:
        command += f" --respondents {int(n_respondents)}"
    if spec.folder != client_arg:
        command += f" --name {spec.folder}"
    if seed != DEFAULT_SEED:
        command += f" --seed {seed}"
    (folder / "client.yaml").write_text(_render_yaml(spec, seed, n_rows, command), encoding="utf-8",
                                        newline="\n")
    truth = _truth(spec, sim.n_survey, sim)
    (folder / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8", newline="\n")
    return folder


# --------------------------------------------------------------------------------------------
# public API
def generate_client(template: str, out_dir: str | Path, n_respondents: int | None = None,
                    seed: int = DEFAULT_SEED, name: str | None = None,
                    verbatims_per_respondent: float | None = None) -> Path:
    """Write one demo client generated from ``template``.

    Parameters
    ----------
    template : str
        ``"coffee_house"``, ``"software_vendor"``, ``"hotel_group"`` or ``"fitness_club"``.
    out_dir : str or Path
        Parent folder; the client is written to ``out_dir/<name>/``.
    n_respondents : int, optional
        Rows of ``survey.csv`` (own-brand respondents; for the survey-only ``hotel_group``
        all rows), split evenly over the waves.  Competitor ratings scale by the same factor.
        ``None``: the committed demo size.
    seed : int
        Random seed; the same seed gives byte-identical files.
    name : str, optional
        Folder name (letters, digits, ``_``, ``-``); default: ``template``.
    verbatims_per_respondent : float, optional
        Mean comments per own-brand respondent.  Default 1.25 for the demo size and 3.0 when
        ``n_respondents`` is given (benchmark scale).  Touchpoint events are about 10 per
        respondent in both cases.

    Returns
    -------
    Path
        The client folder.

    Examples
    --------
    >>> folder = generate_client("coffee_house", tmp, n_respondents=300_000, name="coffee_300k")  # doctest: +SKIP
    """
    spec = _spec(template)
    if name is not None:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", name):
            raise ValueError(f"client name {name!r}: use letters, digits, '_' and '-' only")
        spec = dataclasses.replace(spec, folder=name)
    return _build(spec, out_dir, seed, n_respondents, verbatims_per_respondent)


def write_demo_clients(out_dir: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the four demo clients (``coffee_house``, ``software_vendor``, ``hotel_group``,
    ``fitness_club``).

    Returns the client folders.
    """
    return [generate_client(t, out_dir, seed=seed) for t in TEMPLATES]


def write_tiny_client(out_dir: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write ``out_dir/tiny_client/``: a very small complete client for fast notebook tests.

    Two waves, 80 own-brand and 40 competitor rows, every optional file, and ``truth.json``.
    """
    return _build(_tiny_spec(), out_dir, seed, None, None)


# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m datasets.demo",
                                description="Write seeded demo clients with planted truth (truth.json).")
    p.add_argument("--out", default="data/raw", help="parent folder of the client folders (default data/raw)")
    p.add_argument("--client", choices=[*TEMPLATES, TINY_CLIENT], default=None,
                   help="one template (default: the four demo clients)")
    p.add_argument("--respondents", type=int, default=None,
                   help="survey rows (own-brand respondents) to generate; default: demo size")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--name", default=None, help="folder name for --client (default: the template name)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    if args.client == TINY_CLIENT:
        if args.name or args.respondents:
            p.error("--name and --respondents do not apply to tiny_client")
        folders = [write_tiny_client(args.out, seed=args.seed)]
    elif args.client:
        folders = [generate_client(args.client, args.out, n_respondents=args.respondents, seed=args.seed,
                                   name=args.name)]
    else:
        if args.name:
            p.error("--name needs --client")
        folders = [generate_client(t, args.out, n_respondents=args.respondents, seed=args.seed)
                   for t in TEMPLATES]
    for folder in folders:
        sizes = ", ".join(f"{f.name} {f.stat().st_size / 1e3:,.0f} kB" for f in sorted(folder.iterdir()))
        print(f"wrote {folder}: {sizes}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
