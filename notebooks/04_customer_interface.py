# %% [markdown]
# # Step 4 — Structure the customer interface
#
# The brand experience of step 3 is a promise; the **customer interface** is where it is kept or broken.
# Schmitt (2003) means by it *every dynamic exchange* between customer and company: face to face with
# staff (**human–human**), through apps, websites and machines (**human–technology**), and in the places
# the company designs — stores, rooms, signage (**human–environment**). Structuring the interface means
# balancing three tensions: **essence and flexibility** (the same brand everywhere, yet adapted to the
# channel and the moment), **style and substance** (pleasant *and* getting the job done), and **time**
# (the right experience at the right stage of the journey, without making customers wait).
#
# This notebook answers five questions from the client's touchpoint events, survey and verbatims:
#
# 1. **How well does each touchpoint perform?** Satisfaction and customer effort per interface kind,
#    channel and touchpoint, with volume and spread; and whether a need served in several channels is
#    served worse in one of them. *How:* means with 95% confidence intervals; Welch t-tests of each
#    channel against the stage's main channel, Hedges' g, Holm correction.
# 2. **Which touchpoints to fix first?** *How:* an importance–performance analysis: importance is how much
#    lower the main outcome is among customers who had a poor experience at the touchpoint, performance
#    its mean rating; the quadrant "Concentrate here" (important, weak) is the fix-first list.
# 3. **How do customers move through the journey, and where do they leave?** *How:* the most common paths,
#    stage-to-stage transitions, lost versus loyal customers' journeys, the touchpoints after which
#    journeys end early, and the time between stages.
# 4. **Does the human touch matter?** *How:* human–human against human–technology ratings within the same
#    customers (paired t-test), overall and per segment, Hedges' g, Holm correction across segments.
# 5. **What do customers say about each touchpoint?** *How:* sentiment of the verbatims per touchpoint, the
#    words that characterise complaints (keyness), and typical quotes (personal data masked).
#
# Every section ends with a **finding** in plain words; sections the client's data cannot support say so.
# *Reading intervals:* dots are estimates, lines their 95% confidence intervals. Touchpoint means count
# every event; comparisons use one value per customer so that frequent users do not count many times.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None         # folder holding client folders; None: data/raw, then tests/fixtures
wave = None             # analyse waves up to this one; None: all waves
n_boot = 400            # bootstrap resamples of every bootstrap interval
seed = 2003             # seed of every resampling
confidence = 0.95       # confidence level of every interval
snapshot = None        # processed-data fingerprint the runner passes; None: process raw data if it changed

# %%

from cem_research.present import plots
from cem_research.steps import interface
from cem_research.steps.section import Settings
from cem_research.steps.world import UnweightedNote
from cem_research.client.data import load_client

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
settings = Settings.from_params(n_boot=n_boot, seed=seed, confidence=confidence)

# %%
note = UnweightedNote(4).run(data, settings)

# %%
promises = interface.PromiseAudit().run(data, settings)  # only with `promises:` in client.yaml

# %% [markdown]
# ## Touchpoint performance
#
# **What is computed.** For every interface kind, channel and touchpoint: the number of events and of
# customers, mean satisfaction with its 95% interval, spread (standard deviation and interquartile range),
# the share of events rated at or below the scale midpoint ("poor"), and mean customer effort (high = hard).
# *Consistency across channels:* where one journey stage (one customer need) is served in two or more
# channels, each channel is compared with the stage's main channel (the one most customers use) on the
# customers' mean rating — Welch t-test, Hedges' g (0.2 small, 0.5 medium, 0.8 large), Holm correction.
#
# **How to read the chart.** One dot per touchpoint, coloured by interface kind (blue human–human, orange
# human–technology, green human–environment), with its 95% interval and number of events. Touchpoints
# further left disappoint more.
#
# **What would change the conclusion.** Narrow intervals come from many events; a touchpoint with few
# events could move a lot. Events of the same customer are not independent, so the intervals are a little
# optimistic — the channel comparison, which uses one value per customer, is the stricter test. A channel
# difference may reflect different customers choosing the channel, not the channel itself.

# %%
performance = interface.TouchpointPerformance().run(data, settings)

