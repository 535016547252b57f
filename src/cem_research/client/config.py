"""The client data contract: ``data/raw/<client>/client.yaml``.

Everything that varies between clients — brands, constructs and their items, scales,
drivers and outcomes, segments, journey stages, optional files and their column names —
is declared in one YAML file.  :func:`load_config` reads it with safe loading only,
checks every key (suggesting the nearest valid key for a typo) and returns a
:class:`ClientConfig`.  See ``docs/contract.md`` for a commented example.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cem_research.client.codes import LABEL_ROLES, code_text, parse_codes, parse_items, parse_labels, suggest
from cem_research.client.codes import check_keys as _check_keys
from cem_research.client.errors import ContractError
from cem_research.client.yamlfile import flag, kind_of, read_yaml, text

CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # the whole name (fullmatch)
COMPETITOR_KINDS = ("direct", "new_entrant", "outside_industry")
INTERFACE_KINDS = ("human_human", "human_technology", "human_environment")
LAYERS = ("context", "usage", "category", "brand")
ELEMENTS = ("product", "look_and_feel", "communications")
CONSTRUCT_KINDS = ("emotional", "functional")
#: Pope's (2010) five critical factors of the Ultimate Client Experience (a construct's ``uce:``).
UCE_FACTORS = ("culture", "people", "relationship", "understanding", "uncommon")
CONFIG_FILE = "client.yaml"

TOP_KEYS = {
    "name", "market", "brand", "competitors", "csv", "scale", "survey", "waves",
    "competitor_ratings", "constructs", "drivers", "outcomes", "main_outcome", "nps", "segments",
    "journey", "feedback", "touchpoints", "aspects",
    # optional research methods, each parsed by its module in cem_research.client.options
    "weighting", "kano", "promises", "modules",
    # survey-export conventions: "no answer" codes and value labels of coded columns
    "missing", "labels",
    # a PLS path model over the constructs (satisfaction-index models such as ACSI / ECSI)
    "model",
    # what respondents did (referrals, repeat business, churn), joined by respondent id (client.behaviour)
    "behaviour",
}
#: Columns of the processed ratings table (and the reader's row numbers): no item, segment or construct
#: may be named so, else its answers would be read as, or overwrite, these.
RESERVED = {
    "source": "the file each rating comes from", "row": "each rating's row number in its file",
    "respondent": "the respondent ids (survey.id)", "wave": "the wave (survey.wave)",
    "date": "the interview date (survey.date)", "brand": "the rated brand (survey.brand)",
    "brand_kind": "the kind of the rated brand", "weight": "survey weights (survey.weight or weighting:)",
    "<row>": "the row numbers of a file being read",
}
REQUIRED_TOP = ("brand", "survey", "constructs")
CSV_KEYS = {"delimiter", "decimal", "encoding"}
#: Keys every file entry may carry: how the file is read (cem_research.client.readers).
FILE_FORMAT_KEYS = {"format", "sheet"}
FILE_FORMATS = ("csv", "qualtrics", "spss", "excel")
SURVEY_KEYS = {"file", "id", "wave", "brand", "date", "weight", *FILE_FORMAT_KEYS}
COMPETITOR_FILE_KEYS = {"file", *FILE_FORMAT_KEYS}
CONSTRUCT_KEYS = {"items", "reverse", "scale", "experience", "kind", "layer", "element", "label", "missing", "uce"}
SEGMENT_KEYS = {"label", "order"}
FEEDBACK_KEYS = {"file", "text", "id", "wave", "brand", "touchpoint", "date", "translation", "language",
                 *FILE_FORMAT_KEYS}
TOUCHPOINT_KEYS = {"file", "id", "touchpoint", "stage", "interface", "channel", "time",
                   "satisfaction", "effort", "scale", "effort_scale", "wave", *FILE_FORMAT_KEYS}
COMPETITOR_KEYS = {"name", "kind"}
MODEL_KEYS = {"paths", "mode", "scheme", "missing", "n_boot", "target", "groups"}


@dataclass(frozen=True)
class CsvFormat:
    """How a client's CSV files were exported."""

    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Construct:
    """A measured construct: its items, response scale and role."""

    name: str
    items: tuple[str, ...]
    scale: tuple[float, float]
    reverse: tuple[str, ...] = ()
    experience: bool = False
    kind: str = "functional"
    layer: str | None = None
    element: str | None = None
    label: str | None = None
    #: Pope's UCE factor the construct measures (one of :data:`UCE_FACTORS`), ``None`` when not declared.
    uce: str | None = None

    @property
    def title(self) -> str:
        """Human-readable name for tables and charts."""
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class PathModelConfig:
    """A PLS path model over declared constructs (``model:``; :mod:`cem_research.stats.pls`)."""

    paths: tuple[tuple[str, str], ...]
    modes: dict[str, str] = field(default_factory=dict)
    scheme: str = "path"
    missing: str = "mean"
    #: Bootstrap resamples; ``None`` uses the report's ``n_boot`` setting.
    n_boot: int | None = None
    #: The construct the findings and the importance-performance map lead with.
    target: str | None = None
    #: Segment column whose levels the multi-group comparison sets against each other (``None``: none).
    groups: str | None = None

    @property
    def constructs(self) -> list[str]:
        """The model's constructs, in the order they first appear on a path."""
        return list(dict.fromkeys(c for p in self.paths for c in p))


