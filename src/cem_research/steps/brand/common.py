"""What the sections of step 3 share: the brand elements, the aspect lexicon and step 2's reliability flags.

Schmitt's brand experience has three elements – the **product experience**, the **look and
feel** and **experiential communications**.  A client declares which constructs measure each
with ``element:`` in ``client.yaml`` (:func:`element_constructs`); the verbatims are searched for
each element's words (:func:`aspect_lexicon`).  Every table of the step carries the reliability
flags of step 2's measurement check (:func:`reliability`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData
    from cem_research.steps.section import Settings

STEP = 3
ELEMENT_LABELS = {"product": "Product experience", "look_and_feel": "Look and feel",
                  "communications": "Experiential communications"}

__all__ = ["STEP", "ELEMENT_LABELS", "element_constructs", "element_list", "element_of", "aspect_lexicon",
           "brand_experience_constructs", "reliability", "threshold_text"]


def element_constructs(cfg: "ClientConfig") -> dict[str, list[str]]:
    """Constructs declared per brand element (``element:`` in client.yaml).

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    dict
        Element name -> construct names, elements in Schmitt's order (product, look and feel,
        communications); elements without constructs are absent.
    """
    out: dict[str, list[str]] = {}
    for element in ELEMENT_LABELS:
        names = [c for c, k in cfg.constructs.items() if k.element == element]
        if names:
            out[element] = names
    return out


def element_list(cfg: "ClientConfig") -> list[str]:
    """Every brand-element construct, in the order of :func:`element_constructs`."""
    return [c for names in element_constructs(cfg).values() for c in names]


def element_of(cfg: "ClientConfig") -> dict[str, str]:
    """Construct name -> its declared brand element (constructs without ``element:`` are absent)."""
    return {c: k.element for c, k in cfg.constructs.items() if k.element}


def aspect_lexicon(cfg: "ClientConfig") -> dict[str, list[str]]:
    """The aspect lexicon for this client.

    The default lexicon (``resources/aspects.yaml``) with the client's ``aspects:`` from
    client.yaml applied (:func:`cem_research.text.load_lexicon`).
    """
    from cem_research import text as tx

    return tx.load_lexicon(overrides=cfg.aspects)


def brand_experience_constructs(cfg: "ClientConfig") -> list[str]:
    """The brand-experience dimensions compared across segments.

    The experience dimensions (:func:`cem_research.steps.platform.experience_dimensions`)
    followed by the element constructs, each once.
    """
    from cem_research.steps import platform as pf

    dims = pf.experience_dimensions(cfg)[0]
    return list(dict.fromkeys([*dims, *element_list(cfg)]))


def reliability(data: "ClientData", settings: "Settings") -> pd.DataFrame | None:
    """Step 2's reliability table, the source of every ``reliability_flag`` of this step.

    Parameters
    ----------
    data : ClientData
    settings : Settings
        ``reliability_threshold`` flags a construct.

    Returns
    -------
    DataFrame or None
        The result of step 2's :class:`cem_research.steps.platform.Reliability` section (one row
        per construct, with ``below_threshold`` and ``reliability_flag``), computed once per
        loaded client and settings; ``None`` when the client declares no constructs.
    """
    from cem_research.steps import platform as pf

    return pf.Reliability().result(data, settings)


def threshold_text(threshold: float) -> str:
    """A reliability threshold as it reads in sentences and flags: ``0.7`` -> ``'.70'``."""
    return f"{threshold:.2f}".replace("0.", ".", 1)
