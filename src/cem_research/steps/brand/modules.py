"""Schmitt's experiential modules in what customers say (step 3).

Schmitt (1999, *Experiential Marketing*) names five strategic experiential modules (SEMs) a brand
can create: **SENSE** (sensory experiences), **FEEL** (affective experiences), **THINK** (creative,
cognitive experiences), **ACT** (physical experiences, behaviours and lifestyles) and **RELATE**
(social identity and belonging).  This module codes every verbatim comment by the modules it
speaks to, with an editable codebook of words and phrases:

* the default codebook is ``src/cem_research/resources/modules.yaml`` (its header says where it
  comes from and how to edit it);
* a client may override it in ``client.yaml``::

      modules:
        codebook: {RELATE: [community, belong*, friends, together]}   # or a YAML file name
        hand_coded: {file: hand_coded.csv, text: comment, module: module}   # optional

  each module listed under ``codebook`` replaces that module's default list (an empty list drops
  the module); ``codebook: my_codebook.yaml`` reads a file of the default's form from the client
  folder.

Matching is :func:`cem_research.text.aspect_mentions` with the codebook as its lexicon (lowercase
word tokens, phrases, ``word*`` prefixes), so a comment may belong to several modules or to none,
and each module mention carries the VADER sentiment of the sentences that mention it.

Results: the share of comments per module (Wilson interval) and the mean sentiment of the
mentioning sentences (t interval), per brand and per wave (:func:`module_shares`); the change of
each module's share from the first to the latest wave (Newcombe interval, Fisher's exact test,
Holm across modules; :func:`module_changes`); and, when a hand-coded sample is supplied, the
agreement of the codebook with the human coder per module – Cohen's kappa (present/absent, with the
asymptotic interval of Fleiss, Cohen & Everitt 1969) and Krippendorff's alpha (nominal, bootstrap
interval) – and pooled over all module decisions (:func:`hand_coding_agreement`).

The section appears only for clients that declare ``modules:`` and supply verbatims; every
function returns ``None`` otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.client.options.modules import MODULES, ModulesSpec, load_codebook, module_codes
from cem_research.present import narrative as nv
from cem_research.steps.optional import OptionalSection
from cem_research.steps.section import Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.config import ClientConfig
    from cem_research.client.data import ClientData

STEP = 3
SECTION = "Experiential modules in what customers say"
MODULE_LABELS = {"SENSE": "SENSE – sensory", "FEEL": "FEEL – affective", "THINK": "THINK – cognitive",
                 "ACT": "ACT – physical, lifestyle", "RELATE": "RELATE – social identity"}
__all__ = ["STEP", "SECTION", "MODULES", "ModulesSpec", "load_codebook",
           "skip_reason", "module_mentions", "module_shares", "module_changes", "hand_coding_agreement",
           "share_figure", "modules_finding", "section_intro", "ExperientialModules", "ModulesResult"]


# ---------------------------------------------------------------------------------------------
# coding the verbatims
# ---------------------------------------------------------------------------------------------


def _feedback(data: "ClientData") -> pd.DataFrame | None:
    """The verbatims VADER reads (:func:`cem_research.text.scored_feedback`) of the declared brands and waves."""
    from cem_research import text as tx

    fb = data.feedback
    if fb is None or len(fb) == 0:
        return None
    cfg = data.config
    frame = tx.scored_feedback(fb)[["text", "brand", "wave"]].copy()
    frame["brand"] = frame["brand"].fillna(cfg.brand).astype(str)
    frame["wave"] = frame["wave"].astype(object).where(frame["wave"].notna(), "all")
    frame = frame[frame["brand"].isin(cfg.brands)]
    waves = [w for w in data.waves if w in set(frame["wave"])]
    frame = frame[frame["wave"].isin(waves) | (frame["wave"] == "all")]
    return frame.reset_index(drop=True) if len(frame) else None


def module_mentions(data: "ClientData") -> pd.DataFrame | None:
    """Every verbatim's module mentions, with the sentiment of the mentioning sentences.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.text.aspect_mentions` output with ``aspect`` renamed ``module`` and
        ``brand, brand_kind, wave`` carried; ``attrs``: ``modules`` (codebook order),
        ``codebook_source``, ``texts`` (comments per brand and wave: a DataFrame ``brand, wave,
        n_texts``).  ``sentence`` is raw customer text (show only through
        :func:`cem_research.text.safe_text`).  ``None`` when the client declares no ``modules:``
        or has no verbatims.
    """
    from cem_research import text as tx

    spec = data.config.modules
    if spec is None:
        return None
    frame = _feedback(data)
    if frame is None:
        return None
    cfg = data.config
    frame["brand_kind"] = frame["brand"].map(cfg.brand_kind)
    m = tx.aspect_mentions(frame, "text", lexicon=spec.codebook, keep=["brand", "brand_kind", "wave"],
                           cache=data.sentiment_cache)
    m = m.rename(columns={"aspect": "module"})
    m.attrs["modules"] = list(spec.codebook)
    m.attrs["codebook_source"] = spec.source
    m.attrs["texts"] = frame.groupby(["brand", "wave"], sort=False).size().rename("n_texts").reset_index()
    m.attrs["waves"] = [w for w in data.waves if w in set(frame["wave"])]
    return m


def _mean_t(v: np.ndarray, confidence: float) -> tuple[float, float, float]:
    v = v[np.isfinite(v)]
    if not v.size:
        return np.nan, np.nan, np.nan
    mean = float(v.mean())
    if v.size < 2:
        return mean, np.nan, np.nan
    half = float(sps.t.ppf(0.5 + confidence / 2, v.size - 1)) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return mean, mean - half, mean + half


def module_shares(data: "ClientData", mentions: pd.DataFrame | None, confidence: float = 0.95) -> pd.DataFrame | None:
    """Share of comments per module and their sentiment, per brand, per wave and all waves pooled.

    Returns
    -------
    DataFrame or None
        ``brand, brand_kind, wave, module, module_label, n_texts, mentions, share, share_ci_low,
        share_ci_high, compound, ci_low, ci_high, series`` – one row per brand × (each wave, then
        ``"all waves"``) × module, own brand first.  ``share`` = comments naming the module / the
        brand's comments in that wave (Wilson interval); ``compound`` = mean VADER compound of the
        mentioning sentences (t interval; NaN below 2 mentions).  ``series`` labels charts.
    """
    if mentions is None:
        return None
    cfg = data.config
    texts = mentions.attrs["texts"]
    modules = mentions.attrs["modules"]
    waves = mentions.attrs["waves"] + (["all"] if (texts["wave"] == "all").any() else [])
    rows = []
    brands = [b for b in cfg.brands if b in set(texts["brand"])]
    for b in brands:
        tb = texts[texts["brand"] == b]
        mb = mentions[mentions["brand"] == b]
        groups = [(w, int(tb.loc[tb["wave"] == w, "n_texts"].sum()), mb[mb["wave"] == w]) for w in waves
                  if (tb["wave"] == w).any()]
        if len(groups) > 1:
            groups.append(("all waves", int(tb["n_texts"].sum()), mb))
        for w, n, sub in groups:
            for mod in modules:
                hit = sub[sub["module"] == mod]
                k = len(hit)
                lo, hi = stats.proportion_ci(k, n, confidence) if n else (np.nan, np.nan)
                mean, c_lo, c_hi = _mean_t(hit["compound"].to_numpy(dtype=float), confidence)
                rows.append({"brand": b, "brand_kind": cfg.brand_kind(b), "wave": w, "module": mod,
                             "module_label": MODULE_LABELS.get(mod, mod), "n_texts": n, "mentions": k,
                             "share": k / n if n else np.nan, "share_ci_low": lo, "share_ci_high": hi,
                             "compound": mean, "ci_low": c_lo, "ci_high": c_hi})
    out = pd.DataFrame(rows)
    if out.empty:
        return None
    out["series"] = [f"{w} (n = {n:,} comments)" for w, n in zip(out["wave"], out["n_texts"])]
    return out


def module_changes(shares: pd.DataFrame | None, alpha: float = 0.05) -> pd.DataFrame | None:
    """Change of each module's share of the own brand's comments, first to latest wave.

    Returns
    -------
    DataFrame or None
        ``module, module_label, first_wave, latest_wave, n_first, n_latest, share_first,
        share_latest, diff, ci_low, ci_high, p_unc, p_corr, direction`` (``rising``/``falling``
        when Holm-corrected p < ``alpha``, else ``stable``), modules by descending ``diff``.
        ``None`` with fewer than two waves.

    Notes
    -----
    Newcombe's (1998) hybrid score interval of the difference of two independent proportions
    (from the Wilson intervals), Fisher's exact test, Holm's correction over the modules.
    """
    if shares is None:
        return None
    own = shares[(shares["brand_kind"] == "own") & ~shares["wave"].isin(["all", "all waves"])]
    waves = list(dict.fromkeys(own["wave"]))
    if len(waves) < 2:
        return None
    first, last = waves[0], waves[-1]
    rows = []
    for mod, sub in own.groupby("module", sort=False):
        a = sub[sub["wave"] == first].iloc[0]
        b = sub[sub["wave"] == last].iloc[0]
        x1, n1, x2, n2 = int(b["mentions"]), int(b["n_texts"]), int(a["mentions"]), int(a["n_texts"])
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = stats.proportion_ci(x1, n1)
        l2, u2 = stats.proportion_ci(x2, n2)
        d = p1 - p2
        lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        p = float(sps.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
        rows.append({"module": mod, "module_label": a["module_label"], "first_wave": first, "latest_wave": last,
                     "n_first": n2, "n_latest": n1, "share_first": p2, "share_latest": p1, "diff": d,
                     "ci_low": lo, "ci_high": hi, "p_unc": p})
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm")
    out["direction"] = np.where(out["p_corr"] < alpha, np.where(out["diff"] > 0, "rising", "falling"), "stable")
    return out.sort_values("diff", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# agreement with a hand-coded sample
# ---------------------------------------------------------------------------------------------


def hand_coding_agreement(data: "ClientData", n_boot: int = 400, seed: int = 2003,
                          confidence: float = 0.95) -> pd.DataFrame | None:
    """Agreement of the codebook with a human coder on the hand-coded sample, per module.

    Returns
    -------
    DataFrame or None
        One row per module of the codebook, then ``"all modules"`` (every comment × module
        decision pooled): ``module, n, human_present, machine_present, agreement, kappa,
        kappa_ci_low, kappa_ci_high, alpha, alpha_ci_low, alpha_ci_high``.  ``agreement`` is the
        share of identical present/absent decisions.  ``attrs["n_blank"]`` comments without text
        left out, ``attrs["file"]`` the sample's file.  ``None`` without ``modules.hand_coded``.

    Notes
    -----
    The sample was read and checked with the client's other files when the client was processed
    (``data.hand_coded``, :func:`cem_research.client.option_tables.read_hand_coded`).  Each comment of the sample is coded with the codebook exactly as the verbatims are.  Per module
    the two coders' present/absent decisions are compared: Cohen's (1960) kappa with the asymptotic
    interval of Fleiss, Cohen & Everitt (1969) (:func:`cem_research.stats.cohen_kappa`) and
    Krippendorff's nominal alpha with a bootstrap interval over comments
    (:func:`cem_research.stats.krippendorff_alpha_nominal`).  Kappa is undefined (NaN) when one
    coder never (or always) codes a module.  Landis & Koch (1977): 0.61–0.80 substantial, above
    0.80 almost perfect agreement.
    """
    from cem_research import text as tx

    spec = data.config.modules
    if spec is None or spec.hand_coded is None or data.hand_coded is None:
        return None
    hc = spec.hand_coded
    raw = data.hand_coded
    text_col = "text"
    blank = raw[text_col].isna() | (raw[text_col].astype(str).str.strip() == "")
    frame = raw[~blank].reset_index(drop=True)
    human = [module_codes(v)[0] for v in frame["module"]]
    m = tx.aspect_mentions(frame.rename(columns={text_col: "__text"}), "__text", lexicon=spec.codebook, keep=[],
                           cache=data.sentiment_cache)
    machine: list[set[str]] = [set() for _ in range(len(frame))]
    for pos, mod in zip(m.index, m["aspect"]):
        machine[frame.index.get_loc(pos)].add(str(mod))
    rows = []
    all_h, all_m = [], []
    for k, mod in enumerate([*spec.codebook, "all modules"]):
        if mod == "all modules":
            h, mm = np.concatenate(all_h), np.concatenate(all_m)
        else:
            h = np.array([mod in s for s in human], dtype=int)
            mm = np.array([mod in s for s in machine], dtype=int)
            all_h.append(h)
            all_m.append(mm)
        kap = stats.cohen_kappa(h, mm, confidence=confidence).iloc[0]
        codes = pd.DataFrame({"human": h, "machine": mm})
        if codes.nunique().max() > 1 or (codes["human"] != codes["machine"]).any():
            alp = stats.krippendorff_alpha_nominal(codes, n_boot=n_boot, seed=seed + k, confidence=confidence).iloc[0]
            a, a_lo, a_hi = float(alp["alpha"]), float(alp["ci_low"]), float(alp["ci_high"])
        else:
            a = a_lo = a_hi = np.nan
        rows.append({"module": mod, "n": int(len(h)), "human_present": int(h.sum()), "machine_present": int(mm.sum()),
                     "agreement": float((h == mm).mean()), "kappa": float(kap["kappa"]),
                     "kappa_ci_low": float(kap["ci_low"]), "kappa_ci_high": float(kap["ci_high"]),
                     "alpha": a, "alpha_ci_low": a_lo, "alpha_ci_high": a_hi})
    out = pd.DataFrame(rows)
    out.attrs.update(n_blank=int(blank.sum()), file=hc.file, n_comments=int(len(frame)))
    return out


# ---------------------------------------------------------------------------------------------
# chart, finding, narrative
# ---------------------------------------------------------------------------------------------


def share_figure(shares: pd.DataFrame | None, brand: str | None = None):
    """Share of the own brand's comments per module, one colour per wave, with Wilson intervals
    (:func:`cem_research.present.plots.optional.module_shares`).

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` without shares.
    """
    from cem_research.present.plots import optional as charts

    return charts.module_shares(shares, brand)


def modules_finding(shares: pd.DataFrame | None, changes: pd.DataFrame | None = None,
                    agreement: pd.DataFrame | None = None, brand: str = "the own brand") -> dict | None:
    """Plain-words finding: the most frequent module, the largest change, sentiment and agreement.

    Returns
    -------
    dict or None
        ``text, headline, key, value, ci`` for :func:`cem_research.present.findings.record` (the key value
        is the largest significant change of a module's share, else the top module's share).
        ``None`` without shares.
    """
    if shares is None:
        return None
    own = shares[shares["brand_kind"] == "own"]
    pooled = own[own["wave"] == ("all waves" if (own["wave"] == "all waves").any() else own["wave"].iloc[0])]
    top = pooled.loc[pooled["share"].idxmax()]
    n = int(top["n_texts"])
    text = (f"In {n:,} comments about {brand}, {top['module']} is the most frequent experiential module "
            f"({nv.pct(top['share'])} of comments, {nv.pct_ci(top['share_ci_low'], top['share_ci_high'])})")
    others = pooled[pooled["module"] != top["module"]].sort_values("share", ascending=False)
    if len(others):
        text += ", then " + ", ".join(f"{r['module']} {nv.pct(r['share'])}" for _, r in others.iterrows())
    text += "."
    key, value, ci, headline = "module_top_share", float(top["share"]), (float(top["share_ci_low"]),
                                                                         float(top["share_ci_high"])), False
    if changes is not None and len(changes):
        moved = changes[changes["direction"] != "stable"]
        if len(moved):
            r = moved.loc[moved["diff"].abs().idxmax()]
            text += (f" {r['module']} is {r['direction']}: from {nv.pct(r['share_first'])} of comments in "
                     f"{r['first_wave']} to {nv.pct(r['share_latest'])} in {r['latest_wave']} "
                     f"({nv.signed_pct(r['diff'])}, 95% CI {nv.signed(100 * r['ci_low'], 0)} to "
                     f"{nv.signed(100 * r['ci_high'], 0)} points, Holm-corrected {nv.p(r['p_corr'])}), "
                     "the largest change.")
            key, value, ci, headline = (f"module_{r['direction']}", float(r["diff"]),
                                        (float(r["ci_low"]), float(r["ci_high"])), True)
        else:
            text += f" No module's share changed significantly from {changes['first_wave'].iloc[0]} to " \
                    f"{changes['latest_wave'].iloc[0]}."
    sent = pooled[pooled["mentions"] >= 5].dropna(subset=["compound"])
    if len(sent) >= 2:
        hi, lo = sent.loc[sent["compound"].idxmax()], sent.loc[sent["compound"].idxmin()]
        text += (f" Most positive: {hi['module']} (mean sentiment {nv.num(hi['compound'])}, "
                 f"{nv.ci(hi['ci_low'], hi['ci_high'])}); least positive: {lo['module']} ({nv.num(lo['compound'])}, "
                 f"{nv.ci(lo['ci_low'], lo['ci_high'])}).")
    if agreement is not None and len(agreement):
        allm = agreement[agreement["module"] == "all modules"].iloc[0]
        per = agreement[(agreement["module"] != "all modules") & agreement["kappa"].notna()]
        text += (f" Against {agreement.attrs.get('n_comments', int(allm['n'] / max(len(per), 1))):,} hand-coded "
                 f"comments the codebook agrees with kappa {nv.num(allm['kappa'])}, "
                 f"{nv.ci(allm['kappa_ci_low'], allm['kappa_ci_high'])}, over all module decisions")
        if len(per):
            w = per.loc[per["kappa"].idxmin()]
            text += f"; weakest module {w['module']} (kappa {nv.num(w['kappa'])}, " \
                    f"{nv.ci(w['kappa_ci_low'], w['kappa_ci_high'])})"
        text += "."
        if np.isfinite(allm["kappa"]) and allm["kappa"] < 0.6:
            text += " Agreement is below 0.6: revise the codebook before relying on these shares."
    return {"text": text, "headline": headline, "key": key, "value": value, "ci": ci}


def section_intro(data: "ClientData", agreement: pd.DataFrame | None = None) -> "nv.SectionMarkdown | None":
    """The section's heading and explanation (Markdown), shown only for clients that declare
    ``modules:`` (``None`` otherwise) so that other clients' reports are unchanged."""
    spec = data.config.modules
    if spec is None:
        return None
    source = spec.source
    hand = ("" if agreement is None else
            f" The codebook is checked against {agreement.attrs.get('n_comments', 0)} comments a person coded by "
            "hand: per module, Cohen's kappa (present/absent, asymptotic 95% interval) and Krippendorff's alpha "
            "(bootstrap interval), and both over all module decisions pooled.")
    return nv.SectionMarkdown(f"""## {SECTION}

**What is computed.** Schmitt (1999) distinguishes five kinds of experience a brand can create – his
strategic experiential modules: **SENSE** (the senses: look, sound, smell, cleanliness), **FEEL**
(moods and emotions), **THINK** (learning, curiosity, surprise), **ACT** (the body, behaviour and
lifestyle) and **RELATE** (community and belonging). Every comment is coded by the modules it speaks
to, with a codebook of words and phrases (here: {source}); a comment may speak to several modules
or none. For each
brand and wave: the share of comments naming each module (Wilson 95% interval) and the mean VADER
sentiment of the sentences that name it (t interval); the change of each module's share from the
first to the latest wave (Newcombe interval, Fisher's exact test, Holm's correction).{hand}

**How to read it.** In the chart each module has one dot per wave with its interval: modules further
right are what customers talk about most; dots moving right from wave to wave are rising. Compare with
the experiential platform (step 2): a module the platform promises but customers rarely mention is not
yet experienced. **What would change the conclusion:** a codebook that misses the customers' own words
(low kappa – below 0.6 the shares are unreliable), few comments (wide intervals), or a change in who
writes comments between waves. Word lists cannot read irony or negation ("not friendly" still names
FEEL), so read the sentiment column alongside the shares.""")


# ---------------------------------------------------------------------------------------------
# the section
# ---------------------------------------------------------------------------------------------

SHARE_COLUMNS = ["brand", "wave", "module_label", "n_texts", "mentions", "share", "share_ci_low", "share_ci_high",
                 "compound", "ci_low", "ci_high"]
CHANGE_COLUMNS = ["module_label", "first_wave", "latest_wave", "share_first", "share_latest", "diff", "ci_low",
                  "ci_high", "p_corr", "direction"]


@dataclass(frozen=True)
class ModulesResult:
    """The tables of the experiential-modules section.

    Attributes
    ----------
    mentions : DataFrame
        :func:`module_mentions`.
    shares : DataFrame
        :func:`module_shares`.
    changes : DataFrame or None
        :func:`module_changes` (``None`` with one wave).
    agreement : DataFrame or None
        :func:`hand_coding_agreement` (``None`` without a hand-coded sample).
    """

    mentions: pd.DataFrame
    shares: pd.DataFrame
    changes: pd.DataFrame | None
    agreement: pd.DataFrame | None


class ExperientialModules(OptionalSection):
    """Schmitt's experiential modules in the verbatims (step 3), shown only for clients that declare
    ``modules:``."""

    step = STEP
    title = SECTION
    option = "modules"

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if _feedback(data) is None:
            return "the client declares modules: but supplies no verbatim comments (a feedback file in client.yaml)"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> ModulesResult:
        mentions = module_mentions(data)
        shares = module_shares(data, mentions, confidence=settings.confidence)
        agreement = hand_coding_agreement(data, n_boot=settings.n_boot, seed=settings.seed,
                                          confidence=settings.confidence)
        return ModulesResult(mentions, shares, module_changes(shares), agreement)

    def findings(self, result: ModulesResult, data: "ClientData", settings: Settings) -> list[dict]:
        found = modules_finding(result.shares, result.changes, result.agreement, data.config.brand)
        return [] if found is None else [found]

    def present(self, result: ModulesResult, data: "ClientData", settings: Settings) -> list[Shown]:
        # without module shares the introduction is all the section shows, so the client sees it
        shown = [Shown("markdown", section_intro(data, result.agreement),
                       layer="client" if result.shares is None else "appendix")]
        if result.shares is None:
            return shown
        waves = list(dict.fromkeys(result.shares.loc[result.shares["wave"] != "all waves", "wave"]))
        shown += [
            Shown("table", result.shares[SHARE_COLUMNS],
                  "Experiential modules in the comments: share of comments naming each module (Wilson 95% CI) "
                  "and mean sentiment of the naming sentences (VADER compound, t 95% CI)",
                  {"percent": ("share", "share_ci_low", "share_ci_high"),
                   "rename": {"module_label": "module", "n_texts": "comments", "compound": "sentiment"}},
                  layer="appendix"),
            Shown("figure", share_figure(result.shares, data.config.brand),
                  f"Dot chart: share of {data.config.brand}'s comments naming each of Schmitt's experiential modules "
                  f"(SENSE, FEEL, THINK, ACT, RELATE), one dot per wave ({nv.join(waves)}), with 95% Wilson intervals"),
        ]
        if result.changes is not None:
            shown.append(Shown("table", result.changes[CHANGE_COLUMNS],
                               "Change of each module's share of comments, first to latest wave (Newcombe 95% CI; "
                               "Fisher's exact test, Holm-corrected over the modules)",
                               {"percent": ("share_first", "share_latest", "diff", "ci_low", "ci_high"),
                                "rename": {"module_label": "module", "p_corr": "p_corr (Holm)"}}, layer="appendix"))
            # the client's compact table: the change of each module's share (the chart shows the shares)
            first, latest = result.changes["first_wave"].iloc[0], result.changes["latest_wave"].iloc[0]
            shown.append(Shown("table", result.changes[["module_label", "diff", "ci_low", "ci_high", "p_corr",
                                                        "direction"]],
                               f"Change of each module's share of comments from {first} to {latest} "
                               "(Newcombe 95% CI; Fisher's exact test, Holm-corrected over the modules)",
                               {"percent": ("diff", "ci_low", "ci_high"),
                                "rename": {"module_label": "module", "diff": f"change {first} to {latest}",
                                           "p_corr": "p (Holm)"}}))
        if result.agreement is not None:
            shown.append(Shown("table", result.agreement,
                               f"Codebook against the hand-coded sample ({result.agreement.attrs['file']}): "
                               "Cohen's kappa (asymptotic 95% CI) and Krippendorff's alpha (bootstrap 95% CI)",
                               {"percent": ("agreement",)}, layer="appendix"))
        return shown
