"""Section "Journeys": common paths, stage-to-stage transitions, lost versus loyal customers
(:mod:`~cem_research.steps.interface.exits`), the touchpoints after which journeys end, and the time
between stages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.interface.common import (
    NO_TOUCHPOINTS, STEP, group_ids, has, key_cols, memo, merge_unique, shared,
)
from cem_research.steps.interface.exits import exit_touchpoints, journey_by_loyalty
from cem_research.steps.interface.frames import respondents, touchpoint_events
from cem_research.steps.section import Section, Settings, Shown

__all__ = ["journey_paths", "stage_transitions", "transition_matrix", "stage_durations", "JourneysResult",
           "Journeys"]


# ---------------------------------------------------------------------------------------------
# sequences of steps
# ---------------------------------------------------------------------------------------------


def _steps(tp: pd.DataFrame, level: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """The steps of :func:`_sequences` as arrays (``None`` when no respondent key has a step).

    Returns the key columns of each group (order of first appearance, one row per group), the
    group number of each step and the step's ``level`` value (object array), steps ordered by
    group, then by event order.
    """
    keys = key_cols(tp)
    tp = tp.loc[tp[level].notna(), [*keys, level]]
    gid = group_ids(tp, keys)
    order = np.argsort(gid, kind="stable")
    order = order[gid[order] >= 0]
    if len(order) == 0:
        return None
    codes, uniques = pd.factorize(tp[level])
    g, v = gid[order], codes[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    step = new_group | np.r_[True, v[1:] != v[:-1]]
    groups = tp[keys].iloc[order[new_group]].reset_index(drop=True)
    values = np.asarray(uniques, dtype=object)[v[step]]
    return groups, g[step], values


def _sequences(tp: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per respondent key: the ordered sequence of ``level`` values, consecutive repeats collapsed."""
    got = _steps(tp, level)
    if got is None:  # no group: the (empty) frame groupby returns
        keys = key_cols(tp)
        tp = tp[tp[level].notna()]
        prev = tp.groupby(keys, sort=False)[level].shift()
        first = prev.isna() | (prev != tp[level])
        steps = tp[first.to_numpy()]
        return steps.groupby(keys, sort=False)[level].agg(tuple).rename("sequence").reset_index()
    return _sequences_of(got)


