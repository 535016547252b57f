"""Emerging themes: terms whose share of the own brand's verbatims rises in the latest wave.

Terms are compared within one language (:func:`theme_comments`): the analysed comments, in English as
written or as the client's translation, or -- when most comments are in another language -- that language,
with its own stopwords.  Comments in other languages are counted, never mixed in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps import interface
from cem_research.steps.innovation.common import STEP
from cem_research.steps.section import Section, Settings, Shown

#: Most themes the client's compact table lists (the full table in the appendix lists them all).
MAX_CLIENT_ROWS = 10

__all__ = ["theme_comments", "themes_skip_reason", "emerging_themes", "fold_terms", "rising_themes", "themes_finding",
           "EmergingThemes"]


def theme_comments(data) -> pd.DataFrame | None:
    """The own brand's verbatims whose themes are compared: one language only.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.steps.interface.own_feedback` rows in the most frequent analysed language
        (:func:`cem_research.text.analysed_language`: English for every scored comment, as written or
        translated), with ``text`` the analysed text (the translation where the score came from it).
        ``attrs``: ``language`` (its code) and ``left_out`` (language name -> comments in other
        languages, not compared).  ``None`` without verbatims.
    """
    from cem_research import text

    fb = interface.own_feedback(data)
    if fb is None:
        return None
    lang = text.analysed_language(fb).fillna("")
    sizes = lang.value_counts()
    main = sorted(sizes.index, key=lambda k: (-sizes[k], k != "en", k))[0]
    out = fb[lang == main].assign(text=text.analysed_text(fb)[lang == main])
    out.attrs.update(language=main or "en", left_out={text.language_name(k): int(v) for k, v in sizes.items()
                                                      if k != main})
    return out.reset_index(drop=True)


def themes_skip_reason(data) -> str | None:
    """Why the client's verbatims cannot show rising themes (one line), or ``None`` when they can.

    Themes need own-brand verbatims dated by survey wave, in the latest wave and at least one earlier one.
    """
    fb = theme_comments(data)
    if fb is None:
        return "the client supplies no verbatim comments (a feedback file in client.yaml)"
    if "wave" not in fb.columns or fb["wave"].isin(data.waves).sum() == 0:
        return "the verbatim comments carry no survey wave, so rising themes cannot be dated"
    present = [w for w in data.waves if (fb["wave"] == w).any()]
    if len(present) < 2 or present[-1] != data.waves[-1]:
        return ("the verbatims do not cover the latest wave and at least one earlier wave, "
                "so themes cannot be compared over time")
    return None


def emerging_themes(data, ngram_range: tuple[int, int] = (1, 2), min_count: int = 5,
                    alpha: float = 0.05) -> pd.DataFrame | None:
    """Keyness of the latest wave's verbatims against all earlier waves (own brand).

    ``text.rising_terms``: Dunning log-likelihood G² on document counts of uni- and bigrams,
    Benjamini-Hochberg corrected; with the mean sentiment of the comments containing each term.

    Parameters
    ----------
    data : ClientData
    ngram_range : (int, int), default (1, 2)
        Lengths of the terms counted.
    min_count : int, default 5
        Fewest comments a term must appear in.
    alpha : float, default 0.05
        False discovery rate of the rising terms.

    Returns
    -------
    DataFrame or None
        ``text.rising_terms`` columns (``term, target_docs, reference_docs, target_share,
        reference_share, log_ratio, g2, p_corr, rising, share_<wave>..., mean_compound,
        mean_compound_latest``) plus ``latest_ci_low``/``latest_ci_high`` (Wilson interval of the
        latest-wave share) and ``part_of`` (for a rising term, the stronger rising term whose comments
        hold at least 80 % of its own; "" otherwise).  ``attrs``: ``latest``, ``waves``, ``n_latest``,
        ``n_earlier``, ``language`` (of the compared comments, :func:`theme_comments`) and ``left_out``
        (comments in other languages, by language name).  ``None`` when :func:`themes_skip_reason` gives a
        reason.
    """
    from cem_research import text

    if themes_skip_reason(data) is not None:
        return None
    fb = theme_comments(data)
    language, left_out = fb.attrs["language"], fb.attrs["left_out"]
    fb = fb[fb["wave"].isin(data.waves)]
    waves = [w for w in data.waves if (fb["wave"] == w).any()]
    res = text.rising_terms(fb, "text", "wave", waves, ngram_range=ngram_range, min_count=min_count, alpha=alpha,
                            language=language)
    n_latest = int((fb["wave"] == waves[-1]).sum())
    lo, hi = stats.proportion_ci(res["target_docs"].to_numpy(float), np.full(len(res), float(n_latest)))
    res["latest_ci_low"], res["latest_ci_high"] = lo, hi
    res["part_of"] = fold_terms(res, fb.loc[fb["wave"] == waves[-1], "text"].tolist())
    res.attrs.update(latest=waves[-1], waves=waves, n_latest=n_latest,
                     n_earlier=int((fb["wave"] != waves[-1]).sum()), language=language, left_out=left_out)
    return res


def fold_terms(themes: pd.DataFrame, latest_texts: list[str], overlap: float = 0.8) -> list[str]:
    """For each rising term, the stronger rising term it mostly co-occurs with ("" if none).

    Parameters
    ----------
    themes : DataFrame
        ``term, g2, rising`` (the rows of :func:`emerging_themes`).
    latest_texts : list of str
        The latest wave's comments.
    overlap : float, default 0.8
        Share of a term's comments that must also hold the stronger term.

    Returns
    -------
    list of str
        One entry per row of `themes`.

    Notes
    -----
    Rising terms are taken by G² (then length, longer first); a term is *part of* an earlier-kept
    term when at least ``overlap`` of the latest-wave comments containing it also contain that term
    ("oat", "milk" and "extra charge" inside comments about "oat milk").
    """
    from cem_research import text

    rising = themes[themes["rising"]]
    wanted = frozenset(rising["term"])
    # one pass over the comments: for each rising term, the comments holding it as a contiguous
    # n-gram of their tokens (the same n-grams rising_terms counted)
    longest = max((t.count(" ") + 1 for t in wanted), default=1)
    holders: dict[str, set[int]] = {t: set() for t in wanted}
    for i, terms in enumerate(text.term_sets(latest_texts, (1, longest))):
        for t in terms & wanted:
            holders[t].add(i)

    part = {t: "" for t in themes["term"]}
    rising = rising.assign(__len=rising["term"].str.count(" "))  # (from `rising`: no rows may rise)
    rising = rising.sort_values(["g2", "__len", "term"], ascending=[False, False, True], kind="stable")
    kept: list[tuple[str, set[int]]] = []
    for t in rising["term"]:
        d = holders[t]
        lead = next((u for u, du in kept if d and len(d & du) >= overlap * len(d)), None)
        if lead is None:
            kept.append((t, d))
        else:
            part[t] = lead
    return [part[t] for t in themes["term"]]


def rising_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """The significantly rising themes: rising terms that are not part of a stronger one.

    Returns
    -------
    DataFrame
        The rising rows of :func:`emerging_themes` whose ``part_of`` is empty, by G² descending, with
        ``related`` (the rising terms folded into each, comma-separated).  Same ``attrs``.
    """
    rising = themes[themes["rising"]]
    lead = rising[rising["part_of"] == ""].sort_values(["g2", "term"], ascending=[False, True], kind="stable")
    related = rising[rising["part_of"] != ""].groupby("part_of")["term"].agg(lambda s: ", ".join(s))
    out = lead.assign(related=lead["term"].map(related).fillna("")).reset_index(drop=True)
    out.attrs.update(themes.attrs)
    return out


def share_change(row, attrs: dict, confidence: float = 0.95) -> tuple[float, float, float]:
    """The change of a theme's share of comments, latest wave minus earlier waves, with its interval.

    Parameters
    ----------
    row : Series
        A row of :func:`emerging_themes` (``target_docs``, ``reference_docs``).
    attrs : dict
        Its ``attrs`` (``n_latest``, ``n_earlier``: the comments of the latest and earlier waves).
    confidence : float, default 0.95

    Returns
    -------
    (float, float, float)
        Change (a proportion), lower and upper limit: Newcombe's hybrid score interval (method 10,
        from the two Wilson intervals; Newcombe 1998, *Statist. Med.*, 17, 873-890).

    Examples
    --------
    >>> import pandas as pd
    >>> d, lo, hi = share_change(pd.Series({"target_docs": 30, "reference_docs": 10}),
    ...                          {"n_latest": 100, "n_earlier": 200})
    >>> round(d, 2), bool(0 < lo < d < hi)
    (0.25, True)
    """
    n1, n2 = float(attrs.get("n_latest") or np.nan), float(attrs.get("n_earlier") or np.nan)
    x1, x2 = float(row["target_docs"]), float(row["reference_docs"])
    if not (n1 > 0 and n2 > 0):
        return np.nan, np.nan, np.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = stats.proportion_ci(x1, n1, confidence)
    l2, u2 = stats.proportion_ci(x2, n2, confidence)
    d = p1 - p2
    return d, d - float(np.hypot(p1 - l1, u2 - p2)), d + float(np.hypot(u1 - p1, p2 - l2))


def _language_note(attrs: dict) -> str:
    """"" for comments in one language; else which language was compared and which were left out."""
    left = attrs.get("left_out") or {}
    if not left:
        return ""
    from cem_research.text import language_name

    return (f"; {language_name(attrs.get('language'))} comments only, not compared: "
            + "; ".join(f"{name}, {nv.count(n, 'comment')}" for name, n in left.items()))


def themes_finding(themes: pd.DataFrame) -> dict:
    """Plain-words finding for "Emerging themes" (computed from :func:`emerging_themes`).

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`.
    """
    latest = themes.attrs.get("latest", "the latest wave")
    rising = rising_themes(themes)
    if rising.empty:
        return {"text": (f"No term becomes significantly more frequent in {latest}'s verbatims "
                         f"(n = {themes.attrs.get('n_latest', '?')}) than in earlier waves (Benjamini-Hochberg)."),
                "key": "rising_theme", "value": None, "ci": None}
    bits = []
    for _, r in rising.head(3).iterrows():
        sent = r.get("mean_compound_latest", np.nan)
        bits.append(f"“{r['term']}” in {nv.pct(r['target_share'])} "
                    f"({nv.pct_ci(r['latest_ci_low'], r['latest_ci_high'])}) of comments against "
                    f"{nv.pct(r['reference_share'])} before (G² = {nv.num(r['g2'], 1)}, "
                    f"corrected {nv.p(r['p_corr'])}; "
                    f"mean sentiment {nv.signed(sent)})")
    top = rising.iloc[0]
    text = (f"Customers increasingly mention “{top['term']}”: {nv.pct(top['target_share'])} of {latest}'s "
            f"comments against {nv.pct(top['reference_share'])} before. "
            f"{len(rising)} theme(s) rise significantly in {latest} (n = {themes.attrs.get('n_latest', '?')} comments "
            f"against {themes.attrs.get('n_earlier', '?')} earlier): " + "; ".join(bits) + ".")
    # a significantly rising theme is news for the client: page one and the agenda carry it
    return {"text": text, "headline": True, "key": "rising_theme", "value": float(top["target_share"]),
            "ci": (float(top["latest_ci_low"]), float(top["latest_ci_high"]))}


class EmergingThemes(Section):
    """Terms whose share of the own brand's verbatims rises in the latest wave (G², Benjamini-Hochberg)."""

    step = STEP
    title = "Emerging themes"

    def skip_reason(self, data, settings: Settings) -> str | None:
        return themes_skip_reason(data)

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        return emerging_themes(data)

    def findings(self, result: pd.DataFrame, data, settings: Settings) -> list[dict]:
        return [themes_finding(result)]

    def present(self, result: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        rising = rising_themes(result)
        shares = [c for c in rising.columns if c.startswith("share_")]
        table = rising[["term", "related", "target_docs", *shares, "latest_ci_low", "latest_ci_high", "g2",
                        "p_corr", "mean_compound_latest"]]
        caption = (f"Themes rising in {result.attrs['latest']} ({result.attrs['n_latest']} comments) "
                   f"against earlier waves ({result.attrs['n_earlier']} comments)" + _language_note(result.attrs))
        shown = [Shown("table", table, caption, {"percent": (*shares, "latest_ci_low", "latest_ci_high")},
                       layer="appendix")]
        if rising.empty:  # the finding says that no theme rises
            return shown
        # the client's compact table: the share before and in the latest wave, the change with its
        # interval (percentage points, as the agenda's evidence states it) and the corrected p
        latest, top = result.attrs["latest"], rising.head(MAX_CLIENT_ROWS)
        more = f"; the {len(top)} strongest of {len(rising)}" if len(rising) > len(top) else ""
        changes = [share_change(r, result.attrs) for _, r in top.iterrows()]
        compact = top[["term", "reference_share", "target_share"]].assign(
            change=[f"{nv.signed(100 * d, 0)} ({nv.num(100 * lo, 0)} to {nv.num(100 * hi, 0)})"
                    for d, lo, hi in changes], p_corr=top["p_corr"])
        shown.append(Shown("table", compact,
                           f"Themes rising in {latest}: share of comments in earlier waves and in {latest}, the "
                           "change in percentage points (Newcombe 95% CI) and the Benjamini-Hochberg corrected "
                           f"p{more}" + _language_note(result.attrs),
                           {"percent": ("reference_share", "target_share"),
                            "rename": {"term": "theme", "reference_share": "share, earlier waves",
                                       "target_share": f"share, {latest}", "change": "change, points (95% CI)"}}))
        return shown
