"""Read a client's raw file in the format it came in: CSV, a Qualtrics CSV export, SPSS or Excel.

Each reader returns a :class:`Table`: every cell as text (blank cells missing), the row numbers
a researcher sees in the program the file came from, and a :class:`FileMeta` with what the file
says about its columns (question wording, value labels, "no answer" codes).  The contract
(:func:`cem_research.client.contract.read_table`) parses and checks the text the same way for
every format, so an export gives the same processed tables as its CSV twin.

=============  ==========================  =========================================================
format         chosen by                   read with
=============  ==========================  =========================================================
``csv``        any other file name         the standard library's CSV reader and pandas (as before)
``qualtrics``  ``format: qualtrics`` or    as CSV; header rows 2-3 (question text and the
               detected (row 3 holds       ``{"ImportId": ...}`` metadata) become wording and are
               ``{"ImportId": ...}``)      never read as answers
``spss``       ``.sav``, ``.zsav``         :func:`pyreadstat.read_sav`: variable labels become question
                                           wording, value labels labels, user-missing values codes
``excel``      ``.xlsx``, ``.xlsm``        :mod:`openpyxl` (``sheet:`` picks a sheet, else the first)
=============  ==========================  =========================================================

Nothing here writes a file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cem_research.client.errors import ContractError

FORMATS = ("csv", "qualtrics", "spss", "excel")
EXTENSIONS = {".sav": "spss", ".zsav": "spss", ".xlsx": "excel", ".xlsm": "excel"}
FIRST_DATA_ROW = 2  # spreadsheet numbering: header is row 1
QUALTRICS_IMPORT = re.compile(r'^\s*\{\s*"ImportId"\s*:')
#: The dtype pandas gives text read from a CSV with ``dtype=str`` (``str`` from pandas 3, else object).
TEXT = pd.read_csv(io.StringIO("a\nx"), dtype=str)["a"].dtype


@dataclass(frozen=True)
class FileMeta:
    """What a file says about its columns, besides the answers.

    Attributes
    ----------
    format : str
        One of :data:`FORMATS`.
    questions : dict
        Column -> question wording (SPSS variable labels, Qualtrics question text).
    labels : dict
        Column -> {code as text: label} (SPSS value labels; codes written as the data cells are).
    missing : dict
        Column -> "no answer" codes (SPSS user-missing values; a range gives the codes found in it).
    sheet : str or None
        The Excel sheet read.
    levels : dict
        Column -> the codes that occur in it, for the columns with value labels.
    """

    format: str = "csv"
    questions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, tuple] = field(default_factory=dict)
    sheet: str | None = None
    levels: dict[str, frozenset] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    """A file's answers as text, with the row numbers its program shows and its metadata."""

    frame: pd.DataFrame
    rows: np.ndarray
    meta: FileMeta


def file_format(name: str, declared: str | None = None) -> str:
    """The format of a file: the declared ``format:``, else by extension (else ``csv``).

    Examples
    --------
    >>> file_format("export.SAV"), file_format("book.xlsx"), file_format("a.csv", "qualtrics")
    ('spss', 'excel', 'qualtrics')
    """
    if declared is not None:
        return str(declared)
    return EXTENSIONS.get(Path(name).suffix.lower(), "csv")