@dataclass(frozen=True)
class FileSpec:
    """An optional data file and the client's names for its columns."""

    file: str
    columns: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)

    def col(self, role: str) -> str | None:
        """The client's column name for ``role`` (``None`` if not declared)."""
        return self.columns.get(role)


@dataclass(frozen=True)
class ClientConfig:
    """A validated ``client.yaml``.

    Attributes mirror the YAML keys; see ``docs/contract.md``.
    """

    client: str
    name: str
    market: str
    brand: str
    competitors: dict[str, str]
    csv: CsvFormat
    survey: FileSpec
    constructs: dict[str, Construct]
    drivers: tuple[str, ...]
    outcomes: tuple[str, ...]
    nps: str | None
    segments: dict[str, str]
    journey: tuple[str, ...]
    waves: tuple[str, ...] | None
    competitor_ratings: FileSpec | None = None
    feedback: FileSpec | None = None
    touchpoints: FileSpec | None = None
    aspects: dict[str, list[str]] | None = None
    #: The outcome every step states its headline on (``main_outcome:``; default: the first of
    #: ``outcomes``, else the ``nps`` construct, else ``None``).
    main_outcome: str | None = None
    #: The optional methods, parsed (:mod:`cem_research.client.options`); ``None`` when not declared.
    weighting: Any = None
    kano: Any = None
    modules: Any = None
    promises: Any = None
    #: The PLS path model (``model:``), ``None`` when not declared.
    model: PathModelConfig | None = None
    #: The behavioural outcomes file (``behaviour:``, :class:`cem_research.client.behaviour.BehaviourSpec`).
    behaviour: Any = None
    #: The optional sections as written in the YAML (for reference only: read the parsed specs above).
    extras: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    #: Codes meaning "no answer" (top-level ``missing:``) for items, segment and touchpoint-rating columns.
    missing: tuple = ()
    #: Per item, the codes that apply to it (an item's or its construct's ``missing:`` overrides the top level).
    item_missing: dict[str, tuple] = field(default_factory=dict)
    #: Value labels of coded columns (``labels:``): processed column -> {code as text: label}.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Question wording per item (``{name: q1, question: ...}`` under a construct's ``items:``).
    questions: dict[str, str] = field(default_factory=dict)
    #: Declared order of a segment's levels (``segments: {col: {order: [...]}}``), as codes.
    segment_orders: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # ---- convenience -------------------------------------------------------
    @property
    def folder(self) -> Path:
        """The client's raw-data folder."""
        return self.path.parent if self.path else Path(".")

    def brand_kind(self, brand: str) -> str | None:
        """``'own'``, a competitor kind, or ``None`` for an undeclared brand."""
        if brand == self.brand:
            return "own"
        return self.competitors.get(brand)

    @property
    def ordered_outcomes(self) -> list[str]:
        """The declared outcomes with the main outcome first (then in declared order): the order in
        which every step lists its results per outcome."""
        main = [self.main_outcome] if self.main_outcome in self.outcomes else []
        return [*main, *[o for o in self.outcomes if o not in main]]

    @property
    def brands(self) -> list[str]:
        """Own brand first, then competitors in declared order."""
        return [self.brand, *self.competitors]

    @property
    def experience_dimensions(self) -> list[str]:
        """Constructs flagged ``experience: true``."""
        return [c for c, k in self.constructs.items() if k.experience]

    @property
    def uce_factors(self) -> dict[str, str]:
        """Pope's UCE factors declared (``uce:``): factor -> construct, in the order of :data:`UCE_FACTORS`."""
        declared = {c.uce: name for name, c in self.constructs.items() if c.uce}
        return {f: declared[f] for f in UCE_FACTORS if f in declared}

    @property
    def items(self) -> list[str]:
        """Every declared item column, in declaration order."""
        out: list[str] = []
        for c in self.constructs.values():
            out.extend(i for i in c.items if i not in out)
        return out

    def files(self) -> dict[str, FileSpec]:
        """Declared data files by role (``survey`` always present)."""
        roles = {"survey": self.survey, "competitor_ratings": self.competitor_ratings,
                 "feedback": self.feedback, "touchpoints": self.touchpoints}
        return {k: v for k, v in roles.items() if v is not None}

    def missing_codes(self, column: str) -> tuple:
        """The "no answer" codes of a column: an item's own (item, construct or top-level ``missing:``),
        else the top-level list (segment columns, touchpoint ratings)."""
        return self.item_missing.get(column, self.missing)

    def segment_order(self, column: str, levels=None) -> list[str]:
        """The levels of segment ``column`` in display order.

        Parameters
        ----------
        column : str
            A declared segment column.
        levels : iterable, optional
            The levels present (e.g. in a table); default: the declared ``order:`` only.

        Returns
        -------
        list of str
            The declared ``order:`` (levels present only, when ``levels`` is given), then the other
            levels sorted (numbers numerically, then text).

        Examples
        --------
        >>> cfg = parse_config({"brand": "B", "survey": {"file": "s.csv"}, "constructs": {"q": ["q1"]},
        ...                     "segments": {"usage": {"order": ["daily", "weekly"]}}}, "demo")
        >>> cfg.segment_order("usage", ["monthly", "weekly", "daily", "10", "9"])
        ['daily', 'weekly', '9', '10', 'monthly']
        """
        declared = list(self.segment_orders.get(column, ()))
        if levels is None:
            return declared
        present = list(dict.fromkeys(str(v) for v in levels))
        first = [lv for lv in declared if lv in present]
        rest = [lv for lv in present if lv not in first]

        def key(v: str):
            try:
                return (0, float(v), "")
            except ValueError:
                return (1, 0.0, v)
        return first + sorted(rest, key=key)

    def option_files(self) -> dict[str, str]:
        """Raw files the optional methods declare, by role (the hand-coded module sample, a codebook file)."""
        out = {}
        if self.modules is not None and self.modules.hand_coded is not None:
            out["modules.hand_coded"] = self.modules.hand_coded.file
        if self.modules is not None and self.modules.codebook_file:
            out["modules.codebook"] = self.modules.codebook_file
        if self.behaviour is not None:
            out["behaviour"] = self.behaviour.file.file
        return out


