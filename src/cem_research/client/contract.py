"""Read a client's raw files and check them against the data contract.

Every file declared in ``client.yaml`` is read as text first, then parsed and checked
column by column, so that a problem is reported as one line naming the client, the
file, the column and the rows (numbered as a spreadsheet shows them: the header is
row 1, the first answer row 2).  Value checks (scales, allowed values, uniqueness)
are expressed as a :mod:`pandera` schema built from the contract.

Nothing here writes a file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cem_research.client.config import INTERFACE_KINDS, ClientConfig, FileSpec
from cem_research.client.errors import ContractError

FIRST_DATA_ROW = 2  # spreadsheet numbering: header is row 1
SINGLE_WAVE = "all"  # wave label when the survey declares no wave column
ROW = "<row>"  # spreadsheet row numbers in a raw frame (a name no export uses, unlike "row")


@dataclass
class Accounting:
    """Where every row read from one file went."""

    file: str
    read: int = 0
    kept: int = 0
    excluded: dict[str, int] = field(default_factory=dict)

    def exclude(self, reason: str, count: int) -> None:
        """Count ``count`` rows excluded for ``reason``."""
        if count:
            self.excluded[reason] = self.excluded.get(reason, 0) + int(count)

    def as_dict(self) -> dict:
        return {"file": self.file, "read": self.read, "kept": self.kept, "excluded": dict(self.excluded)}


@dataclass
class RawTables:
    """The client's files, parsed and checked (not yet scored)."""

    ratings: pd.DataFrame
    feedback: pd.DataFrame | None
    touchpoints: pd.DataFrame | None
    accounting: list[Accounting]
    extra_columns: dict[str, list[str]]
    missing_answers: dict[str, int]
    waves: list[str]
    #: Kano answers per survey row and feature (:func:`cem_research.client.option_tables.read_kano`), when the client declares ``kano:``.
    kano: pd.DataFrame | None = None
    #: The hand-coded module sample (:func:`cem_research.client.option_tables.read_hand_coded`), when ``modules.hand_coded`` is declared.
    hand_coded: pd.DataFrame | None = None


# ---------------------------------------------------------------------------
# reading
def _encoding(cfg: ClientConfig) -> str:
    enc = cfg.csv.encoding
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        raise ContractError(f"unknown encoding {enc!r} in csv.encoding; use a name such as utf-8, "
                            "cp1252 or latin-1", client=cfg.client,
                            file="client.yaml") from None
    return "utf-8-sig" if name == "utf-8" else enc


def read_table(cfg: ClientConfig, spec: FileSpec, role: str) -> pd.DataFrame:
    """Read one declared CSV file as text, with a ``row`` column of spreadsheet row numbers.

    Parameters
    ----------
    cfg : ClientConfig
        The client's contract (gives folder, delimiter, decimal mark and encoding).
    spec : FileSpec
        The declared file.
    role : str
        ``survey``, ``competitor_ratings``, ``feedback`` or ``touchpoints``.

    Returns
    -------
    DataFrame
        Every cell as a string (blank cells as missing), plus ``row``.

    Raises
    ------
    ContractError
        If the file is missing, empty, has a header but no rows, cannot be decoded with
        the declared encoding, or cannot be parsed as CSV.
    """
    path = cfg.folder / spec.file
    where = dict(client=cfg.client, file=spec.file)
    if not path.is_file():
        need = "required" if role == "survey" else f"declared ({role})"
        raise ContractError(f"{need} file is missing from data/raw/{cfg.client}/", **where)
    data = path.read_bytes()
    if not data.strip():
        raise ContractError("file is empty: expected a header row and answer rows", **where)
    enc = _encoding(cfg)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        column, rows = _undecodable(data, enc, cfg.csv.delimiter, exc)
        raise ContractError(
            f"cannot be decoded as {cfg.csv.encoding}; set csv.encoding in client.yaml "
            "to the export's encoding, e.g. cp1252 or latin-1", column=column, rows=rows,
            **where) from None
    rows = _check_layout(text, cfg.csv.delimiter, where)
    try:
        with warnings.catch_warnings():
            # rows longer than the header were refused above unless the extra fields are empty
            # (a delimiter at the end of each row); pandas warns that it drops those
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=cfg.csv.delimiter, dtype=str,
                                keep_default_na=False, na_values=[""], skipinitialspace=False,
                                skip_blank_lines=True, engine="c", index_col=False)
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        eof = re.search(r"EOF inside string starting at row (\d+)", detail)
        if eof:  # pandas counts lines from 0 (the header)
            raise ContractError('a quoted text is never closed (a \'"\' without its closing \'"\')',
                                rows=[int(eof.group(1)) + 1], **where) from None
        raise ContractError(f"cannot be parsed as CSV with delimiter {cfg.csv.delimiter!r}: {detail}",
                            **where) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise ContractError("file has a header row but no answer rows", **where)
    # spreadsheet row numbers; blank lines are skipped by the reader, so count them back
    numbers = rows if len(rows) == len(frame) else np.arange(len(frame)) + FIRST_DATA_ROW
    frame.insert(0, ROW, np.asarray(numbers, dtype="int64"))
    return frame


