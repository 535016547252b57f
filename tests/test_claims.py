"""Every sentence true (issue 14): each sentence of a finding agrees with the tables it comes from.

Each finding every section records for the demo clients, the tiny test client and the real ECSI bank
survey is split into sentences and clauses and checked by :mod:`claims_check` (with
:mod:`claims_words` and :mod:`claims_caveats`) against the tables of
its section (its result and what it shows, both layers, and the sections it cites): every number stated
is a table value at the precision shown, every brand named sits in the rows of its numbers, direction
words agree with their signs, superlatives name the extreme row, intervals hold their estimates, and
the caveats a reader is owed are there (per-brand reliability, reverse-worded items, weights).  The
significance words are checked as before:

* a claim of significance ("significant(ly)", "distinctly", "real movement/change", "clearly ahead")
  stands beside corrected evidence for it: a corrected p below .05, a multiplicity-adjusted interval
  that excludes 0, or a count of results under a named correction ("3 of 4 ..., Holm"), in its
  sentence or the "Evidence ..." sentence that follows it;
* an adjusted interval and the corrected p beside it agree (the interval excludes 0 exactly when p < .05);
* a clause saying "on par", "no clear difference" or "not significant" carries no corrected p below .05;
* "drives" / "driven" comes with an interval (the importance estimate it rests on);
* no sentence shows an unreadable value ("nan", "None", "inf").
"""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from claims_caveats import caveat_problems, finding_problems, section_tables, table_problems
from claims_check import collect_tables, number_problems, superlative_problems
from claims_words import significance_problems
from conftest import SECTION_CLIENTS

matplotlib.use("Agg")

claim_problems = significance_problems


# ---- the checker itself -------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Bean & Co. is significantly ahead on Affective (+0.59, adjusted 95% CI 0.34 to 0.83; Holm p < .001).",
    "No segment differs significantly on Satisfaction (Welch ANOVA, Holm-corrected).",
    "Communications (+0.10, adjusted 95% CI -0.05 to 0.26; Holm p = 1.000) is on par with the competitors.",
    "Satisfaction is driven most by Affective (43% of the explained variance, 95% CI 35% to 52%).",
])
def test_claims_that_stand(text):
    assert claim_problems(text) == []


@pytest.mark.parametrize("text, problem", [
    ("Promise customers a distinctly affective experience (+0.17, Holm p = 1.000).", "without corrected"),
    ("Communications (+0.10, adjusted 95% CI 0.01 to 0.20; Holm p = .210) is on par.", "disagrees"),
    ("Product quality (+0.30; Holm p = .002) is on par with the competitors.", "on par"),
    ("Position the brand on Affective: it drives satisfaction, recommend and loyalty.", "drives"),
    ("Sensory rose significantly from 2025 to 2026.", "without corrected"),
    ("The mean is nan (95% CI nan to nan).", "unreadable"),
])
def test_claims_that_fall(text, problem):
    found = claim_problems(text)
    assert found and problem in found[0], found



# ---- numbers, names, directions against their table ---------------------------------------------
PROFILE = pd.DataFrame({"competitor": ["Rival", "Other"], "label": ["Sensory", "Sensory"],
                        "diff": [0.4772, -0.2311], "ci_low": [0.2597, -0.41], "ci_high": [0.6947, -0.05],
                        "p_corr": [0.0004, 0.012]})
BRANDS = ["Own", "Rival", "Other"]


