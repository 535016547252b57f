"""Findings: the plain-words result of a notebook section, shown and kept for the summary.

A notebook section ends with :func:`record` (what it found, with the number and its
interval) or :func:`skip` (why this client's data does not support the analysis).  Each
call displays the sentence in the notebook and attaches it to the cell output under the
MIME type :data:`MIME`, from which :mod:`cem_research.present.report` builds the executive summary
and the methods appendix.
"""

from __future__ import annotations

import html
import re

MIME = "application/vnd.cem-research.finding+json"
STEPS = {
    1: "Analyze the experiential world",
    2: "Build the experiential platform",
    3: "Design the brand experience",
    4: "Structure the customer interface",
    5: "Engage in continuous innovation",
}


def slug(text: str) -> str:
    """Anchor id for a section title: lowercase words joined by ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "section"


def _emit(payload: dict, markdown: str):
    try:
        from IPython.display import display
    except ImportError:  # outside IPython: nothing to display
        return payload
    display({MIME: payload, "text/markdown": markdown}, raw=True)
    return payload


def record(step: int, section: str, text: str, *, headline: bool = False, key: str | None = None,
           value: float | None = None, ci: tuple[float, float] | None = None) -> dict:
    """Show a finding and keep it for the report.

    Parameters
    ----------
    step : int
        Schmitt step (1–5) the finding belongs to.
    section : str
        Title of the section that proves it (used for the link from the summary).
    text : str
        The finding in plain words, with its number and interval.  Plain text: it is
        escaped when rendered, so names from client data cannot inject markup.
    headline : bool
        Whether the executive summary shows it.
    key, value, ci : optional
        Machine-readable form (used by tests and by the summary).

    Returns
    -------
    dict
        The finding.
    """
    if step not in STEPS:
        raise ValueError(f"step must be 1-5, got {step!r}")
    payload = {"kind": "finding", "step": step, "section": section, "anchor": slug(section),
               "text": text, "headline": bool(headline), "key": key,
               "value": None if value is None else float(value),
               "ci": None if ci is None else [float(ci[0]), float(ci[1])]}
    return _emit(payload, f"**Finding.** {_md_escape(text)}")


def skip(step: int, section: str, reason: str) -> dict:
    """Say that a section is not analysed for this client, and why.

    Parameters
    ----------
    step : int
        Schmitt step (1–5).
    section : str
        Section title.
    reason : str
        What data would be needed (e.g. "the client supplies no touchpoint file").
    """
    if step not in STEPS:
        raise ValueError(f"step must be 1-5, got {step!r}")
    payload = {"kind": "skipped", "step": step, "section": section, "anchor": slug(section),
               "text": reason, "headline": False, "key": None, "value": None, "ci": None}
    return _emit(payload, f"*Not analysed for this client:* {_md_escape(reason)}")


def _md_escape(text: str) -> str:
    """Escape text for Markdown display (HTML-escaped, Markdown control characters neutralised)."""
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", text)
