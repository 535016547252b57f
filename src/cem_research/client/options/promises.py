"""``promises:`` of client.yaml: the brand promises audited in step 4 (promise versus delivery).

::

    promises:
      - {promise: "A warm, personal welcome", construct: affective,
         touchpoints: [counter_order, barista_interaction], target: 5.5}

That each named touchpoint occurs in the touchpoint file is checked with the raw files
(:func:`cem_research.client.contract.read_client`); the analysis is
:mod:`cem_research.steps.interface.promises`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from cem_research.client.options.common import config_error

KEYS = {"promise", "construct", "touchpoints", "target"}


@dataclass(frozen=True)
class Promise:
    """One validated entry of ``promises:``.

    Attributes
    ----------
    promise : str
        The promise in the brand's words.
    construct : str
        The declared construct it is measured on.
    touchpoints : tuple of str
        Where it is delivered (names in the touchpoint file).
    target : float or None
        The promised level on the construct's scale (``None``: best competitor, else 75% of the scale).
    """

    promise: str
    construct: str
    touchpoints: tuple[str, ...] = ()
    target: float | None = None


def parse_promises(raw: Any, cfg) -> tuple[Promise, ...] | None:
    """Validate the value of ``promises:`` (``None``: absent or left blank, not declared).

    Raises
    ------
    ContractError
        One line naming client and ``client.yaml``: not a list, an unknown key (with the nearest
        valid key), a blank or repeated promise, a construct that is not declared, touchpoints that
        are not a list of names or declared without a touchpoint file, a target that is not a number
        on the construct's scale.
    """
    from cem_research.client.config import suggest

    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise config_error(cfg, "'promises' must be a list of {promise, construct, touchpoints, target} entries")
    out: list[Promise] = []
    for i, entry in enumerate(raw):
        where = f"promises[{i}]"
        if not isinstance(entry, dict):
            raise config_error(cfg, f"'{where}' must be a mapping such as {{promise: ..., construct: ..., "
                                    f"touchpoints: [...], target: ...}}, got {entry!r}")
        for key in entry:
            if key not in KEYS:
                raise config_error(cfg, f"unknown key '{key}' in {where}{suggest(key, KEYS)}")
        text = entry.get("promise")
        if text is None or not str(text).strip():
            raise config_error(cfg, f"'{where}.promise' is required: the promise in the brand's words")
        text = " ".join(str(text).split())
        if any(p.promise == text for p in out):
            raise config_error(cfg, f"promise '{text}' is listed twice")
        construct = entry.get("construct")
        if construct is None or str(construct) not in cfg.constructs:
            close = difflib.get_close_matches(str(construct), sorted(cfg.constructs), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; declared constructs: {', '.join(cfg.constructs)}"
            raise config_error(cfg, f"'{where}.construct' must name a declared construct, got {construct!r}{hint}")
        construct = str(construct)
        tps = entry.get("touchpoints") or []
        if isinstance(tps, str):
            tps = [tps]
        if not isinstance(tps, list) or not all(isinstance(t, (str, int)) and str(t).strip() for t in tps):
            raise config_error(cfg, f"'{where}.touchpoints' must be a list of touchpoint names, "
                                    f"got {entry.get('touchpoints')!r}")
        if tps and cfg.touchpoints is None:
            raise config_error(cfg, f"'{where}.touchpoints' names touchpoints, but the client declares no "
                                    "touchpoints file")
        target = entry.get("target")
        if target is not None:
            lo, hi = cfg.constructs[construct].scale
            if isinstance(target, bool) or not isinstance(target, (int, float)) or not lo <= float(target) <= hi:
                raise config_error(cfg, f"'{where}.target' must be a number on the {construct} scale {lo:g}-{hi:g}, "
                                        f"got {target!r}")
            target = float(target)
        out.append(Promise(text, construct, tuple(dict.fromkeys(str(t) for t in tps)), target))
    return tuple(out)
