"""The raw data of the optional methods, read and checked with the client's other files.

:func:`cem_research.client.contract.read_client` calls these, so ``make check`` refuses a Kano
column missing from the survey file, a Kano answer off the scale, an unknown module code in the
hand-coded sample or a promise naming an unknown touchpoint -- before any notebook runs.  The
tables they return are written by :mod:`cem_research.client.processing` (``kano.parquet``,
``hand_coded.parquet``) and reach the analyses as ``data.kano_answers`` and ``data.hand_coded``.
"""

from __future__ import annotations

import difflib

import pandas as pd

from cem_research.client.codes import blank_codes
from cem_research.client.config import ClientConfig
from cem_research.client.contract import ROW, read_table
from cem_research.client.errors import ContractError
def _close_hint(name: str, present) -> str:
    close = difflib.get_close_matches(name, [c for c in present if c != ROW], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def read_kano(cfg: ClientConfig, survey: pd.DataFrame) -> pd.DataFrame:
    """The Kano answers of the survey file, checked and recoded 1 (like) to 5 (dislike).

    Parameters
    ----------
    cfg : ClientConfig
        A contract with ``kano:`` (:class:`~cem_research.client.options.KanoSpec`).
    survey : DataFrame
        The survey file as :func:`read_table` reads it.

    Returns
    -------
    DataFrame
        ``row, feature, functional, dysfunctional``: one row per survey row and feature, in
        declared feature order; a blank answer is NaN.

    Raises
    ------
    ContractError
        When a declared column is missing from the survey file, or holds a value that is not a
        whole number on the declared scale (naming the rows).
    """
    spec = cfg.kano
    for name, (fcol, dcol, _label) in spec.features.items():
        for role, col in (("functional", fcol), ("dysfunctional", dcol)):
            if col not in survey.columns:
                raise ContractError(f"column '{col}' (kano.features.{name}.{role}) is not in the survey file"
                                    f"{_close_hint(col, survey.columns)}",
                                    client=cfg.client, file=cfg.survey.file, column=col)
    parts = []
    for name, (fcol, dcol, _label) in spec.features.items():
        parts.append(pd.DataFrame({"row": survey[ROW].to_numpy(), "feature": name,
                                   "functional": _kano_column(cfg, survey, fcol).to_numpy(),
                                   "dysfunctional": _kano_column(cfg, survey, dcol).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def _kano_column(cfg: ClientConfig, raw: pd.DataFrame, col: str) -> pd.Series:
    """One Kano column as answers 1-5 (NaN = blank or a declared ``missing:`` code), or a one-line
    ContractError naming the rows."""
    text, _ = blank_codes(raw, col, cfg.missing_codes(col))
    if cfg.csv.decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    num = pd.to_numeric(text.str.strip(), errors="coerce")
    lo, hi = cfg.kano.scale
    bad = text.notna() & (num.isna() | (num < lo) | (num > hi) | (num % 1 != 0))
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(raw.loc[bad, col])[:3])
        raise ContractError(f"Kano answers must be whole numbers {lo}-{hi} ({lo} like ... {hi} dislike), blank, "
                            f"or a \"no answer\" code declared under `missing:`; found {shown}", client=cfg.client, file=cfg.survey.file, column=col,
                            rows=raw.loc[bad, ROW].tolist())
    return num - lo + 1


def read_hand_coded(cfg: ClientConfig) -> pd.DataFrame | None:
    """The hand-coded module sample (``modules.hand_coded``), checked.

    Returns
    -------
    DataFrame or None
        ``row, text, module`` as written (text may be blank: such comments are left out of the
        agreement and counted); ``None`` when no sample is declared.

    Raises
    ------
    ContractError
        When the file is missing, lacks a declared column, has fewer than two comments with text,
        or a comment's module code is not one of Schmitt's five modules (or ``none``).
    """
    from cem_research.client.options import MODULES, module_codes

    if cfg.modules is None or cfg.modules.hand_coded is None:
        return None
    hc = cfg.modules.hand_coded
    raw = read_table(cfg, hc, "hand-coded module sample")
    for role in ("text", "module"):
        col = hc.col(role)
        if col not in raw.columns:
            raise ContractError(f"column declared as modules.hand_coded.{role} is missing", client=cfg.client,
                                file=hc.file, column=col)
    text_col, mod_col = hc.col("text"), hc.col("module")
    out = pd.DataFrame({"row": raw[ROW].to_numpy(), "text": raw[text_col].to_numpy(),
                        "module": raw[mod_col].to_numpy()})
    blank = out["text"].isna() | (out["text"].astype(str).str.strip() == "")
    if int((~blank).sum()) < 2:
        raise ContractError("the hand-coded sample needs at least 2 comments with text", client=cfg.client,
                            file=hc.file, column=text_col)
    bad = [(row, t) for row, value in zip(out.loc[~blank, "row"], out.loc[~blank, "module"])
           for t in module_codes(value)[1]]
    if bad:
        shown = ", ".join(sorted({repr(t) for _, t in bad})[:3])
        raise ContractError(f"module codes must be {', '.join(MODULES)} (several separated by ';') or 'none'; "
                            f"found {shown}", client=cfg.client, file=hc.file, column=mod_col,
                            rows=[r for r, _ in bad])
    return out


def check_promised_touchpoints(cfg: ClientConfig, touchpoints: pd.DataFrame | None) -> None:
    """Refuse a promise (``promises:``) naming a touchpoint that does not occur in the touchpoint file."""
    if not cfg.promises:
        return
    known = set() if touchpoints is None else set(touchpoints["touchpoint"].dropna().astype(str))
    for i, p in enumerate(cfg.promises):
        for t in p.touchpoints:
            if t not in known:
                close = difflib.get_close_matches(t, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ContractError(f"'promises[{i}].touchpoints' names '{t}', which is not a touchpoint in the "
                                    f"touchpoint file{hint}", client=cfg.client, file="client.yaml")

