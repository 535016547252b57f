"""``modules:`` of client.yaml: the codebook of Schmitt's experiential modules, and a hand-coded sample.

::

    modules:
      codebook: {RELATE: [community, belong*, friends, together]}   # or a YAML file name
      hand_coded: {file: hand_coded.csv, text: comment, module: module}   # optional

Each module listed under ``codebook`` replaces that module's default list (an empty list drops
the module; the default is ``src/cem_research/resources/modules.yaml``); ``codebook:
my_codebook.yaml`` reads a file of the default's form from the client folder.  The hand-coded
sample is read and checked with the other raw files
(:func:`cem_research.client.contract.read_hand_coded`); the analysis is
:mod:`cem_research.steps.brand.modules`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cem_research.client.options.common import config_error

MODULES = ("SENSE", "FEEL", "THINK", "ACT", "RELATE")
KEYS = {"codebook", "hand_coded"}
HAND_KEYS = {"file", "text", "module", "id"}
#: codes in the hand-coded module column that mean "no module"
NONE_CODES = {"", "none", "-", "na", "n/a", "0"}
_SPLIT = re.compile(r"[;,|/+&]|\s+")


@dataclass(frozen=True)
class ModulesSpec:
    """A validated ``modules:`` key.

    Attributes
    ----------
    codebook : dict
        Module -> lowercase words and phrases (default file with the client's overrides applied).
    source : str
        Where the codebook comes from, in words (shown in the report).
    hand_coded : FileSpec or None
        The hand-coded sample's file and its ``text``, ``module`` (and ``id``) columns.
    codebook_file : str or None
        The client's codebook file (``codebook: name.yaml``), part of the raw inputs.
    """

    codebook: dict[str, list[str]]
    source: str
    hand_coded: Any = None
    codebook_file: str | None = None


def load_codebook(overrides: dict | str | Path | None = None, folder: str | Path | None = None) -> dict[str, list[str]]:
    """The module codebook: the default file with a client's overrides applied.

    Parameters
    ----------
    overrides : mapping, str or Path, optional
        Module -> words/phrases replacing that module's default list (an empty list drops it), or
        a YAML file (relative to ``folder``) holding a complete codebook of the default's form.
    folder : str or Path, optional
        Where a codebook file is looked up (the client folder).

    Returns
    -------
    dict
        Module (SENSE, FEEL, THINK, ACT, RELATE, in that order) -> lowercase entries.

    Examples
    --------
    >>> list(load_codebook())
    ['SENSE', 'FEEL', 'THINK', 'ACT', 'RELATE']
    >>> load_codebook({"RELATE": ["community", "belong*"]})["RELATE"]
    ['community', 'belong*']
    """
    from cem_research import text as tx
    from cem_research.client.paths import RESOURCES

    if isinstance(overrides, (str, Path)):
        book = tx.load_lexicon(Path(folder or ".") / overrides)
    else:
        book = tx.load_lexicon(RESOURCES / "modules.yaml", overrides=overrides or None)
    book = {str(k).upper(): v for k, v in book.items()}
    return {m: book[m] for m in MODULES if m in book and book[m]}


def module_codes(value: Any) -> tuple[set[str], list[str]]:
    """The modules a hand-coded cell names, and the tokens that are not module codes.

    Several modules are separated by ``;`` (or ``,``, ``|``, ``/``, ``+``, ``&``, spaces); ``none``,
    ``-``, ``n/a``, ``0`` or a blank cell mean no module.

    Examples
    --------
    >>> sorted(module_codes("feel; Relate")[0]), module_codes("none")[0], module_codes("SMELL")[1]
    (['FEEL', 'RELATE'], set(), ['SMELL'])
    """
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    mods, bad = set(), []
    for token in (t for t in _SPLIT.split(text) if t.strip()):
        up = token.strip().upper()
        if up.lower() in NONE_CODES:
            continue
        if up not in MODULES:
            bad.append(token)
            continue
        mods.add(up)
    return mods, bad


def _module_name(cfg, name: Any, where: str) -> str:
    up = str(name).strip().upper()
    if up not in MODULES:
        close = difflib.get_close_matches(up, MODULES, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise config_error(cfg, f"'{where}' names module '{name}'; Schmitt's modules are {', '.join(MODULES)}{hint}")
    return up


def parse_modules(raw: Any, cfg) -> ModulesSpec | None:
    """Validate the value of ``modules:`` (``None``: absent or left blank; ``modules: {}`` declares the
    defaults).

    Raises
    ------
    ContractError
        One line naming client and ``client.yaml``: unknown key (with the nearest valid key), a
        module that is not one of Schmitt's five, a codebook that is not a mapping of word lists or
        a readable YAML file in the client folder, or a ``hand_coded`` entry without ``file``,
        ``text`` and ``module``.
    """
    from cem_research.client.config import FileSpec, suggest

    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise config_error(cfg, f"'modules' must be a mapping with optional 'codebook' and 'hand_coded', got {raw!r}")
    for key in raw:
        if key not in KEYS:
            raise config_error(cfg, f"unknown key '{key}' in modules{suggest(key, KEYS)}")
    cb = raw.get("codebook")
    source, book_file = "the default codebook shipped with cem-research", None
    if cb is None:
        book = load_codebook()
    elif isinstance(cb, str):
        name = cb.strip()
        if Path(name).name != name or name.startswith(".") or not (cfg.folder / name).is_file() \
                or (cfg.folder / name).is_symlink():
            raise config_error(cfg, f"'modules.codebook' names the file '{cb}', which is not a file in the client "
                                    "folder")
        from cem_research.client.yamlfile import read_yaml

        read_yaml(cfg.folder / name, cfg.client, file=name)  # refused: too large, alias bombs, tags
        try:
            book = load_codebook(name, cfg.folder)
        except (ValueError, OSError) as exc:
            raise config_error(cfg, f"'modules.codebook' file '{cb}' is not a codebook: "
                                    f"{' '.join(str(exc).split())}") from None
        except Exception as exc:  # noqa: BLE001 - YAML errors
            raise config_error(cfg, f"'modules.codebook' file '{cb}' cannot be read as YAML: "
                                    f"{' '.join(str(exc).split())[:200]}") from None
        for m in book:
            _module_name(cfg, m, f"modules.codebook ({cb})")
        source, book_file = f"client file {name}", name
    elif isinstance(cb, dict):
        over: dict[str, list[str]] = {}
        for m, words in cb.items():
            mod = _module_name(cfg, m, "modules.codebook")
            if words is None:
                words = []
            if isinstance(words, str):
                words = [words]
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise config_error(cfg, f"'modules.codebook.{m}' must be a list of words or phrases, got {words!r}")
            over[mod] = words
        try:
            book = load_codebook(over)
        except ValueError as exc:
            raise config_error(cfg, f"'modules.codebook': {' '.join(str(exc).split())}") from None
        source = "default with client.yaml overrides (" + ", ".join(over) + ")"
    else:
        raise config_error(cfg, f"'modules.codebook' must map modules to word lists or name a YAML file, got {cb!r}")
    if not book:
        raise config_error(cfg, "'modules.codebook' leaves no module with words to match")
    hand = None
    hc = raw.get("hand_coded")
    if hc is not None:
        if not isinstance(hc, dict):
            raise config_error(cfg, f"'modules.hand_coded' must be {{file: ..., text: ..., module: ...}}, got {hc!r}")
        for key in hc:
            if key not in HAND_KEYS:
                raise config_error(cfg, f"unknown key '{key}' in modules.hand_coded{suggest(key, HAND_KEYS)}")
        for key in ("file", "text", "module"):
            if not hc.get(key) or not isinstance(hc[key], str):
                raise config_error(cfg, f"'modules.hand_coded.{key}' is required")
        name = hc["file"]
        if Path(name).name != name or name.startswith("."):
            raise config_error(cfg, f"'modules.hand_coded.file' must be a file name inside the client folder, "
                                    f"got {name!r}")
        hand = FileSpec(file=name, columns={k: str(v) for k, v in hc.items() if k != "file"})
    return ModulesSpec(codebook=book, source=source, hand_coded=hand, codebook_file=book_file)
