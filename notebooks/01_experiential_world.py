# %% [markdown]
# # Step 1 — Analyze the experiential world of the customer
#
# Schmitt (2003) starts Customer Experience Management not with the brand but with the customer's
# world: you can only design an experience once you know **who the customer is** and **in which
# situations the brand meets them**. This notebook answers the questions of step 1 with the client's
# own survey, touchpoint and feedback data:
#
# 1. **Who the customer is.** Which customer groups are there — consumers or business buyers
#    (B2C/B2B), the people who *buy* versus the people who *use* the product, heavy and light users,
#    loyal and wavering customers — how large is each group, and does the experience differ between
#    them? *How:* shares with Wilson intervals, means with confidence intervals, Welch's ANOVA and
#    Games-Howell comparisons corrected for the many tests (Holm). Loyalty groups come from the NPS
#    question (promoters, passives, detractors) or, without one, from near-thirds of the loyalty score
#    (tied scores kept in one group; the cut points are in the group's label).
# 2. **The experiential layers.** Schmitt looks at the customer's experience on four layers, from the
#    outside in: the **sociocultural (or, for B2B, business) context**, the **usage situation**, the
#    **product category**, and only then the **brand**. *How:* the scores of the constructs the client
#    assigned to each layer, on a common 0–100 axis, and their change across survey waves.
# 3. **The experience along the journey.** The experience is built at touchpoints from awareness
#    through consideration and purchase to usage, service and disposal. *How:* for each journey stage,
#    how many customers are reached, how satisfied they are, how much effort it costs, and where their
#    journey ends.
# 4. **The competitive landscape.** Customers compare the brand with **direct competitors**,
#    **new entrants** and **players outside the industry** that offer a similar experience. *How:* every
#    construct for the own brand and each competitor, with Welch t-tests, Hedges' g and a Holm
#    correction across all comparisons.
# 5. **What customers say.** In their own words, what pleases and annoys customers at each touchpoint?
#    *How:* VADER sentiment of the comments, the words that set each touchpoint's comments apart
#    (keyness), and typical quotes (with personal data masked).
#
# Each section ends with a **finding** in plain words; the most important ones go to the executive
# summary of the report. A section the client's data cannot support says so and why.
#
# *Reading intervals:* every number comes with a 95% confidence interval. Two groups whose intervals do
# not overlap clearly differ; overlapping intervals do not prove that they are equal — the tests decide.
# All survey waves up to the chosen `wave` are analysed together unless a table says otherwise.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None         # folder holding client folders; None: data/raw, then tests/fixtures
wave = None             # analyse waves up to this one; None: all waves
n_boot = 400            # bootstrap resamples for every bootstrap interval
seed = 2003             # seed of every resampling (reproducible reports)
confidence = 0.95       # confidence level of every interval
snapshot = None        # processed-data fingerprint the runner passes; None: process raw data if it changed

# %%
from cem_research.client.data import load_client
from cem_research.present import plots
from cem_research.steps import world
from cem_research.steps.section import Settings

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
settings = Settings.from_params(n_boot=n_boot, seed=seed, confidence=confidence)

# %%
note = world.UnweightedNote(1).run(data, settings)

# %% [markdown]
# **The data analysed.** Ratings per brand and survey wave: the own brand's customers describe their
# experience; competitor rows (if any) come from people who rated a competitor.

# %%
overview = world.SampleOverview().run(data, settings)

# %%
weighting = world.SurveyWeighting().run(data, settings)  # only with `weighting:` in client.yaml

# %% [markdown]
# ## Who the customer is
#
# **What is computed.** For each segment the client declared (e.g. customer type, purchaser or user,
# usage frequency) and for the loyalty groups, the share of the own brand's respondents in each level
# (with a Wilson 95% interval), and the mean of every construct per level. Welch's ANOVA tests whether
# the levels of a segment differ on a construct (it does not assume equal variances); where it does,
# Games-Howell comparisons show which levels differ and by how much (with simultaneous intervals and
# Hedges' g as the effect size: 0.2 small, 0.5 medium, 0.8 large). Because many segments × constructs
# are tested, p-values are Holm-corrected.
#
# **How to read the chart.** Left: how large each segment level is (dot = share, line = 95% interval).
# Right: the main outcome per level. Levels whose intervals do not overlap differ clearly. The second
# chart shows the segment and construct with the largest difference.
#
# **Comparable before compared.** A difference between segment levels on a construct only means something
# if the construct is measured reliably in *each* level. Before the comparisons, the reliability table gives
# every multi-item construct's lowest Cronbach's alpha across the levels of each segment (⚠ marks the levels
# where it falls below .70); the comparison table repeats it (columns "lowest α in a group" and "α below threshold in").
#
# **What would change the conclusion.** A segment level with few respondents has a wide interval — a
# large gap there may vanish with more data. A difference that is significant but small (g < 0.2) rarely
# justifies a separate experience design. A construct that is unreliable within a level (alpha < .70) may
# differ there because of measurement noise. Loyalty groups formed from the NPS question are not compared
# on that question itself (it would be circular).

