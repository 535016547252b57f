"""Keyness (Dunning log-likelihood G² on document counts): terms that characterise a set of texts,
each group's texts, or the latest survey wave."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cem_research.text.common import as_series
from cem_research.text.terms import doc_freq, term_sets

__all__ = ["KEYNESS_COLUMNS", "keyness", "characteristic_terms", "rising_terms"]

#: Columns returned by :func:`keyness`, in this order.
KEYNESS_COLUMNS: tuple[str, ...] = (
    "term",
    "n",
    "target_docs",
    "reference_docs",
    "target_share",
    "reference_share",
    "log_ratio",
    "g2",
    "p_unc",
    "p_corr",
    "significant",
    "direction",
)


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Rayson & Garside (2000) log-likelihood for term counts a, b in corpora of sizes c, d."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return np.maximum(2.0 * (t1 + t2), 0.0)


def _empty_keyness() -> pd.DataFrame:
    dtypes = {
        "term": object,
        "n": int,
        "target_docs": int,
        "reference_docs": int,
        "target_share": float,
        "reference_share": float,
        "log_ratio": float,
        "g2": float,
        "p_unc": float,
        "p_corr": float,
        "significant": bool,
        "direction": object,
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _keyness_from_sets(
    target: Sequence[frozenset[str]], reference: Sequence[frozenset[str]], min_count: int, alpha: float,
    total: Counter | None = None,
) -> pd.DataFrame:
    """Keyness of ``target`` against ``reference``; ``total`` (optional) is ``doc_freq`` of both together."""
    c, d = len(target), len(reference)
    if c == 0 or d == 0:
        out = _empty_keyness()
        out.attrs.update(n_target=c, n_reference=d, alpha=alpha, correction="fdr_bh")
        return out
    tc = doc_freq(target)
    if total is None:
        rc = doc_freq(reference)
    else:  # reference = everything else: its counts are the total minus the target's
        rc = Counter({t: n - tc.get(t, 0) for t, n in total.items() if n > tc.get(t, 0)})
    terms = [t for t in set(tc) | set(rc) if tc.get(t, 0) + rc.get(t, 0) >= min_count]
    terms.sort()
    a = np.array([tc.get(t, 0) for t in terms], dtype=np.int64)
    b = np.array([rc.get(t, 0) for t in terms], dtype=np.int64)
    g2 = _g2(a, b, c, d)
    p_unc = stats.chi2.sf(g2, df=1)
    p_corr = stats.false_discovery_control(p_unc, method="bh") if len(p_unc) else p_unc
    t_share = a / c
    r_share = b / d
    out = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "n": a + b,
            "target_docs": a,
            "reference_docs": b,
            "target_share": t_share,
            "reference_share": r_share,
            "log_ratio": np.log2(((a + 0.5) / c) / ((b + 0.5) / d)),
            "g2": g2,
            "p_unc": p_unc,
            "p_corr": np.asarray(p_corr, dtype=float),
            "significant": np.asarray(p_corr, dtype=float) < alpha,
            "direction": np.where(t_share > r_share, "over", "under").astype(object),
        }
    )
    if len(out) == 0:
        out = _empty_keyness()
    out["_over"] = out["direction"] == "over"
    out = out.sort_values(["_over", "g2", "term"], ascending=[False, False, True], kind="mergesort")
    out = out.drop(columns="_over").reset_index(drop=True)
    out.attrs.update(n_target=c, n_reference=d, alpha=alpha, correction="fdr_bh")
    return out


def keyness(
    target_texts: Iterable[Any] | pd.Series,
    reference_texts: Iterable[Any] | pd.Series,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Terms over- and under-represented in target texts compared with reference texts.

    Parameters
    ----------
    target_texts, reference_texts : Series or sequence of str
        The two sets of documents (e.g. one brand's comments vs all others').
    ngram_range : (int, int), default (1, 2)
        N-gram lengths compared (see :func:`term_counts`).
    min_count : int, default 5
        Test only terms found in at least this many documents of both sets together.
    alpha : float, default 0.05
        False discovery rate for ``significant``.

    Returns
    -------
    DataFrame
        One row per tested term, columns:

        ``term``; ``n`` (documents containing it, both sets); ``target_docs``, ``reference_docs``;
        ``target_share``, ``reference_share`` (documents containing it / documents in the set);
        ``log_ratio`` (effect size: log2 of the ratio of shares, 0.5 added to both document counts, so
        +1 = twice as common in the target); ``g2`` (log-likelihood G²); ``p_unc`` (chi-square, 1 df);
        ``p_corr`` (Benjamini-Hochberg adjusted over all tested terms); ``significant``
        (``p_corr < alpha``); ``direction`` (``'over'`` if the target share is higher, else ``'under'``).
        Sorted over-represented first, each part by ``g2`` descending. ``attrs`` holds ``n_target`` and
        ``n_reference`` (numbers of documents). Empty (same columns) if either set is empty.

    Notes
    -----
    G² is Dunning's (1993) log-likelihood in the two-cell form of Rayson & Garside (2000), computed on
    document counts: with ``a``, ``b`` the numbers of target and reference documents containing the term
    and ``c``, ``d`` the numbers of documents in each set, ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)`` and
    ``G² = 2 (a ln(a/E1) + b ln(b/E2))`` (a zero count contributes 0). Document counts make each comment
    one independent observation. For terms in a large share of documents this form is conservative
    compared with the full 2×2 G² (which adds the cells of documents without the term). Log ratio after
    Hardie (2014). Many terms are tested, so p-values are adjusted with the Benjamini-Hochberg (1995)
    false-discovery-rate procedure (chosen over Holm because keyness is exploratory and tests thousands of
    correlated terms; Holm would control the family-wise error rate and miss most real differences).

    Examples
    --------
    >>> target = ["slow queue"] * 4 + ["nice coffee"] * 6
    >>> reference = ["nice coffee"] * 18 + ["slow queue"] * 2
    >>> k = keyness(target, reference, ngram_range=(1, 1), min_count=3)
    >>> k[["term", "target_docs", "reference_docs", "direction"]].head(2)
        term  target_docs  reference_docs direction
    0  queue            4               2      over
    1   slow            4               2      over
    """
    target = term_sets(as_series(target_texts).tolist(), ngram_range)
    reference = term_sets(as_series(reference_texts).tolist(), ngram_range)
    return _keyness_from_sets(target, reference, min_count, alpha)


