"""Every table of a report as CSV (``reports/<client>/tables/``), with ``tables/index.json``.

The CSVs are written from the table payloads the notebooks attach to each table they display
(:data:`cem_research.present.show.TABLE_MIME`: the unformatted numbers), so analysts can take the
figures into their own slides or spreadsheets.  The folder is written whole or not at all.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cem_research.present.findings import STEPS, slug

#: Version of ``tables/index.json``.
INDEX_SCHEMA = "cem-research.tables-index.v1"


def table_files(tables: list[dict]) -> list[tuple[str, dict]]:
    """``(file name, entry)`` for every collected table, in report order; names are unique and stable.

    Parameters
    ----------
    tables : list of dict
        ``{"step", "section", "payload"}`` as :class:`~cem_research.present.report.render.Doc` collects them,
        with ``"layer"`` (``'client'`` for the report, ``'appendix'`` for the technical appendix).
    """
    out, seen = [], {}
    for t in tables:
        stem = (f"step{t['step']}-" if t.get("step") else "appendix-") + slug(t.get("section") or "table")[:60]
        seen[stem] = seen.get(stem, 0) + 1
        p = t["payload"]
        entry = {"file": f"{stem}-{seen[stem]}.csv", "step": t.get("step"), "layer": t.get("layer", "client"),
                 "step_title": STEPS.get(t.get("step"), "Appendix"), "section": t.get("section") or "",
                 "caption": p.get("caption", ""), "columns": p.get("columns", []), "rows": len(p.get("rows", [])),
                 "values": "as shown" if p.get("source") == "html" else "unrounded"}
        out.append((entry["file"], entry))
    return out


def write_tables(folder: Path, client: str, tables: list[dict]) -> list[dict]:
    """Write ``folder`` (``reports/<client>/tables``) atomically: one CSV per table and ``index.json``.

    Returns
    -------
    list of dict
        The entries of ``index.json``.
    """
    from cem_research.client.io import atomic_dir

    entries = []
    with atomic_dir(folder) as tmp:
        for (name, entry), t in zip(table_files(tables), tables):
            p = t["payload"]
            with open(Path(tmp) / name, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow([c.get("name") or c.get("label") for c in p.get("columns", [])])
                for row in p.get("rows", []):
                    w.writerow(["" if v is None else v for v in row])
            entries.append(entry)
        index = {"schema": INDEX_SCHEMA, "client": client, "tables": entries,
                 "note": "Each CSV's header holds the columns' code names; 'columns' gives each one's "
                         "reader label and unit. Values are unrounded unless 'values' says 'as shown'."}
        (Path(tmp) / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    return entries