# ---------------------------------------------------------------------------
def check_client_name(client: str) -> str:
    """Refuse a client name that could leave the project's folders.

    Parameters
    ----------
    client : str
        Folder name under ``data/raw/``.

    Returns
    -------
    str
        The name, unchanged.

    Raises
    ------
    ContractError
        If the name holds anything but letters, digits, ``_`` and ``-`` (so no
        ``..``, ``/`` or ``\\``).
    """
    if not isinstance(client, str) or not CLIENT_NAME.fullmatch(client):
        raise ContractError(
            f"client name {client!r} is not allowed: use letters, digits, '_' and '-' only "
            "(no '..', '/' or spaces), so no path can leave the project's folders")
    return client


def _scale(value: Any, where: str, client: str) -> tuple[float, float]:
    numbers = (isinstance(value, (list, tuple)) and len(value) == 2
               and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))
    if numbers and not all(math.isfinite(v) for v in value):
        raise ContractError(f"'{where}' must be [min, max] with finite numbers, got {kind_of(value)}",
                            client=client, file=CONFIG_FILE)
    if not (numbers and value[0] < value[1]):
        raise ContractError(f"'{where}' must be [min, max] with min < max, got {kind_of(value)}",
                            client=client, file=CONFIG_FILE)
    return (float(value[0]), float(value[1]))


