"""Sentences, clauses and significance words of a finding (the first half of the claims checker,
:mod:`claims_check`): a claim of a real difference stands beside corrected evidence."""

from __future__ import annotations

import re

ALPHA = 0.05

# ---- significance words (the checks kept from the first claims test) ---------------------------------
#: a positive claim of a real difference
CLAIM = re.compile(r"\b(?:significant(?:ly)?|distinctly|real (?:difference|movement|change)s?|clearly (?:ahead|"
                   r"behind|higher|lower|better|worse|positive|negative)|dominant|winning)\b", re.I)
#: the claim denied just before it ("not significant", "no significant", "none ... significantly")
DENIED = re.compile(r"\b(?:not|no|none|nor|neither|never|without|non-?)\b[^.;]{0,60}$", re.I)
#: a count of corrected results ("3 of 4", "in 5 comparisons", "ahead on 2 and behind on 1") ...
COUNT = re.compile(r"\b\d+ of \d+\b|\bin \d+ (?:comparisons|tests|pairs)\b|\bon \d+ and\b|\b\d+ "
                   r"(?:segment|comparison|theme|change|construct|pair|element|feature)", re.I)
#: ... under a named correction
NAMED_CORRECTION = re.compile(r"Holm|Benjamini|\bBH\b|Bonferroni|corrected|adjusted|correcting", re.I)
#: a corrected p: "Holm p < .001", "Holm-adjusted p = .012", "corrected p = .03", "Bonferroni ..., p = .006"
CORRECTED_P = re.compile(r"(?:Holm|BH|Benjamini[–-]Hochberg|Bonferroni[^;()]{0,40}?|corrected|adjusted|"
                         r"Holm-adjusted)[\w\s,-]{0,12}?\bp\s*(<|=|>)\s*(1\.000|1|0?\.\d+)", re.I)
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


def sentences(text: str) -> list[str]:
    """Sentences of a finding (a full stop followed by a capital, outside parentheses and quotes, ends one)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([“"
        depth -= ch in ")]”" and depth > 0
        if ch == "." and depth == 0 and re.match(r"\s+[A-Z“\"']", text[i + 1:i + 3]) and not re.search(
                r"\b(?:e\.g|i\.e|vs|Co|Inc|Ltd|approx|St)$", text[:i]):
            out.append(text[start:i + 1].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [s for s in out if s]


def significance_problems(text: str) -> list[str]:
    """What is wrong with the significance words of one finding (empty when every claim has its evidence)."""
    problems = []
    parts = sentences(text)
    for i, sentence in enumerate(parts):
        # a claim's evidence is its sentence, and the next one when that begins "Evidence"
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        scope = sentence + (" " + nxt if nxt.startswith("Evidence") else "")
        for m in CLAIM.finditer(sentence):
            if DENIED.search(sentence[:m.start()]):
                continue
            adjusted = ADJ_CI.findall(scope)
            excludes = any(float(lo) > 0 or float(hi) < 0 for lo, hi in adjusted)
            counted = COUNT.search(sentence) and NAMED_CORRECTION.search(sentence)
            corrected = re.search(r"after correcting|correcting for", sentence, re.I)
            # one test ("paired t, n = 929, p < .001") needs no correction: a plain p will do when the
            # sentence names no family of comparisons
            single = (m.group(0).lower().startswith("real difference") and not COUNT.search(scope)
                      and not re.search(r"\bpairs\b|\bcomparisons\b|\bover the\b", scope)
                      and _significant([(op, float(v)) for op, v in re.findall(
                          r"\bp\s*(<|=)\s*(0?\.\d+)", scope)]))
            if not (_significant(_p_values(scope)) or excludes or counted or corrected or single):
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



def clauses(sentence: str) -> list[str]:
    """Clauses of a sentence: split at semicolons outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(sentence):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == ";" and depth == 0:
            out.append(sentence[start:i])
            start = i + 1
    out.append(sentence[start:])
    return [c.strip() for c in out if c.strip()]


def named(text: str, name: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text, re.I) is not None
