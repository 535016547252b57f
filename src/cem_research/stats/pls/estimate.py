"""Wold's PLS path-modelling algorithm on numpy (Lohmöller 1989; Sanchez 2013, ch. 2 and 4).

One estimate of a path model: the model is checked, the items prepared (missing values, centring and
scaling), the outer weights iterated to convergence, and the structural model estimated by ordinary
least squares on the construct scores. :func:`~cem_research.stats.pls.pls_sem` wraps it with the
reliability tables and the bootstrap; this module holds the numbers of one sample only.

The algorithm (Lohmöller 1989, *Latent Variable Path Modeling with Partial Least Squares*, ch. 2;
Sanchez 2013, *PLS Path Modeling with R*, sec. 4.3):

1. Items are centred; with ``scaled=True`` (the default, "Mean 0, Var 1" in SmartPLS, seminr's
   only metric) also divided by their standard deviation. All moments use the population
   denominator ``n``, as R plspm does; for standardized items the results do not depend on it.
2. Outer weights start at 1 for every item (SmartPLS, seminr) and each construct score
   :math:`Y_j = X_j w_j` is scaled to unit variance.
3. Inner estimation: :math:`Z_j = \\sum_i e_{ij} Y_i` over the constructs adjacent to *j*, with
   ``centroid`` :math:`e_{ij} = \\mathrm{sign}\\, r(Y_i, Y_j)`, ``factorial`` :math:`e_{ij} = r(Y_i, Y_j)`,
   ``path`` (Lohmöller's path weighting, as seminr and SmartPLS): the multiple-regression coefficient
   of :math:`Y_j` on its predecessors for each predecessor *i*, and :math:`r(Y_i, Y_j)` for each
   successor *i*. (R plspm's ``path`` scheme swaps the two roles; its centroid and factorial schemes
   are the same as here.)
4. Outer estimation: mode A (reflective) :math:`w_j = X_j^\\top Z_j / n`, the covariances of the
   items with the inner proxy; mode B (formative) :math:`w_j = (X_j^\\top X_j)^{-1} X_j^\\top Z_j`,
   the multiple-regression weights. Then back to step 2 until no weight changes by more than
   ``tol`` (largest absolute change).
5. Path coefficients: OLS of each endogenous construct score on its predecessors' scores; R² and
   adjusted R² :math:`1 - (1 - R^2)(n - 1)/(n - k - 1)`; loadings and cross-loadings are the
   correlations of items with construct scores. Total effects :math:`T = (I - B)^{-1} - I` for the
   matrix *B* of path coefficients (rows from, columns to); indirect = total - direct.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SCHEMES", "MODES", "MISSING", "ModelSpec", "Estimate", "model_spec", "prepare_items", "estimate"]

#: Inner weighting schemes (step 3).
SCHEMES = ("path", "centroid", "factorial")
#: Measurement modes: A reflective (correlation weights), B formative (regression weights).
MODES = ("A", "B")
#: Treatments of missing item values: mean replacement (seminr, SmartPLS) or listwise deletion.
MISSING = ("mean", "listwise")


@dataclass(frozen=True)
class ModelSpec:
    """A checked path model: constructs in order, their items and modes, the paths.

    Attributes
    ----------
    constructs : tuple of str
        Construct names, in the order the blocks were given.
    blocks : dict
        Construct -> tuple of item columns.
    modes : dict
        Construct -> "A" or "B".
    paths : tuple of (str, str)
        Structural paths (from, to).
    """

    constructs: tuple[str, ...]
    blocks: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    paths: tuple[tuple[str, str], ...]

    @property
    def items(self) -> list[str]:
        """All item columns, block by block."""
        return [i for c in self.constructs for i in self.blocks[c]]

    @property
    def adjacency(self) -> np.ndarray:
        """0/1 matrix, ``A[i, j] = 1`` when construct i -> construct j."""
        idx = {c: k for k, c in enumerate(self.constructs)}
        a = np.zeros((len(self.constructs),) * 2)
        for f, t in self.paths:
            a[idx[f], idx[t]] = 1.0
        return a


def model_spec(
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[Sequence[str]],
    modes: Mapping[str, str] | None = None,
    func: str = "pls_sem",
) -> ModelSpec:
    """Check a path model and return it as a :class:`ModelSpec`.

    Parameters
    ----------
    blocks : mapping
        Construct name -> list of item columns (at least one; an item belongs to one block).
    paths : sequence of pairs
        ``(from, to)`` construct names; the structural model must be recursive (no cycle) and
        every construct must be on at least one path.
    modes : mapping, optional
        Construct -> "A" (reflective, the default) or "B" (formative).
    func : str
        Name of the calling function, for the error messages.

    Raises
    ------
    ValueError
        Saying what was expected.
    """
    if not isinstance(blocks, Mapping) or not blocks:
        raise ValueError(f"{func}: expected `blocks` to map construct names to item columns, got {blocks!r}")
    out_blocks: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for c, items in blocks.items():
        items = [items] if isinstance(items, str) else list(items)
        if not items or not all(isinstance(i, str) for i in items):
            raise ValueError(f"{func}: expected construct {c!r} to have a list of item columns, got {items!r}")
        for i in items:
            if i in seen:
                raise ValueError(f"{func}: expected each item in one block, {i!r} is in {seen[i]!r} and {c!r}")
            seen[i] = c
        out_blocks[str(c)] = tuple(items)
    constructs = tuple(out_blocks)
    pairs = []
    for p in paths:
        if isinstance(p, str) or len(p) != 2:
            raise ValueError(f"{func}: expected each path as a pair [from, to], got {p!r}")
        f, t = (str(p[0]), str(p[1]))
        unknown = [x for x in (f, t) if x not in out_blocks]
        if unknown:
            raise ValueError(f"{func}: path {[f, t]} names construct(s) {unknown} without a block; "
                             f"blocks: {list(constructs)}")
        if f == t:
            raise ValueError(f"{func}: expected a path between two constructs, got {[f, t]}")
        if (f, t) not in pairs:
            pairs.append((f, t))
    if not pairs:
        raise ValueError(f"{func}: expected at least one path")
    on_path = {x for p in pairs for x in p}
    lone = [c for c in constructs if c not in on_path]
    if lone:
        raise ValueError(f"{func}: expected every construct on a path, {lone} is on none")
    modes = dict(modes or {})
    bad = {c: m for c, m in modes.items() if c not in out_blocks or str(m).upper() not in MODES}
    if bad:
        raise ValueError(f"{func}: expected `mode` to map constructs {list(constructs)} to 'A' or 'B', got {bad}")
    spec = ModelSpec(constructs, out_blocks, {c: str(modes.get(c, "A")).upper() for c in constructs},
                     tuple(pairs))
    # recursive model: repeatedly remove constructs without a predecessor
    a = spec.adjacency.copy()
    left = list(range(len(constructs)))
    while left:
        roots = [k for k in left if not a[left, k].any()]
        if not roots:
            raise ValueError(f"{func}: expected a recursive model, the paths among "
                             f"{[constructs[k] for k in left]} form a cycle")
        left = [k for k in left if k not in roots]
    return spec


def prepare_items(data: pd.DataFrame, spec: ModelSpec, missing: str = "mean",
                  func: str = "pls_sem") -> pd.DataFrame:
    """The model's item columns as floats, missing values replaced by the item mean or rows dropped.

    Raises a :class:`ValueError` for a missing or non-numeric column, an unknown `missing`, a
    constant item, or fewer complete rows than items + 2.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{func}: expected `data` to be a pandas DataFrame, got {type(data).__name__}")
    absent = [i for i in spec.items if i not in data.columns]
    if absent:
        raise ValueError(f"{func}: expected item column(s) {absent} in `data`")
    if missing not in MISSING:
        raise ValueError(f"{func}: expected `missing` in {list(MISSING)}, got {missing!r}")
    x = data[spec.items]
    bad = [c for c in spec.items if not pd.api.types.is_numeric_dtype(x[c]) or pd.api.types.is_bool_dtype(x[c])]
    if bad:
        raise ValueError(f"{func}: expected numeric item column(s), got non-numeric {bad}")
    x = x.astype(float)
    x = x.dropna() if missing == "listwise" else x.fillna(x.mean())
    empty = [c for c in spec.items if x[c].isna().all()]
    constant = [c for c in spec.items if c not in empty and x[c].std(ddof=0) == 0]
    if empty or constant:
        raise ValueError(f"{func}: expected varying item columns; empty {empty}, constant {constant}")
    if len(x) < len(spec.constructs) + 3:
        raise ValueError(f"{func}: expected more complete rows than constructs + 2, got {len(x)}")
    return x


