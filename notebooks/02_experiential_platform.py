# %% [markdown]
# # Step 2 – Build the experiential platform
#
# **What this step is for.** In Schmitt's (2003) Customer Experience Management, the
# *experiential platform* links the analysis of the customer's world (step 1) to everything
# the company later designs and does (steps 3–5). It has three parts:
#
# * the **experiential positioning** – what the brand stands for, in experiential terms;
# * the **experiential value promise (EVP)** – what the customer gets out of it;
# * the **overall implementation theme** – the style and content that carries the promise into
#   the brand experience, the customer interface and innovation.
#
# **The questions, and how this notebook answers them.**
#
# 1. *Can we trust the measures?* – **Measurement quality**: Cronbach's alpha, item-total
#    correlations and alpha-if-deleted for every construct. Weak constructs are flagged in every
#    later table.
# 2. *Where does the brand stand, experientially?* – **Experiential profile**: the own brand
#    against each competitor (and each kind of competitor) on the experience dimensions, with
#    confidence intervals, Welch tests, effect sizes (Hedges' g) and Holm correction.
# 3. *Which experiences matter to customers?* – **What drives the outcomes**: the share of each
#    outcome's explained variance that each driver accounts for (Shapley/LMG relative
#    importance with bootstrap intervals, cross-checked with Johnson's relative weights), emotional vs
#    functional drivers, and the NPS.
# 4. *So what should the brand promise?* – **The experiential platform**: a data-driven proposal
#    combining 2 and 3 (strong + drives outcomes + differs from competitors), with customers'
#    own words as the starting point for the implementation theme. The proposal is a draft: the
#    researcher edits the wording, the evidence stays attached.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None  # folder holding client folders; None: data/raw, then tests/fixtures
wave = None  # analyse waves up to this one; None: all waves

# %%
from IPython.display import Markdown, display

from cem_research.present import findings, plots, tables
from cem_research.steps import platform
from cem_research.stats import weighting
from cem_research.client.data import load_client

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave)
N_BOOT, SEED = 400, 2003  # bootstrap resamples and seed for every interval in this notebook
display(Markdown(platform.client_summary(data)))

# %%
if (note := weighting.unweighted_note(data, 2)) is not None:
    display(note)

# %% [markdown]
# ## Measurement quality
#
# **What is computed.** For every construct, Cronbach's alpha on the own brand's rows (the
# client's own customers rating the client's brand), in two forms:
#
# * **raw alpha** – from the item covariances (`pingouin.cronbach_alpha` on the items as
#   answered), with its 95% confidence interval. This is the value the flag uses.
# * **standardized alpha** – alpha of the z-scored items (from the average inter-item
#   correlation); this is what PLS packages (SmartPLS, R plspm, seminr) report, so compare it
#   with published PLS results.
#
# Reverse-keyed items were already reversed when the data were processed (scored as
# min + max − answer); the table lists them. The item table gives each item's corrected
# item-total correlation (with the sum of the other items) and alpha if the item were deleted.
#
# **How to read it.** Alpha ≥ .70 is the usual threshold for research use. A construct below it
# is flagged here and in every later table (`reliability_flag`): its scores are noisy, so its
# differences and importances are attenuated and uncertain. An item with a low (or negative)
# item-total r whose deletion *raises* alpha is the first suspect – often a reverse-keyed item
# that was not declared as such. **What would change the conclusion:** a wide alpha interval
# (small sample) that straddles .70, or a construct that is reliable for the own brand but not
# within a segment (see step 3).

# %%
reliability = platform.reliability_table(data)
tables.show(reliability.drop(columns=["below_threshold"]),
            caption="Reliability per construct (own-brand rows; alpha = raw, alpha_std = standardized)",
            rename={"alpha": "alpha (raw)", "alpha_std": "alpha (standardized)",
                    "reversed_items": "reverse-keyed items"})

# %%
tables.show(platform.item_table(data), caption="Item analysis (reverse-keyed items already reversed)")

# %%
_ = findings.record(2, "Measurement quality", **platform.reliability_finding(reliability))

# %% [markdown]
# ## Experiential profile
#
# **What is computed.** The mean of each experience dimension (95% CI) for the own brand, every
# competitor, every kind of competitor and all competitors pooled; then Welch t-tests of the own
# brand against each of them, with the difference and its CI, Hedges' g (with CI) and p-values
# Holm-corrected over the whole table.
#
# **How to read the chart.** One row per dimension; each dot is a brand's mean and the line its
# 95% CI. The own brand is red; competitors are grey, darker for direct competitors and lighter
# for new entrants and players from outside the industry; the legend gives each brand's sample
# size. Where the red interval does not overlap a grey one, the difference is clearly real; use
# the test table for the exact difference, its size (g ≈ 0.2 small, 0.5 medium, 0.8 large) and
# the corrected p-value. **What would change the conclusion:** a lead that holds against the
# pooled competitors but not against the strongest direct competitor; a flagged (unreliable)
# dimension; or few competitor ratings (wide grey intervals).

