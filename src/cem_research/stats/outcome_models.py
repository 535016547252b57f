"""Which standardised scores predict an observed outcome: logistic regression for a 0/1 outcome, a
log-link Poisson quasi-likelihood model for a count or an amount, effects per standard deviation with
Holm-corrected p-values.

Used to ask which experience dimensions predict what customers *did* (churned, referred, spent), beside
the drivers of what they said (:mod:`cem_research.stats.drivers`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cem_research.stats.common import as_list, check_confidence, check_frame, z_crit
from cem_research.stats.compare import adjust_pvalues

__all__ = ["OUTCOME_KINDS", "EFFECT_NAMES", "per_sd_effects"]

#: The kinds of outcome :func:`per_sd_effects` fits (the kinds of a behaviour column).
OUTCOME_KINDS = ("binary", "count", "amount")
#: What the ratio of each kind of model is called.
EFFECT_NAMES = {"binary": "odds ratio", "count": "rate ratio", "amount": "ratio of means"}


def per_sd_effects(data: pd.DataFrame, outcome: str, predictors, kind: str = "binary",
                   confidence: float = 0.95, correction: str = "holm") -> pd.DataFrame:
    """Effect of each predictor, per standard deviation, on an observed outcome, adjusted for the others.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        What happened: 0/1 (``kind="binary"``), a whole number >= 0 (``"count"``) or an amount >= 0
        (``"amount"``).  Rows where it or a predictor is missing are left out (listwise).
    predictors : str or list of str
        Scores standardised (mean 0, SD 1 over the rows used) before the fit, so each ratio is per SD.
    kind : {"binary", "count", "amount"}, default "binary"
    confidence : float, default 0.95
    correction : str, default "holm"
        Correction of the p-values over the predictors (:func:`cem_research.stats.adjust_pvalues`).

    Returns
    -------
    DataFrame
        One row per predictor: ``predictor, ratio`` (odds ratio, rate ratio or ratio of means per SD),
        ``ci_low, ci_high`` (Wald interval of the ratio, not adjusted), ``p_unc, p_corr, significant``,
        ``effect`` (what the ratio is), ``n, n_event`` (rows with an outcome above 0), ``sd`` (the
        predictor's SD in its own units).

    Raises
    ------
    ValueError
        An unknown kind, a non-numeric column, an outcome outside its kind, fewer rows than predictors
        + 2, an outcome that never varies, or a fit that does not converge (e.g. perfect separation).

    Notes
    -----
    ``binary``: logistic regression (``statsmodels`` GLM, binomial family, model-based standard errors).
    ``count`` and ``amount``: GLM with a log link and the Poisson variance, with heteroskedasticity-robust
    (HC0) standard errors -- the Poisson quasi-likelihood ("pseudo-maximum likelihood") estimator, which
    is consistent for the ratio of means whatever the dispersion of the outcome and also fits amounts
    with zeros (Gourieroux, Monfort & Trognon 1984; Santos Silva & Tenreyro 2006).  The ratio is
    ``exp(beta)`` per SD of the predictor, its interval ``exp(beta +- z * se)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=400), "z": rng.normal(size=400)})
    >>> df["left"] = (rng.random(400) < 1 / (1 + np.exp(1.0 * df["x"]))).astype(int)
    >>> per_sd_effects(df, "left", ["x", "z"])[["predictor", "significant"]]
      predictor  significant
    0         x         True
    1         z        False
    """
    if kind not in OUTCOME_KINDS:
        raise ValueError(f"per_sd_effects: expected kind in {OUTCOME_KINDS}, got {kind!r}")
    predictors = as_list(predictors, "predictors")
    check_frame(data, [outcome, *predictors], "per_sd_effects")
    check_confidence(confidence, "per_sd_effects")
    try:
        d = data[[outcome, *predictors]].astype(float).dropna()
    except (TypeError, ValueError) as err:
        raise ValueError(f"per_sd_effects: expected numeric columns ({err})") from None
    y = d[outcome].to_numpy()
    if kind == "binary" and not np.isin(y, [0, 1]).all():
        raise ValueError(f"per_sd_effects: expected 0/1 in column {outcome!r}")
    if kind != "binary" and (y < 0).any():
        raise ValueError(f"per_sd_effects: expected values of 0 or more in column {outcome!r}")
    if len(d) < len(predictors) + 2 or np.ptp(y) == 0:
        raise ValueError(f"per_sd_effects: {len(d)} complete rows and an outcome that "
                         f"{'never varies' if len(y) and np.ptp(y) == 0 else 'varies'}: too little to fit")
    sd = d[predictors].std(ddof=1)
    if (sd == 0).any():
        raise ValueError(f"per_sd_effects: predictor {sd.index[sd == 0][0]!r} does not vary")
    X = sm.add_constant((d[predictors] - d[predictors].mean()) / sd, has_constant="add")
    family = sm.families.Binomial() if kind == "binary" else sm.families.Poisson()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # non-integer "counts" of an amount; handled by the robust SEs
        try:
            fit = sm.GLM(y, X, family=family).fit(cov_type="nonrobust" if kind == "binary" else "HC0")
        except Exception as err:  # perfect separation, singular design
            raise ValueError(f"per_sd_effects: the model of {outcome!r} cannot be fitted ({err})") from None
    if not fit.converged or not np.isfinite(fit.bse[predictors]).all():
        raise ValueError(f"per_sd_effects: the model of {outcome!r} did not converge")
    z = z_crit(confidence)
    b, se = fit.params[predictors], fit.bse[predictors]
    out = pd.DataFrame({"predictor": predictors, "ratio": np.exp(b).to_numpy(),
                        "ci_low": np.exp(b - z * se).to_numpy(), "ci_high": np.exp(b + z * se).to_numpy(),
                        "p_unc": fit.pvalues[predictors].to_numpy()})
    out = adjust_pvalues(out, "p_unc", method=correction)
    out["effect"] = EFFECT_NAMES[kind]
    out["n"] = len(d)
    out["n_event"] = int((y > 0).sum())
    out["sd"] = sd.to_numpy()
    return out
