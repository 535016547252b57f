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

# %%
from IPython.display import Markdown, display

from cem_research.steps import brand, platform
from cem_research.present import findings, plots, tables
from cem_research.steps.brand import kano, modules
from cem_research.client.data import load_client

plots.set_style()
data = load_client(client, raw_root=raw_root, wave=wave)
N_BOOT, SEED = 400, 2003  # bootstrap resamples and seed for every interval in this notebook
display(Markdown(platform.client_summary(data)))
reliability = platform.reliability_table(data)  # step 2's measurement check, for the flags below

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
overview = brand.element_overview(data)
tables.show(overview, caption="What the client measures about each brand element")

# %%
element_profile = brand.element_profile(data, reliability=reliability)
if element_profile is not None:
    plot_frame = platform.profile_plot_frame(element_profile)
    ax = plots.dot_interval(plot_frame, x="mean", y="label", hue="series", n=None,
                            palette=platform.profile_palette(plot_frame), xlabel="Mean rating (95% CI)",
                            title="Brand elements: own brand vs competitors")
    plots.show(ax.figure)

# %%
element_tests = brand.element_tests(data, reliability=reliability)
if element_tests is not None:
    display(tables.show(
        element_tests[["element_label", "label", "comparison", "n_ref", "n_other", "mean_ref", "mean_other", "diff",
                       "ci_low", "ci_high", "hedges", "p_corr", "direction", "reliability_flag"]],
        caption="Brand elements: own brand minus competitor (Welch; Holm-corrected over all rows)",
        rename={"mean_ref": "own mean", "mean_other": "other mean", "p_corr": "p_corr (Holm)"}))

# %%
mentions = brand.aspect_mentions(data)
aspects = brand.aspect_summary(data, mentions)
if aspects is not None:
    display(tables.show(aspects, caption="Aspect mentions in the verbatims: share of comments (Wilson CI) "
                                         "and mean sentence sentiment (t CI)",
                        percent=("mention_share", "mention_ci_low", "mention_ci_high", "share_negative",
                                 "share_positive")))

# %%
if aspects is not None and (aspects["mentions"] > 0).any():
    ax = plots.dot_interval(aspects[aspects["mentions"] > 0], x="compound", y="element_label", hue="series",
                            n=None, palette=platform.profile_palette(aspects),
                            xlabel="Mean sentiment of mentioning sentences (VADER compound, 95% CI)",
                            title="How positively customers write about each element")
    ax.axvline(0, color="#9aa5b1", lw=1)
    plots.show(ax.figure)

# %%
verbatim_tests = brand.aspect_tests(data, mentions)
strengths_gaps = brand.strengths_gaps(element_tests, aspects, verbatim_tests, data.config.brand)
if strengths_gaps is not None:
    display(tables.show(strengths_gaps, caption="Strengths and gaps of the brand elements (95% CIs)"))

# %%
if strengths_gaps is None:
    findings.skip(3, "Product experience, look and feel, and communications", brand.element_skip_reason(overview))
else:
    findings.record(3, "Product experience, look and feel, and communications",
                    **brand.element_finding(strengths_gaps, overview, data.config.brand))

# %%
# Experiential modules (Schmitt's SENSE, FEEL, THINK, ACT, RELATE): only for clients that declare
# `modules:` in client.yaml; the heading and explanation come from the package so that other
# clients' reports are unchanged.
module_mentions = modules.module_mentions(data)
module_agreement = modules.hand_coding_agreement(data)
module_intro = modules.section_intro(data, module_agreement)
if module_intro is not None:
    display(module_intro)

# %%
module_shares = modules.module_shares(data, module_mentions)
if module_shares is not None:
    display(tables.show(
        module_shares[["brand", "wave", "module_label", "n_texts", "mentions", "share", "share_ci_low",
                       "share_ci_high", "compound", "ci_low", "ci_high"]],
        caption="Experiential modules in the comments: share of comments naming each module (Wilson 95% CI) "
                "and mean sentiment of the naming sentences (VADER compound, t 95% CI)",
        percent=("share", "share_ci_low", "share_ci_high"),
        rename={"module_label": "module", "n_texts": "comments", "compound": "sentiment"}))

# %%
module_figure = modules.share_figure(module_shares, data.config.brand)
if module_figure is not None:
    plots.show(module_figure)

# %%
module_changes = modules.module_changes(module_shares)
if module_changes is not None:
    display(tables.show(
        module_changes[["module_label", "first_wave", "latest_wave", "share_first", "share_latest", "diff",
                        "ci_low", "ci_high", "p_corr", "direction"]],
        caption="Change of each module's share of comments, first to latest wave (Newcombe 95% CI; "
                "Fisher's exact test, Holm-corrected over the modules)",
        percent=("share_first", "share_latest", "diff", "ci_low", "ci_high"),
        rename={"module_label": "module", "p_corr": "p_corr (Holm)"}))

# %%
if module_agreement is not None:
    display(tables.show(
        module_agreement, caption=f"Codebook against the hand-coded sample ({module_agreement.attrs['file']}): "
                                  "Cohen's kappa (asymptotic 95% CI) and Krippendorff's alpha (bootstrap 95% CI)",
        percent=("agreement",)))

# %%
module_finding = modules.modules_finding(module_shares, module_changes, module_agreement, data.config.brand)
if module_finding is not None:
    findings.record(modules.STEP, modules.SECTION, **module_finding)
