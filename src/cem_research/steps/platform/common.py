"""Shared pieces of step 2: the step number, labels, the client line and the experience dimensions.

Every section module of :mod:`cem_research.steps.platform` imports from here; nothing here
computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cem_research.present import narrative as nv

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

#: Schmitt step of every section of this package.
STEP = 2
#: A verbatim is *positive* when its VADER compound is at least this (implementation theme).
POSITIVE_COMPOUND = 0.5
#: The three parts of Schmitt's experiential platform, in order.
ELEMENTS = ("Experiential positioning", "Experiential value promise", "Overall implementation theme")
#: Words for each kind of brand, as used in pooled profile rows ("all direct competitors").
KIND_LABELS = {"own": "own brand", "direct": "direct competitors", "new_entrant": "new entrants",
               "outside_industry": "outside-industry competitors"}

__all__ = ["STEP", "POSITIVE_COMPOUND", "ELEMENTS", "KIND_LABELS", "client_summary",
           "experience_dimensions", "dimensions_note"]


def client_summary(data: "ClientData") -> str:
    """One Markdown line naming the client, brand, waves and rows (client names escaped).

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    str
        ``**Client:** … · **brand:** … · **waves:** … · **rows:** …``.
    """
    cfg = data.config
    return (f"**Client:** {nv.md(cfg.name)} · **brand:** {nv.md(cfg.brand)} · **waves:** "
            f"{nv.md(', '.join(map(str, data.waves)))} · **rows:** {len(data.ratings):,} "
            f"({len(data.own):,} rating the own brand)")


def experience_dimensions(cfg: "ClientConfig") -> tuple[list[str], str]:
    """The constructs profiled as experience dimensions, and where the list comes from.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    (list of str, str)
        The constructs flagged ``experience: true``; if none, every driver construct; if there
        are no drivers either, every construct that is not an outcome.  The second value is
        ``"declared"``, ``"drivers"`` or ``"constructs"``.
    """
    dims = cfg.experience_dimensions
    if dims:
        return dims, "declared"
    if cfg.drivers:
        return list(cfg.drivers), "drivers"
    return [c for c in cfg.constructs if c not in cfg.outcomes], "constructs"


def dimensions_note(cfg: "ClientConfig") -> str:
    """One sentence (Markdown, labels escaped) saying which constructs are profiled and why.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    str
    """
    dims, source = experience_dimensions(cfg)
    labels = nv.md(nv.join([nv.label(cfg, d) for d in dims]))
    if source == "declared":
        return f"Experience dimensions declared in client.yaml: {labels}."
    if source == "drivers":
        return ("The client declares no experience dimensions (`experience: true`), so all driver "
                f"constructs are profiled instead: {labels}.")
    return ("The client declares neither experience dimensions nor drivers, so every construct that "
            f"is not an outcome is profiled: {labels}.")