# %%
segments = world.CustomerSegments().run(data, settings)

# %% [markdown]
# ## The experiential layers
#
# **What is computed.** The own brand's mean on every construct the client assigned to one of Schmitt's
# four layers (`layer:` in `client.yaml`), with 95% intervals — pooled over waves, then per wave with the
# change between consecutive waves (Welch t-test, Holm-corrected). Constructs use different answer
# scales, so the chart puts them on a common axis: percent of the scale maximum (0 = everyone gives the
# lowest answer, 100 = everyone the highest).
#
# **How to read the chart.** Dots further right are rated better; compare layers, not just constructs —
# a strong brand layer in a weak usage situation means the brand must fit a routine customers do not
# enjoy. **What would change the conclusion.** Constructs from different questionnaires are only roughly
# comparable on the 0–100 axis (agreement is easier to give on some items than others); a layer with one
# construct is described by that construct only; and a layer that was not measured cannot be judged at all.

# %%
layers = world.ExperientialLayers().run(data, settings)

# %% [markdown]
# ## The experience along the journey
#
# **What is computed.** From the touchpoint events (one row per contact of a customer with the brand),
# for each journey stage in the order the client declared it: **reach** — the share of customers with at
# least one contact at that stage; **satisfaction** and **effort** — mean ratings, each customer's
# contacts at a stage averaged first so frequent contacts do not count more; **drop-out** — of the
# customers who reach a stage, the share who reach no later stage (leaving before the next one). The final
# stage has no drop-out: ending the journey there is completing it. Shares have Wilson intervals, means t
# intervals.
#
# **How to read the chart.** Read each panel from left to right along the journey. A stage with low
# satisfaction *and* high effort is a pain point; a high drop-out before the final stage shows where the
# journey breaks off. **What would change the conclusion.** Drop-out depends on the observation window:
# customers interviewed early may simply not have reached later stages yet. Stages with few customers
# (see n on the axis) have wide intervals.

# %%
journey = world.JourneyStages().run(data, settings)

# %% [markdown]
# ## The competitive landscape
#
# **What is computed.** The mean of every construct and outcome for the own brand, for each competitor,
# and for each kind of competitor with at least two brands (direct competitors, new entrants, players
# outside the industry), with 95% intervals. The own brand is compared with each of them by Welch's
# t-test; the difference comes with its interval and Hedges' g, and all p-values are Holm-corrected
# together.
#
# **How to read the chart.** One panel per construct; the own brand is red, competitors grey (darker =
# closer competitor). An *advantage* is a construct on which the own brand is significantly ahead of
# **every** competitor — that is a candidate for the experiential platform of step 2. **What would change
# the conclusion.** Competitor ratings come from fewer respondents, so their intervals are wider; when
# the same people rate several brands the ratings are not independent and the tests are approximate.

# %%
competition = world.CompetitiveLandscape().run(data, settings)

# %% [markdown]
# ## What customers say
#
# **What is computed.** Each comment about the own brand was scored with VADER, a sentiment lexicon
# for short texts: the *compound* score runs from −1 (very negative) to +1 (very positive); comments at
# or above +0.05 count as positive, at or below −0.05 as negative. Mean sentiment and the shares are
# shown by touchpoint and, where comments can be linked to survey respondents, by segment. The words and
# two-word phrases that set each touchpoint's comments apart are found by keyness (log-likelihood G²
# against all other touchpoints; * = significant after Benjamini-Hochberg). Finally, three *typical*
# positive and negative comments — those closest to the median score of their polarity, not the most
# extreme — with e-mail addresses and phone numbers masked.
#
# **How to read the chart.** Dots left of the dashed zero line mean predominantly negative comments.
# **What would change the conclusion.** VADER misses sarcasm and domain words (a "cold" brew is not a
# complaint); touchpoints with few comments have wide intervals; and people who write comments are not
# a random sample of customers.

# %%
feedback = world.WhatCustomersSay().run(data, settings)
