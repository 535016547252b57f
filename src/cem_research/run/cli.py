"""Command line: ``python -m cem_research <command>`` (used by the Makefile).

Commands
--------
run         process raw data, execute the notebooks, build the reports (incremental)
check       validate one or more clients' raw data against the contract (writes nothing)
new-client  scaffold data/raw/<name>/ with a commented client.yaml (drafted from an export with --from)
pdf         render every client's HTML report to PDF with headless Chromium
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
import traceback
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cem_research", description=__doc__.split("\n")[0])
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--root", default=None, help="project folder (default: found from the current folder)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="process data, run notebooks, build reports")
    r.add_argument("--client", "-c", action="append", help="client name (repeatable; default: all)")
    r.add_argument("--raw-root", default=None, help="folder holding client folders (default data/raw)")
    r.add_argument("-j", "--jobs", type=int, default=None, help="parallel notebook runs (default: cores)")
    r.add_argument("--scheduler", default=os.environ.get("CEM_DASK_SCHEDULER"),
                   help="Dask scheduler address (or CEM_DASK_SCHEDULER)")
    r.add_argument("--notebook", "-n", action="append", help="only these notebooks (e.g. 01)")
    r.add_argument("--wave", default=None, help="analyse waves up to this one")
    r.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    r.add_argument("--cold", action="store_true",
                   help="start a fresh kernel for every notebook (default: one warm kernel per worker)")

    c = sub.add_parser("check", help="validate clients' raw data (writes nothing)")
    c.add_argument("--client", "-c", action="append")
    c.add_argument("--raw-root", default=None)

    n = sub.add_parser("new-client", help="scaffold a client folder")
    n.add_argument("name")
    n.add_argument("--from", dest="source", default=None, metavar="PATH",
                   help="a survey export (CSV, Qualtrics CSV, .sav/.zsav, .xlsx): copied in, client.yaml drafted from it")

    f = sub.add_parser("pdf", help="render reports to PDF with headless Chromium")
    f.add_argument("--client", "-c", action="append")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.debug:
        os.environ["CEM_DEBUG"] = "1"
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("interrupted: finished outputs are in place, unfinished ones were discarded", file=sys.stderr)
        return 130
    except Exception as exc:  # one line unless --debug
        from cem_research.client.errors import ContractError

        if args.debug:
            traceback.print_exc()
        msg = str(exc) if isinstance(exc, ContractError) else f"{type(exc).__name__}: {exc}"
        print(f"error: {' '.join(msg.split())}", file=sys.stderr)
        return 1


def _dispatch(args) -> int:
    from cem_research.client.paths import project_root

    root = Path(args.root).resolve() if args.root else project_root()
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    if args.command == "run":
        from cem_research.run.pipeline import Runner

        runner = Runner(root, clients=args.client, raw_root=args.raw_root, jobs=args.jobs,
                        scheduler=args.scheduler, force=args.force, wave=args.wave,
                        notebooks=args.notebook, cold=args.cold, echo=lambda m: print(m, flush=True))
        if not runner.clients:
            print("no clients found (a client is a folder with a client.yaml under data/raw/)", file=sys.stderr)
            return 1
        outcomes = runner.run()
        failed = [o for o in outcomes if not o.ok]
        work = any(o.processed or o.executed or o.report_built for o in outcomes)
        if not work and not failed:
            print(f"up to date: {len(outcomes)} client report(s), nothing changed")
        if failed:  # each reason was printed once, as it happened (the ✗ lines above)
            print(f"FAILED: {', '.join(o.client for o in failed)} ({len(failed)} of {len(outcomes)} clients; "
                  "the reason is on its ✗ line above); the others' reports are up to date", file=sys.stderr)
        return 1 if failed else 0
    if args.command == "check":
        from cem_research.client.config import load_config
        from cem_research.client.contract import read_client
        from cem_research.client.errors import ContractError, ContractWarning
        from cem_research.client.paths import find_raw_dir, list_clients

        clients = args.client or list_clients(args.raw_root)
        bad = 0
        for client in clients:
            try:
                cfg = load_config(find_raw_dir(client, args.raw_root), client)
                with warnings.catch_warnings():  # each warning is printed once below, as one line
                    warnings.simplefilter("ignore", ContractWarning)
                    raw = read_client(cfg)
                print(f"ok {client}: " + ", ".join(f"{a.file} {a.kept}/{a.read} rows kept"
                                                    for a in raw.accounting))
                for note in raw.warnings:
                    print(f"warning: client '{client}': {note}", file=sys.stderr)
            except ContractError as err:
                bad += 1
                if os.environ.get("CEM_DEBUG"):
                    traceback.print_exc()
                print(f"error: {err.with_client(client)}", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "new-client":
        from cem_research.run.scaffold import new_client

        path = new_client(args.name, root / "data" / "raw", source=args.source)
        if args.source:
            print(f"created {path}: copied {Path(args.source).name} and drafted client.yaml from it; check the "
                  f"lines marked EDIT, then `make check CLIENT={args.name}` and `make report CLIENT={args.name}`")
        else:
            print(f"created {path}: edit client.yaml, put your survey export next to it (or start again with "
                  f"FROM=<export>), then `make report CLIENT={args.name}`")
        return 0
    if args.command == "pdf":
        from cem_research.present.pdf import render_all

        return render_all(root, args.client)
    return 2