# %% [markdown]
# ## Importance–performance of touchpoints
#
# **What is computed.** *Importance* of a touchpoint: among the customers who used it, the difference in
# the main outcome (e.g. overall satisfaction) between those whose experience there was good and those
# whose experience was poor (rated at or below the scale midpoint), with a Welch 95% interval — how much
# a poor experience at that touchpoint "costs". *Performance*: the touchpoint's mean rating with its
# interval. The grid is split at the means of both (Martilla & James 1977); within the quadrants,
# touchpoints are ranked by importance × distance to the best-performing touchpoint.
#
# **How to read the chart.** Up = more important, left = weaker. The red dots top left ("Concentrate
# here") are the fix-first list; green top right ("Keep up the good work") must not slip; grey and orange
# matter less. Horizontal lines are the performance intervals.
#
# **What would change the conclusion.** Importance is an association: customers who are unhappy overall
# also rate touchpoints lower, so every touchpoint's importance is inflated by the same halo — the ranking
# is more trustworthy than the absolute size. Touchpoints with fewer than five poor (or good) experiences
# cannot be rated and are listed under the table. An importance interval that reaches zero means the
# touchpoint may not matter at all.

# %%
ipa = interface.TouchpointImportancePerformance().run(data, settings)

# %% [markdown]
# ## Journeys
#
# **What is computed.** Each customer's *path*: the journey stages of their touchpoint events in time order
# (repeated events in a stage count once). The most common paths with their share of customers (Wilson
# interval) and the customers' mean main outcome. The *transition heatmap* shows, for each stage, where the
# next step goes ("(end)" = the journey stops there). *Lost versus loyal:* lost customers are NPS detractors
# (0–6) and loyal ones promoters (9–10); without an NPS question, the bottom and top thirds of the loyalty
# score. For each stage: how many of each group reach it and how they rate it (Newcombe and Welch
# intervals, Fisher and Welch tests, Holm). *Exits:* a journey ends early when its last event comes before
# the final stages (the last third of the journey); for each touchpoint, how often it is the last one of an
# early-ending journey, and how much more often that happens to lost than to loyal customers.
# *Time between stages:* median days (with the interquartile range) from entering one stage to entering
# the next.
#
# **How to read the chart.** Rows are the stage a customer is in, columns where they go next; each row sums
# to 100%. Large shares off the main diagonal show skipped stages; a large "(end)" share before the last
# stages shows where journeys stop.
#
# **What would change the conclusion.** Journeys are observed only as far as the touchpoint data reaches:
# a customer without a recorded service event may simply not have needed service. The last touchpoint
# before leaving is where customers leave, not necessarily why — read it together with the touchpoint's
# rating and comments.

# %%
journeys = interface.Journeys().run(data, settings)

# %% [markdown]
# ## The human touch
#
# **What is computed.** For each customer, the mean rating of their human–human events (staff) and of
# their human–technology events (apps, websites, machines). When most customers have both, the two are
# compared *within* customers (paired t-test): this removes each customer's general mood. Otherwise
# customers are compared between groups (Welch t-test). The same test is repeated in every segment level;
# Holm's correction applies across the segment levels. Hedges' g measures the size (0.2 small, 0.5 medium,
# 0.8 large).
#
# **How to read the chart.** One line per group: the difference human minus technology with its 95%
# interval. Right of zero, people beat machines; left of zero, technology does better. Groups whose
# intervals lie further right are the ones for whom the human touch matters most.
#
# **What would change the conclusion.** Human and technological touchpoints serve different tasks (an app
# order is not a chat with the barista), so the gap mixes the interface with the task. A segment gap based
# on few customers has a wide interval; only the Holm-corrected tests count as evidence.

# %%
human = interface.HumanTouch().run(data, settings)

# %%
uce = interface.UceScorecard().run(data, settings)  # only with `uce:` on constructs in client.yaml

# %% [markdown]
# ## Voice of the customer at the interface
#
# **What is computed.** Each verbatim comment is scored by VADER (compound from −1, very negative, to +1,
# very positive; −0.05 or lower counts as negative). Per touchpoint: mean compound with its 95% interval
# and the share of negative comments (Wilson interval). *Complaint terms:* among negative comments only,
# the words and word pairs that characterise one touchpoint's complaints compared with the other
# touchpoints' (log-likelihood keyness, corrected for the many terms tested). *Quotes:* for each touchpoint,
# the negative comment closest to the typical (median) negative score — typical, not the most extreme —
# with e-mail addresses, card and phone numbers masked.
#
# **How to read the chart.** One dot per touchpoint with its interval and number of comments; the further
# left, the more negative customers sound.
#
# **What would change the conclusion.** A dictionary-based score misreads irony and domain words
# ("cold brew" is not a complaint); few comments give wide intervals. Quotes illustrate, they do not prove.

# %%
voice = interface.InterfaceVoice().run(data, settings)
