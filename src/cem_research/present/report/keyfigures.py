"""The headline figures of a report, read from the tables its notebooks displayed (never recomputed).

The step-5 section "Tracking across waves" displays the own brand's mean of every construct per wave,
the wave-over-wave changes (with their intervals and Holm verdicts) and the NPS per wave; their
machine-readable payloads (:data:`cem_research.present.show.TABLE_MIME`) give the latest main-outcome
and NPS figures with their change from the previous wave.  They are kept in
``reports/<client>/report.json`` for the index.
"""

from __future__ import annotations

TRACKING = "Tracking across waves"


def _records(payload: dict) -> list[dict]:
    names = [c.get("name") for c in payload.get("columns", [])]
    return [dict(zip(names, row)) for row in payload.get("rows", [])]


def _find(tables: list[dict], *columns: str) -> list[dict]:
    """Rows of the first tracking table holding every one of ``columns``."""
    for t in tables:
        if t.get("section") != TRACKING:
            continue
        names = {c.get("name") for c in t["payload"].get("columns", [])}
        if set(columns) <= names:
            return _records(t["payload"])
    return []


def key_figures(tables: list[dict], main_title: str | None) -> dict:
    """The latest main-outcome mean and NPS with their change from the previous wave.

    Parameters
    ----------
    tables : list of dict
        The report's collected tables (``{"step", "section", "payload"}``).
    main_title : str, optional
        Display title of the client's main outcome.

    Returns
    -------
    dict
        ``{"main_outcome": {...} | None, "nps": {...} | None}``; each figure holds ``label, wave,
        value, ci, change, change_ci, significant`` (``None`` where the report holds no such number).
    """
    out: dict = {"main_outcome": None, "nps": None}
    track = _find(tables, "title", "wave", "mean", "ci_low", "ci_high")
    if main_title and track:
        rows = [r for r in track if r.get("title") == main_title and r.get("mean") is not None]
        if rows:
            last = rows[-1]
            fig = {"label": main_title, "wave": last["wave"], "value": last["mean"],
                   "ci": [last["ci_low"], last["ci_high"]], "change": None, "change_ci": None, "significant": None}
            changes = _find(tables, "title", "to_wave", "diff", "ci_low", "ci_high")
            for c in changes:
                if c.get("title") == main_title and c.get("to_wave") == last["wave"]:
                    fig.update(change=c["diff"], change_ci=[c["ci_low"], c["ci_high"]],
                               significant=c.get("significant"), previous_wave=c.get("from_wave"))
            out["main_outcome"] = fig
    nps = [r for r in _find(tables, "wave", "nps", "ci_low", "ci_high") if r.get("nps") is not None]
    if nps:
        last = nps[-1]
        fig = {"label": "NPS", "wave": last["wave"], "value": last["nps"], "ci": [last["ci_low"], last["ci_high"]],
               "change": last.get("change"), "significant": None,
               "change_ci": ([last["change_ci_low"], last["change_ci_high"]]
                             if last.get("change_ci_low") is not None else None)}
        if len(nps) >= 2:
            fig["previous_wave"] = nps[-2]["wave"]
        if fig["change_ci"] is not None:
            lo, hi = fig["change_ci"]
            fig["significant"] = bool(lo > 0 or hi < 0)
        out["nps"] = fig
    return out
