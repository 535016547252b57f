"""Where journeys differ between lost and loyal customers, and the touchpoints after which they end
(tables of the section "Journeys", :class:`~cem_research.steps.interface.journeys.Journeys`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.steps.interface.common import (
    compare_quietly, diff_proportions, group_ids, has, key_cols, merge_unique,
)
from cem_research.steps.interface.frames import groups_of, touchpoint_events

__all__ = ["journey_by_loyalty", "default_final_stages", "exit_touchpoints"]


def journey_by_loyalty(data, alpha: float = 0.05, confidence: float = 0.95) -> pd.DataFrame | None:
    """How lost customers' journeys differ from loyal customers', stage by stage.

    Per stage: the share of each group that reached it (had any event there) and the group's mean
    touchpoint rating in it.

    Parameters
    ----------
    data : ClientData
    alpha : float, default 0.05
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per stage: ``stage, n_lost, n_loyal, reach_lost, reach_loyal, reach_diff,
        reach_ci_low, reach_ci_high, reach_p_corr, sat_lost, sat_loyal, sat_diff, sat_ci_low,
        sat_ci_high, sat_p_corr`` with differences lost minus loyal (Newcombe CI and Fisher exact
        test for shares; Welch CI and test on respondent means for ratings), Holm across all
        tests of the table.  ``attrs["definition"]`` describes the groups
        (:func:`~cem_research.steps.interface.frames.loyalty_groups`).  ``None`` without stages or
        with fewer than two lost or loyal customers.
    """
    tp = touchpoint_events(data)
    if tp is None or not has(tp, "stage"):
        return None
    got = groups_of(data, tp)
    if got is None:
        return None
    groups, definition = got
    keys = key_cols(tp)
    groups = groups[groups["group"].isin(["lost", "loyal"])]
    n = groups["group"].value_counts()
    if n.get("lost", 0) < 2 or n.get("loyal", 0) < 2:
        return None
    per = merge_unique(tp.groupby([*keys, "stage"], as_index=False)["satisfaction"].mean(), groups, keys)
    rows = []
    for stage in [s for s in data.config.journey]:
        sub = per[per["stage"] == stage]
        x_l = int((sub["group"] == "lost").sum())
        x_y = int((sub["group"] == "loyal").sum())
        d, lo, hi, p = diff_proportions(x_l, int(n["lost"]), x_y, int(n["loyal"]), confidence=confidence)
        row = {"stage": stage, "n_lost": int(n["lost"]), "n_loyal": int(n["loyal"]),
               "reach_lost": x_l / n["lost"], "reach_loyal": x_y / n["loyal"], "reach_diff": d,
               "reach_ci_low": lo, "reach_ci_high": hi, "reach_p_unc": p, "sat_lost": np.nan, "sat_loyal": np.nan,
               "sat_diff": np.nan, "sat_ci_low": np.nan, "sat_ci_high": np.nan, "sat_p_unc": np.nan}
        if x_l >= 2 and x_y >= 2:
            r = compare_quietly(sub, "satisfaction", "group", "lost", correction="none",
                                confidence=confidence).iloc[0]
            row.update(sat_lost=r["mean_ref"], sat_loyal=r["mean_other"], sat_diff=r["diff"],
                       sat_ci_low=r["ci_low"], sat_ci_high=r["ci_high"], sat_p_unc=r["p_unc"])
        rows.append(row)
    out = pd.DataFrame(rows)
    long = pd.concat([out[["reach_p_unc"]].rename(columns={"reach_p_unc": "p_unc"}),
                      out[["sat_p_unc"]].rename(columns={"sat_p_unc": "p_unc"})], ignore_index=True)
    adj = stats.adjust_pvalues(long, "p_unc", "holm", alpha=alpha)["p_corr"].to_numpy()
    out["reach_p_corr"] = adj[: len(out)]
    out["sat_p_corr"] = adj[len(out):]
    cols = ["stage", "n_lost", "n_loyal", "reach_lost", "reach_loyal", "reach_diff", "reach_ci_low",
            "reach_ci_high", "reach_p_corr", "sat_lost", "sat_loyal", "sat_diff", "sat_ci_low", "sat_ci_high",
            "sat_p_corr"]
    out = out[cols]
    out.attrs["definition"] = definition
    return out


def default_final_stages(journey: Sequence[str]) -> list[str]:
    """The last third of the declared journey (at least one stage): reaching it = a complete journey.

    Parameters
    ----------
    journey : sequence of str
        The declared journey stages in order.

    Returns
    -------
    list of str

    Examples
    --------
    >>> default_final_stages(["awareness", "purchase", "usage", "service"])
    ['service']
    """
    k = max(1, len(journey) // 3)
    return list(journey[-k:])


def exit_touchpoints(data, final_stages: Sequence[str] | None = None, alpha: float = 0.05,
                     confidence: float = 0.95) -> pd.DataFrame | None:
    """The touchpoints after which customers leave: last touchpoints of journeys that end early.

    A journey **ends early** when the respondent's last event is in a stage before the final stages
    (default: the last third of the declared journey, :func:`default_final_stages`).

    Parameters
    ----------
    data : ClientData
    final_stages : sequence of str, optional
    alpha : float, default 0.05
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per touchpoint that ended at least one early journey, most exits first:
        ``touchpoint, stage, exits, share_of_exits, ci_low, ci_high`` (share of all early-ending
        journeys that ended here, Wilson CI), ``users`` (respondents with an event there),
        ``exit_rate`` (exits / users), and, when loyalty groups exist
        (:func:`~cem_research.steps.interface.frames.loyalty_groups`), ``exit_rate_lost``,
        ``exit_rate_loyal``, ``exit_diff`` (lost minus loyal, Newcombe CI
        ``exit_diff_ci_low/high``) and ``p_corr`` (Fisher exact, Holm).  ``attrs``: ``n_early``,
        ``n_respondents``, ``share_early``, ``final_stages``, ``definition``.  ``None`` when no
        journey ends early.
    """
    tp = touchpoint_events(data)
    if tp is None or not has(tp, "stage"):
        return None
    journey = list(data.config.journey)
    final = list(final_stages) if final_stages is not None else default_final_stages(journey)
    first_final = min(journey.index(s) for s in final)
    keys = key_cols(tp)
    tp = tp.loc[tp["stage_index"].notna(), [*keys, "touchpoint", "stage", "stage_index"]]
    # the last event of each respondent key (as groupby(keys).tail(1): rows in event order)
    gid = group_ids(tp, keys)
    last = tp[(gid >= 0) & ~pd.Series(gid).duplicated(keep="last").to_numpy()]
    last = last.assign(early=last["stage_index"] < first_final)
    n_resp, n_early = len(last), int(last["early"].sum())
    if n_early == 0:
        return None
    users = tp.drop_duplicates([*keys, "touchpoint"])[[*keys, "touchpoint"]]
    n_users = users.groupby("touchpoint", sort=False).size()
    got = groups_of(data, tp)
    exits = last[last["early"]]
    if got is not None:
        groups = got[0]
        users_by_group = merge_unique(users, groups, keys).groupby(["touchpoint", "group"], sort=False).size()
        exits_by_group = merge_unique(exits, groups, keys).groupby(["touchpoint", "group"], sort=False).size()
    rows = []
    for name, sub in exits.groupby("touchpoint", sort=False):
        row = {"touchpoint": name, "stage": sub["stage"].iloc[0], "exits": len(sub), "users": int(n_users[name])}
        if got is not None:
            nl, ny = (int(users_by_group.get((name, g), 0)) for g in ("lost", "loyal"))
            xl, xy = (int(exits_by_group.get((name, g), 0)) for g in ("lost", "loyal"))
            d, lo, hi, p = diff_proportions(xl, nl, xy, ny, confidence=confidence)
            row.update(exit_rate_lost=xl / nl if nl else np.nan, exit_rate_loyal=xy / ny if ny else np.nan,
                       exit_diff=d, exit_diff_ci_low=lo, exit_diff_ci_high=hi, p_unc=p)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["share_of_exits"] = out["exits"] / n_early
    lo, hi = stats.proportion_ci(out["exits"].to_numpy(float), np.full(len(out), float(n_early)),
                                 confidence=confidence)
    out["ci_low"], out["ci_high"] = lo, hi
    out["exit_rate"] = out["exits"] / out["users"]
    cols = ["touchpoint", "stage", "exits", "share_of_exits", "ci_low", "ci_high", "users", "exit_rate"]
    if got is not None:
        out = stats.adjust_pvalues(out, "p_unc", "holm", alpha=alpha)
        cols += ["exit_rate_lost", "exit_rate_loyal", "exit_diff", "exit_diff_ci_low", "exit_diff_ci_high", "p_corr"]
    out = out.sort_values(["exits", "touchpoint"], ascending=[False, True], kind="stable")[cols].reset_index(drop=True)
    out.attrs.update(n_early=n_early, n_respondents=n_resp, share_early=n_early / n_resp, final_stages=final,
                     definition=got[1] if got is not None else "")
    return out