@pytest.mark.parametrize("text, problem", [
    ("Own is ahead of Rival on Sensory (+0.48, adjusted 95% CI 0.26 to 0.69; Holm p < .001).", None),
    ("Own is ahead of Rival on Sensory (+0.49, adjusted 95% CI 0.26 to 0.69; Holm p < .001).", "number +0.49"),
    ("Own is ahead of Rival on Sensory (-0.48, adjusted 95% CI 0.26 to 0.69; Holm p < .001).", "number -0.48"),
    ("Own is ahead of Rival on Sensory (+0.48, adjusted 95% CI 0.26 to 0.69; Holm p = .020).", "number .020"),
    ("Own is ahead of Other on Sensory (+0.48, adjusted 95% CI 0.26 to 0.69; Holm p < .001).", "brand 'Other'"),
    ("Own is ahead of Rival on Sensory (+0.48, adjusted 95% CI -0.41 to -0.05; Holm p < .001).", "single table row"),
    ("Own is behind Other on Sensory (-0.23, adjusted 95% CI -0.41 to -0.05; Holm p = .012).", None),
    ("Own is ahead of Other on Sensory (-0.23, adjusted 95% CI -0.41 to -0.05; Holm p = .012).", "'ahead'"),
    ("Own leads 3 of 4 competitors on Sensory (95% CIs adjusted; alpha above .70 for every brand).", None),
    ("Own leads 3 of 4 competitors on Sensory, 95% of them by a wide margin.", "number 95%"),
])
def test_numbers_brands_and_directions_against_the_table(text, problem):
    found = finding_problems(text, collect_tables(PROFILE), BRANDS)
    assert (found == []) if problem is None else (found and any(problem in p for p in found)), found


# ---- the twelve cases of issue 14: each falls, its sound version stands ---------------------------
def _check(text, frames, brands=("Nimbus", "Vizora"), entities=()):
    tables = collect_tables(None, frames, extra=[*brands, *entities])
    return table_problems(tables) + finding_problems(text, tables, list(brands), entities)


CANDIDATES = pd.DataFrame({"label": ["Affective", "Intellectual"], "diff": [0.19, 0.76],
                           "hedges": [0.17, 0.73], "qualifies": [True, True]})
SHARES = pd.DataFrame({"outcome": ["Satisfaction"] * 2 + ["Loyalty"] * 2,
                       "driver": ["Affective", "Behavioral", "Affective", "Behavioral"],
                       "share": [0.135, 0.42, 0.60, 0.20], "share_ci_low": [0.08, 0.33, 0.5, 0.1],
                       "share_ci_high": [0.2, 0.51, 0.7, 0.3]})


@pytest.mark.parametrize("text, frame, problem", [
    # 1. positioning on the wrong dimension / "driven most by" the wrong one
    ("Position Nimbus on the affective experience: it has the largest lead of the qualifying dimensions "
     "(g = 0.17).", CANDIDATES, "'largest' names 'Affective'"),
    ("Position Nimbus on the intellectual experience: it has the largest lead of the qualifying dimensions "
     "(g = 0.73).", CANDIDATES, None),
    ("Satisfaction is driven most by Affective (14% of the explained variance, 95% CI 8% to 20%).", SHARES,
     "'driven most by' names 'Affective'"),
    ("Satisfaction is driven most by Behavioral (42% of the explained variance, 95% CI 33% to 51%); Loyalty is "
     "driven most by Affective (60% of the explained variance, 95% CI 50% to 70%).", SHARES, None),
])
def test_case_1_positioning_names_the_leader(text, frame, problem):
    found = _check(text, [frame], entities=["Affective", "Intellectual", "Behavioral", "Satisfaction", "Loyalty"])
    assert (found == []) if problem is None else any(problem in p for p in found), found


def test_case_2_distinctly_needs_corrected_evidence():
    table = pd.DataFrame({"label": ["Affective"], "diff": [0.17], "p_corr": [1.0]})
    bad = "Promise customers a distinctly affective experience (+0.17 vs the competitors; Holm p = 1.000)."
    good = "Promise customers an affective experience (+0.17 vs the competitors; Holm p = 1.000)."
    assert any("'distinctly' without corrected" in p for p in _check(bad, [table]))
    assert _check(good, [table]) == []