# %%
display(Markdown(platform.dimensions_note(data.config)))
profile = platform.experiential_profile(data, reliability=reliability)
tables.show(profile.drop(columns=["series"]), caption="Experience dimensions: means with 95% CIs")

# %%
plot_frame = platform.profile_plot_frame(profile)
ax = plots.dot_interval(plot_frame, x="mean", y="label", hue="series", n=None,
                        palette=platform.profile_palette(plot_frame),
                        xlabel="Mean rating (95% CI)", title="Experiential profile: own brand vs competitors")
plots.show(ax.figure)

# %%
tests = platform.profile_tests(data, reliability=reliability)
if tests is not None:
    display(tables.show(
        tests[["label", "comparison", "n_ref", "n_other", "mean_ref", "mean_other", "diff", "ci_low", "ci_high",
               "hedges", "hedges_ci_low", "hedges_ci_high", "p_corr", "direction", "reliability_flag"]],
        caption="Own brand minus competitor (Welch; Holm-corrected over all rows)",
        rename={"mean_ref": "own mean", "mean_other": "other mean", "p_corr": "p_corr (Holm)"}))

# %%
_ = findings.record(2, "Experiential profile", **platform.profile_finding(profile, tests, data.config.brand))

# %% [markdown]
# ## What drives the outcomes
#
# **What is computed.** For each declared outcome, a regression on the declared drivers
# (own-brand rows), and each driver's **relative importance**: its Shapley/LMG share of the
# explained variance (R²) – the gain in R² from adding the driver, averaged over every order
# of entering the drivers – with 95% percentile bootstrap intervals (and the R² with its
# interval). Drivers declared `kind: emotional` are summed against the functional ones: the
# emotional share of R² with a bootstrap interval. If an NPS item is declared, the Net Promoter
# Score (promoters 9–10 minus detractors 0–6) is shown overall and per wave.
#
# **How to read the chart.** One row per driver, one colour per outcome: the dot is the
# driver's share (%) of that outcome's explained variance, the line its 95% bootstrap interval;
# the legend gives each outcome's R² and sample size. Drivers whose intervals do not overlap are clearly
# ranked; overlapping intervals mean the order is not settled by these data. Importance is
# *association*, not proven cause. **What would change the conclusion:** highly correlated
# drivers (LMG splits shared variance evenly between them), a flagged driver (its importance is
# understated), or a low R² (the drivers explain little of the outcome).

# %%
importance = platform.driver_importance(data, n_boot=N_BOOT, seed=SEED, reliability=reliability)
if importance is not None:
    display(tables.show(
        importance[["outcome_label", "driver_label", "driver_kind", "rank", "beta", "relimp", "share",
                    "share_ci_low", "share_ci_high", "r2", "r2_ci_low", "r2_ci_high", "n", "method",
                    "reliability_flag"]],
        caption="Relative importance (share of R², 95% bootstrap CI)",
        percent=("share", "share_ci_low", "share_ci_high")))

# %%
if importance is not None:
    ax = plots.dot_interval(platform.importance_plot_frame(importance), x="share_pct", y="driver_label",
                            low="share_pct_low", high="share_pct_high", hue="series", n=None,
                            palette=platform.outcome_palette(importance),
                            xlabel="Share of explained variance, % (95% bootstrap CI)",
                            title="What drives the outcomes (own brand)")
    ax.legend(loc="lower right", fontsize=8)
    plots.show(ax.figure)

# %%
emotional = platform.emotional_functional(data, importance, n_boot=N_BOOT, seed=SEED)
if emotional is not None:
    display(tables.show(emotional, caption="Emotional vs functional drivers: parts of R² and the emotional share",
                        percent=("emotional_share", "emotional_share_ci_low", "emotional_share_ci_high")))

# %%
nps = platform.nps_table(data)
if nps is not None:
    display(tables.show(nps, caption="Net Promoter Score, own brand (95% CI)", digits=1))

