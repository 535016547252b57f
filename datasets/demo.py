"""Seeded demo clients with planted, machine-readable truth.

Four realistic demo clients are generated from latent variables, so that every analysis
of the toolkit has something known to find:

* ``coffee_house``   -- "Bean & Co.", a B2C coffee-shop chain (all optional files, 3 waves);
* ``software_vendor`` -- "Nimbus Analytics", a B2B SaaS vendor (4 waves);
* ``hotel_group``    -- "Harbor Hotels", survey only: one ``survey.csv`` whose brand column
  holds the own brand and its competitors (2 waves, ``;``-delimited export);
* ``fitness_club``   -- "Pulse Fitness", a B2C gym chain (all optional files, 3 waves) that also
  declares the optional research methods: Kano question pairs in the survey (``kano:``), brand
  promises (``promises:``), experiential-module coding of the verbatims with a hand-coded
  sample ``hand_coded.csv`` (``modules:``) and population targets for survey weighting
  (``weighting:``); kept small (under 500 kB).

Each client folder holds a commented ``client.yaml`` (see ``docs/contract.md``), the CSV files
and ``truth.json``: the effects planted in the data (top driver, unreliable construct,
reverse-keyed items, brand advantage and gap, segment difference, wave shift, worst
touchpoint, human-vs-technology gap, rising and stable verbatim themes; for ``fitness_club``
also the must-be and attractive Kano features, the undelivered and the delivered promise, the
rising experiential module, the weighting targets with the weighted and unweighted mean of a
construct that differs by age, and a segment level whose answers on one construct are noise).
The contract reader ignores ``truth.json``; tests and notebooks' self-checks use it.

Each client is described by a spec file, ``datasets/specs/<client>.yaml`` (questionnaire,
competitors, touchpoints, verbatim catalogue and planted effects; read and validated by
:mod:`datasets.spec`).  Everything is drawn from one :class:`numpy.random.Generator` seeded per
client (:mod:`datasets.survey`, :mod:`datasets.touchpoints`, :mod:`datasets.text`) and written by
:mod:`datasets.writer`, so the same seed gives byte-identical files.  The generator is vectorised: 300,000 respondents (with about
3 verbatims and 10 touchpoint events each) take seconds, written in chunks to stay lean.

Usage
-----
Function API::

    from datasets.demo import write_demo_clients, generate_client, write_tiny_client
    write_demo_clients("data/raw")                       # the four committed demo clients
    generate_client("coffee_house", "/tmp/bench", n_respondents=300_000, name="coffee_300k")
    write_tiny_client("tests/fixtures")                  # tests/fixtures/tiny_client/

Command line::

    python -m datasets.demo --out data/raw [--client NAME] [--respondents N] [--seed S]

``--client`` is one of ``coffee_house``, ``software_vendor``, ``hotel_group``, ``fitness_club``,
``tiny_client`` (default: the four demo clients).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from datasets.model import Spec
from datasets.spec import load_spec
from datasets.survey import row_counts, simulate
from datasets.writer import planted_truth, render_yaml, write_client

__all__ = [
    "DEFAULT_SEED", "TEMPLATES", "TINY_CLIENT", "DEMO_VERBATIMS", "BENCH_VERBATIMS",
    "generate_client", "write_demo_clients", "write_tiny_client", "build", "seed_for", "main",
]

DEFAULT_SEED = 2026
TEMPLATES = ("coffee_house", "software_vendor", "hotel_group", "fitness_club")
TINY_CLIENT = "tiny_client"

#: verbatims per own-brand respondent: committed demos vs. scaled (benchmark) clients
DEMO_VERBATIMS = 1.25
BENCH_VERBATIMS = 3.0

_FILES = ("client.yaml", "survey.csv", "competitor_ratings.csv", "feedback.csv",
          "touchpoints.csv", "hand_coded.csv", "behaviour.csv", "truth.json")


def seed_for(stream: str, seed: int) -> np.random.SeedSequence:
    """The seed sequence of a client: ``seed`` and the CRC-32 of its random-stream name."""
    return np.random.SeedSequence([int(seed), zlib.crc32(stream.encode("utf-8"))])


def build(spec: Spec, out_dir: str | Path, seed: int = DEFAULT_SEED, n_respondents: int | None = None,
          verbatims_per_respondent: float | None = None, fast_csv: bool = True) -> Path:
    """Simulate the client of ``spec`` and write it to ``out_dir/<spec.folder>/``.

    Parameters
    ----------
    spec : Spec
        The client's specification (:func:`datasets.spec.load_spec`).
    out_dir : str or Path
        Parent folder of the client folder.
    seed : int
        Random seed; the same seed gives byte-identical files.
    n_respondents : int, optional
        Survey rows; ``None``: the spec's demo size.  See :func:`generate_client`.
    verbatims_per_respondent : float, optional
        Mean comments per own-brand respondent; default :data:`DEMO_VERBATIMS` at the demo
        size, :data:`BENCH_VERBATIMS` when ``n_respondents`` is given.
    fast_csv : bool
        Join CSV fields directly where no value needs quoting (same bytes as
        :meth:`pandas.DataFrame.to_csv`, faster); ``False`` always uses ``to_csv``.

    Returns
    -------
    Path
        The client folder.
    """
    folder = Path(out_dir) / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    rate = verbatims_per_respondent
    if rate is None:
        rate = DEMO_VERBATIMS if n_respondents is None else BENCH_VERBATIMS
    rng = np.random.default_rng(seed_for(spec.stream, seed))
    base_day = np.datetime64(min(spec.wave_starts), "D")
    counts = row_counts(spec, n_respondents)
    sim = simulate(spec, rng, counts, float(rate), base_day)
    n_rows = write_client(spec, sim, folder, base_day, fast_csv)
    if spec.behaviour is not None:          # its own random stream: the other files do not change
        from datasets.behaviour import behaviour_rng, simulate_behaviour

        frame = simulate_behaviour(spec, sim, behaviour_rng(spec.stream, seed))
        frame.to_csv(folder / "behaviour.csv", index=False, lineterminator="\n",
                     sep=(spec.csv_block or {}).get("delimiter", ","))
        n_rows["behaviour"] = len(frame)
    written = {"client.yaml", "truth.json", *(f"{k}.csv" for k in n_rows)}
    for name in _FILES:                     # drop stale optional files of an earlier run
        if name not in written and (folder / name).exists():
            (folder / name).unlink()
    command = f"python -m datasets.demo --out <parent folder> --client {spec.name}"
    if n_respondents is not None:
        command += f" --respondents {int(n_respondents)}"
    if spec.folder != spec.name:
        command += f" --name {spec.folder}"
    if seed != DEFAULT_SEED:
        command += f" --seed {seed}"
    (folder / "client.yaml").write_text(render_yaml(spec, seed, n_rows, command), encoding="utf-8",
                                        newline="\n")
    truth = planted_truth(spec, sim.n_survey, sim)
    if spec.behaviour is not None:
        from datasets.behaviour import behaviour_truth

        truth["behaviour"] = behaviour_truth(spec)
    (folder / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8", newline="\n")
    return folder


# --------------------------------------------------------------------------------------------
# public API
def generate_client(template: str, out_dir: str | Path, n_respondents: int | None = None,
                    seed: int = DEFAULT_SEED, name: str | None = None,
                    verbatims_per_respondent: float | None = None) -> Path:
    """Write one demo client generated from ``template``.

    Parameters
    ----------
    template : str
        ``"coffee_house"``, ``"software_vendor"``, ``"hotel_group"`` or ``"fitness_club"``: the
        spec ``datasets/specs/<template>.yaml``.
    out_dir : str or Path
        Parent folder; the client is written to ``out_dir/<name>/``.
    n_respondents : int, optional
        Rows of ``survey.csv`` (own-brand respondents; for the survey-only ``hotel_group``
        all rows), split evenly over the waves.  Competitor ratings scale by the same factor.
        ``None``: the committed demo size.
    seed : int
        Random seed; the same seed gives byte-identical files.
    name : str, optional
        Folder name (letters, digits, ``_``, ``-``); default: ``template``.
    verbatims_per_respondent : float, optional
        Mean comments per own-brand respondent.  Default 1.25 for the demo size and 3.0 when
        ``n_respondents`` is given (benchmark scale).  Touchpoint events are about 10 per
        respondent in both cases.

    Returns
    -------
    Path
        The client folder.

    Examples
    --------
    >>> folder = generate_client("coffee_house", tmp, n_respondents=300_000, name="coffee_300k")  # doctest: +SKIP
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown demo template {template!r}; use one of {', '.join(TEMPLATES)}")
    spec = load_spec(template)
    if name is not None:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", name):
            raise ValueError(f"client name {name!r}: use letters, digits, '_' and '-' only")
        spec = dataclasses.replace(spec, folder=name)
    return build(spec, out_dir, seed, n_respondents, verbatims_per_respondent)