def _sequences_of(steps: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> pd.DataFrame:
    """The :func:`_sequences` frame from the arrays of :func:`_steps`."""
    groups, gid, values = steps
    ends = np.cumsum(np.bincount(gid, minlength=len(groups)))
    starts = np.r_[0, ends[:-1]]
    vals = values.tolist()
    sequence = np.empty(len(groups), dtype=object)
    sequence[:] = [tuple(vals[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
    return groups.assign(sequence=sequence)


def _data_steps(data, tp: pd.DataFrame, level: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """:func:`_steps` of the data's events ``tp``, memoised per data object (read-only arrays)."""
    def compute():
        got = _steps(tp, level)
        if got is not None:
            for arr in got[1:]:
                arr.setflags(write=False)
        return got

    return memo(data, f"steps:{level}", compute)


def _data_sequences(data, tp: pd.DataFrame, level: str) -> pd.DataFrame:
    """:func:`_sequences` of the data's events ``tp``, memoised per data object (a shallow copy)."""
    def compute() -> pd.DataFrame:
        got = _data_steps(data, tp, level)
        return _sequences(tp, level) if got is None else _sequences_of(got)

    return shared(memo(data, f"sequences:{level}", compute))


def _paths(sequences: pd.Series) -> pd.Series:
    """Sequences joined by " → " (each distinct sequence joined once)."""
    if len(sequences) == 0:
        return sequences.map(lambda s: " → ".join(map(str, s)))
    codes, uniques = pd.factorize(sequences.to_numpy())
    joined = pd.Series(uniques, dtype=object).map(lambda s: " → ".join(map(str, s)))
    return pd.Series(joined.array.take(codes), index=sequences.index)


# ---------------------------------------------------------------------------------------------
# the tables
# ---------------------------------------------------------------------------------------------


def journey_paths(data, level: str = "stage", top: int = 10, confidence: float = 0.95) -> pd.DataFrame | None:
    """The most common journeys: each respondent's ordered path of stages (or touchpoints).

    Events are ordered by time (by file order without a time column); consecutive events in the
    same stage count as one step.

    Parameters
    ----------
    data : ClientData
    level : str, default "stage"
        Column whose values make the steps.
    top : int, default 10
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        ``top`` most frequent paths: ``path`` (steps joined by " → "), ``steps``, ``respondents``,
        ``share`` (of all respondents with events) with Wilson ``ci_low``/``ci_high``, and
        ``outcome_mean`` (mean main outcome of those respondents, NaN if not linkable).
        ``attrs``: ``n_respondents``, ``n_paths`` (distinct paths), ``level``, ``outcome``.
    """
    tp = touchpoint_events(data)
    if tp is None or not has(tp, level):
        return None
    seq = _data_sequences(data, tp, level)
    n = len(seq)
    seq["path"] = _paths(seq["sequence"])
    outcome = data.main_outcome
    keys = key_cols(tp)
    if outcome is not None and outcome in data.ratings.columns:
        seq = merge_unique(seq, respondents(data, tp)[[*keys, outcome]], keys, how="left")
    else:
        seq[outcome or "__none"] = np.nan
        outcome = outcome or "__none"
    g = seq.groupby("path", sort=False)
    out = pd.DataFrame({"respondents": g.size(), "outcome_mean": g[outcome].mean(),
                        "steps": g["sequence"].first().map(len)}).reset_index()
    out = out.sort_values(["respondents", "path"], ascending=[False, True], kind="stable").head(top)
    out["share"] = out["respondents"] / n
    lo, hi = stats.proportion_ci(out["respondents"].to_numpy(float), np.full(len(out), float(n)),
                                 confidence=confidence)
    out["ci_low"], out["ci_high"] = lo, hi
    out = out[["path", "steps", "respondents", "share", "ci_low", "ci_high", "outcome_mean"]].reset_index(drop=True)
    out.attrs.update(n_respondents=n, n_paths=int(seq["path"].nunique()), level=level, outcome=outcome)
    return out


def stage_transitions(data) -> pd.DataFrame | None:
    """Stage-to-stage moves: how often a step in one stage is followed by a step in another.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        ``from_stage, to_stage, count, share`` (share of moves out of ``from_stage``) for every pair
        of declared stages (zeros included), stages as ordered Categoricals in journey order.
        Repeated events within a stage are one step (no self-moves).  The last step of a journey
        counts as a move to ``"(end)"`` (an extra ``to_stage`` level), so shares show where
        journeys stop.  ``attrs["n_respondents"]``: journeys.
    """
    tp = touchpoint_events(data)
    if tp is None or not has(tp, "stage"):
        return None
    got = _data_steps(data, tp, "stage")
    stages = [s for s in data.config.journey]
    to_levels = [*stages, "(end)"]
    if got is None:
        n_seq = len(_sequences(tp, "stage"))
        counts = pd.Series(0, index=pd.MultiIndex.from_arrays([[], []], names=["from_stage", "to_stage"]))
    else:
        # every step moves to the next step of its journey, the last one to "(end)"
        groups, gid, values = got
        n_seq = len(groups)
        last = np.r_[gid[1:] != gid[:-1], True]
        codes, uniques = pd.factorize(values)
        to_codes = np.where(last, len(uniques), np.r_[codes[1:], 0])
        pair = np.bincount(codes * (len(uniques) + 1) + to_codes, minlength=len(uniques) * (len(uniques) + 1))
        seen = np.flatnonzero(pair)
        labels = np.asarray([*uniques, "(end)"], dtype=object)
        counts = pd.Series(pair[seen], index=pd.MultiIndex.from_arrays(
            [labels[seen // (len(uniques) + 1)], labels[seen % (len(uniques) + 1)]], names=["from_stage", "to_stage"]))
        if not counts.index.is_unique:  # a stage named "(end)"
            counts = counts.groupby(level=[0, 1]).sum()
    grid = pd.MultiIndex.from_product([stages, to_levels], names=["from_stage", "to_stage"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out = out[out["from_stage"] != out["to_stage"]]
    tot = out.groupby("from_stage")["count"].transform("sum")
    out["share"] = np.where(tot > 0, out["count"] / tot.where(tot > 0, 1), np.nan)
    out["from_stage"] = pd.Categorical(out["from_stage"], categories=stages, ordered=True)
    out["to_stage"] = pd.Categorical(out["to_stage"], categories=to_levels, ordered=True)
    out = out.reset_index(drop=True)
    out.attrs["n_respondents"] = n_seq
    return out


def transition_matrix(transitions: pd.DataFrame, value: str = "share") -> pd.DataFrame:
    """``from_stage`` x ``to_stage`` matrix of :func:`stage_transitions` (journey order).

    Parameters
    ----------
    transitions : DataFrame
        :func:`stage_transitions`.
    value : {"share", "count"}

    Returns
    -------
    DataFrame
    """
    return transitions.pivot_table(index="from_stage", columns="to_stage", values=value, observed=False,
                                   aggfunc="sum", dropna=False)


def stage_durations(data) -> pd.DataFrame | None:
    """Time from entering one stage to entering the next stage the respondent reached.

    Per respondent, the first event time in each stage; stages taken in journey order; the time from
    each reached stage to the next reached one.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        One row per (from, to) pair observed at least twice: ``from_stage, to_stage, n,
        median_hours, q1_hours, q3_hours, median_days, q1_days, q3_days, share_negative`` (share of
        respondents whose next stage started before this one -- out-of-order journeys).  ``None``
        without a time column.
    """
    tp = touchpoint_events(data)
    if tp is None or not (has(tp, "time") and has(tp, "stage")):
        return None
    keys = key_cols(tp)
    first = (tp[tp["time"].notna() & tp["stage_index"].notna()]
             .groupby([*keys, "stage", "stage_index"], as_index=False)["time"].min()
             .sort_values([*keys, "stage_index"], kind="stable"))
    nxt = first.groupby(keys, sort=False)
    first = first.assign(to_stage=nxt["stage"].shift(-1), to_time=nxt["time"].shift(-1))
    pairs = first[first["to_stage"].notna()].copy()
    if pairs.empty:
        return None
    pairs["hours"] = (pairs["to_time"] - pairs["time"]).dt.total_seconds() / 3600
    order = {s: i for i, s in enumerate(data.config.journey)}
    g = pairs.groupby(["stage", "to_stage"], sort=False)["hours"]
    out = pd.DataFrame({"n": g.size(), "median_hours": g.median(), "q1_hours": g.quantile(0.25),
                        "q3_hours": g.quantile(0.75), "share_negative": g.apply(lambda s: float((s < 0).mean()))})
    out = out.reset_index().rename(columns={"stage": "from_stage"})
    out = out[out["n"] >= 2]
    for c in ("median", "q1", "q3"):
        out[f"{c}_days"] = out[f"{c}_hours"] / 24
    out = out.assign(__a=out["from_stage"].map(order), __b=out["to_stage"].map(order))
    out = out.sort_values(["__a", "__b"], kind="stable").drop(columns=["__a", "__b"])
    cols = ["from_stage", "to_stage", "n", "median_hours", "q1_hours", "q3_hours", "median_days", "q1_days",
            "q3_days", "share_negative"]
    return out[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# the section
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneysResult:
    """Result of :class:`Journeys`.

    Attributes
    ----------
    paths : DataFrame
        :func:`journey_paths`.
    transitions, by_loyalty, exits, durations : DataFrame or None
        :func:`stage_transitions`, :func:`~cem_research.steps.interface.exits.journey_by_loyalty`,
        :func:`~cem_research.steps.interface.exits.exit_touchpoints`, :func:`stage_durations`.
    """

    paths: pd.DataFrame
    transitions: pd.DataFrame | None
    by_loyalty: pd.DataFrame | None
    exits: pd.DataFrame | None
    durations: pd.DataFrame | None


def path_words(cfg, path) -> str:
    """A journey path (``'awareness → purchase'``) with each stage in words
    (:func:`~cem_research.present.narrative.value_label`); anything else unchanged."""
    if not isinstance(path, str):
        return path
    return " → ".join(nv.value_label(cfg, "stage", part) for part in path.split(" → "))


class Journeys(Section):
    """How customers move through the journey, and where they leave."""

    step = STEP
    title = "Journeys"

    def skip_reason(self, data, settings: Settings) -> str | None:
        tp = touchpoint_events(data)
        if tp is None:
            return NO_TOUCHPOINTS
        if not has(tp, "stage"):
            return "the touchpoint file declares no journey stage column"
        return None

    def compute(self, data, settings: Settings) -> JourneysResult:
        c = settings.confidence
        return JourneysResult(paths=journey_paths(data, confidence=c), transitions=stage_transitions(data),
                              by_loyalty=journey_by_loyalty(data, confidence=c),
                              exits=exit_touchpoints(data, confidence=c), durations=stage_durations(data))

    def findings(self, result: JourneysResult, data, settings: Settings) -> list[dict]:
        c = settings.confidence
        paths, exits, by_loyalty, durations = result.paths, result.exits, result.by_loyalty, result.durations
        cfg = data.config

        def word(column, value):
            return nv.value_label(cfg, column, value)

        top = paths.iloc[0]
        parts = [f"The most common journey ({nv.pct(top['share'])}, "
                 f"{nv.pct_ci(top['ci_low'], top['ci_high'], confidence=c)}, "
                 f"of {paths.attrs['n_respondents']} customers) is {path_words(cfg, top['path'])}; "
                 f"there are {paths.attrs['n_paths']} distinct paths."]
        if exits is not None and len(exits):
            e = exits.iloc[0]
            parts.append(f"{nv.pct(exits.attrs['share_early'])} of journeys end before the final stages "
                         f"({nv.join([word('stage', s) for s in exits.attrs['final_stages']])}); the most common "
                         f"last touchpoint of those is {word('touchpoint', e['touchpoint'])} "
                         f"({nv.pct(e['share_of_exits'])}, "
                         f"{nv.pct_ci(e['ci_low'], e['ci_high'], confidence=c)}, of early exits).")
            if "exit_diff" in exits.columns:
                sig = exits[exits["p_corr"] < 0.05].sort_values("exit_diff", ascending=False)
                if len(sig):
                    s = sig.iloc[0]
                    parts.append(f"After {word('touchpoint', s['touchpoint'])}, {nv.pct(s['exit_rate_lost'])} "
                                 "of lost customers' "
                                 f"journeys end against {nv.pct(s['exit_rate_loyal'])} of loyal customers' "
                                 f"(difference {nv.num(100 * s['exit_diff'], 0)} points, "
                                 f"{nv.ci(100 * s['exit_diff_ci_low'], 100 * s['exit_diff_ci_high'], 0, c)}, "
                                 f"Holm {nv.p(s['p_corr'])}).")
                else:
                    parts.append("No touchpoint ends lost customers' journeys significantly more often than "
                                 "loyal customers' (Holm).")
        if by_loyalty is not None and len(by_loyalty):
            sig = by_loyalty[by_loyalty["reach_p_corr"] < 0.05]
            if len(sig):
                s = sig.loc[sig["reach_diff"].abs().idxmax()]
                parts.append(f"Lost customers differ most in reaching the {word('stage', s['stage'])} stage: "
                             f"{nv.pct(s['reach_lost'])} against {nv.pct(s['reach_loyal'])} of loyal customers "
                             f"(difference {nv.num(100 * s['reach_diff'], 0)} points, "
                             f"{nv.ci(100 * s['reach_ci_low'], 100 * s['reach_ci_high'], 0, c)}, "
                             f"Holm {nv.p(s['reach_p_corr'])}; {by_loyalty.attrs.get('definition', '')}).")
            else:
                parts.append("Lost and loyal customers reach the stages equally often "
                             "(no significant difference, Holm).")
        if durations is not None and len(durations):
            d = durations.loc[durations["n"].idxmax()]
            parts.append(f"The most travelled step, {word('stage', d['from_stage'])} → "
                         f"{word('stage', d['to_stage'])}, takes a median of "
                         f"{nv.num(d['median_days'], 1)} days (IQR {nv.num(d['q1_days'], 1)}–"
                         f"{nv.num(d['q3_days'], 1)}, n = {int(d['n'])}).")
        return [{"text": " ".join(parts), "key": "top_path_share", "value": float(top["share"]),
                 "ci": (float(top["ci_low"]), float(top["ci_high"]))}]

    def present(self, result: JourneysResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import interface as charts

        paths, cfg = result.paths, data.config
        readable_paths = paths.assign(path=[path_words(cfg, p) for p in paths["path"]])
        shown = [Shown("table", readable_paths, f"Most common journeys ({paths.attrs['n_respondents']} customers, "
                                       f"{paths.attrs['n_paths']} distinct paths)",
                       {"percent": ("share", "ci_low", "ci_high")})]
        if result.transitions is not None:
            ax = charts.transition_heatmap(result.transitions, cfg=data.config)
            shown.append(Shown("figure", ax.figure,
                               "Heatmap: for each journey stage (rows), the share of customers' next moves to each "
                               "other stage or to the end of the journey (columns); each row sums to 100%",
                               layer="appendix"))
        if result.by_loyalty is not None:
            shown.append(Shown("table", nv.label_values(result.by_loyalty, cfg),
                               f"Lost minus loyal customers per stage ({result.by_loyalty.attrs['definition']})",
                               {"percent": ("reach_lost", "reach_loyal", "reach_diff", "reach_ci_low",
                                            "reach_ci_high")}, layer="appendix"))
        exits = result.exits
        if exits is not None:
            final = ", ".join(nv.value_label(cfg, "stage", s) for s in exits.attrs["final_stages"])
            shown.append(Shown("table", nv.label_values(exits, cfg), f"Last touchpoint of journeys that end before "
                                                                      f"{final} "
                                               f"({exits.attrs['n_early']} of {exits.attrs['n_respondents']} journeys)",
                               {"percent": ("share_of_exits", "ci_low", "ci_high", "exit_rate", "exit_rate_lost",
                                            "exit_rate_loyal", "exit_diff", "exit_diff_ci_low",
                                            "exit_diff_ci_high")}, layer="appendix"))
        if result.durations is not None:
            shown.append(Shown("table", nv.label_values(result.durations, cfg),
                               "Time from entering a stage to entering the next one (median and quartiles)",
                               {"percent": ("share_negative",)}, layer="appendix"))
        return shown
