"""Read a client's raw files and check them against the data contract.

Every file declared in ``client.yaml`` is read as text first, then parsed and checked
column by column, so that a problem is reported as one line naming the client, the
file, the column and the rows (numbered as a spreadsheet shows them: the header is
row 1, the first answer row 2).  Value checks (scales, allowed values, uniqueness)
are expressed as a :mod:`pandera` schema built from the contract.

Nothing here writes a file.
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cem_research.client.codes import blank_codes, code_text
from cem_research.client.config import INTERFACE_KINDS, ClientConfig, FileSpec
from cem_research.client.errors import ContractError, ContractWarning
from cem_research.client.readers import delimiter_hint, read_spec

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
    #: What respondents did (:func:`cem_research.client.behaviour.read_behaviour`), when ``behaviour:`` is declared.
    behaviour: pd.DataFrame | None = None
    #: Answers set to missing because they hold a declared ``missing:`` code: column -> {code: count}.
    missing_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Problems that do not stop the client (one line each, e.g. a label for a code that never occurs).
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# reading
def read_table(cfg: ClientConfig, spec: FileSpec, role: str) -> pd.DataFrame:
    """Read one declared file as text, with a ``ROW`` column of the row numbers its program shows.

    The format is the declared ``format:`` or follows from the file name
    (:func:`cem_research.client.readers.file_format`): CSV (a Qualtrics export is detected),
    SPSS ``.sav``/``.zsav`` or Excel ``.xlsx`` (``sheet:``).

    Parameters
    ----------
    cfg : ClientConfig
        The client's contract (gives folder, delimiter and encoding).
    spec : FileSpec
        The declared file.
    role : str
        ``survey``, ``competitor_ratings``, ``feedback`` or ``touchpoints``.

    Returns
    -------
    DataFrame
        Every cell as a string (blank cells as missing), plus ``ROW``.  What the file says about
        its columns (wording, value labels, missing codes) is merged into the config when it is
        loaded (:func:`cem_research.client.readers.with_file_metadata`).

    Raises
    ------
    ContractError
        If the file is missing, empty, has a header but no rows, cannot be decoded with
        the declared encoding, or cannot be parsed in its format.
    """
    from cem_research.client.paths import client_file

    path = client_file(cfg.folder, spec.file, cfg.client)
    if not path.is_file():
        need = "required" if role == "survey" else f"declared ({role})"
        raise ContractError(f"{need} file is missing from data/raw/{cfg.client}/", client=cfg.client,
                            file=spec.file)
    table = read_spec(cfg, spec)
    frame = table.frame
    if ROW in frame.columns:
        raise ContractError(f"a column named '{ROW}' cannot be read: that name is kept for the row numbers of "
                            "a file being read; rename or remove the column", client=cfg.client, file=spec.file,
                            column=ROW)
    frame.insert(0, ROW, table.rows)
    return frame


def _require_columns(cfg: ClientConfig, frame: pd.DataFrame, spec: FileSpec, needed: list[str]) -> None:
    present = [c for c in frame.columns if c != ROW]
    for col in needed:
        if col in present:
            continue
        hint = delimiter_hint(present, cfg.csv.delimiter)
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
    infinite = np.isinf(num.to_numpy(dtype="float64", na_value=np.nan))
    bad = (num.isna() & raw.notna()) | infinite
    if bad.any():
        sample = raw[bad].iloc[0]
        if infinite.any():  # 'inf', '1e999': a weight or answer no mean can use
            raise ContractError(f"expected finite numbers, found {sample.strip()[:40]!r}", client=cfg.client,
                                file=file, column=col, rows=frame.loc[infinite, ROW])
        raise ContractError(f"expected numbers, found text such as {sample[:40]!r}{_number_hint(sample, cfg.csv.decimal)}",
                            client=cfg.client, file=file, column=col, rows=frame.loc[bad, ROW])
    return num.astype("float64")


_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:([,.' \u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*(?:[.,][0-9]+)?")


def _number_hint(sample, decimal: str) -> str:
    """The tail of an "expected numbers" message: a thousands separator, or decimal commas.

    >>> _number_hint("1,250", ".")
    "; '1,250' looks like a number with a thousands separator: export numbers without one"
    >>> _number_hint("4,5", ".")
    "; the file may use decimal commas: set csv.decimal: ',' in client.yaml"
    """
    if not isinstance(sample, str):
        return ""
    sample = sample.strip()
    match = _THOUSANDS.fullmatch(sample)
    if match and match.group(1) != decimal:
        return f"; {sample!r} looks like a number with a thousands separator: export numbers without one"
    if decimal == "." and "," in sample:
        return "; the file may use decimal commas: set csv.decimal: ',' in client.yaml"
    return ""


def _read_number(cfg: ClientConfig, frame: pd.DataFrame, col: str, file: str,
                 codes: tuple = ()) -> tuple[pd.Series, dict[str, int]]:
    """Column ``col`` as numbers, its declared "no answer" ``codes`` set to missing first.

    Text codes (``DK``) are matched on the stripped cell, number codes (``-99``) on the parsed number;
    so a coded answer never reaches a scale check.  Returns the numbers and the count of each code found
    (codes that do not occur are left out)."""
    texts = tuple(code for code in codes if isinstance(code, str))
    numbers = [float(code) for code in codes if not isinstance(code, str)]
    counts: dict[str, int] = {}
    if texts:
        stripped = frame[col].str.strip()
        hit = stripped.isin(texts)
        if hit.any():
            counts.update({str(k): int(v) for k, v in stripped[hit].value_counts(sort=False).items()})
            frame = frame[[ROW, col]].copy()
            frame.loc[hit, col] = np.nan
    num = _to_number(cfg, frame, col, file)
    if numbers:
        hit = num.isin(numbers)
        if hit.any():
            counts.update({code_text(float(k)): int(v) for k, v in num[hit].value_counts(sort=False).items()})
            num = num.mask(hit)
    return num, {k: counts[k] for k in map(code_text, codes) if k in counts}  # in declared order


def _looks_like_code(value) -> bool:
    """A value outside a scale that looks like a "no answer" code: negative, or 9, 97-99, 997-999 ...

    >>> [_looks_like_code(v) for v in (-99, -1, 8, 9, 98, 99, 999, 100, 4.5)]
    [True, True, False, True, True, True, True, False, False]
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return v < 0 or (v.is_integer() and v >= 9 and re.fullmatch(r"9*[789]", str(int(v))) is not None)


