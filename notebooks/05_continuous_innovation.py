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
# This notebook answers three questions:
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
#
# Every section ends with a **finding** in plain words; sections the client's data cannot support (a single
# wave, no verbatims) say so and why.

# %% tags=["parameters"]
client = "tiny_client"  # any client folder under data/raw/ (or tests/fixtures/)
raw_root = None         # folder holding client folders; None: data/raw, then tests/fixtures
wave = None             # analyse waves up to this one; None: all waves

# %%
from IPython.display import display

from cem_research.present import findings, plots, tables
from cem_research.steps import innovation, interface
from cem_research.stats import weighting
from cem_research.client.data import load_client

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave)
cfg = data.config
STEP = innovation.STEP
SECTIONS = innovation.SECTIONS
skip = innovation.availability(data)

# %%
if (note := weighting.unweighted_note(data, STEP)) is not None:
    display(note)

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
# wave (⚠ below .70); the change table repeats the lower alpha of the two compared waves (`min_group_alpha`)
# and names a wave where it is below .70 (`unreliable_in`).
#
# **What would change the conclusion.** Different customers answer in each wave, so a change can come from
# a different sample mix (e.g. more new customers) rather than a changed experience. A change that just
# misses the corrected threshold may become clear with one more wave; a single significant change among
# many stable ones deserves a look at what happened in that period.

# %%
track = innovation.tracking(data)
if track is not None:
    display(tables.show(track.drop(columns=["construct", "scale_min", "scale_max"]),
                        caption="Own brand per wave: mean with 95% CI"))

# %%
wave_rel = innovation.wave_reliability(data)
if wave_rel is not None:
    display(tables.show(innovation.reliability_grid(wave_rel),
                        caption="Reliability per wave: Cronbach's alpha of each construct (\u26a0 below .70)"))

# %%
changes = innovation.wave_change_tests(data, reliability=wave_rel)
if changes is not None:
    display(tables.show(changes.drop(columns=["construct"]),
                        caption=f"Wave-over-wave changes (to minus from); "
                                f"Holm across all {changes.attrs['n_tests']} tests"))

# %%
if track is not None:
    plots.show(innovation.tracking_figure(track, changes))

# %%
nps = innovation.nps_by_wave(data)
if nps is not None and track is not None:
    display(tables.show(nps, caption="Net Promoter Score per wave (95% CI) and change from the previous wave"))

# %%
if skip["tracking"] or changes is None:
    findings.skip(STEP, SECTIONS["tracking"], skip["tracking"] or "no construct could be tracked")
else:
    findings.record(STEP, SECTIONS["tracking"], **innovation.tracking_finding(changes, nps))

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
themes = innovation.emerging_themes(data)
if themes is not None:
    rising = innovation.rising_themes(themes)
    shares = [c for c in rising.columns if c.startswith("share_")]
    display(tables.show(rising[["term", "related", "target_docs", *shares, "latest_ci_low", "latest_ci_high", "g2",
                                "p_corr", "mean_compound_latest"]],
                        caption=f"Themes rising in {themes.attrs['latest']} ({themes.attrs['n_latest']} comments) "
                                f"against earlier waves ({themes.attrs['n_earlier']} comments)",
                        percent=(*shares, "latest_ci_low", "latest_ci_high")))

# %%
if skip["themes"] or themes is None:
    findings.skip(STEP, SECTIONS["themes"], skip["themes"] or "no verbatims to compare across waves")
else:
    findings.record(STEP, SECTIONS["themes"], **innovation.themes_finding(themes))

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
ipa = interface.touchpoint_ipa(data)
agenda = innovation.innovation_agenda(data, ipa=ipa, changes=changes)
if agenda is not None:
    display(tables.show(agenda.drop(columns=["feeds_step", "label"]),
                        caption=f"Innovation agenda, ranked by expected gain in {agenda.attrs['outcome']} points"))

# %%
if agenda is not None and len(agenda):
    ax = plots.dot_interval(agenda, x="gain", y="label", low="gain_ci_low", high="gain_ci_high", n=None,
                            palette=innovation.agenda_palette(agenda),
                            xlabel=plots.with_n(f"expected gain in {agenda.attrs['outcome']} (points, 95% CI)",
                                                agenda.attrs["n_respondents"]),
                            title="Innovation agenda: small improvements (red) and large innovations (dark)")
    plots.show(ax.figure)

# %%
if skip["agenda"] or agenda is None:
    findings.skip(STEP, SECTIONS["agenda"], skip["agenda"] or "neither drivers nor touchpoints could be weighted")
else:
    findings.record(STEP, SECTIONS["agenda"], **innovation.agenda_finding(agenda))
