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
# 4. *So what should the brand promise?* – **The experiential platform**: the positioning chosen by a
#    stated rule (reliable, strong, ahead of the competitors after Holm correction; importance with its
#    interval), the runner-up and why it lost, and phrases and quotes from customers' positive comments
#    about the chosen experience as the start of the implementation theme. The proposal is a draft: the
#    researcher edits the wording, the evidence stays attached.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None  # folder holding client folders; None: data/raw, then tests/fixtures
wave = None  # analyse waves up to this one; None: all waves
n_boot = 400  # bootstrap resamples for every interval
seed = 2003  # seed of every resampling
confidence = 0.95  # confidence level of every interval
snapshot = None        # processed-data fingerprint the runner passes; None: process raw data if it changed

# %%
from cem_research.client.data import load_client
from cem_research.present import plots
from cem_research.steps import platform
from cem_research.steps.section import Settings
from cem_research.steps.world import UnweightedNote

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
settings = Settings.from_params(n_boot=n_boot, seed=seed, confidence=confidence)

# %%
note = UnweightedNote(2).run(data, settings)

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
# is flagged here and in every later table (column "reliability note"): its scores are noisy, so its
# differences and importances are attenuated and uncertain. An item with a low (or negative)
# item-total r whose deletion *raises* alpha is the first suspect – often a reverse-keyed item
# that was not declared as such. **What would change the conclusion:** a wide alpha interval
# (small sample) that straddles .70, or a construct that is reliable for the own brand but not
# within a segment (see step 3).

# %%
reliability = platform.Reliability().run(data, settings)

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
profile = platform.ExperientialProfile().run(data, settings)

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
drivers = platform.Drivers().run(data, settings)

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
crosscheck = platform.DriverCrosscheck().run(data, settings)

# %%
pathmodel = platform.PathModel().run(data, settings)  # only with `model:` in client.yaml

# %% [markdown]
# ## The experiential platform
#
# **What is computed.** Every experience dimension is scored on four criteria: **reliable** (raw
# Cronbach's alpha at or above the threshold: the gate – a dimension below it is never proposed),
# **strong** (own mean above the scale midpoint: one-sample t-test, Holm-corrected over the dimensions),
# **distinctive** (ahead of the pooled competitors in step 1's comparison table, Holm-corrected) and
# **important** (share of the main outcome's R² with its bootstrap interval – reported, not required).
# The positioning is the qualifying dimension (reliable, strong, distinctive) with the largest lead over
# the competitors (Hedges' g); another qualifying dimension replaces it only when the two leads cannot be
# told apart (overlapping g intervals) and it clearly matters more (non-overlapping importance intervals).
# Without competitor ratings the proposal is provisional. When nothing qualifies, no positioning is
# proposed and the finding says what data would decide it. The implementation theme is built from
# positive sentences (VADER compound ≥ .5) of own-brand comments that mention the chosen dimension
# (its name, the client's aspects entry and Schmitt's module codebook): the two- and three-word phrases
# over-represented in them (Dunning's G², FDR-corrected), with two or three masked quotes.
#
# **How to read it.** "Distinctly" is used only when the lead is significant after Holm; "the strongest
# driver" only when the dimension's importance interval lies above every other driver's. A distinctive
# dimension that explains little of the outcome is a *differentiator more than a driver*: test whether the
# promise can be made to matter. The appendix shows every candidate with its decision and the runner-up
# with why it lost. **What would change the conclusion:** overlapping leads with clearly different
# importance, a dimension falling below the reliability gate, or – for the theme – too few verbatims.

# %% [markdown] tags=["report-hide"]
# **Edit the proposal in the cell below.** The wording is a data-driven draft. To replace it,
# set `platform_override` to a dict with any of the keys `"positioning"`, `"evp"`, `"theme"`
# (the evidence stays attached and the element is marked as edited), or to a string that
# replaces the whole paragraph. Leave it as `None` to keep the draft.

# %%
platform_override = None  # e.g. {"evp": "Your daily moment of warmth.", "theme": "Warm, personal, unhurried."}

# %%
proposal = platform.ExperientialPlatform(override=platform_override).run(data, settings)