def _code_hint(values: pd.Series) -> str:
    """The tail of an out-of-scale message when a found value looks like a "no answer" code."""
    codes = [v for v in values if _looks_like_code(v)]
    if not codes:
        return ""
    return (f"; if {_show(codes[0])} means \"no answer\", declare it under 'missing:' in client.yaml "
            "(for every column, or on the construct or item)")


#: A time of day followed by a time zone: ``T14:30Z``, `` 14:30:00+02:00``, ``T1430-0500``.
_ZONED = r"[T ]\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|UTC|[+-]\d{2}(?::?\d{2})?)$"


def _to_time(cfg: ClientConfig, frame: pd.DataFrame, col: str, file: str) -> pd.Series:
    """ISO 8601 timestamps as naive datetimes; zoned ones in UTC (``+01:00`` and ``+02:00`` on both
    sides of a daylight-saving change are one clock), refused when only some carry a zone."""
    raw = frame[col]
    text = raw.str.strip()
    zoned = text.str.contains(_ZONED, regex=True, na=False)
    plain = text.notna() & (text != "") & ~zoned
    if zoned.any() and plain.any():
        odd = zoned if zoned.sum() <= plain.sum() else plain
        raise ContractError(f"some timestamps carry a time zone and others do not (e.g. {text[odd].iloc[0][:40]!r} "
                            f"beside {text[~odd & text.notna()].iloc[0][:40]!r}), so they are not on one clock: "
                            "export every timestamp with its zone, or none", client=cfg.client, file=file, column=col,
                            rows=frame.loc[odd, ROW])
    try:
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=bool(zoned.any()))
    except (ValueError, TypeError) as exc:  # a form of zone the pattern above does not know
        raise ContractError(f"timestamps that cannot be read together ({' '.join(str(exc).split())[:120]}): export "
                            "them as ISO 8601 such as 2026-03-01T14:30, all with their zone or none",
                            client=cfg.client, file=file, column=col) from None
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

    schema = pa.DataFrameSchema({c: pa.Column(checks=spec[0], nullable=True, coerce=False, required=True)
                                 for c, spec in columns.items()}, strict=False)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["column"].isin(list(columns))]
        if cases.empty:
            raise
        col = cases["column"].iloc[0]
        idx = cases.loc[cases["column"] == col, "index"].dropna().astype(int)
        values = cases.loc[cases["column"] == col, "failure_case"]
        found = _found(values)
        rows = frame.loc[frame.index.isin(idx), "row"]
        msg = columns[col][1]
        hint = columns[col][2](values) if len(columns[col]) > 2 else ""
        raise ContractError(f"{msg} (found {found}){hint}",
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
        Missing answers per item (blank cells and declared ``missing:`` codes, which are set to missing
        before the scale checks; brand codes are replaced by their ``labels:``).
    """
    return _read_ratings(cfg)[:4]


def _read_ratings(cfg: ClientConfig):
    """:func:`read_ratings` plus the Kano answers of the survey file (``None`` without ``kano:``)."""
    import pandera.pandas as pa

    s = cfg.survey
    parts, accounting, extras = [], [], {}
    coded: dict[str, dict[str, int]] = {}  # "no answer" codes found, per column
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
            out["brand"] = _brand_labels(cfg, frame[roles["brand"]].str.strip())
        else:
            out["brand"] = cfg.brand
        if "weight" in roles:
            out["weight"] = _to_number(cfg, frame, roles["weight"], spec.file)
        found: dict[str, dict[str, int]] = {}
        for seg in cfg.segments:
            out[seg], found[seg] = blank_codes(frame, seg, cfg.missing_codes(seg))
        for item in cfg.items:
            out[item], found[item] = _read_number(cfg, frame, item, spec.file, cfg.missing_codes(item))
        for col, counts in found.items():
            for code, n in counts.items():
                coded.setdefault(col, {})[code] = coded.get(col, {}).get(code, 0) + n

        checks: dict = {}
        for cname, c in cfg.constructs.items():
            lo, hi = c.scale
            for item in c.items:
                checks[item] = (pa.Check.in_range(lo, hi), f"answers outside the declared scale {lo:g}-{hi:g} "
                                f"of construct '{cname}'", _code_hint)
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
    _check_segment_orders(cfg, ratings)
    missing = {item: int(ratings[item].isna().sum()) for item in cfg.items}
    return ratings, accounting, extras, missing, kano, coded


def _brand_labels(cfg: ClientConfig, brands: pd.Series) -> pd.Series:
    """Brand codes replaced by their declared labels (``labels: {brand: {1: Acme}}``); a brand written
    as its label, or a brand without labels, is kept as it is."""
    labels = cfg.labels.get("brand")
    return brands.map(lambda b: labels.get(b, b) if isinstance(b, str) else b) if labels else brands


def _levels(values) -> str:
    """Up to eight distinct levels, sorted, for a message."""
    levels = sorted({str(v) for v in values if isinstance(v, str)})
    return ", ".join(levels[:8]) + (f" (+{len(levels) - 8} more)" if len(levels) > 8 else "")


def _check_segment_orders(cfg: ClientConfig, ratings: pd.DataFrame) -> None:
    """Refuse a segment ``order:`` naming a level that neither occurs in the survey nor has a label."""
    for col, order in cfg.segment_orders.items():
        present = set(ratings[col].dropna())
        for level in order:
            if level not in present and level not in cfg.labels.get(col, {}):
                raise ContractError(f"'segments.{col}.order' names '{level}', which is not a level of column "
                                    f"'{col}' in {cfg.survey.file} (levels: {_levels(present)})",
                                    client=cfg.client, file="client.yaml", column=col)


def _unused_labels(cfg: ClientConfig, ratings: pd.DataFrame, feedback: pd.DataFrame | None,
                   touchpoints: pd.DataFrame | None) -> list[str]:
    """One warning line per labelled code that occurs in no file (a typo, or an option nobody chose)."""
    frames = [f for f in (ratings, feedback, touchpoints) if f is not None]
    out = []
    for col, table in cfg.labels.items():
        seen = set().union(*(set(f[col].dropna().astype(str)) for f in frames if col in f.columns))
        # brands are stored by their labels, every other coded column by its codes
        unused = [code for code, label in table.items() if (label if col == "brand" else code) not in seen]
        if unused:
            out.append(str(ContractError(
                f"labels.{col} labels code{'s' if len(unused) > 1 else ''} {', '.join(repr(u) for u in unused[:5])}, "
                f"which never occur{'s' if len(unused) == 1 else ''} in the data (values found: {_levels(seen)}); "
                "check the code or remove the label", client=cfg.client, file="client.yaml", column=col)))
    return out


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
    else:
        out["brand"] = _brand_labels(cfg, out["brand"])
    if "date" in roles:
        out["date"] = _to_time(cfg, frame, roles["date"], spec.file)
    out["text"] = frame[roles["text"]]
    if "translation" in roles:  # the client's machine translation (English) of each comment
        out["translation"] = frame[roles["translation"]]
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
    coded = {}
    out["satisfaction"], coded[roles["satisfaction"]] = _read_number(cfg, frame, roles["satisfaction"], spec.file,
                                                                     cfg.missing)
    if "effort" in roles:
        out["effort"], coded[roles["effort"]] = _read_number(cfg, frame, roles["effort"], spec.file, cfg.missing)
    out.attrs["missing_codes"] = {k: v for k, v in coded.items() if v}
    lo, hi = spec.options.get("scale", [1, 5])
    checks = {"satisfaction": (pa.Check.in_range(lo, hi), f"touchpoint ratings outside the declared "
                               f"scale {lo:g}-{hi:g}", _code_hint)}
    if "effort" in out:
        elo, ehi = spec.options.get("effort_scale", [1, 7])
        checks["effort"] = (pa.Check.in_range(elo, ehi), f"effort ratings outside the declared scale "
                            f"{elo:g}-{ehi:g}", _code_hint)
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


def natural_order(labels) -> list[str] | None:
    """Wave labels in time order, when their order can be told from the labels alone; else ``None``.

    * numbers: numerically (``9`` before ``10``);
    * labels alike but for their numbers (``Wave 9``, ``Wave 10``; ``2025Q4``, ``2026Q1``;
      ``Q4 2025``, ``Q1 2026``; ``2025-03-01``): by their one number, or by the year (a four-digit
      number) when it comes first or beside one other number, then the numbers left to right;
    * month names (``March 2025``, ``Apr 2025``): as dates.

    Anything else (``Spring``, ``Autumn``; ``pre``, ``post``) has no order of its own: ``None``.

    Examples
    --------
    >>> natural_order(["Wave 10", "Wave 9", "Wave 1"])
    ['Wave 1', 'Wave 9', 'Wave 10']
    >>> natural_order(["Q1 2026", "Q4 2025", "Q2 2025"])
    ['Q2 2025', 'Q4 2025', 'Q1 2026']
    >>> natural_order(["April 2025", "March 2025"]), natural_order(["Summer 2025", "Winter 2025"])
    (['March 2025', 'April 2025'], None)
    >>> natural_order(["02.03.2025", "01.04.2025"]) is None  # day.month or month.day?
    True
    """
    labels = [str(w) for w in labels]
    if len(labels) <= 1:
        return labels
    nums = pd.to_numeric(pd.Series(labels), errors="coerce")
    if nums.notna().all() and np.isfinite(nums).all():
        return [w for _, w in sorted(zip(nums, labels))]
    parts = [re.split(r"(\d+)", w.strip()) for w in labels]
    skeletons = {tuple(p[0::2]) for p in parts}
    if len(skeletons) == 1 and len(parts[0]) > 1:
        numbers = [[int(x) for x in p[1::2]] for p in parts]
        years = [j for j in range(len(numbers[0]))
                 if all(len(p[1::2][j]) == 4 and 1900 <= n[j] <= 2100 for p, n in zip(parts, numbers))]
        # one number; or the year first (2025-03-01, 2025Q4); or a year and one other number (Q4 2025).
        # A year last after two numbers (01.03.2025) is day and month in an unknown order: no order.
        if len(numbers[0]) == 1 or years[:1] == [0] or (len(years) == 1 and len(numbers[0]) == 2):
            first = years[0] if years else 0
            return [w for _, w in sorted(zip(([n[first], *n] for n in numbers), labels))]
        return None
    for fmt in ("%B %Y", "%b %Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"):
        dates = pd.to_datetime(pd.Series(labels).str.strip(), format=fmt, errors="coerce")
        if dates.notna().all():
            return [w for _, w in sorted(zip(dates, labels))]
    return None


def wave_order(cfg: ClientConfig, ratings: pd.DataFrame) -> list[str]:
    """The waves in analysis order: as declared (``waves:``), else in their natural order
    (:func:`natural_order`).

    Raises
    ------
    ContractError
        When ``waves:`` is absent and the labels have no natural order (``Spring``, ``Autumn``).
    """
    present = list(pd.unique(ratings["wave"]))
    if cfg.waves:
        return [w for w in cfg.waves if w in present]
    order = natural_order(present)
    if order is None:
        shown = ", ".join(repr(w) for w in sorted(map(str, present))[:6])
        raise ContractError(f"the order of the waves cannot be told from their labels ({shown}); list them in "
                            "time order under 'waves:' in client.yaml, e.g. waves: [Spring 2025, Autumn 2025]",
                            client=cfg.client, file=cfg.survey.file, column=cfg.survey.col("wave"))
    return order


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
    ratings, accounting, extras, missing, kano, coded = _read_ratings(cfg)
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
    from cem_research.client.behaviour import read_behaviour

    behaviour = read_behaviour(cfg, ratings)
    if touchpoints is not None:
        for col, counts in touchpoints.attrs.pop("missing_codes", {}).items():  # touchpoint ratings
            for code, n in counts.items():
                coded.setdefault(col, {})[code] = coded.get(col, {}).get(code, 0) + n
    notes = _unused_labels(cfg, ratings, feedback, touchpoints)
    for note in notes:
        warnings.warn(note, ContractWarning, stacklevel=2)
    return RawTables(ratings=ratings, feedback=feedback, touchpoints=touchpoints,
                     accounting=accounting, extra_columns={k: v for k, v in extras.items() if v},
                     missing_answers=missing, waves=wave_order(cfg, ratings), kano=kano, hand_coded=hand_coded, behaviour=behaviour,
                     missing_codes={k: v for k, v in coded.items() if v}, warnings=notes)
