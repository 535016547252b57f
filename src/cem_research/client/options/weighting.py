"""``weighting:`` of client.yaml: target margins for raking the own brand's respondents.

::

    weighting:
      targets:                 # target shares per segment column; each set must sum to 1
        age_group: {18-29: 0.25, 30-44: 0.30, 45-59: 0.25, 60+: 0.20}
      by_wave: true            # rake each wave separately (default true)
      trim: [0.3, 3.0]         # keep weights in this range relative to mean 1 (null: no trimming)

The raking itself is :mod:`cem_research.stats.weighting`, run while the client is processed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from cem_research.client.options.common import config_error

KEYS = {"targets", "by_wave", "trim", "max_iter", "tolerance"}
DEFAULT_TRIM = (0.3, 3.0)
SUM_TOLERANCE = 1e-3  # shares written with three decimals (0.333, 0.333, 0.334) are accepted


@dataclass(frozen=True)
class WeightingSpec:
    """A validated ``weighting:`` key.

    Attributes
    ----------
    targets : dict
        Segment column -> level -> target share (each column's shares sum to 1).
    by_wave : bool
        Rake each wave separately.
    trim : (float, float) or None
        Bounds of the weights relative to a mean of 1.
    max_iter : int
        Raking cycles at most.
    tolerance : float
        Largest accepted gap between a weighted margin and its target.
    """

    targets: dict[str, dict[str, float]]
    by_wave: bool = True
    trim: tuple[float, float] | None = DEFAULT_TRIM
    max_iter: int = 2000
    tolerance: float = 1e-10


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def parse_weighting(raw: Any, cfg) -> WeightingSpec:
    """Validate the value of ``weighting:`` (declared whenever the key is present, even blank).

    Parameters
    ----------
    raw : Any
        The YAML value under ``weighting:``.
    cfg : ClientConfig
        The client's contract (its ``segments``).

    Returns
    -------
    WeightingSpec

    Raises
    ------
    ContractError
        One line naming the client and ``client.yaml``: unknown key (with the nearest valid
        key), no targets, a target column that is not a declared segment, a share that is not a
        positive number, shares of a column not summing to 1, a bad ``by_wave``, ``trim``,
        ``max_iter`` or ``tolerance``.
    """
    from cem_research.client.config import suggest

    if not isinstance(raw, dict):
        raise config_error(cfg, f"'weighting' must be a mapping with 'targets' (and optionally by_wave, trim), "
                                f"got {type(raw).__name__}")
    for key in raw:
        if key not in KEYS:
            raise config_error(cfg, f"unknown key '{key}' in weighting{suggest(key, KEYS)}")
    targets_raw = raw.get("targets")
    if not isinstance(targets_raw, dict) or not targets_raw:
        raise config_error(cfg, "'weighting.targets' must map segment columns to their target shares, "
                                "e.g. targets: {age_group: {18-29: 0.3, 30+: 0.7}}")
    targets: dict[str, dict[str, float]] = {}
    for col, shares in targets_raw.items():
        col = str(col)
        where = f"weighting.targets.{col}"
        if col not in cfg.segments:
            close = difflib.get_close_matches(col, sorted(cfg.segments), n=1, cutoff=0.6)
            hint = (f"; did you mean '{close[0]}'?" if close else
                    f"; declared segments: {', '.join(cfg.segments) or 'none'}")
            raise config_error(cfg, f"'{where}': '{col}' is not a declared segment column (weighting columns "
                                    f"must be listed under 'segments'){hint}", column=col)
        if not isinstance(shares, dict) or len(shares) < 2:
            raise config_error(cfg, f"'{where}' must map at least two levels to their target shares, got "
                                    f"{shares!r}", column=col)
        levels: dict[str, float] = {}
        for level, share in shares.items():
            if isinstance(level, bool):
                raise config_error(cfg, f"'{where}' has the level {level!r}, which YAML read as true/false: "
                                        "quote the level (e.g. 'yes': 0.4)", column=col)
            if not _is_number(share) or not 0 < float(share) <= 1:
                raise config_error(cfg, f"'{where}': the target share of level '{level}' must be a number in "
                                        f"(0, 1], got {share!r}", column=col)
            if str(level) in levels:
                raise config_error(cfg, f"'{where}' lists level '{level}' twice", column=col)
            levels[str(level)] = float(share)
        total = sum(levels.values())
        if abs(total - 1) > SUM_TOLERANCE:
            raise config_error(cfg, f"'{where}': target shares must sum to 1, they sum to {total:.4g}", column=col)
        targets[col] = {k: v / total for k, v in levels.items()}
    by_wave = raw.get("by_wave", True)
    if not isinstance(by_wave, bool):
        raise config_error(cfg, f"'weighting.by_wave' must be true or false, got {by_wave!r}")
    trim_raw = raw.get("trim", list(DEFAULT_TRIM))
    trim: tuple[float, float] | None
    if trim_raw is None or trim_raw is False:
        trim = None
    else:
        ok = (isinstance(trim_raw, (list, tuple)) and len(trim_raw) == 2 and all(_is_number(v) for v in trim_raw)
              and 0 < float(trim_raw[0]) <= 1 <= float(trim_raw[1]))
        if not ok:
            raise config_error(cfg, f"'weighting.trim' must be [low, high] with 0 < low <= 1 <= high (relative "
                                    f"to a mean weight of 1), or null for no trimming; got {trim_raw!r}")
        trim = (float(trim_raw[0]), float(trim_raw[1]))
    max_iter = raw.get("max_iter", 2000)
    if not isinstance(max_iter, int) or isinstance(max_iter, bool) or max_iter < 1:
        raise config_error(cfg, f"'weighting.max_iter' must be a positive whole number, got {max_iter!r}")
    tol = raw.get("tolerance", 1e-10)
    if not _is_number(tol) or not 0 < float(tol) < 0.01:
        raise config_error(cfg, f"'weighting.tolerance' must be a number in (0, 0.01), got {tol!r}")
    return WeightingSpec(targets=targets, by_wave=by_wave, trim=trim, max_iter=max_iter, tolerance=float(tol))
