# %% [markdown]
# # Step 5 — Engage in continuous innovation
#
# An experience that was fresh last year is expected today. Schmitt (2003) closes the CEM cycle with
# **continuous innovation**: watching how the experience moves over time, picking up what customers start
# to talk about, and turning both into a programme of **small improvements** (fixing and polishing what
# exists — a touchpoint, a weak brand-experience dimension) and **large innovations** (new experiences
# that no brand in the category delivers yet). Each opportunity feeds back into an earlier step: the
# experiential platform (step 2), the brand experience (step 3) or the customer interface (step 4).
#
# This notebook answers three questions (and a fourth when the client supplies what customers did):
#
# 1. **What moved, and what only seemed to move?** Every outcome and construct of the own brand per survey
#    wave, with 95% confidence intervals. *How:* Welch t-tests between consecutive waves, with Holm's
#    correction across **all** constructs and wave pairs at once — with dozens of comparisons some will look
#    "significant" by chance, and only changes that survive the correction are called movements. NPS per
#    wave where the client asks the recommendation question.
# 2. **What are customers starting to talk about?** *How:* the words and word pairs whose share of comments
#    rises in the latest wave compared with all earlier waves (log-likelihood keyness, corrected for the
#    many terms tested), with the sentiment of the comments that use them.
# 3. **What should the client do next?** *How:* a ranked innovation agenda. Each opportunity is scored by
#    its **expected gain in the main outcome** (e.g. satisfaction points for the average customer):
#    for a touchpoint, how much a poor experience there costs × how many customers have one; for an
#    experience dimension, how strongly it drives the outcome (relative importance) × the room to the
#    best competitor, to the level lost in the latest wave, or — where no brand performs well — to a good
#    level. Each item says whether it is a small improvement or a large innovation, which step it feeds back
#    into, and whether it matters more for winning new customers or for deepening the loyalty of existing
#    ones.
# 4. **Does what customers say predict what they do?** With a behaviour file (referrals, repeat business,
#    churn), the rates of promoters, passives and detractors and how well the stated intentions rank the
#    customers who then referred, came back or left.
#
# Every section ends with a **finding** in plain words; sections the client's data cannot support (a single
# wave, no verbatims) say so and why.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None         # folder holding client folders; None: data/raw, then tests/fixtures
wave = None             # analyse waves up to this one; None: all waves
n_boot = 400            # bootstrap resamples of every bootstrap interval
seed = 2003             # seed of every resampling
confidence = 0.95       # confidence level of every interval
snapshot = None        # processed-data fingerprint the runner passes; None: process raw data if it changed

# %%
from cem_research.client.data import load_client
from cem_research.present import plots
from cem_research.steps import innovation
from cem_research.steps.section import Settings
from cem_research.steps.world import UnweightedNote

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
settings = Settings.from_params(n_boot=n_boot, seed=seed, confidence=confidence)

# %%
note = UnweightedNote(5).run(data, settings)

# %% [markdown]
# ## Tracking across waves
#
# **What is computed.** For the own brand, the mean of every outcome and construct in every wave with its
# 95% interval (weighted when the survey carries weights). For each pair of consecutive waves, the change
# with its 95% interval, a Welch t-test and Hedges' g (0.2 small, 0.5 medium, 0.8 large). All p-values are
# Holm-corrected together, across every construct and wave pair. NPS (promoters minus detractors, −100 to
# 100) per wave with its interval and the change from the previous wave.
#
# **How to read the chart.** One panel per construct, each on its own scale: the red line is the own
# brand's mean per wave, the band its 95% interval. A black triangle marks a real movement (up ▲ or
# down ▼) that survives the Holm correction. Overlapping bands usually mean no real change.
#
# **Comparable before compared.** A change is only a change in the experience if the construct is measured
# equally well in both waves. The reliability table gives each multi-item construct's Cronbach's alpha per
# wave (⚠ below .70); the change table repeats the lower alpha of the two compared waves ("lowest α in a group")
# and names a wave where it is below .70 ("α below threshold in").
#
# **What would change the conclusion.** Different customers answer in each wave, so a change can come from
# a different sample mix (e.g. more new customers) rather than a changed experience. A change that just
# misses the corrected threshold may become clear with one more wave; a single significant change among
# many stable ones deserves a look at what happened in that period.


# %%
tracking = innovation.TrackingAcrossWaves().run(data, settings)

# %% [markdown]
# ## Emerging themes
#
# **What is computed.** All own-brand comments of the latest wave are compared with all comments of the
# earlier waves. For every word and word pair used in at least five comments: its share of comments in each
# wave, and the log-likelihood statistic G² (Dunning 1993) testing whether its share in the latest wave is
# higher than before, corrected with the Benjamini–Hochberg procedure (many terms are tested). Terms that
# mostly appear inside the same comments as a stronger rising term are folded into it (column
# `related`). For each theme, the mean sentiment (VADER compound) of the latest comments that mention it.
#
# **How to read the table.** Each row is a theme that rises significantly: how often it appears now
# (with a 95% interval) against before, and whether customers talk about it positively (compound > 0)
# or negatively. A new, negative theme is an early warning; a new, positive one is an idea to build on.
#
# **What would change the conclusion.** A theme carried by a handful of comments may be one event (a
# broken machine in one store); a campaign or a changed questionnaire can make customers use new words
# without a changed experience. Themes that stay at the same level are not shown however often they are
# mentioned — see the full table for steady complaints.


# %%
themes = innovation.EmergingThemes().run(data, settings)

# %% [markdown]
# ## Innovation agenda
#
# **What is computed.** Three pieces of evidence per experience dimension (the client's drivers): (a) the
# gap to the best competitor in the latest wave (Welch interval, Holm across dimensions); (b) how strongly
# it drives the main outcome — its share of the explained variance (LMG relative importance, bootstrap
# interval), turned into outcome points per scale point; (c) the latest wave-over-wave change (from the
# tracking section). Touchpoints come from the importance–performance analysis of step 4: only those in
# "Concentrate here".
#
# *Scoring rule.* Expected gain in the main outcome, in outcome points for the average customer:
# touchpoint = outcome penalty of a poor experience × share of customers with a poor experience there;
# dimension = outcome points per scale point × room, where the room runs from the own brand's mean to the
# highest of: the best competitor's mean, last wave's own mean (only after a significant drop) and — when
# no brand reaches 60% of the scale — that "good" level. Only items with a positive gain are listed.
#
# *Small or large.* Fixing a touchpoint (feeds step 4) and closing a gap that a competitor shows can be
# closed (feeds step 3) are **small improvements**; a dimension on which *no* brand performs well is a
# **large innovation** — a new experience to build into the platform (feeds step 2).
#
# *New or existing customers.* Importance is compared between the shortest- and the longest-tenure
# customers (a tenure segment); without one, between competitors' customers and the own brand's. An item
# that matters more to newer customers (interval above zero) serves **winning new customers**; more to
# long-standing ones, **deepening loyalty**; otherwise both alike.
#
# **How to read the chart.** One dot per opportunity: its expected gain with the interval from the
# uncertainty of its importance; red = small improvement, dark = large innovation.
#
# **What would change the conclusion.** The gains are associations read as if they were causal: they
# rank opportunities, they do not promise a result. The best competitor is picked because it scores
# highest, which favours finding a gap. The "good" level for large innovations is a convention (60% of
# the scale); a dimension just above it drops out of the large list.


# %%
agenda = innovation.InnovationAgenda().run(data, settings)

# %%
behaviour = innovation.StatedVsBehaviour().run(data, settings)  # only with `behaviour:` in client.yaml
