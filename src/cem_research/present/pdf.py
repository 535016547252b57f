"""Render the HTML reports to PDF with a real headless browser (Debian's ``chromium``).

No browser is downloaded at run time: the system's Chromium is used, and when it is
missing the command says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars")


def find_browser() -> str | None:
    """Path of a Chromium-family browser (``$CEM_CHROMIUM`` first), or ``None``."""
    env = os.environ.get("CEM_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


MISSING = ("headless Chromium is not installed: on Debian/Ubuntu run `sudo apt-get install chromium` "
           "(or `make browser` as root), or point CEM_CHROMIUM at a Chromium/Chrome binary")


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, timeout: int = 120) -> Path:
    """Print one HTML file to PDF with headless Chromium, atomically.

    Raises
    ------
    RuntimeError
        If no browser is found or printing fails.
    """
    from cem_research.client.io import atomic_path

    browser = find_browser()
    if browser is None:
        raise RuntimeError(MISSING)
    html_path = Path(html_path).resolve()
    with tempfile.TemporaryDirectory() as profile, atomic_path(pdf_path, suffix=".pdf") as tmp:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={tmp}", html_path.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise RuntimeError(f"Chromium could not print {html_path.name}: "
                               f"{' '.join(proc.stderr.split())[-300:]}")
    return Path(pdf_path)


def page_count(pdf_path: str | Path) -> int:
    """Number of pages of a PDF Chromium printed (its page objects; no PDF library needed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.pdf"
    >>> _ = p.write_bytes(b"%PDF-1.4 << /Type /Pages /Count 2 >> << /Type /Page >> << /Type /Page >>")
    >>> page_count(p)
    2
    """
    import re

    return len(re.findall(rb"/Type\s*/Page\b", Path(pdf_path).read_bytes()))


def render_all(root: Path, clients: list[str] | None = None) -> int:
    """Write ``report.pdf`` and ``appendix.pdf`` next to each client's HTML report and technical appendix;
    return an exit code."""
    if find_browser() is None:
        print(f"error: {MISSING}", file=sys.stderr)
        return 1
    reports = sorted((root / "reports").glob("*/report.html"))
    if clients:
        reports = [r for r in reports if r.parent.name in clients]
    if not reports:
        print("no HTML reports found: run `make reports` first", file=sys.stderr)
        return 1
    failed = 0
    pages = [p for rep in reports for p in (rep, rep.with_name("appendix.html")) if p.exists()]
    for page in pages:
        pdf = page.with_suffix(".pdf")
        if pdf.exists() and pdf.stat().st_mtime >= page.stat().st_mtime:
            print(f"up to date: {pdf}")
            continue
        try:
            html_to_pdf(page, pdf)
            print(f"wrote {pdf} ({page_count(pdf)} pages)")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            failed += 1
            print(f"error: client '{page.parent.name}': {exc}", file=sys.stderr)
    from cem_research.present.report import build_index

    print(f"wrote {build_index(root)} (with links to the PDFs)")
    return 1 if failed else 0
