"""Property-based tests (hypothesis) of the statistical and text core."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cem_research import stats, text

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def likert(n_rows, n_items, lo=1, hi=7):
    return arrays(np.int64, (n_rows, n_items), elements=st.integers(lo, hi))


@st.composite
def item_frames(draw, min_rows=8, max_rows=40, k=3):
    n = draw(st.integers(min_rows, max_rows))
    values = draw(likert(n, k))
    frame = pd.DataFrame(values.astype(float), columns=[f"q{i}" for i in range(k)])
    perm = draw(st.permutations(range(n)))
    return frame, list(perm)


@SETTINGS
@given(item_frames())
def test_reliability_invariant_to_row_order_and_names(args):
    frame, perm = args
    a = stats.reliability(frame, list(frame.columns))
    shuffled = frame.iloc[perm].reset_index(drop=True).rename(columns=lambda c: f"renamed_{c}")
    b = stats.reliability(shuffled, list(shuffled.columns))
    for col in ("alpha", "alpha_std"):
        x, y = a[col].iloc[0], b[col].iloc[0]
        assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(y, abs=1e-9)


@SETTINGS
@given(arrays(np.int64, st.integers(1, 60), elements=st.integers(0, 10)), st.randoms())
def test_nps_invariant_and_bounded(values, rnd):
    frame = pd.DataFrame({"ltr": values.astype(float)})
    a = stats.nps(frame, "ltr")
    order = list(range(len(frame)))
    rnd.shuffle(order)
    b = stats.nps(frame.iloc[order].rename(columns={"ltr": "other"}), "other")
    assert a["nps"].iloc[0] == pytest.approx(b["nps"].iloc[0])
    assert -100 <= a["nps"].iloc[0] <= 100
    promoters = (values >= 9).mean() * 100
    detractors = (values <= 6).mean() * 100
    assert a["nps"].iloc[0] == pytest.approx(promoters - detractors)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.permutations(range(60)))
def test_relative_importance_invariant(seed, perm):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 3))
    y = x @ np.array([0.6, 0.3, 0.1]) + rng.normal(size=60)
    frame = pd.DataFrame(np.column_stack([y, x]), columns=["y", "a", "b", "c"])
    a = stats.relative_importance(frame, "y", ["a", "b", "c"], n_boot=0).set_index("driver")
    renamed = frame.iloc[list(perm)].rename(columns={"a": "A", "b": "B", "c": "C", "y": "Y"})
    b = stats.relative_importance(renamed, "Y", ["A", "B", "C"], n_boot=0).set_index("driver")
    assert a.loc[["a", "b", "c"], "relimp"].to_numpy() == pytest.approx(
        b.loc[["A", "B", "C"], "relimp"].to_numpy(), abs=1e-10)
    assert a["relimp"].sum() == pytest.approx(a["r2"].iloc[0], abs=1e-10)


@SETTINGS
@given(likert(20, 4), st.integers(1, 3), st.integers(5, 10))
def test_reverse_twice_and_scores_within_scale(values, lo, width):
    hi = lo + width
    values = np.clip(values, lo, hi).astype(float)
    s = pd.Series(values[:, 0])
    assert stats.reverse_key(stats.reverse_key(s, lo, hi), lo, hi).tolist() == s.tolist()
    frame = pd.DataFrame(values, columns=list("abcd"))
    frame.iloc[::3, 1] = np.nan
    scores = stats.score_scale(frame, list("abcd"))
    assert scores.dropna().between(lo, hi).all()
    shuffled = stats.score_scale(frame[list("dcba")], list("dcba"))
    assert np.allclose(scores, shuffled, equal_nan=True)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_text_functions_never_raise_on_unicode(s):
    scores = text.polarity(s)
    assert -1.0 <= scores["compound"] <= 1.0
    text.tokenize(s)
    masked = text.safe_text(s)
    assert "<" not in masked and ">" not in masked
    text.mask_pii(s)
    text.text_key(s)
