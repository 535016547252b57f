"""A draft ``client.yaml`` from a survey export (``make new-client NAME=… FROM=export``).

The export is read as the pipeline reads it (:mod:`cem_research.client.readers`); every column is
then classed by what it holds:

- an **id** column: named like an id (``id``, ``resp…``, ``ResponseId``, ``case…``) with a distinct
  value on every row (else the first such text column);
- **wave**, **brand** and **date** columns: by their names (``wave``, ``brand…``, ``…date…`` holding
  ISO dates);
- **items**: whole numbers on a short scale (at most 11 points), grouped into constructs by their
  names (``bx_sens1, bx_sens2`` → ``bx_sens``; ``pq_taste, pq_fresh`` → ``pq``), with their wording
  (SPSS variable labels, Qualtrics question text) and their scale (from the value labels, else the
  range observed);
- **missing codes**: SPSS user-missing values, and negative numbers in columns otherwise >= 0;
- **segments**: other columns with 2-12 distinct values (coded demographics such as ``age``,
  ``gender`` or ``region`` among them).

Everything is a proposal: the comments marked ``EDIT`` say what to check.  The draft passes
``make check`` as written when the guesses are right.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from cem_research.client.readers import FileMeta, file_format, read_any

#: Columns a Qualtrics export adds to every survey (never items or segments).
QUALTRICS_SYSTEM = {
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
}
ID_NAME = re.compile(r"(^|_)(id|resp\w*|respondent\w*|responseid|case\w*|caseid|record)$", re.I)
DEMOGRAPHIC = re.compile(r"age|gender|sex|region|country|state|city|income|educ|segment|group|type|role|"
                         r"usage|tenure|channel|occupation|status|size|industry", re.I)
OUTCOME_NAME = re.compile(r"sat|recommend|ltr|nps|loy|overall|intent|repurchase", re.I)
RESERVED = {"source", "row", "respondent", "wave", "date", "brand", "brand_kind", "weight"}
MAX_SCALE_POINTS = 11
MAX_SEGMENT_LEVELS = 12


def _q(text) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON strings are YAML)."""
    text = str(text)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .&'/-]*", text) and text.strip() == text and \
            text.lower() not in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}:
        return text
    return json.dumps(text, ensure_ascii=False)


def _sniff(path: Path) -> tuple[str, str, str]:
    """Delimiter, decimal mark and encoding of a delimited text export."""
    head = path.read_bytes()[: 1 << 16]
    try:
        text, encoding = head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        text, encoding = (head[: exc.start].decode("utf-8"), "utf-8") if exc.start > len(head) - 4 \
            else (head.decode("cp1252", errors="replace"), "cp1252")
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t", "|"], key=first.count)
    decimal = "," if delimiter != "," and re.search(rf"(^|{re.escape(delimiter)})-?\d+,\d+({re.escape(delimiter)}|\r?$)",
                                                    text, re.M) else "."
    return delimiter, decimal, encoding


def _numbers(text: pd.Series, decimal: str) -> pd.Series | None:
    """The column as numbers when every answered cell is one, else ``None``."""
    answered = text.dropna().str.strip()
    if answered.empty:
        return None
    if decimal != ".":
        answered = answered.str.replace(decimal, ".", regex=False)
    num = pd.to_numeric(answered, errors="coerce")
    return None if num.isna().any() else num


def _group(item: str) -> str:
    """The construct an item belongs to by its name: trailing digits (and an ``r``) dropped, else the
    part before the last ``_``."""
    base = re.sub(r"[_.]?\d+[_]?[rR]?$", "", item)
    if base and base != item:
        return base
    return item.rsplit("_", 1)[0] if "_" in item.strip("_") else item


def _usual_scale(lo: float, hi: float) -> tuple[float, float]:
    """The usual answer scale holding the answers observed: from 1 (0 when a 0 was given) to the
    next of 5, 7 or 10 points.

    >>> _usual_scale(2, 6), _usual_scale(0, 9), _usual_scale(3, 4)
    ((1.0, 7.0), (0.0, 10.0), (1.0, 5.0))
    """
    low = float(min(lo, 1.0)) if lo >= 0 else float(lo)
    return low, float(next((p for p in (5, 7, 10) if p >= hi), hi))


def _construct_name(base: str, taken: set[str], items: list[str]) -> str:
    name = re.sub(r"\W+", "_", base).strip("_").lower() or "construct"
    while name in RESERVED or (name in taken and items != [name]):
        name += "_scale"
    return name


