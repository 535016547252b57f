"""``reports/index.html``: one row per client with its display name, waves, headline figures and status.

The figures come from each report's ``report.json`` (written by
:func:`cem_research.present.report.build_report` from the tables the notebooks displayed); nothing is
recomputed here.  A report is *stale* when its client's raw data are no longer the data it was built
from: the checksums its run recorded in ``reports/<client>/manifest.json`` (``checksums``, the
snapshot behind the report's stamp) differ from the raw files' (so a file edited *during* the run
that built the report is caught too); without recorded checksums, when a raw file is newer than it.

Every client gets a row whatever happened to it: a client folder whose name is refused, a damaged
``report.json`` or a client that failed in an earlier run (and was not run again since) is shown
as failed with its one-line reason, never as "ok".
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

from cem_research import __version__
from cem_research.present import narrative as nv

INDEX_CSS = """
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2933;
       max-width: 1240px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; } .subtitle { color: #616e7c; margin: 0 0 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e7eb; padding: .55rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f7fa; font-size: .85rem; } td.num { font-variant-numeric: tabular-nums; }
.client { font-weight: 600; } .folder, .small { color: #616e7c; font-size: .82rem; }
.up { color: #1f7a3a; } .down { color: #b42318; } .flat { color: #616e7c; }
.status-ok { color: #1f7a3a; font-weight: 600; } .status-failed { color: #b42318; font-weight: 600; }
.status-stale { color: #8d5b00; font-weight: 600; }
a { color: #1d4ed8; }
"""


def _mark(fig: dict) -> tuple[str, str]:
    """(css class, words) of a change: up, down or no clear change (the interval or the Holm verdict)."""
    if fig.get("change") is None:
        return "flat", ""
    if fig.get("significant") is False:
        return "flat", "no clear change"
    if fig.get("significant"):
        return ("up", "▲ up") if fig["change"] > 0 else ("down", "▼ down")
    return "flat", ""


def figure_cell(fig: dict | None, digits: int, signed: bool = False) -> str:
    """A headline figure with its wave, interval and change, escaped (``–`` when the report has none);
    ``signed`` for a score that can be negative (the NPS: "+14").

    Examples
    --------
    >>> "▲ up" in figure_cell({"label": "NPS", "wave": "W3", "value": 14.2, "ci": [8, 20], "change": 6.1,
    ...                        "change_ci": [1, 11], "significant": True, "previous_wave": "W2"}, 0)
    True
    """
    if not fig or fig.get("value") is None:
        return '<span class="small">not tracked (fewer than two waves)</span>'
    ci = fig.get("ci") or [None, None]
    label = ", ".join(html.escape(str(x)) for x in (fig.get("label"), fig.get("wave")) if x)
    text = (f'<span class="small">{label}</span><br><strong>{html.escape((nv.signed if signed else nv.num)(fig["value"], digits))}</strong> '
            f'<span class="small">({html.escape(nv.ci(ci[0], ci[1], digits))})</span>')
    if fig.get("change") is not None:
        cls, words = _mark(fig)
        cci = fig.get("change_ci") or [None, None]
        since = f' since {html.escape(str(fig["previous_wave"]))}' if fig.get("previous_wave") else ""
        text += (f'<br><span class="{cls}">{html.escape(nv.signed(fig["change"], digits))}{since}'
                 f'{" · " + words if words else ""}</span> '
                 f'<span class="small">({html.escape(nv.ci(cci[0], cci[1], digits))})</span>')
    return text


def _inputs_newer(raw: Path, report: Path) -> bool:
    if not raw.is_dir() or not report.exists():
        return False
    built = report.stat().st_mtime
    return any(p.is_file() and p.stat().st_mtime > built for p in raw.iterdir())


def _changed_files(raw: Path, checksums: dict) -> list[str]:
    """The raw files whose SHA-256 is no longer the recorded one (or that are gone)."""
    from cem_research.client.io import sha256_file

    return [name for name, digest in sorted(checksums.items())
            if not (raw / name).is_file() or sha256_file(raw / name) != digest]


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused_row(client: str, reason: str) -> dict:
    """The row of a client folder whose name cannot be used (no report can exist for it)."""
    return {"client": client, "name": client, "waves": [], "figures": {}, "status": "failed", "reason": reason,
            "html": False, "pdf": False, "appendix": False, "built": ""}


def client_row(root: Path, raw_root: Path, client: str, failure: str | None = None) -> dict:
    """The index row of one client (see :func:`index_rows`); ``failure``: this run's one-line error."""
    from cem_research.client.errors import ContractError
    from cem_research.client.paths import reports_dir

    try:
        rdir = reports_dir(client, root)
    except ContractError as err:  # e.g. a folder named "h1 copy"
        return _refused_row(client, failure or str(err.with_client(client)))
    rep, pdf = rdir / "report.html", rdir / "report.pdf"
    info = _read_json(rdir / "report.json")
    recorded = _read_json(rdir / "manifest.json").get("checksums")
    if failure:
        status, reason = "failed", failure + (" (the previous report is kept)" if rep.exists() else "")
    elif not rep.exists():
        status, reason = "no report yet", ""
    elif isinstance(recorded, dict) and recorded and (changed := _changed_files(raw_root / client, recorded)):
        status, reason = "stale", (f"the client's data changed after this report's data were read "
                                   f"({', '.join(changed)}): run the reports again")
    elif not isinstance(recorded, dict) and _inputs_newer(raw_root / client, rep):
        status, reason = "stale", "the client's data changed after this report was built"
    else:
        status, reason = "ok", ""
    figures = info.get("key_figures")
    return {"client": client, "name": str(info.get("name") or client),
            "waves": info.get("waves") if isinstance(info.get("waves"), list) else [],
            "figures": figures if isinstance(figures, dict) else {}, "status": status, "reason": reason,
            "html": rep.exists(), "pdf": pdf.exists(), "appendix": (rdir / "appendix.html").exists(),
            "built": time.strftime("%Y-%m-%d %H:%M", time.localtime(rep.stat().st_mtime)) if rep.exists() else ""}


def index_rows(root: Path, outcomes=None, raw_root: Path | None = None) -> list[dict]:
    """One dict per client: ``client, name, waves, figures, status, reason, html, pdf, appendix, built``.

    Every client folder under ``raw_root`` (default ``root/data/raw``), every client of ``outcomes`` and
    every built report get a row; a row that cannot be made (its files are unreadable) says so as a
    failure instead of stopping the index.
    """
    from cem_research.client.paths import list_clients

    raw_root = Path(raw_root) if raw_root else root / "data" / "raw"
    failed = {o.client: o.error for o in (outcomes or []) if not o.ok}
    clients = sorted(set(list_clients(raw_root)) | set(failed) | {o.client for o in (outcomes or [])} |
                     {p.parent.name for p in (root / "reports").glob("*/report.html")})
    rows = []
    for c in clients:
        try:
            rows.append(client_row(root, raw_root, c, failed.get(c)))
        except Exception as exc:  # noqa: BLE001 - one client's damaged files never stop the index
            rows.append(_refused_row(c, failed.get(c) or f"client '{c}': its report files could not be read "
                                     f"({type(exc).__name__}: {' '.join(str(exc).split())})"))
    return rows


def render_index(rows: list[dict]) -> str:
    """The index page (self-contained HTML, every value escaped)."""
    trs = []
    for r in rows:
        c = html.escape(r["client"], quote=True)
        name = html.escape(r["name"])
        links = []
        if r["html"]:
            links.append(f'<a href="{c}/report.html">HTML</a>')
        if r["pdf"]:
            links.append(f'<a href="{c}/report.pdf">PDF</a>')
        if r.get("appendix"):
            links.append(f'<a href="{c}/appendix.html">technical appendix</a>')
        main = r["figures"].get("main_outcome")
        status = f'<span class="status-{html.escape(r["status"].split()[0])}">{html.escape(r["status"])}</span>'
        if r["reason"]:
            status += f'<br><span class="small">{html.escape(r["reason"])}</span>'
        trs.append(
            f'<tr><td><span class="client">{name}</span><br><span class="folder">{c}</span></td>'
            f'<td>{html.escape(", ".join(map(str, r["waves"]))) or "–"}</td>'
            f'<td class="num">{figure_cell(main, 2)}</td>'
            f'<td class="num">{figure_cell(r["figures"].get("nps"), 0, signed=True)}</td>'
            f'<td>{status}</td><td>{" · ".join(links) or "–"}</td><td>{html.escape(r["built"]) or "–"}</td></tr>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Client reports</title><style>{INDEX_CSS}</style></head><body>"
            "<h1>Client reports</h1>"
            f"<p class='subtitle'>Customer experience research · cem-research {html.escape(__version__)} · "
            f"index written {html.escape(time.strftime('%Y-%m-%d %H:%M'))}. Figures are the latest wave's, "
            "with their 95% interval and the change from the previous wave.</p>"
            "<table><thead><tr><th>Client</th><th>Waves</th><th>Main outcome (latest)</th><th>NPS (latest)</th>"
            "<th>Status</th><th>Report</th><th>Built</th></tr></thead><tbody>"
            + "".join(trs) + "</tbody></table></body></html>\n")


def build_index(root: Path, outcomes=None, raw_root: Path | None = None) -> Path:
    """Write ``reports/index.html`` (every client's report, headline figures and this run's failures)
    and ``reports/index.json`` (the same rows).

    A failure an earlier run recorded is kept for a client this run did not process (a single-client
    run, or ``make pdf`` without ``outcomes``) whose report has not been rebuilt since: a refused
    client never turns "ok" because another client was run.
    """
    from cem_research.client.io import write_json, write_text
    from cem_research.client.paths import reports_dir

    folder = reports_dir(None, root)
    rows = index_rows(Path(root), outcomes, raw_root)
    ran = {o.client for o in (outcomes or [])}
    if (folder / "index.json").exists():
        try:
            before = {r["client"]: r for r in json.loads((folder / "index.json").read_text(encoding="utf-8"))["rows"]}
        except (ValueError, KeyError, TypeError):
            before = {}
        for r in rows:
            old = before.get(r["client"]) or {}
            if r["client"] not in ran and old.get("status") == "failed" and old.get("built") == r["built"]:
                r["status"], r["reason"] = "failed", old.get("reason", "")
    write_json(folder / "index.json", {"schema": "cem-research.index.v1", "rows": rows})
    out = folder / "index.html"
    write_text(out, render_index(rows))
    return out