elif modules.skip_reason(data):
    findings.skip(modules.STEP, modules.SECTION, modules.skip_reason(data))

# %% [markdown]
# ## Importance–performance of brand elements
#
# **What is computed.** For each brand-element construct (or every driver, if the client
# declares fewer than two element constructs): its **derived importance** – its Shapley/LMG
# share of the explained variance of the main outcome (the first declared outcome), in a
# regression that also holds the other declared drivers, with a 95% bootstrap interval (the
# correlation with the outcome when that regression cannot be fitted) – and its **performance**,
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
ipa = brand.element_ipa(data, n_boot=N_BOOT, seed=SEED, reliability=reliability)
if ipa is not None:
    ax = plots.quadrant_chart(ipa, importance="importance", performance="performance", label="label",
                              xerr=("performance_ci_low", "performance_ci_high"),
                              xlabel=f"Performance, 0–100 (95% CI; own brand, n = {int(ipa['n'].max()):,})",
                              ylabel=f"Derived importance ({ipa['importance_measure'].iloc[0]})",
                              title="Importance–performance of brand elements")
    plots.show(ax.figure)

# %%
fix_first = brand.fix_first(ipa)
if fix_first is not None:
    display(tables.show(fix_first, caption="Fix first: elements in priority order"))

# %%
if ipa is None:
    findings.skip(3, "Importance–performance of brand elements",
                  "fewer than two brand-element constructs and drivers, or no outcome declared: derived importance "
                  "cannot be estimated")
else:
    findings.record(3, "Importance–performance of brand elements", **brand.ipa_finding(ipa, data.config.brand))

# %%
# Kano classification: only for clients that declare `kano:` in client.yaml (heading and
# explanation from the package, so that other clients' reports are unchanged).
kano_answers = kano.kano_answers(data)
kano_intro = kano.section_intro(kano_answers)
if kano_intro is not None:
    display(kano_intro)

# %%
kano_overall = kano.kano_table(kano_answers)
if kano_overall is not None:
    display(tables.show(
        kano_overall[["label", "n", "A", "O", "M", "I", "R", "Q", "dominant", "dominant_share", "dominant_ci_low",
                      "dominant_ci_high", "dominant_clear", "better", "better_ci_low", "better_ci_high", "worse",
                      "worse_ci_low", "worse_ci_high"]],
        caption="Kano categories per feature (A attractive, O one-dimensional, M must-be, I indifferent, R reverse, "
                "Q questionable; counts), the dominant category (share, Wilson 95% CI) and the Better/Worse "
                "coefficients (Wilson 95% CI)",
        percent=("dominant_share", "dominant_ci_low", "dominant_ci_high"),
        rename={"label": "feature", "dominant_clear": "clearly dominant"}))

# %%
kano_shares = kano.share_table(kano_answers)
if kano_shares is not None:
    display(tables.show(kano_shares, caption="Share of each Kano category per feature (Wilson 95% CI)",
                        rename={"label": "feature"}))

# %%
kano_ax = kano.quadrant_figure(kano_overall)
if kano_ax is not None:
    plots.show(kano_ax.figure)

# %%
kano_segments = kano.segment_table(kano_answers)
if kano_segments is not None:
    display(tables.show(
        kano_segments[["segment_label", "level", "label", "n", "dominant", "dominant_share", "dominant_clear",
                       "better", "better_ci_low", "better_ci_high", "worse", "worse_ci_low", "worse_ci_high"]],
        caption="Kano classification per segment level (levels with at least 20 answers)",
        percent=("dominant_share",), rename={"segment_label": "segment", "label": "feature",
                                             "dominant_clear": "clearly dominant"}))

# %%
if kano_answers is not None:
    if kano_overall is None:
        findings.skip(kano.STEP, kano.SECTION, "no respondent answered both questions of a Kano pair")
    else:
        findings.record(kano.STEP, kano.SECTION, **kano.kano_finding(kano_overall))

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
segments = brand.segment_differences(data)
if segments is not None:
    display(tables.show(
        segments[["segment_label", "label", "test", "k", "n", "statistic", "p_corr", "effect", "effect_measure",
                  "highest_group", "highest_mean", "lowest_group", "lowest_mean", "pair_diff", "pair_ci_low",
                  "pair_ci_high", "pair_hedges", "pair_p", "min_group_alpha", "reliability_flag"]],
        caption="Brand-experience dimensions across segments (Holm over all rows)",
        rename={"p_corr": "p_corr (Holm)", "pair_p": "p (Games-Howell)"}))

# %%
segment_means = brand.segment_means(data, reliability=reliability)
if segment_means is not None:
    for label, frame in segment_means.groupby("segment_label", sort=False):
        ax = plots.dot_interval(frame, x="mean", y="label", hue="series", n=None,
                                palette=brand.group_palette(frame),
                                xlabel="Mean rating (95% CI), own brand", title=f"By {label}")
        plots.show(ax.figure)

# %%
pairs = brand.segment_pairs(data, segments)
if pairs is not None:
    display(tables.show(pairs, caption="Games-Howell pairs for the significant segment differences "
                                       "(simultaneous 95% CIs)"))

# %%
if segments is None:
    findings.skip(3, "Segment differences",
                  "the client declares no segments (or no segment has two groups of at least 5 own-brand "
                  "respondents)")
else:
    findings.record(3, "Segment differences", **brand.segment_finding(segments))
