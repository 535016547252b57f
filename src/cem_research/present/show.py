"""Display what a section presents (:class:`~cem_research.steps.section.Shown` items) in a notebook."""

from __future__ import annotations

from collections.abc import Iterable


def display_all(items: Iterable) -> None:
    """Show each table, figure and note in order (tables escaped and formatted, figures as PNG)."""
    from IPython.display import Markdown, display

    from cem_research.present import plots, tables

    for item in items:
        if item is None:
            continue
        if item.kind == "table":
            display(tables.show(item.content, caption=item.caption or None, **item.options))
        elif item.kind == "figure":
            plots.show(item.content, alt=item.caption or None)
        elif item.kind == "markdown":
            content = item.content
            display(content if hasattr(content, "_repr_markdown_") else Markdown(str(content)))
        else:
            raise ValueError(f"unknown kind of shown item {item.kind!r}")
