"""Importance-performance map analysis (IPMA) of a fitted PLS path model.

Ringle & Sarstedt (2016), *Industrial Management & Data Systems* 116, 1865-1886: every item is
rescaled to 0-100 by its scale's end points; a construct's performance is the mean of its score built
from those rescaled items with the model's weights made unstandardized (weight / item standard
deviation) and normalised to sum to 1; a construct's importance is its unstandardized total effect on
the target: the points the target gains when the construct's performance rises one point, all else
in the model following.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cem_research.stats.pls.fit import PLSResult

__all__ = ["ipma"]


def ipma(fit: PLSResult, target: str, scale_range: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Importance and performance of every construct with an effect on `target`.

    Parameters
    ----------
    fit : PLSResult
        From :func:`~cem_research.stats.pls.pls_sem`.
    target : str
        An endogenous construct of the model.
    scale_range : mapping, optional
        Item -> ``(lowest, highest)`` answer of its scale; items not named use their observed
        minimum and maximum.

    Returns
    -------
    pandas.DataFrame
        ``construct, importance, total_std, performance, flag``, most important first: ``importance``
        the unstandardized total effect on the 0-100 metric, ``total_std`` the standardized total
        effect, ``performance`` the mean rescaled score (0-100) and ``flag`` a note when a weight is
        negative (the rescaled score then leaves 0-100 and the map is not meaningful for it).
    """
    spec = fit.spec
    c = list(spec.constructs)
    if target not in c:
        raise ValueError(f"ipma: expected `target` among the constructs {c}, got {target!r}")
    x = fit.items
    rng = dict(scale_range or {})
    lo = np.array([rng.get(i, (x[i].min(), x[i].max()))[0] for i in spec.items], dtype=float)
    hi = np.array([rng.get(i, (x[i].min(), x[i].max()))[1] for i in spec.items], dtype=float)
    r = (x.to_numpy() - lo) / (hi - lo) * 100
    w = fit.loadings["weight"].to_numpy()
    if fit.scaled:
        w = w / x.to_numpy().std(axis=0)  # weight of the raw item
    w = w * (hi - lo) / 100  # of the rescaled item
    own = fit.loadings["construct"].to_numpy()
    scores = np.empty((len(x), len(c)))
    flags = {}
    for j, k in enumerate(c):
        m = own == k
        wk = w[m] / w[m].sum()
        scores[:, j] = r[:, m] @ wk
        flags[k] = "negative weight: performance not on 0-100" if (wk < 0).any() else ""
    adj = spec.adjacency
    B = np.zeros_like(adj)
    for j in range(len(c)):
        pred = np.flatnonzero(adj[:, j])
        if pred.size:
            design = np.column_stack([np.ones(len(x)), scores[:, pred]])
            B[pred, j] = np.linalg.lstsq(design, scores[:, j], rcond=None)[0][1:]
    q = len(c)
    total = np.linalg.solve(np.eye(q) - B.T, np.eye(q)).T - np.eye(q)
    std = fit.matrix("total")
    t = c.index(target)
    rows = [dict(construct=k, importance=float(total[j, t]), total_std=float(std.loc[k, target]),
                 performance=float(scores[:, j].mean()), flag=flags[k])
            for j, k in enumerate(c) if k != target and std.loc[k, target] != 0]
    return pd.DataFrame(rows).sort_values("importance", ascending=False, ignore_index=True)