def test_case_3_a_theme_of_phrases_not_words():
    table = pd.DataFrame({"phrase": ["friendly chat", "great partner"], "target_share": [0.35, 0.25],
                          "g2": [94.83, 69.87]})
    bad = "Overall implementation theme: carry the promise in the customers' own words: “campaign”, “come”, “chat”."
    good = ("Overall implementation theme: carry the promise in the customers' own words: “friendly chat” (35%, "
            "G² = 94.8), “great partner” (25%, G² = 69.9).")
    assert any("single words" in p for p in _check(bad, [table]))
    assert _check(good, [table]) == []


def test_case_4_the_best_dimension_is_the_tables_best():
    table = pd.DataFrame({"label": ["Csor", "Competence", "Attractiveness"], "n_ahead": [0, 2, 1],
                          "n_competitors": [3, 3, 3]})
    ents = ["Csor", "Competence", "Attractiveness"]
    bad = "Its best is Csor, ahead of 0 of 3 competitors."
    good = "Its best is Competence, ahead of 2 of 3 competitors."
    assert any("'best' names 'Csor'" in p for p in _check(bad, [table], entities=ents))
    assert _check(good, [table], entities=ents) == []


def test_case_5_agenda_gain_is_coefficient_times_room_with_its_sign():
    good_table = pd.DataFrame({"opportunity": ["Convenience", "Intellectual"], "gain": [0.0102, 0.0635],
                               "importance": [0.017, 0.127], "room": [0.6, 0.5]})
    bad_table = good_table.assign(gain=[0.0612, 0.158])  # sqrt(LMG) x SD ratio times room, not the slope's
    assert any("coefficient x room" in p for p in _check("", [bad_table]))
    assert _check("", [good_table]) == []
    signed = good_table.assign(importance=[-0.017, 0.127], gain=[-0.0102, 0.0635])
    lost = "Convenience: +0.02 satisfaction points per scale point."
    kept = "Convenience: -0.02 satisfaction points per scale point."
    assert any("number +0.02" in p for p in _check(lost, [signed]))
    assert _check(kept, [signed]) == []


def test_case_6_no_unweighted_numbers_beside_weighted_ones():
    weighted = pd.DataFrame({"level": ["3+ per week", "less than weekly"], "mean": [4.74, 4.25]})
    unweighted = pd.DataFrame({"level": ["3+ per week", "less than weekly"], "mean": [4.80, 4.21]})
    from cem_research.steps.section import Shown

    shown = [Shown("table", weighted, "Segment means (survey-weighted)"),
             Shown("table", unweighted, "Segment means (unweighted)")]
    bad = "Group means use the survey weights: 3+ per week 4.80 vs less than weekly 4.21."
    good = "Group means use the survey weights: 3+ per week 4.74 vs less than weekly 4.25."
    assert any("unweighted table" in p for p in _check(bad, shown))
    assert _check(good, shown) == []


def test_case_7_competitor_lead_carries_the_per_brand_reliability_caveat():
    table = pd.DataFrame({"competitor": ["Vizora"], "label": ["Competence"], "diff": [0.50], "ci_low": [0.2],
                          "ci_high": [0.8], "p_corr": [0.001], "alpha_own": [0.82], "alpha_other": [0.616]})
    bad = "Nimbus is significantly ahead of Vizora on Competence (+0.50, adjusted 95% CI 0.20 to 0.80; Holm p = .001)."
    good = bad[:-1] + "; alpha .62 among Vizora's raters, below .70, so read it with care."
    assert any("without the caveat" in p for p in _check(bad, [table], entities=["Competence"]))
    assert _check(good, [table], entities=["Competence"]) == []