@dataclass(frozen=True)
class Estimate:
    """The numbers of one PLS estimate (arrays in the order of :class:`ModelSpec`).

    Attributes
    ----------
    weights : ndarray (items,)
        Outer weights in the metric of the prepared items (standardized when ``scaled``).
    loadings : ndarray (items, constructs)
        Correlations of every item with every construct score (cross-loadings).
    scores : ndarray (n, constructs)
        Standardized construct scores (population variance 1).
    B : ndarray (constructs, constructs)
        Path coefficients, rows from, columns to.
    r2 : ndarray (constructs,)
        R² of each endogenous construct (NaN for exogenous ones).
    iterations : int
    converged : bool
    """

    weights: np.ndarray
    loadings: np.ndarray
    scores: np.ndarray
    B: np.ndarray
    r2: np.ndarray
    iterations: int
    converged: bool

    @property
    def total(self) -> np.ndarray:
        """Total effects, rows from, columns to: :math:`(I - B)^{-1} - I`."""
        k = len(self.B)
        return np.linalg.solve(np.eye(k) - self.B.T, np.eye(k)).T - np.eye(k)


def _unit(y: np.ndarray) -> np.ndarray:
    """Columns scaled to population variance 1 (centred data)."""
    return y / y.std(axis=0)


def _inner_weights(y: np.ndarray, adj: np.ndarray, scheme: str) -> np.ndarray:
    """Matrix E with ``Z = Y @ E`` (step 3); ``adj[i, j] = 1`` for i -> j."""
    r = np.corrcoef(y, rowvar=False)
    both = adj + adj.T
    if scheme == "centroid":
        return np.sign(r) * both
    if scheme == "factorial":
        return r * both
    e = r * adj.T  # successors of j (j -> i, adj[j, i]) enter Z_j with their correlation
    for j in range(len(adj)):
        pred = np.flatnonzero(adj[:, j])
        if pred.size:
            e[pred, j] = np.linalg.lstsq(y[:, pred], y[:, j], rcond=None)[0]
    return e


