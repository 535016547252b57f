"""Shared pieces of step 5: the constructs in report order, their roles and titles, the constants
of the agenda, and the step-4 frames the innovation sections reuse.

Examples
--------
>>> from cem_research.steps.innovation import common
>>> common.STEP, common.GOOD_SHARE
(5, 0.6)
"""

from __future__ import annotations

import pandas as pd

from cem_research.steps import interface
from cem_research.steps.section import Settings

#: Schmitt step of every section in this package.
STEP = 5
#: "Good" level of a construct: this share of the way from the scale minimum to the maximum.
GOOD_SHARE = 0.6
#: Audience of an opportunity when the data hold no basis to tell new from loyal customers.
NO_AUDIENCE = "cannot be determined (no tenure or loyalty segment)"
#: The earlier step an opportunity feeds back into.
STEPS = {2: "build the experiential platform", 3: "design the brand experience",
         4: "structure the customer interface"}
#: Default settings of the library functions (sections always pass their own).
DEFAULTS = Settings()


def construct_order(cfg) -> list[str]:
    """The constructs in report order: outcomes first, then drivers, then the others (declaration order).

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    list of str
    """
    names = [*cfg.ordered_outcomes, *[d for d in cfg.drivers if d not in cfg.outcomes]]
    return names + [c for c in cfg.constructs if c not in names]


def construct_role(cfg, name: str) -> str:
    """``'outcome'``, ``'driver'`` or ``'other'``: the role a construct plays in the client's model."""
    if name in cfg.outcomes:
        return "outcome"
    if name in cfg.drivers:
        return "driver"
    return "other"


def construct_title(cfg, name: str) -> str:
    """The display title of a declared construct (the name itself when it is not declared)."""
    c = cfg.constructs.get(name)
    return c.title if c is not None else name


def tracked_constructs(data) -> list[str]:
    """The constructs (report order) with at least one own-brand rating: the ones tracked across waves."""
    own = data.own
    return [c for c in construct_order(data.config) if c in own.columns and own[c].notna().sum() > 0]


def touchpoint_ipa(data, settings: Settings = DEFAULTS) -> pd.DataFrame | None:
    """Step 4's touchpoint importance-performance table, as its section computes it
    (``interface.TouchpointImportancePerformance.ipa``: once per loaded client and settings);
    ``None`` without touchpoint data."""
    return interface.TouchpointImportancePerformance.ipa(data, settings)