def _ordered_levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [lv for lv in values.cat.categories if lv in present]
    levels = list(pd.unique(values.dropna()))
    try:
        return sorted(levels)
    except TypeError:
        return levels


def characteristic_terms(
    data: pd.DataFrame,
    text: str,
    group: str,
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    top: int | None = 10,
    alpha: float = 0.05,
    significant_only: bool = False,
    language: str = "en",
) -> pd.DataFrame:
    """Terms that characterise each group's texts compared with all other groups.

    Parameters
    ----------
    data : DataFrame
        One row per text.
    text : str
        Column holding the text.
    group : str
        Column whose levels are compared (e.g. brand, touchpoint, segment). Rows with a missing group are
        left out.
    ngram_range : (int, int), default (1, 2)
        N-gram lengths (see :func:`term_counts`).
    min_count : int, default 5
        Minimum number of documents containing a term (in the level and the rest together).
    top : int or None, default 10
        Keep the ``top`` over-represented terms per level by G² (None keeps all).
    alpha : float, default 0.05
        False discovery rate for ``significant``.
    significant_only : bool, default False
        Keep only significant terms.
    language : str, default "en"
        Language of the texts, whose stopwords are removed (:func:`~cem_research.text.terms.stopword_list`);
        compare texts of one language only.

    Returns
    -------
    DataFrame
        Columns ``group`` (the level), ``rank`` (1 = highest G² within the level) and the :func:`keyness`
        columns, only over-represented terms (``direction == 'over'``). Levels in category order, or
        sorted.

    Notes
    -----
    For each level, :func:`keyness` of the level's texts (target) against the texts of all other levels
    (reference). Texts are tokenized once. With k levels there are k separate keyness tables; the
    Benjamini-Hochberg adjustment is applied within each.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["slow queue"] * 5 + ["tasty cake"] * 5, "g": ["a"] * 5 + ["b"] * 5})
    >>> characteristic_terms(df, "c", "g", ngram_range=(1, 1), min_count=3, top=1)[["group", "term"]]
      group   term
    0     a  queue
    1     b   cake
    """
    sub = data.loc[data[group].notna(), [text, group]]
    sets = term_sets(sub[text].tolist(), ngram_range, stopwords=language)
    groups = sub[group].to_numpy()
    total = doc_freq(sets)
    frames = []
    for level in _ordered_levels(sub[group]):
        mask = groups == level
        target = [s for s, m in zip(sets, mask) if m]
        reference = [s for s, m in zip(sets, mask) if not m]
        if not target or not reference:
            continue
        k = _keyness_from_sets(target, reference, min_count, alpha, total=total)
        k = k[k["direction"] == "over"]
        if significant_only:
            k = k[k["significant"]]
        if top is not None:
            k = k.head(top)
        k = k.reset_index(drop=True)
        k.insert(0, "rank", np.arange(1, len(k) + 1))
        k.insert(0, "group", pd.Series([level] * len(k), dtype=object))
        frames.append(k)
    if not frames:
        out = _empty_keyness()
        out.insert(0, "rank", pd.Series(dtype=int))
        out.insert(0, "group", pd.Series(dtype=object))
        return out
    return pd.concat(frames, ignore_index=True)