def _names(value: Any, where: str, client: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise ContractError(f"'{where}' must be a list of names, got {kind_of(value)}",
                            client=client, file=CONFIG_FILE)
    return tuple(str(v) for v in value)


def _file_spec(raw: Any, keys: set[str], required: tuple[str, ...], where: str,
               client: str) -> FileSpec:
    raw = _check_keys(raw, keys, where, client)
    raw = {k: v for k, v in raw.items() if v is not None}  # a key left blank is not declared
    for key in ("file", *required):
        if not raw.get(key):
            raise ContractError(f"'{where}.{key}' is required", client=client, file=CONFIG_FILE)
    name = text(raw["file"], f"{where}.file", client)
    if Path(name).name != name or name.startswith("."):
        raise ContractError(f"'{where}.file' must be a file name inside the client folder, got {name!r}",
                            client=client, file=CONFIG_FILE)
    options = {k: raw[k] for k in ("scale", "effort_scale", "language", *sorted(FILE_FORMAT_KEYS)) if k in raw}
    if "format" in options and options["format"] not in FILE_FORMATS:
        raise ContractError(f"'{where}.format' is {options['format']!r}; use one of {', '.join(FILE_FORMATS)} "
                            "(or leave it out: .sav/.zsav are read as SPSS, .xlsx as Excel, anything else "
                            "as CSV, a Qualtrics export is recognised)", client=client, file=CONFIG_FILE)
    if "sheet" in options and not isinstance(options["sheet"], (str, int)) or options.get("sheet") is True:
        raise ContractError(f"'{where}.sheet' must be a sheet name or its position (1 = first)",
                            client=client, file=CONFIG_FILE)
    columns = {k: text(v, f"{where}.{k}", client) for k, v in raw.items() if k not in {"file", *options}}
    return FileSpec(file=name, columns=columns, options=options)


def _model(raw: Any, constructs: dict[str, Construct], main_outcome: str | None, client: str,
           segments: dict[str, str] | None = None) -> PathModelConfig | None:
    """The ``model:`` section: paths between declared constructs, modes, scheme, missing, n_boot, target, groups."""
    if raw is None:
        return None
    from cem_research.stats.pls import MISSING, SCHEMES, model_spec

    raw = _check_keys(raw, MODEL_KEYS, "model", client)
    paths = raw.get("paths")
    if not isinstance(paths, list) or not paths or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in paths):
        raise ContractError(f"'model.paths' must list paths as [from, to] construct names, got {paths!r}",
                            client=client, file=CONFIG_FILE)
    for name in (x for p in paths for x in p):
        if name not in constructs:
            raise ContractError(f"'model.paths' names '{name}', which is not a declared construct"
                                f"{suggest(name, set(constructs), 'declared constructs')}",
                                client=client, file=CONFIG_FILE)
    modes = raw.get("mode") or {}
    if not isinstance(modes, dict):
        raise ContractError(f"'model.mode' must map constructs to A or B, got {modes!r}", client=client,
                            file=CONFIG_FILE)
    on_path = {x for p in paths for x in p}
    for name, mode in modes.items():
        if name not in on_path or str(mode).upper() not in ("A", "B"):
            raise ContractError(f"'model.mode' gives {name!r} mode {mode!r}; give constructs on a path A "
                                "(reflective) or B (formative)", client=client, file=CONFIG_FILE)
    scheme = raw.get("scheme", "path")
    if scheme not in SCHEMES:
        raise ContractError(f"'model.scheme' is {scheme!r}; use one of {', '.join(SCHEMES)}", client=client,
                            file=CONFIG_FILE)
    missing = raw.get("missing", "mean")
    if missing not in MISSING:
        raise ContractError(f"'model.missing' is {missing!r}; use one of {', '.join(MISSING)}", client=client,
                            file=CONFIG_FILE)
    n_boot = raw.get("n_boot")
    if n_boot is not None and (not isinstance(n_boot, int) or isinstance(n_boot, bool) or n_boot < 1):
        raise ContractError(f"'model.n_boot' must be a positive number of resamples, got {n_boot!r}",
                            client=client, file=CONFIG_FILE)
    try:
        spec = model_spec({c: constructs[c].items for c in on_path}, paths, modes, func="model")
    except ValueError as exc:  # a cycle among the paths
        raise ContractError(f"'model.paths': {str(exc).removeprefix('model: ')}", client=client,
                            file=CONFIG_FILE) from None
    target = raw.get("target")
    ends = [c for c in dict.fromkeys(x for p in paths for x in p) if any(t == c for _, t in spec.paths)]
    if target is None:
        target = main_outcome if main_outcome in ends else [c for c in ends if not any(
            f == c for f, _ in spec.paths)][-1]
    elif target not in ends:
        raise ContractError(f"'model.target' must be a construct that a path leads to ({', '.join(ends)}), "
                            f"got {target!r}", client=client, file=CONFIG_FILE)
    groups = raw.get("groups")
    if groups is not None and (not isinstance(groups, str) or groups not in (segments or {})):
        raise ContractError(f"'model.groups' must name a declared segment column, got {groups!r}"
                            f"{suggest(str(groups), set(segments or {}), 'segments')}", client=client,
                            file=CONFIG_FILE)
    return PathModelConfig(paths=spec.paths, modes={k: str(v).upper() for k, v in modes.items()}, scheme=scheme,
                     missing=missing, n_boot=n_boot, target=target, groups=groups)


