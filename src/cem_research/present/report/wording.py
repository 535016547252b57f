"""The client layer's wording: what the notebooks say to their users, kept out of the client report.

The notebooks teach researchers and students and speak to them ("this notebook", "edit the cell
below", the ``client.yaml`` keys); the report speaks to the client.  This module is the one place
where that difference is handled:

* a markdown cell tagged ``report-hide`` (or any tag of :data:`HIDE_TAGS`) is left out of the report;
* a paragraph recognisable as an instruction to notebook users (:data:`NOTEBOOK_INSTRUCTIONS`) is
  left out;
* a few phrases are reworded for the client (:data:`CLIENT_WORDING`), in notebook text, in the
  findings and in table cells.

The rewording changes words only, never a number.
"""

from __future__ import annotations

import re

#: Cell tags whose cells never reach the client report (the notebooks keep them).
HIDE_TAGS = frozenset({"parameters", "injected-parameters", "remove_cell", "remove-cell", "hide",
                       "report-hide", "notebook-only"})

#: A markdown paragraph matching this speaks to notebook users (how to edit or re-run a cell).
NOTEBOOK_INSTRUCTIONS = re.compile(
    r"cell (?:below|above)|in (?:the|this) cell|\bre-?run\b|jupyter|_override\b|\bset `[a-z_]+`",
    re.IGNORECASE)

#: (pattern, replacement) rewordings for the client, applied in order.
CLIENT_WORDING: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, f), r) for p, f, r in (
    # "(`layer:` in client.yaml)", "('touchpoints:' in client.yaml)": a configuration hint
    (r"\s*\([^()]*\bin\s+(?:the\s+)?`?client\.yaml`?[^()]*\)", 0, ""),
    # a promised level: "5.00 (client.yaml)", "against 5.00, client.yaml;"
    (r"\(`?client\.yaml`?\)", 0, "(set for this study)"),
    (r"(\d), `?client\.yaml`?", 0, r"\1, set for this study"),
    (r"\bdeclared in `?client\.yaml`?", 0, "declared for this study"),
    (r"\bfrom `?client\.yaml`?", 0, "from the study set-up"),
    (r"\bin `?client\.yaml`?", 0, "in the study set-up"),
    (r"`?\bclient\.yaml\b`?", 0, "study set-up"),
    (r"\b[Tt]his notebook\b", 0, "this step"),
    (r"\b[Tt]he notebooks\b", 0, "the analyses"),
    (r"\bnotebooks?\b", re.IGNORECASE, "analysis"),
))


def reword(text: str) -> str:
    """``text`` in the client's words (see :data:`CLIENT_WORDING`).

    Examples
    --------
    >>> reword("This notebook answers three questions (`layer:` in client.yaml).")
    'This step answers three questions.'
    """
    for pattern, repl in CLIENT_WORDING:
        text = pattern.sub(repl, text)
    # a sentence that began with a reworded phrase starts with a capital again
    return re.sub(r"(^|[.!?]\s+|\n\s*)this step\b", lambda m: m.group(1) + "This step", text)


def reword_html(fragment: str) -> str:
    """:func:`reword` applied to the text between the tags of an HTML fragment (never to markup)."""
    return re.sub(r">([^<]+)<", lambda m: ">" + reword(m.group(1)) + "<", fragment)


def client_markdown(source: str) -> str:
    """A markdown cell for the client: paragraphs of notebook instructions dropped, wording applied."""
    paragraphs = re.split(r"\n\s*\n", source)
    kept = [p for p in paragraphs if not NOTEBOOK_INSTRUCTIONS.search(p)]
    return reword("\n\n".join(kept))