def test_case_8_reverse_worded_item_named_and_flags_not_repeated():
    items = pd.DataFrame({"construct": ["trust"] * 3, "item": ["tr1", "tr2", "tr3"],
                          "item_total_r": [0.52, 0.61, -0.44], "alpha_if_deleted": [0.41, 0.38, 0.81],
                          "alpha": [0.55] * 3})
    bad = "Below the threshold: Trust (alpha = 0.55)."
    good = "Below the threshold: Trust (alpha = 0.55); tr3 is probably reverse-worded: declare it under reverse:."
    assert any("tr3" in p and "reverse-worded" in p for p in _check(bad, [items]))
    assert _check(good, [items]) == []
    repeated = "Flagged for reliability: convenience: alpha = .11 < .70; convenience: alpha = .11 < .70."
    assert any("repeats" in p for p in caveat_problems(repeated, collect_tables(None, [])))


def test_case_9_no_group_of_zero_respondents():
    groups = pd.DataFrame({"level": ["low", "medium", "high"], "count": [150, 119, 0], "share": [0.56, 0.44, 0.0]})
    assert any("0 respondents" in p for p in _check("", [groups]))
    assert _check("", [groups.assign(count=[150, 69, 50], share=[0.56, 0.26, 0.18])]) == []


def test_case_10_intervals_hold_their_estimates():
    shares = pd.DataFrame({"driver": ["disp"], "share": [0.40], "share_ci_low": [0.244], "share_ci_high": [0.364]})
    assert any("outside its interval" in p for p in _check("", [shares]))
    assert _check("", [shares.assign(share=0.30)]) == []
    nps = pd.DataFrame({"wave": ["2026"], "n": [5], "nps": [100.0], "nps_ci_low": [100.0], "nps_ci_high": [100.0]})
    assert any("zero-width" in p for p in _check("", [nps]))
    assert _check("", [nps.assign(nps_ci_low=47.8)]) == []
    assert any("outside its interval" in p for p in number_problems(
        "disp explains 40% of R² (95% CI 24% to 36%).", collect_tables(None, [shares])))
    assert number_problems("disp explains 30% of R² (95% CI 24% to 36%).",
                           collect_tables(None, [shares.assign(share=0.30)])) == []


def test_case_11_verdicts_over_many_items_are_corrected():
    table = pd.DataFrame({"pair": ["Front desk vs Gym floor"], "diff": [0.78], "ci_low": [0.21],
                          "ci_high": [1.35], "p": [0.006]})
    bad = "The gap of 0.78 between them is a real difference (Welch t over the 66 touchpoint pairs, p = .006)."
    good = ("The gap of 0.78 between them is a real difference (Welch t, Bonferroni over the 66 touchpoint "
            "pairs, p = .006; adjusted 95% CI 0.21 to 1.35).")
    assert any("'real difference' without corrected" in p for p in _check(bad, [table]))
    assert _check(good, [table]) == []
    assert significance_problems("Sauna is the dominant category (55%, 95% CI 50% to 59%).")
    assert significance_problems("The brand is winning new customers (95% CI 2% to 9%).")


def test_case_12_drop_out_excludes_completion():
    stages = pd.DataFrame({"stage": ["Awareness", "Onboarding", "Renewal"], "dropout": [0.10, 0.24, 0.79],
                           "dropout_low": [0.05, 0.18, 0.75], "dropout_high": [0.15, 0.30, 0.83]})
    assert any("final stage" in p for p in _check("", [stages]))
    done = stages.assign(dropout=[0.10, 0.24, None], dropout_low=[0.05, 0.18, None],
                         dropout_high=[0.15, 0.30, None])
    assert _check("", [done]) == []


def test_superlatives_compare_rows_of_the_same_kind():
    """The extreme is taken within the rows of the same outcome (a long table), not over the whole column."""
    text = "Loyalty is driven most by Affective (60% of the explained variance, 95% CI 50% to 70%)."
    assert superlative_problems(text, collect_tables(None, [SHARES]), ["Affective", "Behavioral", "Loyalty"]) == []


# ---- every finding of every section -------------------------------------------------------------