def check_encoding(encoding: str, client: str | None = None) -> str:
    """The Python codec for the declared ``csv.encoding`` (UTF-8 also strips a byte-order mark).

    A codec that is not a text encoding (``rot13``, ``hex``, ``base64``: they transform bytes or text) is
    refused like an unknown name.

    >>> check_encoding("UTF8"), check_encoding("cp1252")
    ('utf-8-sig', 'cp1252')
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ContractError(f"unknown encoding {encoding!r} in csv.encoding; use a name such as utf-8, "
                            "cp1252 or latin-1", client=client, file="client.yaml") from None
    try:
        b"a".decode(encoding)
    except LookupError:  # rot13, hex, base64 ...: known to Python, but they do not decode text
        raise ContractError(f"encoding {encoding!r} in csv.encoding is not a text encoding; use a name such as "
                            "utf-8, cp1252 or latin-1", client=client, file="client.yaml") from None
    except UnicodeError:  # a text encoding that needs more than one byte (utf-16)
        pass
    return "utf-8-sig" if name == "utf-8" else encoding


def _where(client, file) -> dict:
    return dict(client=client, file=file)


def _refuse_repeats(header: list[str], where: dict) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise ContractError("the header names this column twice; rename or remove one of them",
                                column=name, **where)
        seen.add(name)


# ---------------------------------------------------------------------------
# delimited text (plain CSV and Qualtrics exports)
def read_csv(path: str | Path, *, delimiter: str = ",", encoding: str = "utf-8", qualtrics: bool | None = None,
             client: str | None = None, file: str | None = None) -> Table:
    """Read a delimited text file (a plain CSV or a Qualtrics export) as text.

    Parameters
    ----------
    path : str or Path
    delimiter, encoding : str
        As declared under ``csv:`` in ``client.yaml``.
    qualtrics : bool, optional
        ``True`` for a Qualtrics export (rows 2-3 are header rows), ``False`` for a plain CSV,
        ``None`` to detect it (row 3 holds ``{"ImportId": ...}`` cells).
    client, file : str, optional
        Named in error messages.

    Returns
    -------
    Table
        Rows numbered as a spreadsheet shows them (header = row 1).

    Raises
    ------
    ContractError
        If the file is empty, has a header but no rows, cannot be decoded with the declared
        encoding, or cannot be parsed as CSV.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(p, "w").write('id,q1\\nID,How friendly?\\n"{""ImportId"":""x""}","{""ImportId"":""QID1""}"\\nr1,5\\n')
    >>> t = read_csv(p)
    >>> t.meta.format, t.meta.questions["q1"], t.frame["q1"].tolist(), t.rows.tolist()
    ('qualtrics', 'How friendly?', ['5'], [4])
    """
    path = Path(path)
    where = _where(client, file or path.name)
    data = path.read_bytes()
    if not data.strip():
        raise ContractError("file is empty: expected a header row and answer rows", **where)
    enc = check_encoding(encoding, client)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        column, rows = _undecodable(data, enc, delimiter, exc)
        raise ContractError(
            f"cannot be decoded as {encoding}; set csv.encoding in client.yaml "
            "to the export's encoding, e.g. cp1252 or latin-1", column=column, rows=rows,
            **where) from None
    if "\ufeff" in text:  # byte-order marks (the UTF-8 one is already gone): at the start of a pasted
        text = text.replace("\ufeff", "")  # export, they would stay in a respondent id or a header
    rows = _check_layout(text, delimiter, where)
    try:
        with warnings.catch_warnings():
            # rows longer than the header were refused above unless the extra fields are empty
            # (a delimiter at the end of each row); pandas warns that it drops those
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str,
                                keep_default_na=False, na_values=[""], skipinitialspace=False,
                                skip_blank_lines=True, engine="c", index_col=False)
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        eof = re.search(r"EOF inside string starting at row (\d+)", detail)
        if eof:  # pandas counts lines from 0 (the header)
            raise ContractError('a quoted text is never closed (a \'"\' without its closing \'"\')',
                                rows=[int(eof.group(1)) + 1], **where) from None
        raise ContractError(f"cannot be parsed as CSV with delimiter {delimiter!r}: {detail}",
                            **where) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    # spreadsheet row numbers; blank lines are skipped by the reader, so count them back
    numbers = np.asarray(rows if len(rows) == len(frame) else np.arange(len(frame)) + FIRST_DATA_ROW,
                         dtype="int64")
    meta = FileMeta("csv")
    if qualtrics is None:
        qualtrics = _looks_like_qualtrics(frame)
    if qualtrics:
        frame, numbers, meta = _qualtrics(frame, numbers, where)
    if frame.empty:
        raise ContractError("file has a header row but no answer rows" if not qualtrics else
                            "file has its Qualtrics header rows but no answer rows", **where)
    return Table(frame.reset_index(drop=True), numbers, meta)


def _looks_like_qualtrics(frame: pd.DataFrame) -> bool:
    """Row 3 of the file (the second after the header) holds ``{"ImportId": ...}`` in most cells."""
    if len(frame) < 2:
        return False
    third = frame.iloc[1].dropna().astype(str)
    return len(third) > 0 and third.str.match(QUALTRICS_IMPORT).mean() >= 0.5


def _qualtrics(frame: pd.DataFrame, numbers: np.ndarray, where: dict):
    """Take the question-text row (and the ImportId row, when present) out of the answers."""
    if frame.empty:
        raise ContractError("declared as a Qualtrics export, but row 2 (the question text) is missing", **where)
    questions = {c: " ".join(str(v).split()) for c, v in frame.iloc[0].items()
                 if isinstance(v, str) and v.strip() and v.strip() != c}
    skip = 1
    if len(frame) > 1 and frame.iloc[1].dropna().astype(str).str.match(QUALTRICS_IMPORT).any():
        skip = 2
    return frame.iloc[skip:], numbers[skip:], FileMeta("qualtrics", questions=questions)


def delimiter_hint(header: list[str], delimiter: str) -> str:
    """A hint when the whole header is one field holding another usual delimiter."""
    if len(header) == 1:
        for d in (";", "\t", "|", ","):
            if d != delimiter and d in header[0]:
                return f"; the file looks {d!r}-delimited: set csv.delimiter in client.yaml"
    return ""


@contextlib.contextmanager
def _field_limit(text: str):
    """Let one field be as long as the whole text (a long verbatim is not an error)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _records(text: str, delimiter: str):
    """CSV records with their spreadsheet row numbers (a quoted multi-line text is one row)."""
    with _field_limit(text):
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _field_counts(text: str, delimiter: str) -> np.ndarray | None:
    """Fields per record after the header, for text without quotes, carriage returns or NULs.

    In such text a record is a line and its fields are its delimiters plus one, so both can be
    counted with numpy on the UTF-8 bytes (no multi-byte character contains an ASCII byte).
    An empty line counts as one field here (the CSV reader gives it none): callers treat
    anything under two fields as needing a closer look.  ``None`` for any other text.
    """
    if len(delimiter) != 1 or ord(delimiter) > 127 or delimiter in "\n\r\"" \
            or '"' in text or "\r" in text or "\0" in text:
        return None
    try:
        b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    except UnicodeEncodeError:  # lone surrogates
        return None
    if not len(b):
        return None
    ends = np.flatnonzero(b == 10)
    if b[-1] != 10:
        ends = np.append(ends, len(b))  # a last line without a line break is a record too
    line = np.searchsorted(ends, np.flatnonzero(b == ord(delimiter)))
    return np.bincount(line, minlength=len(ends))[1:].astype(np.int64) + 1


