"""The frames step 4's sections share: touchpoint events, their respondents, verbatims, loyalty groups.

Conventions
-----------
* Only the client's **own brand** is analysed (touchpoints and verbatims are about it).
* Touchpoint events are linked to survey respondents by respondent id (and wave, when the
  touchpoint file has a wave column).  When the touchpoint file has no wave column and some of its
  respondents are in the (possibly wave-restricted) survey, only those respondents' events are used,
  so ``ClientData.upto(wave)`` restricts touchpoints too.
* Frames are built once per data object (:func:`~cem_research.steps.interface.common.memo`) and
  handed out as shallow copies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.steps.interface.common import isin, key_cols, map_order, memo, merge_unique, shared

__all__ = ["touchpoint_events", "respondents", "own_feedback", "touchpoint_feedback", "respondent_experience",
           "loyalty_groups", "groups_of"]


def _touchpoint_events(data) -> pd.DataFrame | None:
    """:func:`touchpoint_events`, computed (not memoised)."""
    tp = data.touchpoints
    if tp is None or len(tp) == 0:
        return None
    tp = tp[tp["satisfaction"].notna()]
    own = data.own
    if "wave" in tp.columns:
        tp = tp[tp["wave"].isin(data.waves)]
    else:
        linked = isin(tp["respondent"], own["respondent"])
        if linked.any():
            tp = tp[linked]
    if len(tp) == 0:
        return None
    tp = tp.copy()
    if "stage" in tp.columns:
        order = {s: i for i, s in enumerate(data.config.journey)}
        tp["stage_index"] = map_order(tp["stage"], order)
    sort = ["respondent", "time"] if "time" in tp.columns else ["respondent", "row"]
    return tp.sort_values(sort, kind="stable").reset_index(drop=True)


def touchpoint_events(data) -> pd.DataFrame | None:
    """The own brand's touchpoint events with a rating, linked to the analysed survey respondents.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        The ``touchpoints`` table (``respondent, touchpoint, [stage, interface, channel, time,
        wave], satisfaction, [effort]``) restricted as described in the module notes, plus
        ``stage_index`` (position in the declared journey) when stages are given, in event order
        per respondent; ``None`` when the client supplies no touchpoint events.  Memoised per data
        object (a shallow copy).
    """
    return shared(memo(data, "events", lambda: _touchpoint_events(data)))


def respondents(data, tp: pd.DataFrame) -> pd.DataFrame:
    """One own-brand survey row per touchpoint key (respondent [, wave]); the latest wave wins.

    Parameters
    ----------
    data : ClientData
    tp : DataFrame
        The events (:func:`touchpoint_events`), which decide the key columns.

    Returns
    -------
    DataFrame
        Rows of ``data.own``, unique on :func:`~cem_research.steps.interface.common.key_cols`.
    """
    keys = key_cols(tp)

    def compute() -> pd.DataFrame:
        own = data.own
        if "wave" in keys:
            return own.drop_duplicates(keys, keep="last")
        order = {w: i for i, w in enumerate(data.waves)}
        own = own.assign(__w=map_order(own["wave"], order)).sort_values("__w", kind="stable")
        return own.drop_duplicates("respondent", keep="last").drop(columns="__w")

    return shared(memo(data, f"respondents{keys}", compute))


def own_feedback(data) -> pd.DataFrame | None:
    """The verbatim comments about the own brand in the analysed waves.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        ``data.feedback`` rows without a brand or of the own brand, and without a wave or in
        ``data.waves``; ``None`` when there are none.
    """
    fb = data.feedback
    if fb is None or len(fb) == 0:
        return None
    own = fb["brand"].isna() | (fb["brand"] == data.config.brand)
    fb = fb[own]
    if "wave" in fb.columns:
        fb = fb[fb["wave"].isna() | fb["wave"].isin(data.waves)]
    return fb.reset_index(drop=True) if len(fb) else None


def touchpoint_feedback(data) -> pd.DataFrame | None:
    """The own brand's scored verbatims that name a touchpoint.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        :func:`own_feedback` rows with a ``touchpoint`` and a VADER ``compound``; ``None`` when
        there are none.
    """
    fb = own_feedback(data)
    if fb is None or "touchpoint" not in fb.columns:
        return None
    fb = fb[fb["touchpoint"].notna() & fb["compound"].notna()]
    return fb.reset_index(drop=True) if len(fb) else None


def respondent_experience(data, tp: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Each respondent's mean rating of each touchpoint, with their outcome and segments.

    Parameters
    ----------
    data : ClientData
    tp : DataFrame
        The events (:func:`touchpoint_events`).
    outcome : str
        Outcome column of the survey.

    Returns
    -------
    DataFrame
        ``<keys>, touchpoint, rating, <outcome>, <segments>``: respondent x touchpoint rows of
        respondents found in the survey.
    """
    keys = key_cols(tp)
    per = (tp.groupby([*keys, "touchpoint"], as_index=False)["satisfaction"].mean()
           .rename(columns={"satisfaction": "rating"}))
    resp = respondents(data, tp)
    seg = [c for c in data.config.segments if c in resp.columns]
    return merge_unique(per, resp[[*keys, outcome, *seg]], keys, how="inner")