def _codes_text(codes) -> str:
    return "[" + ", ".join(_q(c) if isinstance(c, str) else f"{c:g}" for c in codes) + "]"


def _biggest_sheet(path: Path) -> str | None:
    """The name of the workbook's sheet with the most rows (``None`` when it is the first)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # read_any reports it
        return None
    try:
        sizes = [(ws.max_row or 0, -i, ws.title) for i, ws in enumerate(book.worksheets)]
    finally:
        book.close()
    best = max(sizes)
    return None if best[1] == 0 else best[2]


def draft_config(name: str, title: str, source: Path) -> str:
    """The text of a commented ``client.yaml`` proposing how to read ``source``.

    Parameters
    ----------
    name, title : str
        The client's folder name and its display name.
    source : Path
        The export; it is read with :func:`cem_research.client.readers.read_any` (nothing is written).

    Returns
    -------
    str
    """
    fmt = file_format(source.name)
    delimiter, decimal, encoding = _sniff(source) if fmt == "csv" else (",", ".", "utf-8")
    sheet = _biggest_sheet(source) if fmt == "excel" else None
    table = read_any(source, fmt, delimiter=delimiter, encoding=encoding, sheet=sheet, file=source.name)
    frame, meta = table.frame, table.meta
    columns = list(frame.columns)
    words = dict(meta.questions)
    system = QUALTRICS_SYSTEM if meta.format == "qualtrics" else set()

    def unique(col):
        values = frame[col].dropna().str.strip()
        return len(values) == len(frame) and values.is_unique

    ids = [c for c in columns if ID_NAME.search(c) and unique(c)]
    if not ids:
        ids = [c for c in columns if c not in system and _numbers(frame[c], decimal) is None and unique(c)]
    id_col = ids[0] if ids else None
    wave = next((c for c in columns if c.lower() in {"wave", "period", "round"}), None)
    brand = next((c for c in columns if "brand" in c.lower()), None)
    date = next((c for c in columns if re.search("date|time", c, re.I) and c not in system
                 and pd.to_datetime(frame[c].dropna().str.strip(), errors="coerce", format="ISO8601").notna().all()
                 and frame[c].notna().any()), None)
    used = {c for c in (id_col, wave, brand, date) if c}

    items: dict[str, tuple[float, float]] = {}
    codes_of: dict[str, list] = {}
    segments: list[str] = []
    for col in columns:
        if col in used or col in system:
            continue
        num = _numbers(frame[col], decimal)
        codes = [c for c in meta.missing.get(col, ())]
        if num is not None:
            codes += [float(v) for v in sorted(num.unique()) if v < 0 and (num >= 0).any() and v not in codes]
        values = num[~num.isin([float(c) for c in codes if not isinstance(c, str)])] if num is not None else None
        whole = values is not None and len(values) and (values == values.round()).all()
        labelled = [float(k) for k in meta.labels.get(col, {}) if _numbers(pd.Series([k]), ".") is not None]
        labelled = [v for v in labelled if v not in codes]
        lo = min([*values, *labelled]) if whole else None
        hi = max([*values, *labelled]) if whole else None
        if whole and values.nunique() >= 2 and hi - lo + 1 <= MAX_SCALE_POINTS and not DEMOGRAPHIC.search(col):
            items[col] = (lo, hi) if len(labelled) >= 2 else _usual_scale(lo, hi)
            codes_of[col] = codes
        elif 2 <= frame[col].dropna().nunique() <= MAX_SEGMENT_LEVELS:
            segments.append(col)

    groups: dict[tuple[str, tuple], list[str]] = {}
    for item, scale in items.items():
        groups.setdefault((_group(item), scale), []).append(item)
    taken = set(items) | set(segments)
    constructs, names = [], set()
    for (base, scale), members in groups.items():
        cname = _construct_name(base, taken | names, members)
        if cname in names:
            cname = _construct_name(f"{cname}_{scale[1]:g}pt", taken | names, members)
        names.add(cname)
        constructs.append((cname, members, scale))
    codes_all = list(dict.fromkeys(c for col in items for c in codes_of[col]))
    inside = any(not isinstance(c, str) and lo <= c <= hi for c in codes_all for lo, hi in items.values())
    return _write(name, title, source.name, fmt, meta, delimiter, decimal, encoding, frame,
                  dict(id=id_col, wave=wave, brand=brand, date=date, sheet=sheet), constructs, segments, words,
                  codes_all, inside, [c for c in columns if c not in used | set(items) | set(segments)])


def _write(name, title, file, fmt, meta: FileMeta, delimiter, decimal, encoding, frame, roles, constructs,
           segments, words, codes, codes_inside, unused) -> str:
    out = [f"# client.yaml for {name} -- DRAFTED from {file} ({meta.format} export) by `make new-client`.",
           "# Everything below is a proposal read off the export: check each line marked EDIT, then run",
           f"# `make check CLIENT={name}`.  Full reference: docs/contract.md.", "",
           f"name: {_q(title)}                     # shown on the report",
           "market: B2C                       # EDIT: B2C | B2B | mixed"]
    brand_col = roles["brand"]
    if brand_col:
        labels = meta.labels.get(brand_col, {})
        levels = frame[brand_col].dropna().str.strip().value_counts().index.tolist()
        shown = [labels.get(v, v) for v in levels]  # brands are named by their labels when the file has them
        out.append(f"brand: {_q(shown[0])}{' ' * 8}# EDIT: the client's own brand (the most frequent in "
                   f"'{brand_col}')")
        if len(shown) > 1:
            out.append("competitors:                      # EDIT each kind: direct | new_entrant | outside_industry")
            out += [f"  - {{name: {_q(b)}, kind: direct}}" for b in shown[1:]]
    else:
        out.append(f"brand: {_q(title)}{' ' * 8}# EDIT: the client's brand (every row rates it: no brand column found)")
    if meta.format in ("csv", "qualtrics"):
        out.append(f"csv: {{delimiter: {json.dumps(delimiter)}, decimal: {json.dumps(decimal)}, "
                   f"encoding: {encoding}}}   # as found in the file")
    if codes and not codes_inside:
        source = "the file's user-missing values" if meta.missing else "negative values in columns otherwise >= 0"
        out += ["", f"missing: {_codes_text(codes)}{' ' * 10}# EDIT: codes meaning 'no answer' ({source})"]
    elif codes:
        out += ["", f"# missing: {_codes_text(codes)}   # EDIT: 'no answer' codes found; some lie inside another "
                "item's scale, so declare them per construct (missing: under it)"]
    out += ["", "survey:", f"  file: {_q(file)}"]
    if roles["sheet"]:
        out.append(f"  sheet: {_q(roles['sheet'])}{' ' * 10}# the sheet holding the most rows")
    if meta.format == "qualtrics":
        out.append("  format: qualtrics               # header rows 2-3 hold the question text and ImportIds")
    if roles["id"]:
        out.append(f"  id: {_q(roles['id'])}{' ' * 10}# EDIT if wrong: one value per respondent")
    else:
        out.append("  # id: ...                       # EDIT: no column with one value per row was found")
    for role in ("wave", "brand", "date"):
        if roles[role]:
            out.append(f"  {role}: {_q(roles[role])}")
    out += ["", "# items grouped by their names; scale from the value labels, else the answers observed "
            "(EDIT: the questionnaire's full scale)", "constructs:"]
    for cname, members, (lo, hi) in constructs:
        out.append(f"  {cname}:{' ' * max(1, 30 - len(cname))}# EDIT: name it; add reverse: [...] for "
                   "reverse-keyed items" if any(re.search(r"\d[rR]$|_[rR]$", m) for m in members)
                   else f"  {cname}:")
        out.append("    items:")
        for m in members:
            out.append(f"      - {{name: {_q(m)}, question: {json.dumps(words[m], ensure_ascii=False)}}}"
                       if m in words else f"      - {_q(m)}")
        out.append(f"    scale: [{lo:g}, {hi:g}]")
    outcome = [c for c, _, _ in constructs if OUTCOME_NAME.search(c)]
    driver = [c for c, _, _ in constructs if c not in outcome]
    out += ["# EDIT: say which constructs drive which outcomes (the driver analysis needs both); a guess:",
            f"# drivers: [{', '.join(driver)}]", f"# outcomes: [{', '.join(outcome)}]"]
    if segments:
        out += ["", "segments:                         # EDIT: keep the columns to compare groups by"]
        out += [f"  {_q(s)}: {json.dumps(words.get(s, s.replace('_', ' ').capitalize()), ensure_ascii=False)}"
                for s in segments]
    if unused:
        out += ["", "# columns not used: " + ", ".join(unused)]
    return "\n".join(out) + "\n"