def _check_layout(text: str, delimiter: str, where: dict) -> list[int] | np.ndarray:
    """Refuse a repeated column name, rows longer than the header, or rows shorter than it (a truncated
    export, or a line break outside quotes splitting one row in two); return data row numbers.

    pandas would silently rename a repeated column (``q1.1``) and, when every row has one
    field more than the header, silently take the first column as the index, shifting every
    column by one.  Empty surplus fields (a delimiter at the end of each row) are allowed.

    Returns
    -------
    list of int or ndarray
        Spreadsheet row numbers of the non-blank records (blank lines are skipped when read).
    """
    # the usual file: every record has as many fields as the header, so none is blank, short or
    # long; count the fields at C speed and look closer only otherwise
    lengths = _field_counts(text, delimiter)
    with _field_limit(text):
        if lengths is not None:  # no quotes: the header is the first line
            reader = csv.reader([text.split("\n", 1)[0]], delimiter=delimiter)
        else:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        _refuse_repeats(header, where)
        if lengths is None:
            lengths = np.fromiter(map(len, reader), dtype=np.int64)
    if len(header) > 1 and (lengths == len(header)).all():
        return np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + len(lengths), dtype=np.int64)
    with contextlib.closing(_records(text, delimiter)) as records:
        next(records, None)
        rows, long_rows, widths = [], [], []
        for number, record in records:
            if not "".join(record).strip() and len(record) <= 1:
                continue  # a blank line
            rows.append(number)
            widths.append(len(record))
            if len(record) > len(header) and any(f.strip() for f in record[len(header):]):
                long_rows.append(number)
    if long_rows:
        raise ContractError(
            f"more fields than the header has columns ({len(header)}): a stray {delimiter!r} or a "
            f"text holding {delimiter!r} without quotes{delimiter_hint(header, delimiter)}",
            rows=long_rows, **where)
    short = [i for i, w in enumerate(widths) if w < len(header)]
    if short:
        raise ContractError(_short_row_reason(widths, short[0], len(header)),
                            rows=[rows[i] for i in short], **where)
    return rows


