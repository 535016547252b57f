"""Parsers of the optional research-method sections of ``client.yaml``.

Each optional method a client may declare -- ``weighting:``, ``kano:``, ``modules:`` and
``promises:`` -- has one parser here, called by :func:`cem_research.client.config.parse_config`
when ``client.yaml`` is loaded.  A parser returns a frozen spec stored on
:class:`~cem_research.client.config.ClientConfig` (``cfg.weighting``, ``cfg.kano``,
``cfg.modules``, ``cfg.promises``; ``None`` when the method is not declared) or raises the
project's one-line :class:`~cem_research.client.errors.ContractError` naming the client,
``client.yaml`` and the key.  So ``python -m cem_research check`` refuses a typo under any of
them before a notebook runs; the analyses read the parsed spec and never parse.

Checks that need the client's data (a Kano column must exist in the survey file, a promised
touchpoint must occur in the touchpoint file, the hand-coded sample's module codes) are made by
:func:`cem_research.client.contract.read_client`.
"""

from __future__ import annotations

from cem_research.client.options.kano import KanoSpec, parse_kano
from cem_research.client.options.modules import MODULES, ModulesSpec, load_codebook, module_codes, parse_modules
from cem_research.client.options.promises import Promise, parse_promises
from cem_research.client.options.weighting import WeightingSpec, parse_weighting

#: The optional top-level keys of client.yaml, each parsed by its own module here.
OPTION_KEYS = ("weighting", "kano", "promises", "modules")

__all__ = ["OPTION_KEYS", "KanoSpec", "parse_kano", "MODULES", "ModulesSpec", "load_codebook", "module_codes",
           "parse_modules", "Promise", "parse_promises", "WeightingSpec", "parse_weighting", "parse_options"]


def parse_options(raw: dict, cfg) -> dict:
    """Every optional method's spec from the ``client.yaml`` mapping ``raw``.

    Parameters
    ----------
    raw : dict
        The loaded ``client.yaml``.
    cfg : ClientConfig
        The rest of the contract, already validated (client name, segments, constructs,
        touchpoint file, folder).

    Returns
    -------
    dict
        ``{"weighting": WeightingSpec | None, "kano": KanoSpec | None, "modules": ModulesSpec | None,
        "promises": tuple of Promise | None}``.

    Raises
    ------
    ContractError
        One line naming client, ``client.yaml`` and the key, for the first problem found.
    """
    return {"weighting": parse_weighting(raw["weighting"], cfg) if "weighting" in raw else None,
            "kano": parse_kano(raw.get("kano"), cfg),
            "modules": parse_modules(raw.get("modules"), cfg),
            "promises": parse_promises(raw.get("promises"), cfg)}
