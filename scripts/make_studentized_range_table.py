"""Regenerate ``src/cem_research/resources/studentized_range_q95.csv``.

The 0.95 quantile of the studentized range q(0.95; k, df) for k = 3..12 groups and every whole
df from 2 to 1000, as SciPy's ``studentized_range.ppf`` computes it (numerical integration,
~0.1 s a value).  The studentized-range quantile of :mod:`cem_research.stats` reads the table instead of
integrating again in every notebook kernel; the values are SciPy's own, so results do not change.

    python scripts/make_studentized_range_table.py      # ~8 minutes on 2 cores
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95
KS = range(3, 13)
DFS = range(2, 1001)
OUT = Path(__file__).resolve().parents[1] / "src" / "cem_research" / "resources" / "studentized_range_q95.csv"


def column(k: int) -> list[float]:
    return [float(sps.studentized_range.ppf(CONFIDENCE, k, df)) for df in DFS]


def main() -> None:
    with multiprocessing.Pool() as pool:
        cols = pool.map(column, KS)
    table = np.column_stack([np.array(DFS, dtype=float), *cols])
    header = "df," + ",".join(f"k{k}" for k in KS)
    tmp = OUT.with_suffix(".tmp")
    np.savetxt(tmp, table, delimiter=",", header=header, comments="", fmt=["%d"] + ["%.17g"] * len(KS))
    tmp.replace(OUT)
    print(f"wrote {OUT} ({len(DFS)} x {len(KS)} values, scipy {__import__('scipy').__version__})")


if __name__ == "__main__":
    main()
