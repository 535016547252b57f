"""Every sentence true (issue 14): the words of a finding agree with the corrected evidence beside it.

Each finding every section records for the demo clients, the tiny test client and the real ECSI bank
survey is split into sentences and clauses, and checked:

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
import pytest

from conftest import SECTION_CLIENTS

matplotlib.use("Agg")

ALPHA = 0.05
#: a positive claim of a real difference
CLAIM = re.compile(r"\b(?:significant(?:ly)?|distinctly|real (?:movement|change)s?|clearly (?:ahead|behind|"
                   r"higher|lower|better|worse))\b", re.I)
#: the claim denied just before it ("not significant", "no significant", "none ... significantly")
DENIED = re.compile(r"\b(?:not|no|none|nor|neither|never|without|non-?)\b[^.;]{0,60}$", re.I)
#: a count of corrected results ("3 of 4", "in 5 comparisons", "ahead on 2 and behind on 1") ...
COUNT = re.compile(r"\b\d+ of \d+\b|\bin \d+ (?:comparisons|tests|pairs)\b|\bon \d+ and\b|\b\d+ "
                   r"(?:segment|comparison|theme|change|construct|pair)", re.I)
#: ... under a named correction
NAMED_CORRECTION = re.compile(r"Holm|Benjamini|\bBH\b|corrected|adjusted", re.I)
#: a corrected p: "Holm p < .001", "Holm-adjusted p = .012", "corrected p = .03", "BH p = .2", "p (corrected) = .1"
CORRECTED_P = re.compile(r"(?:Holm|BH|Benjamini[–-]Hochberg|corrected|adjusted|Holm-adjusted)[\w\s,-]{0,12}?"
                         r"\bp\s*(<|=|>)\s*(1\.000|1|0?\.\d+)", re.I)
ADJUSTED = re.compile(r"adjusted \d+% CI (-?\d+(?:\.\d+)?) to (-?\d+(?:\.\d+)?)[^)]*?(?:Holm|BH|corrected)"
                      r"[\w\s-]{0,12}?\bp\s*(<|=|>)\s*(1\.000|1|0?\.\d+)")
ADJ_CI = re.compile(r"adjusted \d+% CI (-?\d+(?:\.\d+)?) to (-?\d+(?:\.\d+)?)")
ON_PAR = re.compile(r"\bon par\b|no clear difference|\bnot significant", re.I)
DRIVES = re.compile(r"\b(?:drives|driven)\b", re.I)
BAD_VALUE = re.compile(r"\bnan\b|\bNone\b(?! of\b)|\binf\b|\{'")


def _p_values(text: str) -> list[tuple[str, float]]:
    return [(op, float(v)) for op, v in CORRECTED_P.findall(text)]


def _significant(ps) -> bool:
    return any((op == "<" and v <= ALPHA) or (op == "=" and v < ALPHA) for op, v in ps)


def _sentences(text: str) -> list[str]:
    """Sentences of a finding (a full stop followed by a capital, outside parentheses, ends one)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]" and depth > 0
        if ch == "." and depth == 0 and re.match(r"\s+[A-Z“\"']", text[i + 1:i + 3]) and not re.search(
                r"\b(?:e\.g|i\.e|vs|Co|Inc|Ltd|approx|St)$", text[:i]):
            out.append(text[start:i + 1].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [s for s in out if s]


def claim_problems(text: str) -> list[str]:
    """What is wrong with the claims of one finding (empty when every claim stands on its evidence)."""
    problems = []
    sentences = _sentences(text)
    for i, sentence in enumerate(sentences):
        # a claim's evidence is its sentence, and the next one when that begins "Evidence"
        nxt = sentences[i + 1] if i + 1 < len(sentences) else ""
        scope = sentence + (" " + nxt if nxt.startswith("Evidence") else "")
        for m in CLAIM.finditer(sentence):
            if DENIED.search(sentence[:m.start()]):
                continue
            adjusted = ADJ_CI.findall(scope)
            excludes = any(float(lo) > 0 or float(hi) < 0 for lo, hi in adjusted)
            counted = COUNT.search(sentence) and NAMED_CORRECTION.search(sentence)
            if not (_significant(_p_values(scope)) or excludes or counted):
                problems.append(f"'{m.group(0)}' without corrected evidence: {sentence[:400]}")
        for lo, hi, op, v in ADJUSTED.findall(sentence):
            sig = _significant([(op, float(v))])
            if (float(lo) > 0 or float(hi) < 0) != sig:
                problems.append(f"adjusted interval {lo} to {hi} disagrees with p {op} {v}: {sentence[:200]}")
        for clause in re.split(r";\s", sentence):
            if ON_PAR.search(clause) and not CLAIM.search(clause):
                before = clause[:ON_PAR.search(clause).start()]
                if _significant(_p_values(before[-160:])):
                    problems.append(f"'on par' beside a significant corrected p: {clause[:200]}")
        if DRIVES.search(sentence) and not re.search(r"\bCI\b|interval", sentence):
            problems.append(f"'drives' without the interval it rests on: {sentence[:200]}")
        if BAD_VALUE.search(sentence):
            problems.append(f"unreadable value: {sentence[:200]}")
    return problems


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


# ---- every finding of every section -------------------------------------------------------------
@pytest.mark.parametrize("client", SECTION_CLIENTS)
def test_every_finding_stands_on_its_evidence(client, clients):
    import matplotlib.pyplot as plt

    from cem_research.steps.section import Settings, all_sections

    if client not in clients:
        pytest.skip(f"{client} is not available on this machine")
    data, settings = clients[client], Settings(n_boot=50)
    problems = []
    for section in all_sections():
        if section.skip_reason(data, settings) is not None:
            continue
        for f in section.findings(section.result(data, settings), data, settings):
            problems += [f"{section.key}: {p}" for p in claim_problems(f["text"])]
    plt.close("all")
    assert problems == [], f"{client}: {len(problems)} claims without their evidence:\n" + "\n".join(problems)
