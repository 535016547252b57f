"""Survey-export conventions in ``client.yaml``: "no answer" codes, value labels and item wording.

Parsing helpers of :mod:`cem_research.client.config` (kept here so that module stays small):
``missing:`` lists (:func:`parse_codes`) and the cells they blank (:func:`blank_codes`), a construct's
``items:`` with optional question wording (:func:`parse_items`) and ``labels:`` of coded columns
(:func:`parse_labels`).  Every refusal is one
:class:`~cem_research.client.errors.ContractError` line naming the client and ``client.yaml``.
"""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from cem_research.client.errors import ContractError

CONFIG_FILE = "client.yaml"
ITEM_KEYS = {"name", "question", "missing"}
#: Columns of the processed tables whose coded values may carry labels (besides segment columns).
LABEL_ROLES = ("brand", "wave", "touchpoint", "stage", "channel")


def suggest(key: str, valid, noun: str = "valid keys") -> str:
    """The tail of an "unknown key" message: ``"; did you mean 'x'?"`` for the nearest valid
    name, else ``"; valid keys: a, b, c"`` (``noun`` replaces "valid keys")."""
    close = difflib.get_close_matches(str(key), sorted(valid), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; {noun}: {', '.join(sorted(valid))}"


def check_keys(mapping: Any, valid: set[str], where: str, client: str) -> dict:
    """``mapping`` itself, refused unless it is a mapping whose keys are all in ``valid`` (the
    message names the nearest valid key)."""
    if not isinstance(mapping, dict):
        raise ContractError(f"'{where}' must be a mapping of keys to values, got {type(mapping).__name__}",
                            client=client, file=CONFIG_FILE)
    for key in mapping:
        if key not in valid:
            raise ContractError(f"unknown key '{key}' in {where}{suggest(key, valid)}",
                                client=client, file=CONFIG_FILE)
    return mapping


def code_text(value: Any) -> str:
    """A coded value as the text the data hold: ``1`` and ``1.0`` → ``'1'``, ``' a '`` → ``'a'``.

    >>> code_text(1.0), code_text(-99), code_text(2.5), code_text(" daily ")
    ('1', '-99', '2.5', 'daily')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).strip()


def parse_codes(value: Any, where: str, client: str) -> tuple:
    """A ``missing:`` list: numbers (matched as numbers) and texts (matched as the stripped cell)."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        value = [value]
    ok = all((isinstance(v, (int, float)) and not isinstance(v, bool)) or (isinstance(v, str) and v.strip())
             for v in value)
    if not ok:
        raise ContractError(f"'{where}' must be a list of codes meaning \"no answer\" (numbers such as -99 or "
                            f"texts such as DK), got {value!r}", client=client, file=CONFIG_FILE)
    return tuple(dict.fromkeys(v.strip() if isinstance(v, str) else v for v in value))


def blank_codes(frame: pd.DataFrame, col: str, codes: tuple) -> tuple[pd.Series, dict[str, int]]:
    """A text column stripped, with cells equal to a declared "no answer" code set to missing.

    Parameters
    ----------
    frame : DataFrame
        The raw file, read as text.
    col : str
        The column (a segment column, a Kano answer column ...).
    codes : tuple
        The column's codes (:meth:`ClientConfig.missing_codes`); a number also matches its text forms
        (``-99`` matches ``"-99"`` and ``"-99.0"``).

    Returns
    -------
    (Series, dict)
        The column, and the count of each code found (``{code text: n}``).

    Examples
    --------
    >>> s, n = blank_codes(pd.DataFrame({"q": [" 3", "-99.0", "DK"]}), "q", (-99, "DK"))
    >>> s.tolist(), n
    (['3', nan, nan], {'-99': 1, 'DK': 1})
    """
    text = frame[col].str.strip()
    if not codes:
        return text, {}
    wanted = {code_text(c) for c in codes}
    as_code = text.map(lambda v: v if not isinstance(v, str) else code_text(float(v)) if _is_number(v) else v)
    hit = as_code.isin(wanted)
    counts = {str(k): int(v) for k, v in as_code[hit].value_counts(sort=False).items()}
    return text.mask(hit), counts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_items(value: Any, where: str, client: str) -> tuple[tuple[str, ...], dict[str, str], dict[str, tuple]]:
    """A construct's ``items:``: names, or ``{name:, question:, missing:}`` mappings (mixed freely).

    Returns the item names, their question wording and their own ``missing:`` codes."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ContractError(f"'{where}' must be a list of names, got {value!r}", client=client, file=CONFIG_FILE)
    names, questions, missing = [], {}, {}
    for i, entry in enumerate(value):
        if isinstance(entry, dict):
            entry = check_keys(entry, ITEM_KEYS, f"{where}[{i}]", client)
            name = entry.get("name")
            if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
                raise ContractError(f"'{where}[{i}]' needs 'name': the item's column", client=client,
                                    file=CONFIG_FILE)
            name = str(name).strip()
            question = entry.get("question")
            if question is not None:
                if not isinstance(question, str) or not question.strip():
                    raise ContractError(f"'{where}[{i}].question' must be the item's wording as text, got "
                                        f"{question!r}", client=client, file=CONFIG_FILE, column=name)
                questions[name] = " ".join(question.split())
            if "missing" in entry:
                missing[name] = parse_codes(entry["missing"], f"{where}[{i}].missing", client)
        elif isinstance(entry, (str, int)) and not isinstance(entry, bool):
            name = str(entry)
        else:
            raise ContractError(f"'{where}' must list item names or {{name: ..., question: ...}}, got "
                                f"{entry!r}", client=client, file=CONFIG_FILE)
        names.append(name)
    return tuple(names), questions, missing


def parse_labels(raw: Any, roles: dict[str, str], segments: set[str], client: str) -> dict[str, dict[str, str]]:
    """``labels:`` → {processed column: {code text: label}}; a column may be named by its role
    (``brand``, ``wave``, ``touchpoint``, ``stage``, ``channel``), its column in a declared file, or as a
    segment column."""
    if raw is None:
        return {}
    raw = check_keys(raw, set(map(str, raw)) if isinstance(raw, dict) else set(), "labels", client)
    valid = {*LABEL_ROLES, *roles, *segments}
    out: dict[str, dict[str, str]] = {}
    for column, codes in raw.items():
        column = str(column)
        target = column if column in (*LABEL_ROLES, *segments) else roles.get(column)
        if target is None:
            raise ContractError(f"'labels' names column '{column}', which is not a declared brand, wave, "
                                f"segment, touchpoint, stage or channel column{suggest(column, valid, 'valid columns')}",
                                client=client, file=CONFIG_FILE, column=column)
        if target in out:
            raise ContractError(f"'labels' gives the labels of {target!r} twice (as '{column}' and another "
                                "name of the same column)", client=client, file=CONFIG_FILE, column=column)
        if not isinstance(codes, dict) or not codes:
            raise ContractError(f"'labels.{column}' must map each code to its label, e.g. {{1: Acme, 2: Rival}}",
                                client=client, file=CONFIG_FILE)
        table: dict[str, str] = {}
        for code, label in codes.items():
            if label is None or isinstance(label, (dict, list, bool)) or not str(label).strip():
                raise ContractError(f"'labels.{column}' gives code {code!r} no label", client=client,
                                    file=CONFIG_FILE)
            key = code_text(code)
            if key in table:
                raise ContractError(f"'labels.{column}' labels code {key!r} twice", client=client, file=CONFIG_FILE)
            table[key] = " ".join(str(label).split())
        out[target] = table
    if "brand" in out:
        seen: dict[str, str] = {}
        for code, label in out["brand"].items():
            if label in seen:
                raise ContractError(f"'labels.brand' gives codes {seen[label]!r} and {code!r} the same label "
                                    f"{label!r}; each brand needs its own", client=client, file=CONFIG_FILE)
            seen[label] = code
    return out
