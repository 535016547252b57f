# %% [markdown]
# # Step 3 – Design the brand experience
#
# **What this step is for.** With the experiential platform in place (step 2), Schmitt (2003)
# turns to the *brand experience*: the static, designed side of the experience that carries the
# platform. It has three elements:
#
# * the **product experience** – what the product or service is and does, its features and
#   functional and sensory qualities;
# * the **look and feel** – logos, signage, packaging, store and interface design: the brand's
#   visual and sensory identity;
# * **experiential communications** – advertising, websites, social media, messages: how the
#   brand talks to customers.
#
# **The questions, and how this notebook answers them.**
#
# 1. *Where is each element strong or weak?* – **Product experience, look and feel, and
#    communications**: ratings of the constructs the client declares for each element
#    (`element:` in client.yaml), own brand vs competitors (means with CIs, Welch tests, Hedges'
#    g, Holm correction); and, where customers wrote comments, how often they mention each
#    element and how positively (aspect lexicon, sentence-level sentiment with CIs).
# 2. *What should be fixed first?* – **Importance–performance of brand elements**: how much each
#    element matters for the main outcome (derived importance, with a bootstrap interval) against
#    how well the brand performs on it (0–100, with a CI), in the four classic quadrants, and a
#    ranked "fix first" list.
# 3. *Is the brand experienced the same by everyone?* – **Segment differences**: the
#    brand-experience dimensions compared across the client's segments (Welch ANOVA or
#    Kruskal–Wallis, effect sizes, Holm correction), flagging constructs that are not reliable
#    within a segment group.

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
from cem_research.steps import brand
from cem_research.steps.section import Settings
from cem_research.steps.world import UnweightedNote

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
settings = Settings.from_params(n_boot=n_boot, seed=seed, confidence=confidence)

# %%
note = UnweightedNote(3).run(data, settings)

# %% [markdown]
# ## Product experience, look and feel, and communications
#
# **What is computed.** First, what the client measures about each element. Then, for every
# construct declared with `element:`, the mean (95% CI) for the own brand, each competitor, each
# kind of competitor and all competitors pooled, and Welch t-tests of the own brand against each
# (difference with CI, Hedges' g with CI, p-values Holm-corrected over the whole table). Where the
# client supplies verbatims, each comment is searched for the words of each element (the
# project's default lexicon, or the client's `aspects:` in client.yaml), and the sentences that
# mention an element are scored for sentiment (VADER compound, −1 to +1): the share of comments
# mentioning each element (Wilson CI) and their mean sentiment (t CI); own brand vs competitors
# when the comments name brands.
#
# **How to read it.** In the chart, each dot is a brand's mean on an element construct, with its
# 95% CI; own brand red, competitors grey by kind, sample sizes in the legend. The strengths and
# gaps table puts both sources together: a *strength* is significantly ahead of competitors
# (ratings) or clearly positive (verbatims: the CI of the mean sentiment lies above +.05); a
# *gap* is the reverse. **What would change the conclusion:** a flagged construct (alpha < .70),
# few competitor ratings, or an element mentioned in only a handful of comments (the interval
# will be wide; fewer than 5 mentions are not judged).

# %%
elements = brand.BrandElements().run(data, settings)

# %%
experiential_modules = brand.ExperientialModules().run(data, settings)  # only with `modules:` in client.yaml

# %% [markdown]
# ## Importance–performance of brand elements
#
# **What is computed.** For each brand-element construct (or every driver, if the client
# declares fewer than two element constructs): its **derived importance** – its Shapley/LMG
# share of the explained variance of the main outcome (`main_outcome:` in client.yaml; by
# default the first declared outcome), in a regression that also holds the other declared
# drivers, with a 95% bootstrap interval (the correlation with the outcome when that regression
# cannot be fitted) – and its **performance**,
# the own brand's mean rescaled to 0–100 (percent of the scale's maximum, so constructs on
# different scales are comparable) with a 95% CI. The grid is split at the mean importance and
# mean performance.
#
# **How to read the chart.** Up = matters more for the outcome; right = performs better; the
# horizontal lines are the performance CIs. *Concentrate here* (top left): important but
# underperforming – fix first. *Keep up the good work* (top right): protect. *Low priority*
# (bottom left) and *possible overkill* (bottom right): matter less. The "fix first" list orders
# the elements by quadrant in that order and, within a quadrant, by importance × gap to the
# best-performing element. **What would change the conclusion:** overlapping importance
# intervals (the vertical order is then uncertain), an element close to the crosshair, a flagged
# construct, or a different main outcome.

# %%
ipa = brand.ElementImportancePerformance().run(data, settings)

# %%
kano = brand.Kano().run(data, settings)  # only with `kano:` in client.yaml

# %% [markdown]
# ## Segment differences
#
# **What is computed.** For each declared segment and each brand-experience dimension (the
# experience dimensions and the element constructs), on the own brand's rows: Welch's ANOVA
# (robust to unequal variances; effect size ω²), or the Kruskal–Wallis test when a group has
# fewer than 15 answers or the scores are clearly skewed (effect size η²_H). p-values are
# Holm-corrected over every segment × dimension. For each, the difference between the highest- and
# lowest-scoring group is given with its 95% CI, Hedges' g and the Games–Howell p-value; all
# Games–Howell pairs are listed for the significant results. Groups with fewer than 5 answers are
# left out. Reliability is re-checked within every compared group: a construct with alpha < .70
# in any group is flagged.
#
# **How to read the chart.** One chart per segment: each dimension's mean per group, with 95% CIs.
# Look for rows where the group intervals separate; the table says whether the difference
# survives the correction and how large it is (ω² ≈ .01 small, .06 medium, .14 large; g as in
# step 2). **What would change the conclusion:** small groups (wide intervals), a construct that
# is unreliable within a group (its difference may reflect measurement, not experience), or a
# segment that overlaps with another (e.g. usage frequency and tenure).

# %%
segments = brand.SegmentDifferences().run(data, settings)