def parse_config(raw: Any, client: str, path: Path | None = None) -> ClientConfig:
    """Validate a parsed ``client.yaml`` mapping and build a :class:`ClientConfig`.

    Parameters
    ----------
    raw : dict
        The YAML document as loaded by :func:`yaml.safe_load`.
    client : str
        The client's folder name.
    path : Path, optional
        Where the file lives (kept for messages and relative file paths).

    Returns
    -------
    ClientConfig

    Raises
    ------
    ContractError
        On any unknown key (with the nearest valid key), missing required key,
        unknown competitor kind, item declared in two constructs, name clash, or
        reference to an undeclared construct.
    """
    check_client_name(client)
    if raw is None:
        raise ContractError("client.yaml is empty", client=client, file=CONFIG_FILE)
    raw = _check_keys(raw, TOP_KEYS, "client.yaml", client)
    for key in REQUIRED_TOP:
        if key not in raw:
            raise ContractError(f"required key '{key}' is missing", client=client, file=CONFIG_FILE)

    if text(raw["brand"], "brand", client) is None or not str(raw["brand"]).strip():
        raise ContractError("'brand' is blank: give the client's own brand as written in the data",
                            client=client, file=CONFIG_FILE)
    brand = str(raw["brand"])
    competitors: dict[str, str] = {}
    for i, comp in enumerate(raw.get("competitors") or []):
        comp = _check_keys(comp, COMPETITOR_KEYS, f"competitors[{i}]", client)
        if not comp.get("name"):
            raise ContractError(f"competitors[{i}] has no name", client=client, file=CONFIG_FILE)
        kind = comp.get("kind")
        if kind not in COMPETITOR_KINDS:
            raise ContractError(
                f"competitor '{comp.get('name')}' has unknown kind {kind!r}; "
                f"use one of {', '.join(COMPETITOR_KINDS)}", client=client, file=CONFIG_FILE)
        competitors[text(comp["name"], f"competitors[{i}].name", client)] = kind
    if brand in competitors:
        raise ContractError(f"brand '{brand}' is also listed as a competitor",
                            client=client, file=CONFIG_FILE)

    csv_raw = _check_keys(raw.get("csv") or {}, CSV_KEYS, "csv", client)
    csv = CsvFormat(**{k: text(v, f"csv.{k}", client) for k, v in csv_raw.items()})
    if len(csv.delimiter) != 1 or csv.delimiter in "\"\r\n":
        raise ContractError(f"csv.delimiter must be one character such as ',' ';' or a tab, "
                            f"got {csv.delimiter!r}", client=client, file=CONFIG_FILE)
    if csv.decimal not in (".", ","):
        raise ContractError(f"csv.decimal must be '.' or ',', got {csv.decimal!r}",
                            client=client, file=CONFIG_FILE)
    if csv.decimal == csv.delimiter:
        raise ContractError(f"csv.decimal {csv.decimal!r} is also the delimiter; a file with decimal "
                            "commas needs another delimiter, e.g. csv.delimiter: ';'",
                            client=client, file=CONFIG_FILE)
    default_scale = _scale(raw.get("scale", [1, 7]), "scale", client)
    top_missing = parse_codes(raw.get("missing"), "missing", client)

    survey = _file_spec(raw["survey"], SURVEY_KEYS, (), "survey", client)
    comp_ratings = None
    if raw.get("competitor_ratings") is not None:
        comp_ratings = _file_spec(raw["competitor_ratings"], COMPETITOR_FILE_KEYS, (),
                                  "competitor_ratings", client)
        if not survey.col("brand"):
            raise ContractError("'competitor_ratings' needs 'survey.brand': the column naming the rated "
                                "brand, present in both files", client=client, file=CONFIG_FILE)

    constructs: dict[str, Construct] = {}
    owner: dict[str, str] = {}
    questions: dict[str, str] = {}
    item_missing: dict[str, tuple] = {}
    craw = raw["constructs"]
    if not isinstance(craw, dict) or not craw:
        raise ContractError("'constructs' must map construct names to their items",
                            client=client, file=CONFIG_FILE)
    for cname, spec in craw.items():
        cname = str(cname)
        where = f"constructs.{cname}"
        if isinstance(spec, list):
            spec = {"items": spec}
        spec = _check_keys(spec, CONSTRUCT_KEYS, where, client)
        items, wording, own_missing = parse_items(spec.get("items"), f"{where}.items", client)
        questions.update(wording)
        construct_missing = parse_codes(spec["missing"], f"{where}.missing", client) if "missing" in spec else top_missing
        item_missing.update({i: own_missing.get(i, construct_missing) for i in items})
        if not items:
            raise ContractError(f"construct '{cname}' declares no items", client=client, file=CONFIG_FILE)
        if len(set(items)) != len(items):
            raise ContractError(f"construct '{cname}' lists an item twice", client=client, file=CONFIG_FILE)
        for item in items:
            if item in owner:
                raise ContractError(f"item '{item}' is declared in two constructs: "
                                    f"'{owner[item]}' and '{cname}'",
                                    client=client, file=CONFIG_FILE, column=item)
            owner[item] = cname
        reverse = _names(spec.get("reverse"), f"{where}.reverse", client)
        stray = [r for r in reverse if r not in items]
        if stray:
            raise ContractError(f"reverse-keyed item '{stray[0]}' is not an item of construct '{cname}'",
                                client=client, file=CONFIG_FILE, column=stray[0])
        kind = spec.get("kind", "functional")
        if kind not in CONSTRUCT_KINDS:
            raise ContractError(f"construct '{cname}' has kind {kind!r}; use one of "
                                f"{', '.join(CONSTRUCT_KINDS)}", client=client, file=CONFIG_FILE)
        layer = spec.get("layer")
        if layer is not None and layer not in LAYERS:
            raise ContractError(f"construct '{cname}' has layer {layer!r}; use one of {', '.join(LAYERS)}",
                                client=client, file=CONFIG_FILE)
        element = spec.get("element")
        if element is not None and element not in ELEMENTS:
            raise ContractError(f"construct '{cname}' has element {element!r}; use one of "
                                f"{', '.join(ELEMENTS)}", client=client, file=CONFIG_FILE)
        uce = spec.get("uce")
        if uce is not None and uce not in UCE_FACTORS:
            raise ContractError(f"construct '{cname}' has uce {uce!r}; use one of {', '.join(UCE_FACTORS)} "
                                "(Pope's five factors of the Ultimate Client Experience)",
                                client=client, file=CONFIG_FILE)
        twin = next((n for n, c in constructs.items() if uce is not None and c.uce == uce), None)
        if twin is not None:
            raise ContractError(f"constructs '{twin}' and '{cname}' both declare uce: {uce}; the scorecard "
                                "shows one scale per factor, so declare it on one construct",
                                client=client, file=CONFIG_FILE)
        constructs[cname] = Construct(
            name=cname, items=items, reverse=reverse, uce=uce,
            scale=_scale(spec["scale"], f"{where}.scale", client) if "scale" in spec else default_scale,
            experience=flag(spec.get("experience", False), f"{where}.experience", client), kind=kind, layer=layer,
            element=element, label=text(spec.get("label"), f"{where}.label", client))
        lo, hi = constructs[cname].scale
        for item in items:
            inside = [v for v in item_missing[item] if not isinstance(v, str) and lo <= v <= hi]
            if inside:
                raise ContractError(f"missing code {inside[0]:g} lies inside the scale {lo:g}-{hi:g} of construct "
                                    f"'{cname}', so real answers {inside[0]:g} would be lost; give the construct "
                                    "(or the item) its own 'missing:' list", client=client, file=CONFIG_FILE,
                                    column=item)

    def refs(key: str) -> tuple[str, ...]:
        names = _names(raw.get(key), key, client)
        for n in names:
            if n not in constructs:
                raise ContractError(f"'{key}' names '{n}', which is not a declared construct"
                                    f"{suggest(n, set(constructs), 'declared constructs')}",
                                    client=client, file=CONFIG_FILE)
        return names

    drivers, outcomes = refs("drivers"), refs("outcomes")
    both = set(drivers) & set(outcomes)
    if both:
        raise ContractError(f"construct '{sorted(both)[0]}' is both a driver and an outcome",
                            client=client, file=CONFIG_FILE)
    nps = raw.get("nps")
    if nps is not None:
        nps = str(nps)
        if nps not in constructs:
            raise ContractError(f"'nps' names '{nps}', which is not a declared construct"
                                f"{suggest(nps, set(constructs), 'declared constructs')}",
                                client=client, file=CONFIG_FILE)
        c = constructs[nps]
        if len(c.items) != 1 or c.scale != (0.0, 10.0):
            raise ContractError(f"'nps' construct '{nps}' must be one item on a 0-10 scale; it has "
                                f"{len(c.items)} item{'s' if len(c.items) != 1 else ''} on "
                                f"{c.scale[0]:g}-{c.scale[1]:g}", client=client, file=CONFIG_FILE)

    main_outcome = raw.get("main_outcome")
    if main_outcome is None:
        main_outcome = outcomes[0] if outcomes else nps
    else:
        if not isinstance(main_outcome, str):
            raise ContractError(f"'main_outcome' must be a construct name, got {main_outcome!r}",
                                client=client, file=CONFIG_FILE)
        allowed = [*outcomes, *([nps] if nps else [])]
        if main_outcome not in allowed:
            raise ContractError(f"'main_outcome' names '{main_outcome}', which is not one of the declared "
                                f"outcomes or the nps construct{suggest(main_outcome, set(allowed), 'outcomes')}",
                                client=client, file=CONFIG_FILE)

    segments_raw = raw.get("segments") or {}
    if isinstance(segments_raw, list):
        segments_raw = {s: s for s in segments_raw}
    segments_raw = _check_keys(segments_raw, set(map(str, segments_raw)), "segments", client)
    segments, segment_orders = {}, {}
    for k, v in segments_raw.items():
        if isinstance(v, dict):  # {label: ..., order: [...]}
            v = _check_keys(v, SEGMENT_KEYS, f"segments.{k}", client)
            order = v.get("order")
            if order is not None:
                if not isinstance(order, list) or not order or not all(
                        isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in order):
                    raise ContractError(f"'segments.{k}.order' must list the levels in the order to show them, "
                                        f"got {order!r}", client=client, file=CONFIG_FILE)
                order = [code_text(x) for x in order]
                if len(set(order)) != len(order):
                    raise ContractError(f"'segments.{k}.order' lists a level twice", client=client,
                                        file=CONFIG_FILE)
                segment_orders[str(k)] = tuple(order)
            v = v.get("label")
        elif isinstance(v, list):
            raise ContractError(f"'segments.{k}' must be a label or {{label: ..., order: [...]}}, got a list",
                                client=client, file=CONFIG_FILE)
        v = text(v, f"segments.{k}", client, column=str(k))
        segments[str(k)] = " ".join(v.split()) if v not in (None, "") else str(k)

    # names that become columns of the processed ratings table must not clash with its own columns
    taken = {**{i: "item" for i in owner}, **{s: "segment" for s in segments}}
    for cname, c in constructs.items():
        if cname in RESERVED:
            raise ContractError(f"construct name '{cname}' is reserved; rename the construct",
                                client=client, file=CONFIG_FILE)
        if cname in taken and not (c.items == (cname,)):
            raise ContractError(f"construct name '{cname}' clashes with a {taken[cname]} column of "
                                "the same name; rename the construct", client=client, file=CONFIG_FILE)
    for item, cname in owner.items():
        if item in RESERVED:
            raise ContractError(f"item '{item}' of construct '{cname}' has a name the processed ratings keep for "
                                f"{RESERVED[item]}; rename the column (in the export and in client.yaml)",
                                client=client, file=CONFIG_FILE, column=item)
    for s in segments:
        if s in RESERVED or s in owner:
            raise ContractError(f"segment column '{s}' clashes with a reserved or item column",
                                client=client, file=CONFIG_FILE, column=s)

    journey = _names(raw.get("journey"), "journey", client)
    waves = _names(raw.get("waves"), "waves", client) or None

    feedback = touchpoints = None
    if raw.get("feedback") is not None:
        feedback = _file_spec(raw["feedback"], FEEDBACK_KEYS, ("text",), "feedback", client)
        if "language" in feedback.options:  # the verbatims' one language: detection is skipped
            from cem_research.text.language import LANGUAGE_CODE, known_language

            lang = feedback.options["language"]
            if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang) or not known_language(lang):
                raise ContractError(f"'feedback.language' must be the ISO 639-1 code of the comments' language "
                                    f"such as en, es or de, got {lang!r} (leave it out to identify each "
                                    "comment's language)", client=client, file=CONFIG_FILE)
    if raw.get("touchpoints") is not None:
        touchpoints = _file_spec(raw["touchpoints"], TOUCHPOINT_KEYS,
                                 ("id", "touchpoint", "satisfaction"), "touchpoints", client)
        if touchpoints.col("stage") and not journey:
            raise ContractError("'touchpoints.stage' is declared but 'journey' (the stage order) is not",
                                client=client, file=CONFIG_FILE)
        for key in ("scale", "effort_scale"):
            if key in touchpoints.options:
                _scale(touchpoints.options[key], f"touchpoints.{key}", client)

    aspects = raw.get("aspects")
    if aspects is not None:
        if not isinstance(aspects, dict) or not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in aspects.values()):
            raise ContractError("'aspects' must map each aspect to a list of words or phrases",
                                client=client, file=CONFIG_FILE)

    # a top-level code inside a touchpoint rating scale would turn real ratings into gaps
    if touchpoints is not None:
        for key, col, default in (("scale", "satisfaction", [1, 5]), ("effort_scale", "effort", [1, 7])):
            lo, hi = touchpoints.options.get(key, default)
            inside = [v for v in top_missing if not isinstance(v, str) and lo <= v <= hi]
            if inside and touchpoints.col(col):
                raise ContractError(f"missing code {inside[0]:g} lies inside the touchpoint {col} scale {lo:g}-{hi:g}, "
                                    "so real ratings would be lost; use codes outside every scale",
                                    client=client, file=CONFIG_FILE)

    # value labels, keyed by the processed column; a brand may be named by its code or its label
    roles = {col: role for spec_ in (survey, feedback, touchpoints) if spec_ is not None
             for role, col in spec_.columns.items() if role in LABEL_ROLES}
    labels = parse_labels(raw.get("labels"), roles, set(segments), client)
    brand_labels = labels.get("brand", {})
    if brand_labels:
        brand = brand_labels.get(code_text(raw["brand"]), brand)
        competitors = {brand_labels.get(code_text(k), k): v for k, v in competitors.items()}
        if brand in competitors:
            raise ContractError(f"brand '{brand}' is also listed as a competitor", client=client, file=CONFIG_FILE)
    for col, order in segment_orders.items():
        back = {lab: code for code, lab in labels.get(col, {}).items()}
        resolved = tuple(back.get(x, x) for x in order)
        if len(set(resolved)) != len(resolved):
            raise ContractError(f"'segments.{col}.order' names a level twice (once by its code, once by its label)",
                                client=client, file=CONFIG_FILE)
        segment_orders[col] = resolved

    files = [s.file for s in (survey, comp_ratings, feedback, touchpoints) if s]
    if len(set(files)) != len(files):
        raise ContractError("two declared roles point to the same file", client=client, file=CONFIG_FILE)

    from cem_research.client.options import OPTION_KEYS, parse_options

    extras = {k: raw[k] for k in OPTION_KEYS if k in raw}
    cfg = ClientConfig(
        client=client, name=text(raw.get("name"), "name", client) or client,
        market=text(raw.get("market"), "market", client) or "",
        brand=brand, competitors=competitors, csv=csv, survey=survey, constructs=constructs,
        drivers=drivers, outcomes=outcomes, nps=nps, main_outcome=main_outcome, segments=segments, journey=journey,
        waves=waves, competitor_ratings=comp_ratings, feedback=feedback, touchpoints=touchpoints,
        aspects=aspects, extras=extras, path=path, missing=top_missing, item_missing=item_missing,
        labels=labels, questions=questions, segment_orders=segment_orders,
        model=_model(raw.get("model"), constructs, main_outcome, client, segments))
    cfg = dataclasses.replace(cfg, **parse_options(raw, cfg))
    from cem_research.client.behaviour import parse_behaviour

    cfg = dataclasses.replace(cfg, behaviour=parse_behaviour(raw.get("behaviour"), cfg))
    option_files = [f for f in cfg.option_files().values() if f != CONFIG_FILE]
    if set(option_files) & set(files):
        raise ContractError("two declared roles point to the same file", client=client, file=CONFIG_FILE)
    return cfg


