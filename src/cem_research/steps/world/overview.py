"""Step 1, "The data analysed": the ratings per brand and survey wave, shown before the sections."""

from __future__ import annotations

import pandas as pd

from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import KIND_LABELS, STEP, brand_order


def sample_overview(data) -> pd.DataFrame:
    """Ratings analysed: one row per brand and wave (own brand first).

    Returns
    -------
    DataFrame
        Columns ``brand, brand_kind, wave, n`` (rows of the ratings table), brands in the order own
        brand then declared competitors, waves in analysis order.
    """
    r = data.ratings
    order = {b: i for i, b in enumerate(brand_order(data))}
    worder = {w: i for i, w in enumerate(data.waves)}
    out = r.groupby(["brand", "brand_kind", "wave"], observed=True, dropna=False).size().rename("n").reset_index()
    out = out.assign(_b=out["brand"].map(order), _w=out["wave"].map(worder))
    out = out.sort_values(["_b", "_w"], kind="mergesort").drop(columns=["_b", "_w"]).reset_index(drop=True)
    out["brand_kind"] = out["brand_kind"].map(lambda k: KIND_LABELS.get(k, k))
    return out



class SampleOverview(Section):
    """The data analysed: ratings per brand and wave (the own brand's customers first, then competitors).

    Not a finding: the table tells the reader what the step-1 sections rest on.  It has no ``##``
    heading of its own; the notebook shows it under its "The data analysed" note, above the sections.
    """

    step = STEP
    title = "The data analysed"

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        return sample_overview(data)

    def present(self, result: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        cfg = data.config
        return [Shown("table", result, f"{cfg.name} ({cfg.market}): ratings per brand and wave", layer="appendix")]
