"""``kano:`` of client.yaml: the Kano question pairs asked in the survey file.

::

    kano:
      scale: [1, 5]        # the answer codes of 'I like it' and 'I dislike it' (default [1, 5])
      features:
        mobile_preorder: {functional: kano_pre_f, dysfunctional: kano_pre_d, label: "Mobile pre-order"}

The answers themselves are read and checked with the survey file
(:func:`cem_research.client.contract.read_kano`); the analysis is :mod:`cem_research.steps.brand.kano`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cem_research.client.options.common import config_error

KEYS = {"scale", "features"}
FEATURE_KEYS = {"functional", "dysfunctional", "label"}


@dataclass(frozen=True)
class KanoSpec:
    """A validated ``kano:`` key.

    Attributes
    ----------
    scale : (int, int)
        Codes of the first (*like*) and last (*dislike*) of the five Kano answers.
    features : dict
        Feature -> ``(functional column, dysfunctional column, label)``, in declared order.
    """

    scale: tuple[int, int]
    features: dict[str, tuple[str, str, str]]

    @property
    def columns(self) -> list[str]:
        """Every Kano column of the survey file, in declared order."""
        return [c for f, d, _ in self.features.values() for c in (f, d)]


def parse_kano(raw: Any, cfg) -> KanoSpec | None:
    """Validate the value of ``kano:`` (``None``: absent or left blank, not declared).

    Raises
    ------
    ContractError
        One line naming client and ``client.yaml``: unknown key (with the nearest valid key),
        a scale that is not five consecutive whole numbers, no features, a feature without
        both question columns, or a column used twice.
    """
    from cem_research.client.config import suggest

    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise config_error(cfg, f"'kano' must be a mapping with 'features' (and optionally 'scale'), got "
                                f"{type(raw).__name__}")
    for key in raw:
        if key not in KEYS:
            raise config_error(cfg, f"unknown key '{key}' in kano{suggest(key, KEYS)}")
    scale = raw.get("scale", [1, 5])
    ok = (isinstance(scale, (list, tuple)) and len(scale) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in scale) and scale[1] - scale[0] == 4)
    if not ok:
        raise config_error(cfg, f"'kano.scale' must be the codes of the first and last of the five Kano answers "
                                f"(like ... dislike), e.g. [1, 5]; got {scale!r}")
    feats = raw.get("features")
    if not isinstance(feats, dict) or not feats:
        raise config_error(cfg, "'kano.features' must map each feature to its question columns, e.g. "
                                "mobile_preorder: {functional: kano_pre_f, dysfunctional: kano_pre_d}")
    features: dict[str, tuple[str, str, str]] = {}
    used: dict[str, str] = {}
    for name, spec in feats.items():
        name = str(name)
        where = f"kano.features.{name}"
        if not isinstance(spec, dict):
            raise config_error(cfg, f"'{where}' must be a mapping with 'functional' and 'dysfunctional' columns, "
                                    f"got {spec!r}")
        for key in spec:
            if key not in FEATURE_KEYS:
                raise config_error(cfg, f"unknown key '{key}' in {where}{suggest(key, FEATURE_KEYS)}")
        cols = []
        for role in ("functional", "dysfunctional"):
            col = spec.get(role)
            if col is None or not str(col).strip() or isinstance(col, (list, dict, bool)):
                raise config_error(cfg, f"'{where}.{role}' is required: the survey column of the {role} question")
            col = str(col)
            if col in used:
                raise config_error(cfg, f"column '{col}' is used twice in kano ({used[col]} and {where}.{role})",
                                   column=col)
            used[col] = f"{where}.{role}"
            cols.append(col)
        label = spec.get("label")
        label = str(label) if label is not None and str(label).strip() else name.replace("_", " ").capitalize()
        features[name] = (cols[0], cols[1], label)
    return KanoSpec(scale=(int(scale[0]), int(scale[1])), features=features)