# %% [markdown]
# ### Cross-check: Johnson's relative weights
#
# **What is computed.** A second way to split R² among correlated drivers: Johnson's (2000) *relative
# weights* replace the drivers by their closest uncorrelated counterparts, regress the outcome on those
# and map the result back to the drivers. Beside each driver's LMG share (from the table above) the table
# gives its relative-weight share, both with 95% bootstrap intervals (same resamples count and seed), and
# each method's rank; `disagree` marks a driver the two methods rank differently.
#
# **How to read it.** The two methods rest on different ideas but usually agree closely. When they agree
# on the top driver, the conclusion does not hang on the method. Where they swap two drivers, those drivers'
# order is not settled — typically they are strongly correlated and their intervals overlap.

# %%
crosscheck = platform.driver_crosscheck(data, importance, n_boot=N_BOOT, seed=SEED)
if crosscheck is not None:
    display(tables.show(
        crosscheck[["outcome_label", "driver_label", "lmg_rank", "lmg_share", "lmg_ci_low", "lmg_ci_high",
                    "rw_rank", "rw_share", "rw_ci_low", "rw_ci_high", "disagree", "spearman_rho"]],
        caption="Driver ranking cross-checked: LMG vs Johnson's relative weights (share of R², 95% bootstrap CI)",
        percent=("lmg_share", "lmg_ci_low", "lmg_ci_high", "rw_share", "rw_ci_low", "rw_ci_high"),
        rename={"lmg_rank": "LMG rank", "rw_rank": "RW rank", "lmg_share": "LMG share", "rw_share": "RW share"}))

# %%
if importance is None:
    findings.skip(2, "What drives the outcomes",
                  "the client declares fewer than two drivers or no outcome (or too few own-brand rows), "
                  "so driver importance cannot be estimated")
else:
    findings.record(2, "What drives the outcomes", **platform.drivers_finding(importance, emotional, nps))
    findings.record(2, "What drives the outcomes", **platform.crosscheck_finding(crosscheck))

# %% [markdown]
# ## The experiential platform
#
# **What is computed.** Every experience dimension is checked against three criteria:
# **strong** (own mean above the scale midpoint – lower CI limit – and above the pooled
# competitors), **drives outcomes** (at least its fair share, 1 / number of drivers, of the
# explained variance, averaged over outcomes) and **differs** (significantly above the pooled
# competitors after Holm correction). The positioning is the dimension(s) meeting every criterion
# the data allow us to assess; the value promise is the best of them; the implementation theme
# starts from the words that characterise the brand's most positive verbatims (VADER compound ≥
# .5, mentioning the positioning dimension when enough do, otherwise all of them) against all
# other verbatims (Dunning's G², FDR-corrected).
#
# **How to read it.** The candidate table shows, per dimension, which criteria are met and the
# numbers behind them. A dimension that is strong and distinctive but does not drive outcomes
# is a *differentiator without value*; one that drives outcomes but where the brand trails is a
# *gap to close* (see step 3). **What would change the conclusion:** overlapping importance
# intervals between the top candidates, a flagged dimension, or – for the theme – few verbatims.

# %%
proposal = platform.propose_platform(data, profile, tests, importance)
tables.show(proposal.candidates[["label", "mean", "ci_low", "ci_high", "midpoint", "competitor_mean", "strong",
                                 "diff", "p_corr", "differs", "importance_share", "importance_ci_low",
                                 "importance_ci_high", "drives", "criteria_met", "missing",
                                 "reliability_flag"]],
            caption="Positioning candidates: the three criteria per dimension",
            percent=("importance_share", "importance_ci_low", "importance_ci_high"))

# %%
if proposal.theme is not None:
    display(tables.show(proposal.theme[["term", "target_docs", "target_share", "reference_share", "log_ratio", "g2",
                                        "p_corr", "example"]],
                        caption=f"Implementation theme: characteristic terms ({proposal.theme['target'].iloc[0]})",
                        percent=("target_share", "reference_share")))

# %% [markdown]
# **Edit the proposal in the cell below.** The wording is a data-driven draft. To replace it,
# set `platform_override` to a dict with any of the keys `"positioning"`, `"evp"`, `"theme"`
# (the evidence stays attached and the element is marked as edited), or to a string that
# replaces the whole paragraph. Leave it as `None` to keep the draft.

# %%
platform_override = None  # e.g. {"evp": "Your daily moment of warmth.", "theme": "Warm, personal, unhurried."}

# %%
proposal = platform.apply_override(proposal, platform_override)
display(Markdown(proposal.markdown))
tables.show(proposal.table, caption="The experiential platform: proposal and evidence")

# %%
for finding in platform.platform_findings(proposal):
    findings.record(2, "The experiential platform", **finding)
