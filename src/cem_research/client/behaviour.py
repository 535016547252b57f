"""Behavioural outcomes (``behaviour:``): what respondents did, joined to what they said.

Stated loyalty (likelihood to recommend, loyalty items) is an intention.  A client may add a file of
what its surveyed customers then did -- referrals made, repeat purchases, churn, spend -- one row per
respondent id, each column declared with its kind and the period it covers::

    behaviour:
      file: behaviour.csv
      id: member_id                   # the survey's respondent ids (survey.id)
      max_unknown: 0.05               # optional: share of ids not in the survey tolerated (default 0.05)
      columns:
        referrals: {kind: count, period: 12 months after the survey, role: referral, label: Referrals made}
        renewed: {kind: binary, period: 12 months after the survey, role: repeat}
        churned: {kind: binary, period: 12 months after the survey, role: churn}
        spend: {kind: amount, period: 12 months after the survey, label: Spend (EUR)}

``kind`` is ``count`` (a whole number >= 0), ``binary`` (0 or 1) or ``amount`` (any number); blank
cells are missing.  ``role`` (optional, each at most once) tells the validation section which
column holds referrals, repeat business or churn.  The file is read and checked with the client's
other files (:func:`read_behaviour`, called by :func:`cem_research.client.contract.read_client`):
a missing column, a blank or duplicate id, a value that does not fit its kind, or more ids unknown
to the survey than ``max_unknown`` allows is refused with one line naming client, file, column and
rows.  Ids unknown to the survey within the tolerance are kept (``matched`` is False) and counted
by the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cem_research.client.codes import check_keys
from cem_research.client.config import CONFIG_FILE, FILE_FORMAT_KEYS, ClientConfig, FileSpec
from cem_research.client.errors import ContractError

__all__ = ["BEHAVIOUR_KINDS", "BEHAVIOUR_ROLES", "Measure", "BehaviourSpec", "parse_behaviour", "read_behaviour",
           "behaviour_accounting"]

BEHAVIOUR_KINDS = ("count", "binary", "amount")
#: What a behaviour column can stand for in the validation of stated loyalty.
BEHAVIOUR_ROLES = ("referral", "repeat", "churn")
BEHAVIOUR_KEYS = {"file", "id", "max_unknown", "columns", *FILE_FORMAT_KEYS}
MEASURE_KEYS = {"kind", "period", "role", "label"}
#: Default share of behaviour ids the survey does not know that is tolerated.
MAX_UNKNOWN = 0.05


@dataclass(frozen=True)
class Measure:
    """One declared behaviour column."""

    name: str
    kind: str
    period: str
    role: str | None = None
    label: str | None = None

    @property
    def title(self) -> str:
        """Human-readable name for tables and sentences."""
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class BehaviourSpec:
    """The parsed ``behaviour:`` section."""

    file: FileSpec
    measures: tuple[Measure, ...]
    max_unknown: float = MAX_UNKNOWN

    def by_role(self, role: str) -> Measure | None:
        """The measure declared with ``role`` (``None`` when none is)."""
        return next((m for m in self.measures if m.role == role), None)


def _fail(message: str, client: str) -> ContractError:
    return ContractError(message, client=client, file=CONFIG_FILE)


def parse_behaviour(raw: Any, cfg: ClientConfig) -> BehaviourSpec | None:
    """The ``behaviour:`` section of ``client.yaml``, checked (``None`` when not declared).

    Raises
    ------
    ContractError
        One line naming the key: an unknown key, no file, no id, no column, an unknown kind or
        role, a role declared twice, a column with no period, a tolerance outside 0-1, or a survey
        without respondent ids (``survey.id``) to join on.
    """
    if raw is None:
        return None
    client = cfg.client
    raw = check_keys(raw, BEHAVIOUR_KEYS, "behaviour", client)
    for key in ("file", "id", "columns"):
        if not raw.get(key):
            raise _fail(f"'behaviour.{key}' is required", client)
    name = str(raw["file"])
    if "/" in name or "\\" in name or name.startswith("."):
        raise _fail(f"'behaviour.file' must be a file name inside the client folder, got {name!r}", client)
    if not cfg.survey.col("id"):
        raise _fail("'behaviour:' is joined to the survey by respondent id, but 'survey.id' is not declared",
                    client)
    tol = raw.get("max_unknown", MAX_UNKNOWN)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol <= 1:
        raise _fail(f"'behaviour.max_unknown' must be a share between 0 and 1, got {tol!r}", client)
    if not isinstance(raw["columns"], dict):
        raise _fail("'behaviour.columns' must map each column to {kind: ..., period: ...}", client)
    measures, roles = [], {}
    for col, spec in raw["columns"].items():
        where = f"behaviour.columns.{col}"
        spec = check_keys(spec, MEASURE_KEYS, where, client)
        kind = spec.get("kind")
        if kind not in BEHAVIOUR_KINDS:
            raise _fail(f"'{where}.kind' is {kind!r}; use one of {', '.join(BEHAVIOUR_KINDS)}", client)
        if not spec.get("period"):
            raise _fail(f"'{where}.period' is required: the period the column covers (e.g. 12 months after "
                        "the survey)", client)
        role = spec.get("role")
        if role is not None and role not in BEHAVIOUR_ROLES:
            raise _fail(f"'{where}.role' is {role!r}; use one of {', '.join(BEHAVIOUR_ROLES)}", client)
        if role is not None and role in roles:
            raise _fail(f"'{where}.role' {role!r} is already declared for column '{roles[role]}'", client)
        if role == "churn" and kind != "binary":
            raise _fail(f"'{where}' holds churn, so its kind must be binary (1 = left, 0 = stayed)", client)
        if role is not None:
            roles[role] = col
        measures.append(Measure(str(col), kind, str(spec["period"]), role,
                                None if spec.get("label") is None else str(spec["label"])))
    options = {k: raw[k] for k in sorted(FILE_FORMAT_KEYS) if k in raw}
    return BehaviourSpec(FileSpec(file=name, columns={"id": str(raw["id"])}, options=options),
                         tuple(measures), float(tol))


def _values(cfg: ClientConfig, raw: pd.DataFrame, m: Measure, file: str, row_col: str) -> pd.Series:
    """One behaviour column as numbers, or a one-line ContractError naming the rows that do not fit."""
    text = raw[m.name].astype("string").str.strip()
    text = text.mask(text == "")
    if cfg.csv.decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    num = pd.to_numeric(text, errors="coerce").astype(float)
    bad = text.notna() & num.isna()
    need = {"count": "whole numbers of 0 or more", "binary": "0 or 1", "amount": "numbers"}[m.kind]
    if m.kind == "count":
        bad |= num.notna() & ((num < 0) | (num % 1 != 0))
    elif m.kind == "binary":
        bad |= num.notna() & ~num.isin([0, 1])
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(raw.loc[bad, m.name])[:3])
        raise ContractError(f"behaviour column '{m.name}' is declared kind {m.kind}, so it must hold {need} "
                            f"(or be blank); found {shown}", client=cfg.client, file=file, column=m.name,
                            rows=raw.loc[bad, row_col].tolist())
    return num


def read_behaviour(cfg: ClientConfig, ratings: pd.DataFrame) -> pd.DataFrame | None:
    """The behaviour file, checked and matched to the survey's respondents.

    Parameters
    ----------
    cfg : ClientConfig
        A contract with ``behaviour:`` (:class:`BehaviourSpec` as ``cfg.behaviour``).
    ratings : DataFrame
        The parsed ratings (``respondent``, ``brand_kind``): the own brand's respondents are the ids
        the file is matched to.

    Returns
    -------
    DataFrame or None
        ``respondent, matched`` and one float column per declared measure, one row per id of the
        file; ``None`` without ``behaviour:``.

    Raises
    ------
    ContractError
        A declared column is missing; an id is blank or repeated; a value does not fit its kind; or
        the share of ids the survey does not know exceeds ``max_unknown``.
    """
    from cem_research.client.contract import ROW, read_table

    spec = getattr(cfg, "behaviour", None)
    if spec is None:
        return None
    file = spec.file.file
    raw = read_table(cfg, spec.file, "behaviour")
    id_col = spec.file.col("id")
    for col in (id_col, *(m.name for m in spec.measures)):
        if col not in raw.columns:
            raise ContractError("column declared under behaviour: is missing from the file", client=cfg.client,
                                file=file, column=col)
    ids = raw[id_col].astype("string").str.strip()
    blank = ids.isna() | (ids == "")
    if blank.any():
        raise ContractError("respondent id is blank", client=cfg.client, file=file, column=id_col,
                            rows=raw.loc[blank, ROW].tolist())
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise ContractError(f"duplicate respondent id {ids[dup].iloc[0]!r}: the behaviour file holds one row per "
                            "respondent", client=cfg.client, file=file, column=id_col,
                            rows=raw.loc[dup, ROW].tolist())
    out = pd.DataFrame({"respondent": ids.astype(str).to_numpy()})
    known = set(ratings.loc[ratings["brand_kind"] == "own", "respondent"].astype(str))
    out["matched"] = out["respondent"].isin(known).to_numpy()
    unknown = ~out["matched"].to_numpy()
    if unknown.mean() > spec.max_unknown:
        shown = ", ".join(repr(v) for v in out.loc[unknown, "respondent"][:3])
        raise ContractError(f"{int(unknown.sum())} of {len(out)} ids are not respondents of the survey (e.g. "
                            f"{shown}), more than behaviour.max_unknown = {spec.max_unknown:g} allows; is "
                            "'behaviour.id' the survey's respondent id?", client=cfg.client, file=file,
                            column=id_col, rows=raw.loc[unknown, ROW].tolist())
    for m in spec.measures:
        out[m.name] = _values(cfg, raw, m, file, ROW).to_numpy(dtype=float)
    return out.astype({"matched": bool})


def behaviour_accounting(data) -> dict:
    """How the behaviour file joins the survey: ``rows``, ``matched``, ``unknown_ids`` (file ids the
    survey does not know) and ``respondents_without`` (own-brand respondents with no behaviour row).

    Parameters
    ----------
    data : ClientData
        With ``data.behaviour`` (:func:`read_behaviour`).
    """
    b = data.behaviour
    own = set(data.own["respondent"].astype(str))
    matched = set(b.loc[b["matched"], "respondent"])
    return {"rows": int(len(b)), "matched": int(b["matched"].sum()), "unknown_ids": int((~b["matched"]).sum()),
            "respondents_without": int(len(own - matched))}