def load_config(folder: str | Path, client: str | None = None, *, source: str | Path | None = None) -> ClientConfig:
    """Read and validate ``<folder>/client.yaml``.

    Parameters
    ----------
    folder : str or Path
        The client's raw-data folder (``data/raw/<client>``).
    client : str, optional
        The client's name; defaults to the folder's name.
    source : str or Path, optional
        Read the YAML from this file instead of ``<folder>/client.yaml`` (a processed snapshot keeps
        the copy it was built from); the client's files are still looked up in ``folder``.

    Returns
    -------
    ClientConfig

    Raises
    ------
    ContractError
        If the file is missing, is not valid YAML, uses a YAML tag that would construct
        an object (only safe loading is used), or breaks the contract.

    Examples
    --------
    >>> from cem_research.client.config import load_config
    >>> cfg = load_config("tests/fixtures/tiny_client")  # doctest: +SKIP
    >>> cfg.brand  # doctest: +SKIP
    'Tiny Tea'
    """
    from cem_research.client.paths import client_file

    folder = Path(folder)
    client = check_client_name(client or folder.name)
    path = client_file(folder, CONFIG_FILE, client)
    read_from = Path(source) if source is not None else path
    if not read_from.is_file():
        raise ContractError("required file is missing: every client folder needs a client.yaml "
                            "(run `make new-client NAME=...` for a commented template)",
                            client=client, file=CONFIG_FILE)
    raw = read_yaml(read_from, client)
    from cem_research.client.readers import with_file_metadata

    cfg = parse_config(raw, client, path)
    for name in [*(spec.file for spec in cfg.files().values()), *cfg.option_files().values()]:
        client_file(folder, name, client)  # no declared file may be a link (it is hashed before it is read)
    # an SPSS or Qualtrics export's wording, value labels and missing codes, under client.yaml's own
    return with_file_metadata(cfg)