@pytest.mark.parametrize("client", SECTION_CLIENTS)
def test_every_finding_stands_on_its_tables(client, clients):
    """Every sentence of every finding against its section's tables: numbers, brands, directions,
    superlatives, intervals, significance words and caveats (:func:`claims_caveats.finding_problems`)."""
    from cem_research.present import narrative as nv
    from cem_research.steps.section import Settings, all_sections

    if client not in clients:
        pytest.skip(f"{client} is not available on this machine")
    data, settings = clients[client], Settings(n_boot=50)
    cfg = data.config
    brands = [cfg.brand, *cfg.competitors]
    labels = [nv.label(cfg, c) for c in cfg.constructs]
    problems, checked = [], 0
    for section in all_sections():
        if section.skip_reason(data, settings) is not None:
            continue
        tables = section_tables(section, data, settings, extra=brands + labels)
        found = table_problems(tables)
        for f in section.findings(section.result(data, settings), data, settings):
            found += finding_problems(f["text"], tables, brands, labels)
            checked += 1
        problems += [f"{section.key}: {p}" for p in found]
    assert checked > 5, f"{client}: only {checked} findings checked"
    assert problems == [], f"{client}: {len(problems)} claims that their tables do not bear out:\n" + "\n".join(problems)


def test_a_tampered_real_finding_is_caught(clients):
    """Non-vacuity on real tables: fitness_club's own findings stand, and fall once a number is nudged
    or the positioning names the runner-up instead of the chosen dimension."""
    from cem_research.present import narrative as nv
    from cem_research.steps.platform import ExperientialPlatform
    from cem_research.steps.section import Settings
    from cem_research.steps.world import CompetitiveLandscape

    if "fitness_club" not in clients:
        pytest.skip("fitness_club is not available")
    data, settings = clients["fitness_club"], Settings(n_boot=50)
    brands = [data.config.brand, *data.config.competitors]
    labels = [nv.label(data.config, c) for c in data.config.constructs]
    for section in (CompetitiveLandscape(), ExperientialPlatform()):
        tables = section_tables(section, data, settings, extra=brands + labels)
        text = section.findings(section.result(data, settings), data, settings)[0]["text"]
        assert finding_problems(text, tables, brands, labels) == []
        m = re.search(r"[+-]\d\.\d\d\b", text)
        nudged = text[:m.start()] + f"{float(m.group(0)) + 0.1:+.2f}" + text[m.end():]
        assert any("is in no table" in p or "no single table row" in p
                   for p in finding_problems(nudged, tables, brands, labels)), nudged
    chosen = section.result(data, settings).candidates["label"].iloc[:2].tolist()  # chosen, runner-up
    swapped = text.replace(f"on the {chosen[0].lower()} experience", f"on the {chosen[1].lower()} experience", 1)
    assert swapped != text
    assert any("names" in p for p in finding_problems(swapped, tables, brands, labels)), swapped


def test_a_ranking_among_rows_with_enough_comments_is_checked_among_those_rows():
    """"Among the touchpoints with at least 5 comments, ... lowest for X": X must be the lowest of the rows
    with n >= 5, not of every row; naming a row that is not that minimum still fails."""
    import pandas as pd

    table = pd.DataFrame({"level": ["Order", "Menu", "Pickup", "Return"], "n": [13, 9, 2, 7],
                          "compound": [-0.03, 0.64, -0.50, 0.20]})
    tables = collect_tables(None, [table])
    names = ["Order", "Menu", "Pickup", "Return"]
    sound = "Among the 3 touchpoints with at least 5 comments, sentiment is lowest for Order (compound -0.03)."
    assert superlative_problems(sound, tables, names) == []
    wrong = "Among the 3 touchpoints with at least 5 comments, sentiment is lowest for Return (compound +0.20)."
    assert superlative_problems(wrong, tables, names)
    unqualified = "Sentiment is lowest for Order (compound -0.03)."  # Pickup (n = 2) is lower
    assert superlative_problems(unqualified, tables, names)
