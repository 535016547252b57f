"""PLS path models (stats.pls) against every published reference, to 3 decimals.

References (read-only, ../shared/external/ecsi-satisfaction, see its SOURCE.md):

* R plspm on ``satisfaction`` -- ``plspm(satisfaction, path, blocks, modes = rep("A", 6),
  scaled = FALSE, scheme = "centroid")``: inner model, outer model, effects, unidimensionality
  (``published/plspm-python_satisfaction*.csv``).
* SmartPLS 2.0.M3, ECSI model on ``mobi``, data "Mean 0, Var 1", all blocks mode A, under the centroid,
  factorial and path weighting schemes: path coefficients, outer weights, total effects, cross-loadings
  (``published/smartpls_ecsi_<scheme>_*.txt``, from semPLS's regression tests).
* seminr on ``mobi``: the basic model with Quality in mode B (``plspm-python_seminr-mobi-basic-*``)
  and the four-block model's reliability and R² (``seminr_mobi-4block_*``), path weighting.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_research.stats.pls import bootstrap_draws, ipma, model_spec, pls_sem
from conftest import REPO

EXTERNAL = Path("/work/shared/external/ecsi-satisfaction")
if not EXTERNAL.exists():
    EXTERNAL = REPO.parent / "shared" / "external" / "ecsi-satisfaction"
PUBLISHED = EXTERNAL / "published"
needs_data = pytest.mark.skipif(not EXTERNAL.exists(), reason="shared/external/ecsi-satisfaction not beside the project")

DEC = 3  # decimals every published value must match
TOL = 0.5 * 10 ** -DEC

ECSI_BLOCKS = {
    "Image": [f"IMAG{i}" for i in range(1, 6)], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
    "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}
ECSI_PATHS = [
    ("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"), ("Expectation", "Quality"),
    ("Expectation", "Value"), ("Expectation", "Satisfaction"), ("Quality", "Value"), ("Quality", "Satisfaction"),
    ("Value", "Satisfaction"), ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"),
]
BANK_BLOCKS = {
    "IMAG": [f"imag{i}" for i in range(1, 6)], "EXPE": [f"expe{i}" for i in range(1, 6)],
    "QUAL": [f"qual{i}" for i in range(1, 6)], "VAL": [f"val{i}" for i in range(1, 5)],
    "SAT": [f"sat{i}" for i in range(1, 5)], "LOY": [f"loy{i}" for i in range(1, 5)],
}
BANK_PATHS = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL"), ("EXPE", "VAL"), ("EXPE", "SAT"),
              ("QUAL", "VAL"), ("QUAL", "SAT"), ("VAL", "SAT"), ("SAT", "LOY")]


def close(ours, published):
    """Equal to the published values when both are rounded to DEC decimals (half a unit of the last)."""
    ours, published = np.asarray(ours, dtype=float), np.asarray(published, dtype=float)
    np.testing.assert_array_less(np.abs(ours - published), TOL)


def smartpls(scheme: str, what: str) -> pd.DataFrame:
    """A SmartPLS 2.0 result file: tab-separated, decimal comma, padded names, rows from, columns to."""
    lines = (PUBLISHED / f"smartpls_ecsi_{scheme}_{what}.txt").read_text().splitlines()
    rows = [line.rstrip("\t").split("\t") for line in lines if line.strip()]
    return pd.DataFrame([[float(v.replace(",", ".")) for v in r[1:]] for r in rows[1:]],
                        index=[r[0].strip() for r in rows[1:]], columns=[h.strip() for h in rows[0][1:]])


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(EXTERNAL / "mobi.csv", index_col=0)


@pytest.fixture(scope="module")
def bank():
    # R: plspm(satisfaction, sat_path, sat_blocks, modes = rep("A", 6), scaled = FALSE, scheme = "centroid")
    data = pd.read_csv(EXTERNAL / "satisfaction.csv", index_col=0)
    return pls_sem(data, BANK_BLOCKS, BANK_PATHS, scheme="centroid", scaled=False)


# ------------------------------------------------------------------ R plspm, satisfaction (bank)


@needs_data
def test_plspm_inner_model_of_satisfaction(bank):
    ref = pd.read_csv(PUBLISHED / "plspm-python_satisfaction.inner-model.csv", index_col=0)
    paths = bank.paths[bank.paths["to"] == "SAT"].set_index("from")
    close(paths.loc[ref.index, "estimate"], ref["Estimate"])  # IMAG 0.201, EXPE -0.003, QUAL 0.122, VAL 0.589


@needs_data
def test_plspm_inner_summary_r2_and_ave(bank):
    ref = pd.read_csv(PUBLISHED / "plspm-python_satisfaction.inner-summary.csv", index_col=0)
    r2 = bank.r2.set_index("construct")["r2"]
    endo = ref[ref["type"] == "Endogenous"]
    close(r2.loc[endo.index], endo["r_squared"])  # EXPE 0.335, QUAL 0.720, VAL 0.590, SAT 0.707, LOY 0.510
    close(bank.reliability.set_index("construct").loc[ref.index, "ave"], ref["ave"])
    assert set(bank.r2["construct"]) == set(endo.index)  # IMAG is exogenous: no R²


@needs_data
def test_plspm_outer_model_of_satisfaction(bank):
    ref = pd.read_csv(PUBLISHED / "plspm-python_satisfaction.outer-model.csv", index_col=0)
    ours = bank.loadings.set_index("item").loc[ref.index]
    assert (ours["construct"] == ref["block"]).all()
    close(ours["weight"], ref["weight"])  # scaled = FALSE: weights in the items' 0-10 metric
    close(ours["loading"], ref["loading"])
    close(ours["loading"] ** 2, ref["communality"])


@needs_data
def test_plspm_effects_of_satisfaction(bank):
    ref = pd.read_csv(PUBLISHED / "plspm-python_satisfaction.effects.csv", index_col=0)
    ours = bank.effects.set_index(["from", "to"]).loc[list(zip(ref["from"], ref["to"]))]
    for col in ("direct", "indirect", "total"):  # e.g. IMAG -> LOY direct 0.275, total 0.518
        close(ours[col], ref[col])
    assert len(bank.effects) == len(ref)  # every connected pair, none more


@needs_data
def test_plspm_unidimensionality_of_satisfaction(bank):
    ref = pd.read_csv(PUBLISHED / "plspm-python_satisfaction_unidim.csv", index_col=0)
    ours = bank.unidim.set_index("construct").loc[ref.index]
    assert (ours["k"] == ref["mvs"]).all()
    close(ours["alpha_std"], ref["cronbach_alpha"])
    close(ours["dg_rho"], ref["dillon_goldstein_rho"])
    close(ours["eig_1st"], ref["eig_1st"])
    close(ours["eig_2nd"], ref["eig_2nd"])
    # plspm's alpha is the standardized one; the raw alpha differs (SOURCE.md: IMAG raw 0.8219)
    assert bank.reliability.set_index("construct").loc["IMAG", "alpha"] == pytest.approx(0.8219, abs=1e-4)


# ------------------------------------------------------------------ SmartPLS 2.0, ECSI on mobi

SMARTPLS = {"centroid": "centroid", "factorial": "factorial", "path": "pathWeighting"}


@pytest.fixture(scope="module", params=list(SMARTPLS))
def ecsi(request, mobi):
    return request.param, pls_sem(mobi, ECSI_BLOCKS, ECSI_PATHS, scheme=request.param)


@needs_data
def test_smartpls_path_coefficients(ecsi):
    scheme, fit = ecsi
    ref = smartpls(SMARTPLS[scheme], "pathCoefficients")
    ours = fit.matrix("paths")
    close(ours.values, ref.loc[ours.index, ours.columns].values)  # zeros where there is no path too


@needs_data
def test_smartpls_total_effects(ecsi):
    scheme, fit = ecsi
    ref = smartpls(SMARTPLS[scheme], "totalEffects")
    ours = fit.matrix("total")
    close(ours.values, ref.loc[ours.index, ours.columns].values)


@needs_data
def test_smartpls_outer_weights_and_cross_loadings(ecsi):
    scheme, fit = ecsi
    weights = smartpls(SMARTPLS[scheme], "outerWeights")
    ours = fit.loadings.set_index("item")
    close(ours["weight"], [weights.loc[i, c] for i, c in zip(ours.index, ours["construct"])])
    cross = smartpls(SMARTPLS[scheme], "crossLoadings")
    close(fit.cross_loadings.values, cross.loc[fit.cross_loadings.index, fit.cross_loadings.columns].values)


@needs_data
def test_sempls_vignette_centroid_loadings(mobi):
    # semPLS vignette: sempls(model = ECSI, data = mobi, wscheme = "centroid"), loadings to 3 d.p.
    fit = pls_sem(mobi, ECSI_BLOCKS, ECSI_PATHS, scheme="centroid")
    printed = [0.743, 0.601, 0.578, 0.768, 0.744, 0.771, 0.687, 0.612, 0.803, 0.637, 0.784, 0.769, 0.756, 0.775,
               0.779, 0.904, 0.938, 0.799, 0.846, 0.852, 1.000, 0.814, 0.219, 0.917]
    np.testing.assert_allclose(fit.loadings["loading"].round(3), printed, atol=1e-9)


# ------------------------------------------------------------------ seminr on mobi


@needs_data
def test_seminr_basic_model_with_a_formative_block(mobi):
    # seminr: Image -> Expectation; Expectation, Quality (mode B), Complaints -> Loyalty; path weighting
    blocks = {k: ECSI_BLOCKS[k] for k in ("Image", "Expectation", "Quality", "Complaints", "Loyalty")}
    paths = [("Image", "Expectation"), ("Expectation", "Loyalty"), ("Quality", "Loyalty"), ("Complaints", "Loyalty")]
    fit = pls_sem(mobi, blocks, paths, modes={"Quality": "B"}, scheme="path")
    ref = pd.read_csv(PUBLISHED / "plspm-python_seminr-mobi-basic-paths.csv", index_col=0)
    ours = fit.matrix("paths")
    close(ours.values, ref.loc[ours.index, ours.columns].values)  # Image -> Expectation 0.513, Quality -> Loyalty 0.406
    outer = pd.read_csv(PUBLISHED / "plspm-python_seminr-mobi-basic-outer-model.csv", index_col=0)
    mine = fit.loadings.set_index("item").loc[outer.index]
    close(mine["weight"], outer["weight"])  # PERQ6 -0.086: a negative regression weight of mode B
    close(mine["loading"], outer["loading"])
    assert (fit.loadings.set_index("item").loc["PERQ1", "mode"]) == "B"


@needs_data
def test_seminr_four_block_reliability_and_r2(mobi):
    blocks = {k: ECSI_BLOCKS[k] for k in ("Image", "Expectation", "Value", "Satisfaction")}
    paths = [("Image", "Satisfaction"), ("Expectation", "Satisfaction"), ("Value", "Satisfaction")]
    fit = pls_sem(mobi, blocks, paths)
    ref = pd.read_csv(PUBLISHED / "seminr_mobi-4block_reliability.csv", index_col=0)
    ours = fit.reliability.set_index("construct").loc[ref.index]
    close(ours["alpha_std"], ref["alpha"])
    close(ours["rho_c"], ref["rhoC"])
    close(ours["ave"], ref["AVE"])
    close(ours["rho_a"], ref["rhoA"])
    close(ours["alpha"], [0.7144, 0.4326, 0.8167, 0.7701])  # raw alpha (pingouin), SOURCE.md
    r2 = pd.read_csv(PUBLISHED / "seminr_mobi-4block_rsquared.csv", index_col=0)["Satisfaction"]
    row = fit.r2.set_index("construct").loc["Satisfaction"]
    close([row["r2"], row["r2_adj"]], [r2["Rsq"], r2["AdjRsq"]])


# ------------------------------------------------------------------ bootstrap


def _small(seed=3, n=60):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.5 * a + rng.normal(scale=0.8, size=n)
    c = 0.4 * b + 0.2 * a + rng.normal(scale=0.8, size=n)
    cols = {}
    for name, f in (("a", a), ("b", b), ("c", c)):
        for i in (1, 2):
            cols[f"{name}{i}"] = f + rng.normal(scale=0.7, size=n)
    return pd.DataFrame(cols)


SMALL = dict(blocks={"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"]},
             paths=[("A", "B"), ("B", "C"), ("A", "C")])


def test_bootstrap_is_reproducible_with_the_seed():
    df = _small()
    one = pls_sem(df, **SMALL, n_boot=40, seed=11)
    two = pls_sem(df, **SMALL, n_boot=40, seed=11)
    other = pls_sem(df, **SMALL, n_boot=40, seed=12)
    pd.testing.assert_frame_equal(one.paths, two.paths)
    pd.testing.assert_frame_equal(one.effects, two.effects)
    assert not np.allclose(one.paths["ci_low"], other.paths["ci_low"])


def test_bootstrap_intervals_cover_the_estimates():
    fit = pls_sem(_small(), **SMALL, n_boot=60, seed=5)
    for tab, est, lo, hi in ((fit.paths, "estimate", "ci_low", "ci_high"),
                             (fit.effects, "total", "total_ci_low", "total_ci_high"),
                             (fit.loadings, "loading", "loading_ci_low", "loading_ci_high"),
                             (fit.htmt, "htmt", "ci_low", "ci_high")):
        assert (tab[lo] <= tab[est]).all() and (tab[est] <= tab[hi]).all(), tab
        assert (tab[lo] < tab[hi]).all()


def test_bootstrap_equals_a_plain_resampling_loop():
    df = _small(n=40)
    fit = pls_sem(df, **SMALL, n_boot=25, seed=9, confidence=0.9)
    boot_paths, boot_ind = [], []
    for idx in bootstrap_draws(len(df), 25, 9):  # numpy default_rng(9).integers(0, n, n) per resample
        b = pls_sem(df.iloc[idx], **SMALL)
        boot_paths.append(b.paths["estimate"].to_numpy())
        boot_ind.append(b.effects.set_index(["from", "to"]).loc[("A", "C"), "indirect"])
    boot_paths = np.array(boot_paths)
    np.testing.assert_allclose(fit.paths["ci_low"], np.percentile(boot_paths, 5, axis=0), atol=1e-10)
    np.testing.assert_allclose(fit.paths["ci_high"], np.percentile(boot_paths, 95, axis=0), atol=1e-10)
    np.testing.assert_allclose(fit.paths["boot_se"], boot_paths.std(axis=0, ddof=1), atol=1e-10)
    ac = fit.effects.set_index(["from", "to"]).loc[("A", "C")]
    assert ac["indirect_ci_low"] == pytest.approx(np.percentile(boot_ind, 5), abs=1e-10)
    # the draws themselves are numpy's: the loop does not depend on our helper
    rng = np.random.default_rng(9)
    assert all((d == rng.integers(0, 40, 40)).all() for d in bootstrap_draws(40, 25, 9))


def test_without_bootstrap_the_intervals_are_missing():
    fit = pls_sem(_small(), **SMALL)
    assert fit.paths[["ci_low", "ci_high"]].isna().all().all()
    assert fit.n_boot == 0


# ------------------------------------------------------------------ recovery, inputs, helpers


def test_a_planted_structure_is_recovered():
    rng = np.random.default_rng(21)
    n = 2000
    a = rng.normal(size=n)
    b = 0.6 * a + rng.normal(scale=0.8, size=n)
    c = 0.5 * b + rng.normal(scale=np.sqrt(1 - 0.25), size=n)
    df = pd.DataFrame({f"{k}{i}": f + rng.normal(scale=0.3, size=n) for k, f in (("a", a), ("b", b), ("c", c))
                       for i in (1, 2, 3)})
    fit = pls_sem(df, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"], "C": ["c1", "c2", "c3"]},
                  [("A", "B"), ("A", "C"), ("B", "C")], n_boot=50, seed=1)
    p = fit.paths.set_index(["from", "to"])
    # composites of items with noise attenuate correlations a little: the planted 0.6, 0.5, 0 come out near
    assert p.loc[("A", "B"), "estimate"] == pytest.approx(0.6, abs=0.05)
    assert p.loc[("B", "C"), "estimate"] == pytest.approx(0.5, abs=0.05)
    lo, hi = p.loc[("A", "C"), ["ci_low", "ci_high"]]
    assert lo < 0 < hi  # the planted zero path is not found


def test_htmt_by_hand():
    df = _small()
    fit = pls_sem(df, **SMALL)
    r = df.corr()
    hetero = r.loc[["a1", "a2"], ["b1", "b2"]].to_numpy().mean()
    expected = hetero / np.sqrt(r.loc["a1", "a2"] * r.loc["b1", "b2"])
    row = fit.htmt[(fit.htmt["construct_1"] == "A") & (fit.htmt["construct_2"] == "B")]
    assert row["htmt"].iloc[0] == pytest.approx(expected)
    fl = fit.fornell_larcker
    ave = fit.reliability.set_index("construct")["ave"]
    assert fl.loc["A", "A"] == pytest.approx(np.sqrt(ave["A"]))
    assert fl.loc["A", "B"] == pytest.approx(np.corrcoef(fit.scores["A"], fit.scores["B"])[0, 1])


def test_missing_values_mean_replacement_or_listwise():
    df = _small()
    df.loc[[0, 5], "a1"] = np.nan
    mean = pls_sem(df, **SMALL, missing="mean")
    listwise = pls_sem(df, **SMALL, missing="listwise")
    assert mean.n == 60 and listwise.n == 58
    filled = df.fillna({"a1": df["a1"].mean()})
    pd.testing.assert_frame_equal(mean.paths, pls_sem(filled, **SMALL).paths)
    pd.testing.assert_frame_equal(listwise.paths, pls_sem(df.dropna(), **SMALL).paths)


@pytest.mark.parametrize("kwargs, message", [
    (dict(paths=[("A", "B"), ("B", "C"), ("C", "A")]), "recursive model"),
    (dict(paths=[("A", "X")]), "without a block"),
    (dict(paths=[("A", "B")]), "every construct on a path"),
    (dict(modes={"A": "C"}), "'A' or 'B'"),
    (dict(scheme="mode"), "expected `scheme`"),
    (dict(missing="drop"), "expected `missing`"),
    (dict(blocks={"A": ["a1"], "B": ["b1", "a1"], "C": ["c1"]}), "in one block"),
    (dict(blocks={"A": ["a1", "zz"], "B": ["b1"], "C": ["c1"]}), "item column(s) ['zz']"),
])
def test_bad_models_are_refused_with_a_message(kwargs, message):
    args = dict(SMALL) | kwargs
    with pytest.raises(ValueError, match=re.escape(message)):
        pls_sem(_small(), **args)


def test_model_spec_keeps_the_order_and_default_mode():
    spec = model_spec({"X": ["x"], "Y": ["y1", "y2"]}, [["X", "Y"]], {"Y": "b"})
    assert spec.constructs == ("X", "Y") and spec.modes == {"X": "A", "Y": "B"} and spec.paths == (("X", "Y"),)


def test_ipma_rescales_performance_to_0_100():
    df = _small()
    df = (df - df.min()) / (df.max() - df.min()) * 6 + 1  # items on a 1-7 scale
    fit = pls_sem(df, **SMALL)
    out = ipma(fit, "C", {i: (1, 7) for i in df.columns})
    assert list(out["construct"]) == ["B", "A"] or list(out["construct"]) == ["A", "B"]
    assert out["performance"].between(0, 100).all()
    assert (out["importance"].diff().dropna() <= 0).all()  # most important first
    tot = fit.matrix("total")
    assert out.set_index("construct").loc["A", "total_std"] == pytest.approx(tot.loc["A", "C"])
    # single-item blocks: performance is the item's mean rescaled to 0-100
    one = pls_sem(df, {"A": ["a1"], "B": ["b1"], "C": ["c1"]}, SMALL["paths"])
    perf = ipma(one, "C", {i: (1, 7) for i in df.columns}).set_index("construct")["performance"]
    assert perf["A"] == pytest.approx(((df["a1"] - 1) / 6 * 100).mean())
    # unstandardized total effect of a single item on a single item: the OLS slopes on the 0-100 metric
    r = (df[["a1", "b1", "c1"]] - 1) / 6 * 100
    b_ab = np.polyfit(r["a1"], r["b1"], 1)[0]
    coef = np.linalg.lstsq(np.column_stack([np.ones(len(r)), r["a1"], r["b1"]]), r["c1"], rcond=None)[0]
    imp = ipma(one, "C", {i: (1, 7) for i in df.columns}).set_index("construct")["importance"]
    assert imp["A"] == pytest.approx(coef[1] + b_ab * coef[2])
    with pytest.raises(ValueError, match="expected `target`"):
        ipma(fit, "Z")


# ------------------------------------------------------------------ client.yaml `model:` and the step-2 section

BANK_MODEL = {"paths": [["image", "expectations"], ["image", "satisfaction"], ["image", "loyalty"],
                        ["expectations", "quality"], ["expectations", "value"], ["expectations", "satisfaction"],
                        ["quality", "value"], ["quality", "satisfaction"], ["value", "satisfaction"],
                        ["satisfaction", "loyalty"]]}


def _bank_yaml(model=None) -> dict:
    import yaml

    raw = yaml.safe_load((REPO / "tests" / "fixtures" / "ecsi_bank" / "client.yaml").read_text())
    raw["survey"] = {"file": "satisfaction.csv"}
    if model is not None:
        raw["model"] = model
    return raw


def test_model_key_parses_with_defaults():
    from cem_research.client.config import parse_config

    cfg = parse_config(_bank_yaml(BANK_MODEL | {"mode": {"quality": "b"}}), "ecsi_bank")
    m = cfg.model
    assert m.paths[0] == ("image", "expectations") and len(m.paths) == 10
    assert (m.scheme, m.missing, m.n_boot, m.modes) == ("path", "mean", None, {"quality": "B"})
    assert m.target == "satisfaction"  # the main outcome (first of `outcomes`), which a path leads to
    assert m.constructs[:3] == ["image", "expectations", "satisfaction"]
    assert parse_config(_bank_yaml(), "ecsi_bank").model is None


@pytest.mark.parametrize("change, message", [
    ({"paths": [["image", "expectatoins"]]}, "'model.paths' names 'expectatoins', which is not a declared construct"),
    ({"paths": "image -> loyalty"}, "'model.paths' must list paths as [from, to]"),
    ({"paths": [["image", "loyalty"], ["loyalty", "value"], ["value", "image"]]}, "'model.paths': expected a recursive"),
    ({"mode": {"quality": "C"}}, "'model.mode' gives 'quality' mode 'C'"),
    ({"scheme": "pathweighting"}, "'model.scheme' is 'pathweighting'; use one of path, centroid, factorial"),
    ({"missing": "drop"}, "'model.missing' is 'drop'"),
    ({"n_boot": 0}, "'model.n_boot' must be a positive number"),
    ({"target": "image"}, "'model.target' must be a construct that a path leads to"),
    ({"schme": "path"}, "schme"),
])
def test_model_key_errors_name_the_key(change, message):
    from cem_research.client.config import parse_config
    from cem_research.client.errors import ContractError

    with pytest.raises(ContractError, match=re.escape(message)):
        parse_config(_bank_yaml(BANK_MODEL | change), "ecsi_bank")


@pytest.fixture(scope="module")
def bank_client(tmp_path_factory):
    """The ECSI bank survey as a client (processed once), with and without `model:`."""
    import dataclasses
    import shutil

    import yaml

    from cem_research.client.config import parse_config
    from cem_research.client.data import load_client
    from conftest import project_root

    if not EXTERNAL.exists():
        pytest.skip("shared/external/ecsi-satisfaction not beside the project")
    root = tmp_path_factory.mktemp("pls_bank")
    folder = root / "data" / "raw" / "ecsi_bank"
    folder.mkdir(parents=True)
    (folder / "client.yaml").write_text(yaml.safe_dump(_bank_yaml(), sort_keys=False))
    shutil.copy(EXTERNAL / "satisfaction.csv", folder / "satisfaction.csv")
    with project_root(root):
        plain = load_client("ecsi_bank", raw_root=root / "data" / "raw")
    model = parse_config(_bank_yaml(BANK_MODEL | {"n_boot": 60}), "ecsi_bank").model
    return plain, dataclasses.replace(plain, config=dataclasses.replace(plain.config, model=model))


def test_section_is_silent_without_a_model(bank_client, capsys):
    from cem_research.steps.platform import PathModel
    from cem_research.steps.section import Settings

    plain, _ = bank_client
    assert PathModel().skip_reason(plain, Settings()) == "the client declares no 'model:' in client.yaml"
    assert PathModel().run(plain, Settings()) is None
    assert capsys.readouterr().out == ""  # no heading, no skip line: the report is as before


def test_section_estimates_the_declared_model(bank_client):
    from cem_research.steps.platform import PathModel
    from cem_research.steps.section import Settings

    _, data = bank_client
    settings = Settings(n_boot=400, seed=7)
    res = PathModel().result(data, settings)
    assert res.fit.n_boot == 60  # the model's own n_boot wins over the report's
    assert res.fit.spec.constructs == ("image", "expectations", "quality", "value", "satisfaction", "loyalty")
    same = pls_sem(data.own, {c: list(data.config.constructs[c].items) for c in res.fit.spec.constructs},
                   data.config.model.paths, n_boot=60, seed=7)
    pd.testing.assert_frame_equal(res.fit.paths, same.paths)
    findings = PathModel().findings(res, data, settings)
    top = res.fit.effects[res.fit.effects["to"] == "satisfaction"].sort_values("total").iloc[-1]
    assert findings[0]["value"] == pytest.approx(top["total"]) and findings[0]["headline"]
    assert "total effect on Satisfaction" in findings[0]["text"] or "moves Satisfaction most" in findings[0]["text"]
    assert f"n = {res.fit.n}" in findings[0]["text"]
    # a path whose interval includes zero is named as not supported, with its interval
    p = res.fit.paths
    weak = p[(p["ci_low"] < 0) & (p["ci_high"] > 0)]
    assert f"{len(p) - len(weak)} of the {len(p)} paths" in findings[1]["text"]
    shown = PathModel().present(res, data, settings)
    assert [s.layer for s in shown if s.kind == "figure"] == ["client", "appendix"]
    assert shown[0].kind == "markdown" and shown[0].content.startswith("## The satisfaction-index path model")
    tables = [s.content for s in shown if s.kind == "table"]
    assert any(list(t.columns[:5]) == ["from", "to", "estimate", "ci_low", "ci_high"] for t in tables)
    assert "Perceived quality" in set(tables[1]["from"])  # constructs by their labels


def test_moves_most_only_when_the_interval_is_clear(bank_client):
    import dataclasses

    from cem_research.steps.platform import PathModelResult, path_model_findings

    _, data = bank_client
    fit = pls_sem(_small(), **SMALL, n_boot=30, seed=2)
    res = PathModelResult(fit, "C", ipma(fit, "C"))
    cfg = dataclasses.replace(data.config, constructs={})
    text = path_model_findings(res, cfg)[0]["text"]
    tot = fit.effects[fit.effects["to"] == "C"].sort_values("total", ascending=False)
    clear = tot["total_ci_low"].iloc[0] > tot["total_ci_high"].iloc[1]
    assert ("moves C most" in text) == clear
    assert ("the order is not settled" in text) == (not clear)


# ------------------------------------------------------------------ multi-group comparison (PLS-MGA)


def _groups(n=(50, 40, 45), slopes=(0.6, 0.6, 0.0), seed=4):
    """Three groups of the small model; the path B -> C has the given slope in each group."""
    rng = np.random.default_rng(seed)
    frames = []
    for g, (k, s) in enumerate(zip(n, slopes)):
        a = rng.normal(size=k)
        b = 0.5 * a + rng.normal(scale=0.8, size=k)
        c = s * b + rng.normal(scale=0.7, size=k)
        cols = {f"{name}{i}": f + rng.normal(scale=0.5, size=k) for name, f in (("a", a), ("b", b), ("c", c))
                for i in (1, 2)}
        frames.append(pd.DataFrame(cols).assign(g="xyz"[g]))
    return pd.concat(frames, ignore_index=True)


def test_mga_equals_a_plain_permutation_loop():
    import itertools

    from statsmodels.stats.multitest import multipletests

    from cem_research.stats.pls import permutation_draws, pls_mga

    df = _groups()
    res = pls_mga(df, **SMALL, group="g", n_perm=30, seed=8)
    pairs = list(itertools.combinations("xyz", 2))
    pooled = [pd.concat([df[df["g"] == a], df[df["g"] == b]]) for a, b in pairs]
    draws = permutation_draws([len(p) for p in pooled], 30, 8)
    expected = []
    for (a, b), pool in zip(pairs, pooled):
        n1 = int((pool["g"] == a).sum())
        d = pls_sem(pool[pool["g"] == a], **SMALL).paths["estimate"].to_numpy() - \
            pls_sem(pool[pool["g"] == b], **SMALL).paths["estimate"].to_numpy()
        perm = np.array([pls_sem(pool.iloc[i[:n1]], **SMALL).paths["estimate"].to_numpy()
                         - pls_sem(pool.iloc[i[n1:]], **SMALL).paths["estimate"].to_numpy()
                         for i in (next(draws) for _ in range(30))])
        expected += list((1 + (np.abs(perm) >= np.abs(d) - 1e-12).sum(axis=0)) / 31)
        got = res.paths[(res.paths["group_1"] == a) & (res.paths["group_2"] == b)]
        np.testing.assert_allclose(got["diff"], d, atol=1e-10)
    np.testing.assert_allclose(res.paths["p_unc"], expected, atol=1e-12)
    np.testing.assert_allclose(res.paths["p_corr"], multipletests(expected, method="holm")[1], atol=1e-12)
    assert (res.paths["n_perm"] == 30).all() and res.groups == ("x", "y", "z")
    # the draws are numpy's own: one generator, pair after pair
    rng = np.random.default_rng(8)
    assert all((d == rng.permutation(n)).all()
               for d, n in zip(permutation_draws([90, 95], 5, 8), [90] * 5 + [95] * 5))


def test_mga_is_reproducible_and_finds_a_planted_difference():
    from cem_research.stats.pls import pls_mga

    df = _groups(n=(150, 150, 150), slopes=(0.7, 0.7, -0.2), seed=5)
    one = pls_mga(df, **SMALL, group="g", n_perm=200, seed=3)
    two = pls_mga(df, **SMALL, group="g", n_perm=200, seed=3)
    pd.testing.assert_frame_equal(one.paths, two.paths)
    t = one.paths.set_index(["group_1", "group_2", "from", "to"])
    assert t.loc[("x", "z", "B", "C"), "significant"] and t.loc[("y", "z", "B", "C"), "significant"]
    assert not t.loc[("x", "y", "B", "C"), "significant"]  # the same slope in x and y
    assert not t.xs(("A", "B"), level=("from", "to"))["significant"].any()  # A -> B planted alike everywhere
    only = pls_mga(df, **SMALL, group="g", levels=["z", "x"], n_perm=50, seed=3)
    assert only.paths[["group_1", "group_2"]].drop_duplicates().values.tolist() == [["z", "x"]]


def test_mga_checks_reliability_in_each_group():
    from cem_research.stats.pls import pls_mga

    df = _groups()
    res = pls_mga(df, **SMALL, group="g", n_perm=5)
    for g in "xyz":
        ours = res.reliability[res.reliability["group"] == g].drop(columns=["group", "n"]).reset_index(drop=True)
        ref = pls_sem(df[df["g"] == g], **SMALL).reliability[list(ours.columns)]
        pd.testing.assert_frame_equal(ours, ref)
        assert (res.reliability.loc[res.reliability["group"] == g, "n"] == (df["g"] == g).sum()).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(group="h"), "expected a DataFrame with the group column 'h'"),
    (dict(group="g", levels=["x"]), "expected at least two observed levels of 'g'"),
    (dict(group="g", levels=["x", "w"]), "observed ['x', 'y', 'z'], asked ['x', 'w']"),
    (dict(group="g", n_perm=0), "expected a positive integer n_perm"),
])
def test_mga_bad_arguments(kwargs, message):
    from cem_research.stats.pls import pls_mga

    with pytest.raises(ValueError, match=re.escape(message)):
        pls_mga(_groups(), **SMALL, **kwargs)


def test_model_groups_key():
    from cem_research.client.config import parse_config
    from cem_research.client.errors import ContractError

    assert parse_config(_bank_yaml(BANK_MODEL | {"groups": "gender"}), "ecsi_bank").model.groups == "gender"
    assert parse_config(_bank_yaml(BANK_MODEL), "ecsi_bank").model.groups is None
    with pytest.raises(ContractError, match=re.escape("'model.groups' must name a declared segment column, got "
                                                      "'gendre'; did you mean 'gender'?")):
        parse_config(_bank_yaml(BANK_MODEL | {"groups": "gendre"}), "ecsi_bank")


def test_section_compares_the_declared_groups(bank_client):
    import dataclasses

    from cem_research.steps.platform import PathModel
    from cem_research.steps.platform.pathmodel import compare_groups
    from cem_research.steps.section import Settings

    _, data = bank_client
    data = dataclasses.replace(data, config=dataclasses.replace(
        data.config, model=dataclasses.replace(data.config.model, groups="gender", n_boot=40)))
    settings = Settings(n_boot=400, seed=7)
    res = PathModel().result(data, settings)
    assert res.mga is not None and res.mga.n_perm == 40  # the model's n_boot sets the permutations
    pd.testing.assert_frame_equal(res.mga.paths, compare_groups(data, settings).paths)
    sizes = data.own["gender"].value_counts()
    assert set(res.mga.groups) == set(sizes.index)
    assert (res.mga.paths["n_1"] + res.mga.paths["n_2"] == sizes.sum()).all()
    (f,) = [f for f in PathModel().findings(res, data, settings) if f["key"] == "pls_group_differences_gender"]
    assert f["value"] == res.mga.paths["significant"].sum()
    assert "Holm" in f["text"] and "40 permutations per pair" in f["text"]
    tables = [s for s in PathModel().present(res, data, settings) if s.kind == "table"]
    assert {s.layer for s in tables[-2:]} == {"appendix"}
    assert "estimate_1" in tables[-2].content.columns and "rho_c" in tables[-1].content.columns
    # a segment without two levels of MGA_MIN_GROUP respondents gives no comparison
    r = data.ratings
    small = dataclasses.replace(data, ratings=r.assign(gender=["a"] * (len(r) - 10) + ["b"] * 10))
    assert len(small.own) == len(data.own)  # every row is the own brand's
    assert compare_groups(small, settings) is None