def _delimiter_hint(header: list[str], delimiter: str) -> str:
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
    """Refuse a repeated column name or rows longer than the header; return data row numbers.

    pandas would silently rename a repeated column (``q1.1``) and, when every row has one
    field more than the header, silently take the first column as the index, shifting every
    column by one.  Empty surplus fields (a delimiter at the end of each row) are allowed.

    Returns
    -------
    list of int or ndarray
        Spreadsheet row numbers of the non-blank records (blank lines are skipped when read).
    """
    # the usual file: every record has 2..len(header) fields, so none is blank and none is
    # longer than the header; count the fields at C speed and look closer only otherwise
    lengths = _field_counts(text, delimiter)
    with _field_limit(text):
        if lengths is not None:  # no quotes: the header is the first line
            reader = csv.reader([text.split("\n", 1)[0]], delimiter=delimiter)
        else:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                raise ContractError("the header names this column twice; rename or remove one of them",
                                    column=name, **where)
            seen.add(name)
        if lengths is None:
            lengths = np.fromiter(map(len, reader), dtype=np.int64)
    if len(header) > 1 and (lengths >= 2).all() and (lengths <= len(header)).all():
        return np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + len(lengths), dtype=np.int64)
    with contextlib.closing(_records(text, delimiter)) as records:
        next(records, None)
        rows, long_rows = [], []
        for number, record in records:
            if not "".join(record).strip() and len(record) <= 1:
                continue  # a blank line
            rows.append(number)
            if len(record) > len(header) and any(f.strip() for f in record[len(header):]):
                long_rows.append(number)
    if long_rows:
        raise ContractError(
            f"more fields than the header has columns ({len(header)}): a stray {delimiter!r} or a "
            f"text holding {delimiter!r} without quotes{_delimiter_hint(header, delimiter)}",
            rows=long_rows, **where)
    return rows


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