def rising_terms(
    data: pd.DataFrame,
    text: str,
    wave: str,
    waves: Sequence[Hashable],
    ngram_range: tuple[int, int] = (1, 2),
    min_count: int = 5,
    alpha: float = 0.05,
    language: str = "en",
) -> pd.DataFrame:
    """Terms that became more (or less) frequent in the latest wave.

    Parameters
    ----------
    data : DataFrame
        One row per text. If it has a ``compound`` column (VADER compound per text), the mean sentiment of
        the texts containing each term is added.
    text : str
        Column holding the text.
    wave : str
        Column holding the wave label.
    waves : sequence
        Wave labels in chronological order (e.g. ``ClientData.waves``); the last one is the latest wave.
        Rows whose wave is not listed are ignored.
    ngram_range : (int, int), default (1, 2)
        N-gram lengths (see :func:`term_counts`).
    min_count : int, default 5
        Minimum number of documents (all listed waves) containing a term.
    alpha : float, default 0.05
        False discovery rate.
    language : str, default "en"
        Language of the texts, whose stopwords are removed (compare texts of one language only).

    Returns
    -------
    DataFrame
        The :func:`keyness` columns for latest wave (target) vs all earlier listed waves (reference), plus
        ``rising`` (significant and ``'over'``), one ``share_<wave>`` column per listed wave (share of
        that wave's texts containing the term, ``NaN`` if the wave has no texts), and, if ``data`` has a
        ``compound`` column, ``mean_compound`` (mean compound of all listed waves' texts containing the
        term) and ``mean_compound_latest`` (the same within the latest wave). Sorted as :func:`keyness`.
        ``attrs["waves"]`` is the list of wave labels, ``attrs["latest"]`` the latest one.

    Notes
    -----
    Keyness (Rayson & Garside 2000 G² on document counts, Benjamini-Hochberg adjusted) of the latest wave
    against the pooled earlier waves; see :func:`keyness`. Pooling earlier waves asks "what is new now",
    not whether a trend is monotonic; the per-wave shares show the path.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["nice cafe"] * 10 + ["oat milk sold out"] * 6 + ["nice cafe"] * 4,
    ...                    "w": ["Q1"] * 10 + ["Q2"] * 10})
    >>> r = rising_terms(df, "c", "w", ["Q1", "Q2"], ngram_range=(1, 1), min_count=3)
    >>> r[["term", "share_Q1", "share_Q2", "rising"]].head(1)
       term  share_Q1  share_Q2  rising
    0  milk       0.0       0.6    True
    """
    waves = list(waves)
    if len(waves) < 2:
        raise ValueError("rising_terms needs at least two waves (earlier waves and the latest one)")
    latest = waves[-1]
    sub = data[data[wave].isin(waves)]
    sets = term_sets(sub[text].tolist(), ngram_range, stopwords=language)
    wave_values = sub[wave].to_numpy()
    is_latest = wave_values == latest
    target = [s for s, m in zip(sets, is_latest) if m]
    reference = [s for s, m in zip(sets, is_latest) if not m]
    out = _keyness_from_sets(target, reference, min_count, alpha)
    out.insert(len(out.columns), "rising", out["significant"].astype(bool) & (out["direction"] == "over"))
    terms = out["term"].tolist()
    for w in waves:
        w_sets = [s for s, v in zip(sets, wave_values) if v == w]
        counts = doc_freq(w_sets)
        if w_sets:
            out[f"share_{w}"] = np.array([counts.get(t, 0) for t in terms], dtype=float) / len(w_sets)
        else:
            out[f"share_{w}"] = np.nan
    if "compound" in sub.columns:
        compound = pd.to_numeric(sub["compound"], errors="coerce").to_numpy(dtype=float)
        position = {t: i for i, t in enumerate(terms)}
        wanted = frozenset(position)
        # term positions of each distinct set; then per term the sums over its texts, added in text
        # order (np.bincount adds its weights in input order, like a loop over the texts would)
        in_set: dict[int, list[int]] = {}
        parts = []
        for s in sets:
            idx = in_set.get(id(s))
            if idx is None:
                idx = in_set[id(s)] = [position[t] for t in s & wanted]
            parts.append(idx)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = np.fromiter(itertools.chain.from_iterable(parts), dtype=np.int64, count=int(lengths.sum()))
        x_rep = np.repeat(compound, lengths)
        latest_rep = np.repeat(is_latest, lengths)
        ok = ~np.isnan(x_rep)
        m = len(terms)
        acc = np.column_stack([
            np.bincount(flat[ok], weights=x_rep[ok], minlength=m),
            np.bincount(flat[ok], minlength=m),
            np.bincount(flat[ok & latest_rep], weights=x_rep[ok & latest_rep], minlength=m),
            np.bincount(flat[ok & latest_rep], minlength=m),
        ]).astype(float).reshape(m, 4)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["mean_compound"] = np.where(acc[:, 1] > 0, acc[:, 0] / acc[:, 1], np.nan)
            out["mean_compound_latest"] = np.where(acc[:, 3] > 0, acc[:, 2] / acc[:, 3], np.nan)
    out.attrs.update(waves=waves, latest=latest)
    return out
