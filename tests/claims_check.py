"""The claims checker (issue 14, "every sentence true"): each sentence of a finding against its tables.

Three modules: :mod:`claims_words` (sentences, clauses, significance words), this one (the tables of a
section, numbers, names, directions, superlatives) and :mod:`claims_caveats` (the tables themselves,
caveats, :func:`~claims_caveats.finding_problems` for one finding and
:func:`~claims_caveats.section_tables` for one section).

A section's *tables* are the DataFrames of its result (:meth:`Section.result`, walked through dataclass
fields, dicts and lists) and of what it shows (:meth:`Section.present`, both layers).  Every sentence of
every finding is checked for:

**significance words** (:func:`significance_problems`): a claim of a real difference ("significant",
"distinctly", "real difference/movement", "clearly ahead", "dominant", "winning") stands beside
corrected evidence -- a corrected p below .05, an adjusted interval that excludes 0, or a count under a
named correction; an adjusted interval agrees with the corrected p beside it; "on par" never sits beside
a significant corrected p; "drives" carries its interval; no "nan"/"None"/"inf".

**numbers** (:func:`number_problems`): every number stated is a value of one of the tables at the
precision shown (``+0.48`` is a value in [0.475, 0.485]; ``42%`` a share in [0.415, 0.425] or a
percentage in [41.5, 42.5]; ``p < .001`` a value below .001).  An explicit sign must agree; an unsigned
number matches the value or its negative (a gap stated as "0.46 points higher").  An estimate and the
interval right after it must sit in one table row together (:func:`row_problems`), and the interval
must hold its estimate and have a width (:func:`interval_problems`).  Numbers that are not
estimates are left out, each for a stated reason (:data:`NOT_ESTIMATES`): the confidence level
("95% CI"), counts ("3 of 4", "in 5 comparisons", "41 distinct paths"), scale anchors and ranges
("on 1–7", "0–100", "/100", "midpoint 4"), the settings' thresholds (".70", ".05") after a comparison
word, ranks and step numbers ("priority 1", "step 3"), and numbers inside names (brands, segment
levels, waves: every short text of the tables and the client's names) or quotes (verbatims).
Numbers of text cells count only when the cell holds nothing but a formatted value
("+0.51 (0.41 to 0.61)"): a table column that repeats the finding's sentence proves nothing.

**names** (:func:`name_problems`): a brand named in a clause appears in a table row (or column) that
holds a number of that clause (or, for a clause without numbers, somewhere in the tables).

**direction** (:func:`direction_problems`): "ahead / above / higher / up / rises / gained" and
"behind / below / lower / down / falls / lost" agree with the sign of the number they state: an explicit
sign directly, an unsigned one through the table value it equals.

**superlatives** (:func:`superlative_problems`): "best / highest / largest / most / strongest / top /
driven most by" and "worst / lowest / weakest / least" name the row whose value is the extreme of its
column among the rows of the same kind (the rows that agree on every other low-cardinality text
column: the same outcome, the same segment, the same qualifying status).

**tables** (:func:`table_problems`): a group of 0 respondents; an estimate outside its interval;
a zero-width interval; a drop-out rate at the final stage (completion is not drop-out); an expected
gain that is not coefficient x room.

**caveats** (:func:`caveat_problems`): a comparison with a brand or construct whose Cronbach's alpha
is below the gate among that brand's raters carries a caveat naming it; an item with a negative
item-total correlation whose deletion raises alpha is named as probably reverse-worded; a flag list
names nothing twice; a finding that says its comparisons are weighted states no number that only an
unweighted table holds; a theme given as "phrases" lists phrases, not single words.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


from claims_words import clauses, named, sentences, significance_problems  # noqa: F401 (re-exported)

# ---- the tables of a section ---------------------------------------------------------------------------
@dataclass
class Cell:
    """One numeric value of a table, with the text of its row and the name of its column."""

    value: float
    row: str
    column: str
    table: int
    index: int


@dataclass
class Tables:
    """The tables a finding is checked against: their numeric cells and their names."""

    frames: list[pd.DataFrame]
    captions: list[str]
    cells: list[Cell] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        return " ".join(self.names)


#: a text cell that holds only formatted values: "+0.51 (0.41 to 0.61)", "42% (33% to 51%)", "p < .001"
VALUE_CELL = re.compile(r"^[\s\d.,+\-−–%()\[\]<>=p]*(?:to[\s\d.,+\-−–%()\[\]<>=p]*)*$")
NUMBER = re.compile(r"(?<![\w.])([+\-−]?)(\d+(?:\.\d+)?|\.\d+)(%?)")


def frames_of(obj, depth=0) -> list[pd.DataFrame]:
    if depth > 3 or obj is None:
        return []
    if isinstance(obj, pd.DataFrame):  # with the frames it carries in .attrs (a result's side tables)
        return [obj] + [f for v in obj.attrs.values() for f in frames_of(v, depth + 1)]
    if isinstance(obj, pd.Series):
        return [obj.to_frame()]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [f for fl in dataclasses.fields(obj) for f in frames_of(getattr(obj, fl.name), depth + 1)]
    if isinstance(obj, dict):
        frames = [f for v in obj.values() for f in frames_of(v, depth + 1)]
        scalars = {str(k): v for k, v in obj.items() if isinstance(v, (int, float, np.number))
                   and not isinstance(v, bool)}
        return frames + ([pd.DataFrame([scalars])] if scalars else [])
    if isinstance(obj, (list, tuple)):
        return [f for v in obj for f in frames_of(v, depth + 1)]
    return []


def collect_tables(result, shown=(), extra: dict | None = None) -> Tables:
    """The tables of a section: its result (walked) and its shown tables (``Shown`` or DataFrames).

    ``extra`` adds names (brands, constructs...) that may appear in sentences without being estimates.
    """
    frames, captions = [], []
    for f in frames_of(result):
        frames.append(f)
        captions.append("")
    for item in shown:
        content = getattr(item, "content", item)
        if isinstance(content, pd.DataFrame):
            frames.append(content)
            captions.append(getattr(item, "caption", ""))
    tables = Tables(frames, captions)
    for t, frame in enumerate(frames):
        frame = frame.reset_index()
        texts = []
        for col in frame.columns:
            tables.names.add(str(col))
        for i, row in enumerate(frame.itertuples(index=False)):
            row_text, nums = [], []
            for col, v in zip(frame.columns, row):
                if isinstance(v, (bool, np.bool_)) or v is None:
                    continue
                if isinstance(v, (int, float, np.integer, np.floating)):
                    if math.isfinite(float(v)):
                        nums.append((float(v), str(col)))
                elif isinstance(v, (tuple, list)) and all(isinstance(x, (int, float)) for x in v):
                    nums += [(float(x), str(col)) for x in v if math.isfinite(float(x))]
                elif isinstance(v, str):
                    row_text.append(v)
                    if len(v) <= 60:
                        tables.names.add(v)
                        tables.labels.add(v)
                    if VALUE_CELL.match(v):
                        for sign, digits, pc in NUMBER.findall(v):
                            x = float(digits) * (-1 if sign in "-−" and sign else 1)
                            nums.append((x / 100 if pc else x, str(col)))
            text = " | ".join(row_text)
            texts.append(text)
            tables.cells += [Cell(x, text, c, t, i) for x, c in nums]
    for t, caption in enumerate(captions):  # a caption states its table's sizes: "(449 comments)"
        tables.cells += [Cell(float(d), caption, "caption", t, -1) for _, d, _ in NUMBER.findall(caption)]
    tables.names |= set(extra or ())
    tables.names = {n for n in tables.names if n and not re.fullmatch(r"[\d\s.,%+\-]*", n)}
    return tables


# ---- numbers in sentences --------------------------------------------------------------------------------
@dataclass
class Stated:
    """A number as a sentence states it."""

    text: str
    value: float
    decimals: int
    percent: bool
    signed: bool
    start: int
    end: int
    p_op: str | None = None

    def tolerance(self) -> float:
        return 0.5 * 10 ** -self.decimals + 1e-9

    def matches(self, v: float) -> bool:
        """Whether the table value ``v`` is this number at the precision shown."""
        if self.p_op == "<":
            return 0 <= v < self.value + 1e-12
        if self.p_op == ">":
            return v > self.value
        scales = (100, 1) if self.percent else (1, 100) if self.points else (1,)
        for s in scales:
            x = v * s
            if self.signed or self.value < 0:
                if abs(x - self.value) <= self.tolerance():
                    return True
            elif abs(abs(x) - self.value) <= self.tolerance():
                return True
        return False

    points: bool = False


#: why a number in a sentence is not an estimate to look up (regexes on the text around it)
NOT_ESTIMATES = {
    "confidence level": r"^\d+% (?:adjusted |simultaneous |bootstrap |Wilson |Newcombe |t )?(?:CI|confidence|interval)",
    "count 'a of b'": r"^\d+ of (?:the |its |all |their )?\d*",
    "denominator of a count": r"(?:\bof (?:the |its |all |their )?|/)$",
    "count of things": r"^\d+ (?:[\w-]+ ){0,2}?(?:comparisons?|tests?|pairs?|segments?\b(?:\(s\))?|constructs?|"
                       r"features?|elements?|themes?|touchpoints?|waves?|items?|brands?|competitors?|stages?|"
                       r"paths?|comments?|verbatims?|sentences?|respondents?|customers?|ratings?|users?|"
                       r"journeys?|drivers?|predictors?|levels?|groups?|modules?|promises?|categories|"
                       r"dimensions?|opportunit|improvement|innovation|changes?|rows?|answers?|decisions?|"
                       r"questions?|movements?|times?|\w+ (?:comparisons|pairs))",
    "count after 'in/on/all'": r"(?:\b(?:in|on|all|both|every|of|behind|ahead of|over the|over|among|across) )$",
    "scale anchor or range": r"^\d+(?:\.\d+)?\s?[–-]\s?\d+",
    "scale end of a range": r"[–-]$",
    "scale maximum": r"^\d+ ?(?:scale|point scale)|^/100|^\d+/100",
    "per-100 scale": r"/$",
    "midpoint": r"midpoint (?:of )?$",
    "threshold": r"(?:[≥≤]|(?<!\bp )[<>]|below|above|under|at least|at most|gate|threshold|cut-off|cut point|"
                 r"good level \()\s*$",
    "rank or step": r"(?:priority|rank|step|Step|top|wave|stage|#|No\.|item|quartile|version)\s$",
    "sample size 'n = '": r"\bn\s*=\s*$",
    "ordinal": r"^\d+(?:st|nd|rd|th)\b",
    "standard deviations": r"^\d+(?:\.\d+)? standard deviations?",
    "part of a word": r"[A-Za-z_]$",
}
_NOT_BEFORE = {k: re.compile(v) for k, v in NOT_ESTIMATES.items() if v.endswith("$")}
_NOT_AFTER = {k: re.compile(v) for k, v in NOT_ESTIMATES.items() if not v.endswith("$")}


def _masked(sentence: str, names) -> str:
    """The sentence with quotes and names (longest first) blanked out, same length."""
    out = re.sub(r"“[^”]*”|\"[^\"]*\"|'[^']*'", lambda m: " " * len(m.group(0)), sentence)
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2 and re.search(r"\d", name) and name in out:
            out = out.replace(name, " " * len(name))
    return out


def stated_numbers(sentence: str, names=()) -> list[Stated]:
    """The estimates a sentence states (numbers that are not estimates left out: :data:`NOT_ESTIMATES`)."""
    masked = _masked(sentence, names)
    out = []
    for m in NUMBER.finditer(masked):
        sign, digits, pc = m.groups()
        before, after = masked[:m.start()], masked[m.start() + len(sign):]
        pm = re.search(r"\bp\s*([<=>])\s*$", before)
        if not pm and not sign and (any(r.search(before[-40:]) for r in _NOT_BEFORE.values())
                       or any(r.search(after[:60]) for r in _NOT_AFTER.values())):
            continue
        value = float(digits) * (-1 if sign in ("-", "−") and sign else 1)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        st = Stated(m.group(0), value, decimals, bool(pc), bool(sign), m.start(), m.end(),
                    p_op=pm.group(1) if pm else None)
        st.points = bool(re.match(r"\s*(?:points|percentage points|/100|pp\b)", masked[m.end():])
                         or re.search(r"\bpoints?\b[^()]{0,30}$", before[-40:]))
        if pc:
            st.value = value
        out.append(st)
    return out


DIFFERENCE = re.compile(r"^\s*(?:points?|scale points?)?\s*(?:above|below|higher|lower|ahead|behind|apart)|"
                        r"(?:gap|difference|distance) of\s*$")


def _derived_difference(st: Stated, others: list[Stated], sentence: str, tables: Tables) -> bool:
    """Whether ``st`` ("1.55 points above", "the gap of 0.78") is the difference of two values the sentence
    states from the tables (a difference of two shown estimates need not be a table value itself)."""
    if not (DIFFERENCE.search(sentence[st.end:st.end + 30]) or DIFFERENCE.search(sentence[:st.start][-20:])):
        return False
    values = {c.value for o in others if o is not st for c in tables.cells if o.matches(c.value)}
    return any(st.matches(a - b) for a in values for b in values if a != b)


INTERVAL = re.compile(r"\d+% (?:adjusted |simultaneous |bootstrap )?CI ([+\-−]?\d*\.?\d+)(%?)(?: points)? to "
                      r"([+\-−]?\d*\.?\d+)(%?)")


def interval_problems(text: str, names=()) -> list[str]:
    """Intervals stated in a sentence that do not contain the estimate right before them, or have no width."""
    problems = []
    for sentence in sentences(text):
        spans = [m.span() for m in INTERVAL.finditer(sentence)]
        stated = [st for st in stated_numbers(sentence, names) if not any(a <= st.start < b for a, b in spans)]
        for m in INTERVAL.finditer(sentence):
            lo, hi = (float(x.replace("−", "-")) for x in (m.group(1), m.group(3)))
            est = [st for st in stated if st.end <= m.start() and m.start() - st.end <= 25
                   and not re.search(r"\bCI\b|;", sentence[st.end:m.start()]) and st.p_op is None]
            if lo == hi:
                problems.append(f"a zero-width interval ({m.group(0)}): {sentence[:200]}")
            elif est:
                x, tol = est[-1].value, est[-1].tolerance()
                x = abs(x) if not est[-1].signed and lo >= 0 else x
                if not lo - tol <= x <= hi + tol:
                    problems.append(f"{est[-1].text} lies outside its interval {m.group(0)}: {sentence[:200]}")
    return problems


def row_problems(text: str, tables: Tables) -> list[str]:
    """An estimate and the interval right after it ("+0.26, adjusted 95% CI -0.06 to 0.58") that no single
    table row holds together: each of the three may be somewhere in the tables, but not as one result."""
    problems = []
    for sentence in sentences(text):
        stated = stated_numbers(sentence, tables.names)
        for m in INTERVAL.finditer(sentence):
            inside = [st for st in stated if m.start() <= st.start < m.end()]
            est = [st for st in stated if st.end <= m.start() and m.start() - st.end <= 25 and st.p_op is None
                   and not re.search(r"\bCI\b|;", sentence[st.end:m.start()])]
            if len(inside) != 2 or not est:
                continue
            trio = [est[-1], *inside]
            rows = [{(c.table, c.index) for c in tables.cells if c.index >= 0 and st.matches(c.value)} for st in trio]
            if all(rows) and not set.intersection(*rows):
                problems.append(f"{trio[0].text} and its interval {m.group(0)} are in no single table row: "
                                f"{sentence[:300]}")
    return problems


def number_problems(text: str, tables: Tables) -> list[str]:
    """Numbers of a finding that no table of its section holds at the precision shown."""
    problems = interval_problems(text, tables.names) + row_problems(text, tables)
    for sentence in sentences(text):
        stated = stated_numbers(sentence, tables.names)
        for st in stated:
            if not any(st.matches(c.value) for c in tables.cells) and \
                    not _derived_difference(st, stated, sentence, tables):
                problems.append(f"number {st.text} is in no table of the section: {sentence[:300]}")
    return problems


# ---- names, direction, superlatives -----------------------------------------------------------------------
def name_problems(text: str, tables: Tables, brands) -> list[str]:
    """Brands named in a clause that the rows of its numbers (or, without numbers, the tables) do not name.

    ``brands`` lists the own brand first: it is the subject of every table (a row "Rival" of a comparison
    table is the own brand minus Rival), so only competitors are looked up.
    """
    brands = list(brands)
    own = brands[0] if brands else None
    problems = []
    for sentence in sentences(text):
        for clause in clauses(sentence):
            nums = stated_numbers(clause, tables.names)
            for brand in brands:
                if not named(re.sub(r"“[^”]*”", "", clause), brand):
                    continue
                if nums:
                    rows = [c for c in tables.cells if any(s.matches(c.value) for s in nums)]
                    ok = any(named(c.row, brand) or named(c.column, brand) for c in rows)
                else:
                    ok = any(named(n, brand) for n in tables.names)
                ok = ok or brand == own  # the own brand is the subject of every table (own minus rival)
                if not ok:
                    problems.append(f"brand {brand!r} is not in the rows its numbers come from: {clause[:300]}")
    return problems


UP = r"ahead|above|higher|up|rises?|rose|gained|better|more than|increase[sd]?|leads?"
DOWN = r"behind|below|lower|down|falls?|fell|lost|worse|less than|decrease[sd]?|declined?|trails?"
DIRECTED = re.compile(rf"\b(?:(?P<up>{UP})|(?P<down>{DOWN}))\b")  # lower case: "Better 0.19" is Kano's name


def direction_problems(text: str, tables: Tables) -> list[str]:
    """Direction words that disagree with the sign of the number they state.

    The number a direction word states: the first signed number after it in its clause, within 60
    characters and before any other direction word ("up +0.38", "behind FitNation on Behavioral (-0.94").
    An unsigned one ("1.17 points above '18-29'") is left alone: the tables hold pairwise differences in
    an arbitrary order (A - B), so their sign cannot decide it.
    """
    problems = []
    for sentence in sentences(text):
        masked = _masked(sentence, tables.names)
        nums = stated_numbers(sentence, tables.names)
        for m in DIRECTED.finditer(masked):
            up = m.group("up") is not None
            # the first signed number after the word, in its clause, before any other direction word
            after = [s for s in nums if s.signed and 0 <= s.start - m.end() <= 60
                     and not re.search(r"[;.]\s|" + DIRECTED.pattern, masked[m.end():s.start])][:1]
            for s in after:
                if (s.value > 0) != up and s.value != 0:
                    problems.append(f"'{m.group(0)}' beside {s.text}: {sentence[:300]}")
    return problems


MOST = r"best|highest|largest|most|strongest|top|greatest|biggest|driven most by|warmest"
LEAST = r"worst|lowest|weakest|least|smallest|most negative|coldest"
SUPERLATIVE = re.compile(rf"\b(?:(?P<least>{LEAST})|(?P<most>{MOST}))\b", re.I)


def _group(frame: pd.DataFrame, i: int, skip: set) -> pd.Index:
    """Rows of the same kind as row ``i``: agreeing on every other low-cardinality text column."""
    keep = pd.Series(True, index=range(len(frame)))
    for col in frame.columns:
        if col in skip:
            continue
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values) or pd.api.types.is_bool_dtype(values):
            try:
                n_unique = values.astype(str).nunique()
            except TypeError:
                continue
            if 1 < n_unique <= max(2, len(frame) // 2):
                keep &= (values.astype(str) == str(values.iloc[i])).to_numpy()
    return keep[keep].index


def superlative_problems(text: str, tables: Tables, entities) -> list[str]:
    """Superlatives ("best", "highest", "driven most by", "lowest") naming a row that is not its column's extreme.

    The entity is the first name of ``entities`` after the superlative in its clause (else the last one
    before it); its number is the first estimate after the superlative.  The entity's row must hold the
    extreme value of that column among the rows of the same kind (ties at the precision shown allowed);
    a number that only another entity's row holds ("Affective ... largest lead (g = 0.46)" where 0.46 is
    Sensory's) fails too.  A sentence restricting the ranking ("among the touchpoints with at least 5
    comments") is checked among the rows whose ``n`` reaches that floor.
    """
    problems = []
    names = sorted({e for e in entities if len(e) >= 3}, key=len, reverse=True)
    for sentence in sentences(text):
        qualifier = re.search(r"\bwith at least (\d+) (?:comments|respondents|answers|ratings|mentions)\b", sentence)
        floor = float(qualifier.group(1)) if qualifier else None  # the superlative ranks only those rows
        for clause in clauses(sentence):
            masked = _masked(clause, tables.names)
            all_nums = stated_numbers(clause, tables.names)
            counts = [Stated(m.group(1), float(m.group(1)), 0, False, False, m.start(), m.end())
                      for m in re.finditer(r"(?<![\w.])(\d+) of \d+", clause)]
            for m in SUPERLATIVE.finditer(masked):
                if re.match(r"most (?:common|travelled|negative|positive|frequent|characteristic)|top of|"
                            r"top priority|most of|at most|at least|largest (?:imbalance|drop)", clause[m.start():], re.I):
                    continue
                if re.search(r"\bat\s+$", clause[:m.start()], re.I):  # "at least 5 comments" ranks nothing
                    continue
                least = m.group("least") is not None
                low_clause = clause.lower()
                positions = [(p.start(), e) for e in names if e.lower() in low_clause for p in re.finditer(
                    r"(?<![\w])" + re.escape(e) + r"(?![\w])", clause, re.I)]
                after = sorted(p for p in positions if p[0] >= m.end())
                before = sorted(p for p in positions if p[0] < m.start())
                nums = sorted([s for s in all_nums + counts if s.start >= m.end()], key=lambda s: s.start)
                if not nums:
                    continue
                num = nums[0]
                differ = re.search(r"\bdiffers?\b[^;]*$", clause[:m.start()])
                if differ:  # "differ most in ... (difference -32 points": the extreme is the difference's
                    diffs = [s for s in nums if re.search(r"(?:difference|diff\.?|gap)\s*$", clause[:s.start])]
                    num = diffs[0] if diffs else num
                entity = after[0][1] if after and after[0][0] < num.start else before[-1][1] if before else None
                if entity is None:
                    continue
                verdicts, owners = [], set()
                for t, frame in enumerate(tables.frames):
                    frame = frame.reset_index(drop=True)
                    if len(frame) < 2:
                        continue
                    text_cols = [c for c in frame.columns if frame[c].dtype == object
                                 or pd.api.types.is_string_dtype(frame[c])]
                    hits = {}  # row -> the text columns that name the entity there
                    for c in text_cols:
                        for i in np.flatnonzero((frame[c].astype(str).str.lower() == entity.lower()).to_numpy()):
                            hits.setdefault(int(i), set()).add(c)
                    if not hits:
                        continue
                    name_cols = set().union(*hits.values())
                    for col in frame.columns:
                        if col in text_cols or not pd.api.types.is_numeric_dtype(frame[col]) \
                                or pd.api.types.is_bool_dtype(frame[col]):
                            continue
                        for j in range(len(frame)):  # whose number is it, when not the entity's?
                            v = frame[col].iloc[j]
                            if j not in hits and isinstance(v, (int, float, np.number)) and num.matches(v):
                                owners |= {str(frame[c].iloc[j]) for c in name_cols}
                        for i, ent_cols in hits.items():
                            v = frame[col].iloc[i]
                            if not isinstance(v, (int, float, np.number)) or not num.matches(v):
                                continue
                            group = _group(frame, i, ent_cols)
                            if floor is not None and "n" in frame.columns:  # "among those with at least 5 ..."
                                group = group[frame.loc[group, "n"].astype(float).to_numpy() >= floor]
                            values = frame.loc[group, col].astype(float).dropna()
                            tol = num.tolerance() / (100 if num.percent else 1) * 2
                            if differ or m.group(0).lower() in ("largest", "biggest", "greatest", "smallest"):
                                values, v = values.abs(), abs(v)
                            extreme = values.min() if least else values.max()
                            verdicts.append(abs(v - extreme) <= tol)
                if verdicts and not any(verdicts):
                    problems.append(f"'{m.group(0)}' names {entity!r}, which is not the extreme of its table "
                                    f"column: {clause[:300]}")
                elif not verdicts and owners:
                    problems.append(f"'{m.group(0)}' names {entity!r}, but {num.text} is the value of "
                                    f"{' / '.join(sorted(owners))}: {clause[:300]}")
    return problems