def _short_row_reason(widths: list[int], first: int, columns: int) -> str:
    """Why record ``first`` has fewer fields than the header: a row split by a line break outside quotes
    (it and a neighbour together hold one row's fields), else a row cut short.

    >>> _short_row_reason([4, 4, 1], 2, 4)[:60]
    'fewer fields than the header has columns (4, found 1): a lin'
    """
    pair = [(a, b) for a, b in ((first - 1, first), (first, first + 1)) if a >= 0 and b < len(widths)]
    split = any(widths[a] + widths[b] - 1 == columns for a, b in pair)
    why = ("a line break outside quotes splits a row in two: quote texts holding line breaks (re-export with "
           "quoted text)" if split else "the row is cut short (a damaged or truncated export): re-export the file")
    return f"fewer fields than the header has columns ({columns}, found {widths[first]}): {why}"


def _undecodable(data: bytes, encoding: str, delimiter: str,
                 exc: UnicodeDecodeError) -> tuple[str | None, list[int]]:
    """The column and rows of the cells that cannot be decoded (best effort)."""
    try:
        text = data.decode(encoding, errors="surrogateescape")
        bad = re.compile("[\udc80-\udcff]")
        cells: dict[int, list[int]] = {}
        with contextlib.closing(_records(text, delimiter)) as records:
            _, header = next(records)
            if bad.search("".join(header)):
                return None, [1]
            for number, record in records:
                for j, value in enumerate(record):
                    if bad.search(value):
                        cells.setdefault(j, []).append(number)
        j = min(cells)
        return (header[j].strip() if j < len(header) else None), cells[j]
    except Exception:  # fall back to the line of the first undecodable byte
        return None, [data[: exc.start].count(b"\n") + 1]



# ---------------------------------------------------------------------------
# cells as text, the same way for every format
def _number_text(values: np.ndarray) -> np.ndarray:
    """Numbers written as a CSV export writes them: ``5`` for whole numbers, else the shortest
    round-trip decimal (``4.5``); ``None`` for missing."""
    v = np.asarray(values, dtype="float64")
    out = np.full(v.shape, None, dtype=object)
    finite = np.isfinite(v)
    whole = finite & (np.abs(v) < 1e15) & (v == np.round(v))
    out[whole] = v[whole].astype(np.int64).astype(str)
    rest = finite & ~whole
    out[rest] = [repr(float(x)) for x in v[rest]]
    return out


def _cell_text(value) -> str | None:
    """One cell of a workbook or a typed column as text (``None`` when blank)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _number_text(np.array([value]))[0]
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value).replace("\ufeff", "")  # a byte-order mark pasted into a cell
    return text if text.strip() else None


def text_series(values, index=None) -> pd.Series:
    """Cells (text or ``None``) as a column of the dtype a CSV read with ``dtype=str`` has."""
    return pd.Series(values, index=index, dtype=object).astype(TEXT)


def _as_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return text_series(_number_text(column.to_numpy(dtype="float64", na_value=np.nan)), column.index)
    return text_series([_cell_text(v) for v in column], column.index)


# ---------------------------------------------------------------------------
# SPSS
def read_spss(path: str | Path, *, client: str | None = None, file: str | None = None) -> Table:
    """Read an SPSS ``.sav``/``.zsav`` file with :func:`pyreadstat.read_sav`, user-missing values kept.

    Returns
    -------
    Table
        Answers as text (user-missing codes such as ``-99`` kept as written, for ``missing:`` to
        turn into gaps); rows numbered as SPSS's Data View numbers cases (the first case is row 1);
        the variable labels, value labels and user-missing codes in ``meta``.

    Raises
    ------
    ContractError
        If the file cannot be read as SPSS data or holds no cases.
    """
    import pyreadstat

    path = Path(path)
    where = _where(client, file or path.name)
    try:
        data, info = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own error types (ReadstatError, PyreadstatError)
        raise ContractError(f"cannot be read as an SPSS data file ({' '.join(str(exc).split())}); "
                            "save it again from SPSS, or export it as CSV", **where) from None
    if data.empty:
        raise ContractError("the SPSS file holds variables but no cases (answer rows)", **where)
    frame = pd.DataFrame({str(c): _as_text(data[c]) for c in data.columns})
    questions = {str(c): " ".join(str(lab).split()) for c, lab in zip(info.column_names, info.column_labels)
                 if lab and str(lab).strip()}
    missing = {}
    for col, ranges in (info.missing_ranges or {}).items():
        codes = []
        for r in ranges:
            lo, hi = r["lo"], r["hi"]
            if lo == hi:
                codes.append(lo)
            else:  # a range: the codes found in it
                seen = pd.to_numeric(data[col], errors="coerce")
                codes.extend(sorted(seen[(seen >= lo) & (seen <= hi)].unique()))
        missing[str(col)] = tuple(dict.fromkeys(_code(c) for c in codes))
    labels = {str(c): {_cell_text(k): str(v) for k, v in lab.items() if _cell_text(k) is not None}
              for c, lab in (info.variable_value_labels or {}).items()}
    levels = {c: frozenset(frame[c].dropna()) for c in labels if c in frame}
    return Table(frame, np.arange(1, len(frame) + 1, dtype="int64"),
                 FileMeta("spss", questions=questions, labels=labels, missing=missing, levels=levels))


def _code(value):
    """A missing code as ``missing:`` writes it: a whole number as int, else float or text."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------------
