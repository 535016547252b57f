"""Read ``client.yaml`` safely: plain values only, bounded in size, every scalar of the expected type.

:func:`read_yaml` is the one place a client's YAML is parsed (:func:`cem_research.client.config.load_config`):

* **safe loading** only (a ``!!python/...`` tag is refused, never constructed);
* a key given twice in one mapping is refused (YAML would silently keep the last);
* **size limits**: the file holds at most :data:`MAX_BYTES`, and its aliases (``*name``) may expand it to
  at most :data:`MAX_VALUES` values, so a few lines of nested aliases (a "billion laughs") cannot
  exhaust memory when a value is later written out;
* **YAML 1.2 booleans**: only ``true`` and ``false`` are booleans.  YAML 1.1 also reads ``yes``, ``no``,
  ``on`` and ``off`` as booleans, which would silently turn a brand called ``On`` or a segment level
  ``No`` into ``True``/``False``; here they stay the text the client wrote.

:func:`text` and :func:`flag` type-check single values (``name:`` must be text, ``experience:`` true or
false); each refusal is one :class:`~cem_research.client.errors.ContractError` line.
"""

from __future__ import annotations

import re
import reprlib
from pathlib import Path
from typing import Any

import yaml

from cem_research.client.errors import ContractError

CONFIG_FILE = "client.yaml"
#: The largest client.yaml read (a client.yaml holds settings, not data).
MAX_BYTES = 1_000_000
#: The most values (scalars, lists and mappings) a client.yaml may expand to through its aliases.
MAX_VALUES = 100_000
_BOOL = "tag:yaml.org,2002:bool"


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line, first):
        super().__init__(f"duplicate key {key!r}")
        self.key, self.line, self.first = key, line, first


class _TooBig(yaml.YAMLError):
    pass


def expanded_size(node: yaml.Node, limit: int = MAX_VALUES) -> int:
    """The number of values ``node`` stands for once every alias is written out (at most ``limit + 1``).

    Parameters
    ----------
    node : yaml.Node
        A composed YAML document (aliases are shared nodes).
    limit : int
        Counting stops above this.

    Returns
    -------
    int
        Values counted, stopping at ``limit + 1``; a node that contains itself (a recursive alias)
        counts as ``limit + 1``.

    Examples
    --------
    >>> doc = yaml.compose("a: &x [1, 2]\\nb: [*x, *x, *x]")
    >>> expanded_size(doc)  # the mapping, 2 keys, [1, 2] and [*x, *x, *x] written out
    16
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if key in sizes and not done:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        if done:
            busy.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if key in busy:  # a node inside itself: infinite once written out
            return limit + 1
        busy.add(key)
        stack.append((current, True))
        for child in children:
            if id(child) in busy:
                return limit + 1
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(node)]


class SafeLoader(yaml.SafeLoader):
    """Safe loading with YAML 1.2 booleans, refusing a repeated key and an alias expansion beyond
    :data:`MAX_VALUES` values."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None and expanded_size(node) > MAX_VALUES:
            raise _TooBig()
        return node

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in getattr(node, "value", []):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1, seen[key])
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


# YAML 1.2 booleans: `true`/`false` only (yes/no/on/off stay text)
SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
SafeLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def read_yaml(path: str | Path, client: str, file: str = CONFIG_FILE) -> Any:
    """The YAML document in ``path`` (a client's ``client.yaml``), read safely.

    Parameters
    ----------
    path : str or Path
    client : str
        Named in refusals.
    file : str
        The file named in refusals (default ``client.yaml``; a client's codebook file is read the same way).

    Returns
    -------
    Any
        The document (``None`` for an empty file).

    Raises
    ------
    ContractError
        If the file is larger than :data:`MAX_BYTES`, is not UTF-8 or valid YAML, names a key twice,
        uses a tag that constructs an object, nests too deeply, or expands through aliases to more
        than :data:`MAX_VALUES` values.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "client.yaml")
    >>> _ = open(p, "w").write("brand: On\\nexperience: true\\nlevels: [Yes, No]\\n")
    >>> read_yaml(p, "demo")
    {'brand': 'On', 'experience': True, 'levels': ['Yes', 'No']}
    """
    where = dict(client=client, file=file)
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ContractError(f"{file} is {size:,} bytes; at most {MAX_BYTES:,} are read (a YAML file "
                            "holds settings: put data in the client's data files)", **where)
    try:
        text = path.read_bytes()[: MAX_BYTES + 1].decode("utf-8-sig")
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ContractError(f"key '{exc.key}' appears twice at line {exc.line} (first at line "
                            f"{exc.first}); YAML would silently keep only the last", **where) from None
    except _TooBig:
        raise ContractError(f"{file} expands through its aliases (*name) to more than {MAX_VALUES:,} "
                            "values; write the values out instead of repeating aliases", **where) from None
    except yaml.constructor.ConstructorError as exc:
        tag = getattr(exc, "problem", "") or str(exc)
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ContractError(f"YAML tag refused{line} ({' '.join(str(tag).split())}): {file} is "
                            "read with safe loading only, so tags that construct objects are not "
                            "allowed", **where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContractError(f"not valid YAML{line}: {problem}", **where) from None
    except RecursionError:
        raise ContractError(f"{file} nests lists or mappings too deeply to be read", **where) from None
    except UnicodeDecodeError:
        raise ContractError(f"{file} is not UTF-8 text", **where) from None


def kind_of(value: Any) -> str:
    """A value as a refusal shows it: short (:func:`reprlib.repr`, so a value expanded from aliases is
    never written out whole), and ``true/false`` for a boolean.

    >>> kind_of({"a": 1}), kind_of([1, float("inf")]), kind_of(True), kind_of(list(range(100)))
    ("{'a': 1}", '[1, inf]', 'true/false', '[0, 1, 2, 3, 4, 5, ...]')
    """
    if isinstance(value, bool):
        return "true/false"
    return reprlib.repr(value)


def text(value: Any, where: str, client: str, *, column: str | None = None) -> str | None:
    """A name or label written in ``client.yaml`` as text (``None`` stays ``None``).

    Text is kept as written; a number becomes its text (``brand: 1`` -> ``'1'``).  A mapping, a list or
    true/false is refused: ``name: {a: 1}`` is not a name.

    >>> text(2024, "name", "demo"), text("On", "brand", "demo")
    ('2024', 'On')
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    hint = " (quote it if you mean the word)" if isinstance(value, bool) else ""
    raise ContractError(f"'{where}' must be text, got {kind_of(value)}{hint}", client=client, file=CONFIG_FILE,
                        column=column)


def flag(value: Any, where: str, client: str) -> bool:
    """A true/false setting; anything else is refused (``'no'`` is text, and would be true in Python).

    >>> flag(True, "constructs.x.experience", "demo")
    True
    """
    if isinstance(value, bool):
        return value
    raise ContractError(f"'{where}' must be true or false, got {kind_of(value)}", client=client, file=CONFIG_FILE)
