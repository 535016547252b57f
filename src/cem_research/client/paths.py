"""Where a client's raw data, processed tables and reports live."""

from __future__ import annotations

import os
from pathlib import Path

from cem_research.client.config import check_client_name
from cem_research.client.errors import ContractError

#: The installed package folder and its shipped resources (stopwords, codebooks, tables).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
RESOURCES = PACKAGE_DIR / "resources"


def project_root(start: str | Path | None = None) -> Path:
    """The project folder: ``$CEM_PROJECT_ROOT``, else the nearest parent holding ``data/raw``.

    Notebooks run from ``notebooks/`` and the CLI from the project folder; both find the
    same root this way.  Falls back to the current folder.
    """
    env = os.environ.get("CEM_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir() and (folder / "notebooks").is_dir():
            return folder
    return here


def raw_roots(root: Path | None = None) -> list[Path]:
    """Folders searched for client data: ``data/raw``, then ``tests/fixtures`` (test clients)."""
    root = root or project_root()
    return [root / "data" / "raw", root / "tests" / "fixtures"]


def find_raw_dir(client: str, raw_root: str | Path | None = None) -> Path:
    """The raw-data folder of ``client``.

    Parameters
    ----------
    client : str
        Client name (a folder name; refused if it could leave the project's folders).
    raw_root : str or Path, optional
        Folder holding client folders; default: search :func:`raw_roots`.

    Raises
    ------
    ContractError
        If no such client folder exists.
    """
    check_client_name(client)
    roots = [Path(raw_root)] if raw_root else raw_roots()
    for root in roots:
        folder = root / client
        if folder.is_dir():
            return folder
    raise ContractError(f"no client folder found in {', '.join(str(r) for r in roots)}", client=client)


def client_file(folder: str | Path, name: str, client: str | None = None) -> Path:
    """``folder / name``, a file of a client folder, refused when it is a symbolic link or resolves
    outside the folder.

    A link would let a client folder read any file the runner can read (another client's data, a
    system file) and quote it in a report; ``tar`` keeps links, so an unpacked folder may hold one.

    Parameters
    ----------
    folder : str or Path
        The client's raw-data folder (itself may be a link, e.g. to a shared drive).
    name : str
        A file name declared in ``client.yaml``.
    client : str, optional
        Named in the refusal.

    Returns
    -------
    Path

    Raises
    ------
    ContractError
        If the file is a symbolic link or its real path lies outside the folder's real path.
    """
    folder = Path(folder)
    path = folder / name
    if path.is_symlink() or (path.exists() and not path.resolve().is_relative_to(folder.resolve())):
        raise ContractError("is a symbolic link (or lies outside the client folder), which is not read: copy the "
                            "file itself into the client folder", client=client, file=name)
    return path


def processed_dir(client: str, root: Path | None = None) -> Path:
    """``data/processed/<client>``."""
    check_client_name(client)
    return (root or project_root()) / "data" / "processed" / client


def reports_dir(client: str | None = None, root: Path | None = None) -> Path:
    """``reports/`` or ``reports/<client>``."""
    base = (root or project_root()) / "reports"
    return base / check_client_name(client) if client else base


def list_clients(raw_root: str | Path | None = None) -> list[str]:
    """Client folder names under ``raw_root`` (default ``data/raw``) that hold a client.yaml."""
    root = Path(raw_root) if raw_root else project_root() / "data" / "raw"
    return sorted(p.parent.name for p in root.glob("*/client.yaml"))