def estimate(
    x: np.ndarray, spec: ModelSpec, scheme: str = "path", scaled: bool = True,
    max_iter: int = 300, tol: float = 1e-7,
) -> Estimate:
    """One PLS estimate of `spec` on the prepared item matrix `x` (rows, items in ``spec.items`` order).

    See the module docstring for the algorithm.
    """
    x = x - x.mean(axis=0)
    if scaled:
        x = x / x.std(axis=0)
    n = len(x)
    q = len(spec.constructs)
    sizes = [len(spec.blocks[c]) for c in spec.constructs]
    owner = np.repeat(np.arange(q), sizes)
    W = np.zeros((x.shape[1], q))
    W[np.arange(x.shape[1]), owner] = 1.0
    W = W / (x @ W).std(axis=0)
    adj = spec.adjacency
    modes = [spec.modes[c] for c in spec.constructs]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        y = x @ W
        z = y @ _inner_weights(y, adj, scheme)
        new = np.zeros_like(W)
        for j in range(q):
            rows = owner == j
            xj = x[:, rows]
            if modes[j] == "B" and rows.sum() > 1:
                new[rows, j] = np.linalg.lstsq(xj, z[:, j], rcond=None)[0]
            else:
                new[rows, j] = xj.T @ z[:, j] / n
        new = new / (x @ new).std(axis=0)
        change = np.abs(new - W).max()
        W = new
        if change < tol:
            converged = True
            break
    y = x @ W
    B = np.zeros((q, q))
    r2 = np.full(q, np.nan)
    for j in range(q):
        pred = np.flatnonzero(adj[:, j])
        if pred.size:
            coef = np.linalg.lstsq(y[:, pred], y[:, j], rcond=None)[0]
            B[pred, j] = coef
            r2[j] = 1 - np.var(y[:, j] - y[:, pred] @ coef) / np.var(y[:, j])
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    loadings = xs.T @ y / n
    return Estimate(W.sum(axis=1), loadings, y, B, r2, it, converged)