def _require_columns(cfg: ClientConfig, frame: pd.DataFrame, spec: FileSpec, needed: list[str]) -> None:
    present = [c for c in frame.columns if c != ROW]
    for col in needed:
        if col in present:
            continue
        hint = _delimiter_hint(present, cfg.csv.delimiter)
        if not hint:
            close = difflib.get_close_matches(col, present, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ContractError(f"declared column is missing from the file{hint}",
                            client=cfg.client, file=spec.file, column=col)


_PLAIN_DECIMAL = r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"


def _plain_numbers(text: pd.Series) -> np.ndarray | None:
    """``text`` as float64 when every value is missing or a plain unsigned decimal of at most
    15 characters (``4``, ``3.5``, ``.5``), parsed by Arrow; otherwise ``None``.

    For such values Arrow's parse and :func:`pandas.to_numeric` give the same doubles (at most
    15 digits are exact in a double and one rounding follows), and Arrow is about 20x faster.
    Anything else (signs, exponents, text, blanks) takes the :func:`pandas.to_numeric` path.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(text, from_pandas=True)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        ok = pc.and_(pc.match_substring_regex(arr, _PLAIN_DECIMAL), pc.less_equal(pc.utf8_length(arr), 15))
        if pc.any(pc.invert(ok)).as_py():
            return None
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):  # pragma: no cover - the slow path is exact
        return None


def _to_number(cfg: ClientConfig, frame: pd.DataFrame, col: str, file: str) -> pd.Series:
    raw = frame[col]
    text = raw.str.strip()
    if cfg.csv.decimal != ".":
        # only the declared decimal mark is accepted: "4.5" in a decimal-comma file is refused,
        # never silently read as 45
        text = text.where(~text.str.contains(".", regex=False, na=False), "not-a-number") \
            .str.replace(cfg.csv.decimal, ".", regex=False)
    fast = _plain_numbers(text)
    num = pd.Series(fast, index=text.index) if fast is not None else pd.to_numeric(text, errors="coerce")
    bad = num.isna() & raw.notna()
    if bad.any():
        sample = raw[bad].iloc[0]
        hint = ""
        if cfg.csv.decimal == "." and isinstance(sample, str) and "," in sample:
            hint = "; the file may use decimal commas: set csv.decimal: ',' in client.yaml"
        raise ContractError(f"expected numbers, found text such as {sample[:40]!r}{hint}",
                            client=cfg.client, file=file, column=col, rows=frame.loc[bad, ROW])
    return num.astype("float64")


def _to_time(cfg: ClientConfig, frame: pd.DataFrame, col: str, file: str) -> pd.Series:
    raw = frame[col]
    parsed = pd.to_datetime(raw.str.strip(), errors="coerce", format="ISO8601", utc=False)
    bad = parsed.isna() & raw.notna()
    if bad.any():
        raise ContractError(f"timestamps that do not parse (expected ISO 8601 such as 2026-03-01 or "
                            f"2026-03-01T14:30), e.g. {raw[bad].iloc[0][:40]!r}",
                            client=cfg.client, file=file, column=col, rows=frame.loc[bad, ROW])
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed


def _schema_check(cfg: ClientConfig, frame: pd.DataFrame, file: str, columns: dict) -> None:
    """Run a pandera schema and turn its first failure into one ContractError."""
    import pandera.pandas as pa  # imported here: only the processing stage pays for it

    schema = pa.DataFrameSchema({c: pa.Column(checks=chk, nullable=True, coerce=False, required=True)
                                 for c, (chk, _msg) in columns.items()}, strict=False)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["column"].isin(list(columns))]
        if cases.empty:
            raise
        col = cases["column"].iloc[0]
        idx = cases.loc[cases["column"] == col, "index"].dropna().astype(int)
        found = _found(cases.loc[cases["column"] == col, "failure_case"])
        rows = frame.loc[frame.index.isin(idx), "row"]
        msg = columns[col][1]
        raise ContractError(f"{msg} (found {found})",
                            client=cfg.client, file=file, column=col, rows=rows) from None


def _show(value) -> str:
    """A found value as a message shows it: numbers as written (8, 4.5), text quoted."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(str(value))


def _found(values: pd.Series) -> str:
    """Up to three distinct offending values, as :func:`_show` writes them."""
    return ", ".join(list(dict.fromkeys(_show(v) for v in values))[:3])


def _check_not_blank(cfg, frame, col, file, what):
    blank = frame[col].isna() | (frame[col].astype("string").str.strip() == "")
    if blank.any():
        raise ContractError(f"{what} is blank", client=cfg.client, file=file, column=col,
                            rows=frame.loc[blank, ROW])


# ---------------------------------------------------------------------------
def read_ratings(cfg: ClientConfig) -> tuple[pd.DataFrame, list[Accounting], dict, dict]:
    """Read the survey (and competitor ratings), parse and check every declared column.

    See :func:`read_client`, which also returns the Kano answers read from the survey file.

    Returns
    -------
    ratings : DataFrame
        ``source, row, respondent, wave, [date], brand, brand_kind, [weight]``, segment
        columns and raw item columns (not yet reverse-keyed).
    accounting : list of Accounting
    extra_columns : dict
        Undeclared columns per file (allowed, reported).
    missing : dict
        Missing answers per item.
    """
    return _read_ratings(cfg)[:4]


def _read_ratings(cfg: ClientConfig):
    """:func:`read_ratings` plus the Kano answers of the survey file (``None`` without ``kano:``)."""
    import pandera.pandas as pa

    s = cfg.survey
    parts, accounting, extras = [], [], {}
    kano = None
    specs = [("survey", s)] + ([("competitor_ratings", cfg.competitor_ratings)]
                               if cfg.competitor_ratings else [])
    for role, spec in specs:
        frame = read_table(cfg, spec, role)
        acc = Accounting(spec.file, read=len(frame))
        roles = {k: v for k, v in s.columns.items() if k != "file"}
        needed = list(dict.fromkeys([*roles.values(), *cfg.segments, *cfg.items]))
        _require_columns(cfg, frame, spec, needed)
        declared = {ROW, *needed}
        if role == "survey" and cfg.kano is not None:
            from cem_research.client.option_tables import read_kano

            kano = read_kano(cfg, frame)
            declared.update(cfg.kano.columns)
        extras[spec.file] = [c for c in frame.columns if c not in declared]
        out = pd.DataFrame({"source": role, "row": frame[ROW].to_numpy()}, index=frame.index)
        if "id" in roles:
            _check_not_blank(cfg, frame, roles["id"], spec.file, "respondent id")
            out["respondent"] = frame[roles["id"]].str.strip()
        else:  # no id column declared: every row is its own respondent
            out["respondent"] = [f"{role}:{r}" for r in frame[ROW]]
        if "wave" in roles:
            _check_not_blank(cfg, frame, roles["wave"], spec.file, "wave")
            out["wave"] = frame[roles["wave"]].str.strip()
        else:  # a single, unnamed wave
            out["wave"] = SINGLE_WAVE
        if "date" in roles:
            out["date"] = _to_time(cfg, frame, roles["date"], spec.file)
        if "brand" in roles:
            _check_not_blank(cfg, frame, roles["brand"], spec.file, "brand")
            out["brand"] = frame[roles["brand"]].str.strip()
        else:
            out["brand"] = cfg.brand
        if "weight" in roles:
            out["weight"] = _to_number(cfg, frame, roles["weight"], spec.file)
        for seg in cfg.segments:
            out[seg] = frame[seg].str.strip()
        for item in cfg.items:
            out[item] = _to_number(cfg, frame, item, spec.file)

        checks: dict = {}
        for cname, c in cfg.constructs.items():
            lo, hi = c.scale
            for item in c.items:
                checks[item] = (pa.Check.in_range(lo, hi), f"answers outside the declared scale {lo:g}-{hi:g} "
                                f"of construct '{cname}'")
        brands = cfg.brands
        checks["brand"] = (pa.Check.isin(brands), "brand not declared in client.yaml (add it under "
                           "'brand' or 'competitors' with its kind)")
        if cfg.waves:
            checks["wave"] = (pa.Check.isin(list(cfg.waves)), f"wave not in the declared waves "
                              f"{list(cfg.waves)}")
        if "weight" in out:
            checks["weight"] = (pa.Check.gt(0), "survey weights must be positive")
        renamed = {"brand": roles.get("brand", "brand"), "wave": roles.get("wave", "wave"),
                   "weight": roles.get("weight", "weight")}
        try:
            _schema_check(cfg, out, spec.file, checks)
        except ContractError as err:
            raise ContractError(err.reason, client=cfg.client, file=spec.file,
                                column=renamed.get(err.column, err.column), rows=err.rows) from None
        if role == "competitor_ratings":
            own = out["brand"] == cfg.brand
            if own.any():
                raise ContractError("rows rating the own brand belong in the survey file",
                                    client=cfg.client, file=spec.file, column=roles["brand"],
                                    rows=out.loc[own, "row"])
        acc.kept = len(out)
        accounting.append(acc)
        parts.append(out)

    ratings = pd.concat(parts, ignore_index=True)
    dup = ratings.duplicated(["respondent", "wave", "brand"], keep=False)
    if dup.any():
        first = ratings[dup].iloc[0]
        rows = ratings.loc[dup & (ratings["source"] == first["source"]), "row"]
        file = s.file if first["source"] == "survey" else cfg.competitor_ratings.file
        raise ContractError(f"duplicate respondent id {first['respondent']!r} within wave "
                            f"{first['wave']!r} (and brand {first['brand']!r}); each respondent may rate "
                            "a brand once per wave", client=cfg.client, file=file,
                            column=s.col("id"), rows=rows)
    ratings["brand_kind"] = ratings["brand"].map(cfg.brand_kind)
    missing = {item: int(ratings[item].isna().sum()) for item in cfg.items}
    return ratings, accounting, extras, missing, kano


def read_feedback(cfg: ClientConfig) -> tuple[pd.DataFrame, Accounting, list[str]] | None:
    """Read the verbatims file; blank comments are excluded and counted.

    Returns ``None`` when the client has no feedback file.
    """
    spec = cfg.feedback
    if spec is None:
        return None
    frame = read_table(cfg, spec, "feedback")
    roles = dict(spec.columns)
    _require_columns(cfg, frame, spec, list(roles.values()))
    acc = Accounting(spec.file, read=len(frame))
    extras = [c for c in frame.columns if c not in {ROW, *roles.values()}]
    out = pd.DataFrame({"row": frame[ROW].to_numpy()}, index=frame.index)
    for role in ("id", "wave", "brand", "touchpoint"):
        key = "respondent" if role == "id" else role
        out[key] = frame[roles[role]].str.strip() if role in roles else pd.Series(pd.NA, index=frame.index,
                                                                                    dtype="string")
    if "brand" not in roles:
        out["brand"] = cfg.brand
    if "date" in roles:
        out["date"] = _to_time(cfg, frame, roles["date"], spec.file)
    out["text"] = frame[roles["text"]]
    unknown = out["brand"].notna() & ~out["brand"].isin(cfg.brands)
    if unknown.any():
        raise ContractError("brand not declared in client.yaml (add it under 'brand' or 'competitors' "
                            f"with its kind) (found {_found(out.loc[unknown, 'brand'])})",
                            client=cfg.client, file=spec.file,
                            column=roles.get("brand"), rows=out.loc[unknown, "row"])
    if cfg.waves and "wave" in roles:
        bad = out["wave"].notna() & ~out["wave"].isin(cfg.waves)
        if bad.any():
            raise ContractError(f"wave not in the declared waves {list(cfg.waves)} "
                                f"(found {_found(out.loc[bad, 'wave'])})", client=cfg.client,
                                file=spec.file, column=roles["wave"], rows=out.loc[bad, "row"])
    blank = out["text"].isna() | (out["text"].str.strip() == "")
    acc.exclude("blank comment", int(blank.sum()))
    out = out[~blank].reset_index(drop=True)
    acc.kept = len(out)
    return out, acc, extras


def read_touchpoints(cfg: ClientConfig) -> tuple[pd.DataFrame, Accounting, list[str]] | None:
    """Read the touchpoint events file, checking stages, interface kinds, times and scales.

    Returns ``None`` when the client has no touchpoint file.
    """
    import pandera.pandas as pa

    spec = cfg.touchpoints
    if spec is None:
        return None
    frame = read_table(cfg, spec, "touchpoints")
    roles = dict(spec.columns)
    _require_columns(cfg, frame, spec, list(roles.values()))
    acc = Accounting(spec.file, read=len(frame))
    extras = [c for c in frame.columns if c not in {ROW, *roles.values()}]
    out = pd.DataFrame({"row": frame[ROW].to_numpy()}, index=frame.index)
    _check_not_blank(cfg, frame, roles["id"], spec.file, "respondent id")
    _check_not_blank(cfg, frame, roles["touchpoint"], spec.file, "touchpoint")
    out["respondent"] = frame[roles["id"]].str.strip()
    out["touchpoint"] = frame[roles["touchpoint"]].str.strip()
    for role in ("stage", "interface", "channel", "wave"):
        if role in roles:
            out[role] = frame[roles[role]].str.strip()
    if "time" in roles:
        out["time"] = _to_time(cfg, frame, roles["time"], spec.file)
    out["satisfaction"] = _to_number(cfg, frame, roles["satisfaction"], spec.file)
    if "effort" in roles:
        out["effort"] = _to_number(cfg, frame, roles["effort"], spec.file)
    lo, hi = spec.options.get("scale", [1, 5])
    checks = {"satisfaction": (pa.Check.in_range(lo, hi), f"touchpoint ratings outside the declared "
                               f"scale {lo:g}-{hi:g}")}
    if "effort" in out:
        elo, ehi = spec.options.get("effort_scale", [1, 7])
        checks["effort"] = (pa.Check.in_range(elo, ehi), f"effort ratings outside the declared scale "
                            f"{elo:g}-{ehi:g}")
    if "stage" in out:
        checks["stage"] = (pa.Check.isin(list(cfg.journey)), f"unknown journey stage; the declared "
                           f"stages are {', '.join(cfg.journey)}")
    if cfg.waves and "wave" in out:
        checks["wave"] = (pa.Check.isin(list(cfg.waves)), f"wave not in the declared waves "
                          f"{list(cfg.waves)}")
    if "interface" in out:
        checks["interface"] = (pa.Check.isin(list(INTERFACE_KINDS)), "unknown interface kind; use "
                               + ", ".join(INTERFACE_KINDS))
    try:
        _schema_check(cfg, out, spec.file, checks)
    except ContractError as err:
        raise ContractError(err.reason, client=cfg.client, file=spec.file,
                            column=roles.get(err.column, err.column), rows=err.rows) from None
    acc.kept = len(out)
    return out, acc, extras


def wave_order(cfg: ClientConfig, ratings: pd.DataFrame) -> list[str]:
    """The waves in analysis order: as declared, else sorted (numbers numerically)."""
    present = list(pd.unique(ratings["wave"]))
    if cfg.waves:
        return [w for w in cfg.waves if w in present]
    nums = pd.to_numeric(pd.Series(present), errors="coerce")
    if nums.notna().all():
        return [w for _, w in sorted(zip(nums, present))]
    return sorted(present)


def read_client(cfg: ClientConfig) -> RawTables:
    """Read and check every declared file of a client.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    RawTables

    Raises
    ------
    ContractError
        On the first violation of the contract, as one line.
    """
    ratings, accounting, extras, missing, kano = _read_ratings(cfg)
    feedback = touchpoints = None
    fb = read_feedback(cfg)
    if fb is not None:
        feedback, acc, extra = fb
        accounting.append(acc)
        extras[cfg.feedback.file] = extra
    tp = read_touchpoints(cfg)
    if tp is not None:
        touchpoints, acc, extra = tp
        accounting.append(acc)
        extras[cfg.touchpoints.file] = extra
    from cem_research.client.option_tables import check_promised_touchpoints, read_hand_coded

    check_promised_touchpoints(cfg, touchpoints)
    hand_coded = read_hand_coded(cfg)
    return RawTables(ratings=ratings, feedback=feedback, touchpoints=touchpoints,
                     accounting=accounting, extra_columns={k: v for k, v in extras.items() if v},
                     missing_answers=missing, waves=wave_order(cfg, ratings), kano=kano, hand_coded=hand_coded)