def write_demo_clients(out_dir: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the four demo clients (``coffee_house``, ``software_vendor``, ``hotel_group``,
    ``fitness_club``).

    Returns the client folders.
    """
    return [generate_client(t, out_dir, seed=seed) for t in TEMPLATES]


def write_tiny_client(out_dir: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write ``out_dir/tiny_client/``: a very small complete client for fast notebook tests.

    Two waves, 80 own-brand and 40 competitor rows, every optional file, and ``truth.json``
    (spec ``datasets/specs/tiny_client.yaml``: ``coffee_house`` made small).
    """
    return build(load_spec(TINY_CLIENT), out_dir, seed)


# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m datasets.demo",
                                description="Write seeded demo clients with planted truth (truth.json).")
    p.add_argument("--out", default="data/raw", help="parent folder of the client folders (default data/raw)")
    p.add_argument("--client", choices=[*TEMPLATES, TINY_CLIENT], default=None,
                   help="one template (default: the four demo clients)")
    p.add_argument("--respondents", type=int, default=None,
                   help="survey rows (own-brand respondents) to generate; default: demo size")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--name", default=None, help="folder name for --client (default: the template name)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    if args.client == TINY_CLIENT:
        if args.name or args.respondents:
            p.error("--name and --respondents do not apply to tiny_client")
        folders = [write_tiny_client(args.out, seed=args.seed)]
    elif args.client:
        folders = [generate_client(args.client, args.out, n_respondents=args.respondents, seed=args.seed,
                                   name=args.name)]
    else:
        if args.name:
            p.error("--name needs --client")
        folders = [generate_client(t, args.out, n_respondents=args.respondents, seed=args.seed)
                   for t in TEMPLATES]
    for folder in folders:
        sizes = ", ".join(f"{f.name} {f.stat().st_size / 1e3:,.0f} kB" for f in sorted(folder.iterdir()))
        print(f"wrote {folder}: {sizes}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