# Excel
def read_excel(path: str | Path, *, sheet: str | int | None = None, client: str | None = None,
               file: str | None = None) -> Table:
    """Read one sheet of an ``.xlsx`` workbook with :mod:`openpyxl` (cached values, not formulas).

    Parameters
    ----------
    sheet : str or int, optional
        The sheet's name, or its position counting from 1; default the first sheet.

    Returns
    -------
    Table
        The first non-blank row is the header; rows numbered as Excel shows them; blank rows skipped.
        Numbers are written as a CSV export writes them (``5``, ``4.5``), dates as ISO 8601.

    Raises
    ------
    ContractError
        If the workbook cannot be read, the sheet does not exist, or it holds no answer rows.
    """
    import openpyxl

    path = Path(path)
    where = _where(client, file or path.name)
    if path.suffix.lower() == ".xls":
        raise ContractError("old-style .xls workbooks are not read: save it as .xlsx (or CSV) in Excel",
                            **where)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise ContractError(f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())})", **where) from None
    try:
        names = book.sheetnames
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 1 <= sheet <= len(names):
                raise ContractError(f"sheet: {sheet} but the workbook has {len(names)} sheet(s): "
                                    f"{', '.join(names)}", **where)
            ws = book.worksheets[sheet - 1]
        elif str(sheet) in names:
            ws = book[str(sheet)]
        else:
            raise ContractError(f"no sheet named {str(sheet)!r}; the workbook's sheets are {', '.join(names)}",
                                **where)
        records = [(n, [_cell_text(v) for v in values])
                   for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        title = ws.title
    finally:
        book.close()
    records = [(n, r) for n, r in records if any(v is not None for v in r)]
    if not records:
        raise ContractError(f"sheet {title!r} is empty: expected a header row and answer rows", **where)
    (_, header), body = records[0], records[1:]
    width = max(len(r) for _, r in records)
    used = [j for j in range(width) if (j < len(header) and header[j] is not None)
            or any(j < len(r) and r[j] is not None for _, r in body)]
    names = [str(header[j]).strip() if j < len(header) and header[j] is not None else f"Unnamed: {j}"
             for j in used]
    _refuse_repeats(names, where)
    if not body:
        raise ContractError(f"sheet {title!r} has a header row but no answer rows", **where)
    frame = pd.DataFrame({name: text_series([r[j] if j < len(r) else None for _, r in body])
                          for name, j in zip(names, used)})
    return Table(frame, np.array([n for n, _ in body], dtype="int64"), FileMeta("excel", sheet=title))


# ---------------------------------------------------------------------------
def read_any(path: str | Path, fmt: str, *, delimiter: str = ",", encoding: str = "utf-8",
             sheet: str | int | None = None, client: str | None = None, file: str | None = None) -> Table:
    """Read a file in format ``fmt`` (see :func:`file_format`) with the matching reader."""
    if fmt == "spss":
        return read_spss(path, client=client, file=file)
    if fmt == "excel":
        return read_excel(path, sheet=sheet, client=client, file=file)
    qualtrics = True if fmt == "qualtrics" else (None if fmt == "csv" else False)
    return read_csv(path, delimiter=delimiter, encoding=encoding, qualtrics=qualtrics, client=client, file=file)


def read_spec(cfg, spec, *, detect: bool = True) -> Table:
    """Read a declared file (a :class:`~cem_research.client.config.FileSpec`) of client ``cfg``.

    A CSV file whose format is not declared is checked for Qualtrics header rows (``detect``);
    ``format: csv`` reads it as plain CSV.
    """
    declared = spec.options.get("format")
    fmt = file_format(spec.file, declared)
    if fmt == "csv" and declared == "csv":
        return read_csv(cfg.folder / spec.file, delimiter=cfg.csv.delimiter, encoding=cfg.csv.encoding,
                        qualtrics=False, client=cfg.client, file=spec.file)
    return read_any(cfg.folder / spec.file, fmt, delimiter=cfg.csv.delimiter, encoding=cfg.csv.encoding,
                    sheet=spec.options.get("sheet"), client=cfg.client, file=spec.file)


# ---------------------------------------------------------------------------
# the file's metadata, merged under client.yaml's own declarations
@functools.lru_cache(maxsize=16)
def _meta_cached(path: str, stamp: tuple, fmt: str, delimiter: str, encoding: str) -> FileMeta:
    if fmt == "spss":
        return read_spss(path).meta
    head = Path(path).open("rb").read(1 << 20)  # the header rows of a Qualtrics export
    text = head.decode(check_encoding(encoding), errors="replace")
    with _field_limit(text):
        records = list(zip(range(3), csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    if len(records) < 2:
        return FileMeta(fmt)
    header, second = records[0][1], records[1][1]
    third = records[2][1] if len(records) > 2 else []
    if fmt == "csv" and not (third and sum(bool(QUALTRICS_IMPORT.match(c)) for c in third) >= len(third) / 2):
        return FileMeta("csv")
    questions = {h.strip(): " ".join(q.split()) for h, q in zip(header, second)
                 if q.strip() and q.strip() != h.strip()}
    return FileMeta("qualtrics", questions=questions)


def file_meta(cfg, spec) -> FileMeta:
    """The metadata of a declared file (question wording, value labels, missing codes), read once per
    version of the file; an empty :class:`FileMeta` for plain CSV and Excel files or a file that
    cannot be read (reading it for the data reports the problem)."""
    declared = spec.options.get("format")
    fmt = file_format(spec.file, declared)
    path = cfg.folder / spec.file
    if fmt == "excel" or declared == "csv" or not path.is_file():
        return FileMeta(fmt)
    try:
        st = path.stat()
        return _meta_cached(str(path), (st.st_mtime_ns, st.st_size), fmt, cfg.csv.delimiter, cfg.csv.encoding)
    except (ContractError, OSError, UnicodeError, csv.Error):
        return FileMeta(fmt)


def with_file_metadata(cfg):
    """``cfg`` with what its survey files say merged in under what ``client.yaml`` says.

    Question wording of items (SPSS variable labels, Qualtrics question text) fills
    ``cfg.questions`` where ``question:`` is not given; SPSS value labels of the brand, wave and
    segment columns fill ``cfg.labels`` code by code where ``labels:`` does not name the code
    (only codes that occur in the file: an export labels every option offered); SPSS user-missing codes of an item or segment
    column join the top-level ``missing:`` codes unless the item or its construct declares its own.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    ClientConfig
        ``cfg`` itself when no declared survey file carries metadata.
    """
    metas = [file_meta(cfg, spec) for spec in (cfg.survey, cfg.competitor_ratings) if spec is not None]
    metas = [m for m in metas if m.questions or m.labels or m.missing]
    if not metas:
        return cfg
    s = cfg.survey
    shown = {s.col(role): role for role in ("brand", "wave") if s.col(role)}
    shown.update({seg: seg for seg in cfg.segments})
    have = {f.name for f in dataclasses.fields(cfg)}
    changes: dict = {}
    top = tuple(getattr(cfg, "missing", ()))
    if "questions" in have:
        found = {i: m.questions[i] for m in reversed(metas) for i in cfg.items if i in m.questions}
        changes["questions"] = {**found, **cfg.questions}
    if "labels" in have:
        labels = {k: dict(v) for k, v in cfg.labels.items()}
        for m in reversed(metas):
            for raw, col in shown.items():
                codes = {str(c) for c in m.missing.get(raw, ())}
                found = {k: v for k, v in m.labels.get(raw, {}).items()
                         if k in m.levels.get(raw, ()) and k not in codes}
                if found:
                    labels[col] = {**found, **labels.get(col, {})}
        changes["labels"] = labels
    if "item_missing" in have:
        own = dict(cfg.item_missing)
        for m in metas:
            for col, codes in m.missing.items():
                if col in cfg.items or col in cfg.segments:
                    if own.get(col, top) == top:  # not overridden in client.yaml
                        own[col] = tuple(dict.fromkeys([*own.get(col, top), *codes]))
        changes["item_missing"] = own
    return dataclasses.replace(cfg, **changes)