def loyalty_groups(data) -> pd.DataFrame | None:
    """Classify own-brand respondents as ``lost``, ``middle`` or ``loyal``.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        ``respondent, wave, group`` (one row per own-brand survey row with an answer);
        ``attrs["definition"]`` says how the groups are defined.  ``None`` without an NPS question
        and without a loyalty or main outcome with three answers.

    Notes
    -----
    With an NPS question declared, NPS detractors (0-6) are *lost* and promoters (9-10) *loyal*;
    otherwise the bottom third of the loyalty construct (an outcome whose name contains "loyal",
    else the main outcome) is *lost* and the top third *loyal*.
    """
    own = data.own
    cfg = data.config
    if cfg.nps and cfg.nps in own.columns and own[cfg.nps].notna().any():
        x = own[cfg.nps]
        group = np.select([x <= 6, x >= 9], ["lost", "loyal"], "middle")
        definition = (f"lost = NPS detractors (0–6 on {cfg.nps}), loyal = promoters (9–10); "
                      "passives (7–8) are left out of comparisons")
    else:
        loyal = [o for o in cfg.outcomes if "loyal" in o.lower()]
        col = loyal[0] if loyal else data.main_outcome
        if col is None or col not in own.columns or own[col].notna().sum() < 3:
            return None
        x = own[col]
        q1, q2 = stats.tercile_cuts(x)  # near-thirds, tied scores kept together (skewed data)
        group = np.select([x <= q1, x >= q2], ["lost", "loyal"], "middle")
        definition = (f"lost = bottom near-third of {col} (≤ {q1:.2f}), loyal = top near-third (≥ {q2:.2f}), "
                      "tied scores kept together; the middle is left out of comparisons")
    out = pd.DataFrame({"respondent": own["respondent"].to_numpy(), "wave": own["wave"].to_numpy(),
                        "group": group})
    out = out[x.notna().to_numpy()].reset_index(drop=True)
    out.attrs["definition"] = definition
    return out


def groups_of(data, tp: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """The loyalty group of each touchpoint key (respondent [, wave]).

    Parameters
    ----------
    data : ClientData
    tp : DataFrame
        The events (:func:`touchpoint_events`), which decide the key columns.

    Returns
    -------
    tuple or None
        ``(frame, definition)``: ``frame`` has the key columns and ``group`` (without a wave key,
        a respondent's latest wave wins); ``None`` when :func:`loyalty_groups` is.
    """
    keys = key_cols(tp)

    def compute() -> tuple[pd.DataFrame, str] | None:
        groups = loyalty_groups(data)
        if groups is None:
            return None
        if "wave" not in keys:
            order = {w: i for i, w in enumerate(data.waves)}
            groups = groups.assign(__w=map_order(groups["wave"], order)).sort_values("__w", kind="stable")
            groups = groups.drop_duplicates("respondent", keep="last").drop(columns="__w")
        return groups[[*keys, "group"]], groups.attrs.get("definition", "")

    got = memo(data, f"with_groups{keys}", compute)
    return None if got is None else (shared(got[0]), got[1])

