"""Tests of cem_research.text (sentiment, cache, tokenization, keyness, PII masking, aspects)."""

from __future__ import annotations

import csv
import doctest
import importlib
import importlib.util
import pickle
import pkgutil
import math
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_research.client.paths import RESOURCES
from cem_research import text as T
from cem_research.text import sentiment as sentiment_module

GROUND_TRUTH = Path("/work/shared/external/vader-groundtruth/amazonReviewSnippets_GroundTruth.txt")

# Strings that have broken text pipelines: emoji (incl. ZWJ sequences and flags), CJK, Arabic and Hebrew
# with RTL marks and overrides, combining marks, a lone surrogate, control characters, HTML.
NASTY = [
    "",
    " ",
    "😀😡👍🏽 👨‍👩‍👧 🇬🇧!!!",
    "日本語のテキストです。とても良い！",
    "这是一个很好的产品",
    "مرحبا بالعالم \u200f الخدمة سيئة",
    "\u202eevil override\u202c and \u2067isolate\u2069",
    "שלום \u200f עולם",
    "Zalgo: Z̷̢̛a̸̧l̶g̵o̴ ̷t̵e̶x̴t̷",
    "lone surrogate \ud800 here \udfff",
    "\x00\x01\x07 control \x1b[31m chars \x7f",
    "<script>alert('x')</script> & \"quotes\"",
    "NaN",
    "🤬" * 500,
    "a" * 10_000,
]


# --------------------------------------------------------------------------------------------------
# sentiment and cache
# --------------------------------------------------------------------------------------------------


def _plain_nltk_analyzer(monkeypatch):
    """NLTK's analyzer built here independently of cem_research (same offline lexicon)."""
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    spec = importlib.util.find_spec("vaderSentiment")
    folder = spec.submodule_search_locations[0]
    monkeypatch.setattr(nltk.data, "path", [folder, *nltk.data.path])
    return SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")


@pytest.mark.skipif(not GROUND_TRUTH.is_file(), reason="VADER ground-truth folder not available")
def test_amazon_ground_truth_correlation_equals_plain_nltk(monkeypatch):
    with open(GROUND_TRUTH, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == 3708
    assert all(len(r) == 3 for r in rows)
    human = np.array([float(r[1]) for r in rows])
    texts = pd.Series([r[2] for r in rows], index=[r[0] for r in rows])

    scores, cache = T.score_sentiment(texts, n_jobs=2)
    assert scores.index.equals(texts.index)
    r_ours = np.corrcoef(human, scores["compound"].to_numpy())[0, 1]

    plain = _plain_nltk_analyzer(monkeypatch)
    r_plain = np.corrcoef(human, [plain.polarity_scores(t)["compound"] for t in texts])[0, 1]

    assert r_ours >= 0.56
    assert abs(r_ours - r_plain) < 1e-9
    # reference value on this machine: NLTK 3.10.4 + vaderSentiment 3.3.2 lexicon
    assert r_ours == pytest.approx(0.5707, abs=0.002)


def test_analyzer_is_cached_and_uses_full_lexicon():
    a = T.sentiment_analyzer()
    assert a is T.sentiment_analyzer()
    assert len(a.lexicon) > 7000
    assert a.lexicon["ugly"] < 0 < a.lexicon["good"]


def test_analyzer_missing_package_names_vadersentiment(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def fake_find_spec(name, *args, **kwargs):
        if name == "vaderSentiment":
            return None
        return real_find_spec(name, *args, **kwargs)

    T.sentiment_analyzer.cache_clear()
    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    try:
        with pytest.raises(RuntimeError, match="vadersentiment"):
            T.sentiment_analyzer()
    finally:
        monkeypatch.undo()
        T.sentiment_analyzer.cache_clear()
    assert T.sentiment_analyzer().polarity_scores("good")["compound"] > 0


def test_polarity_matches_nltk_and_keeps_case_punctuation(monkeypatch):
    plain = _plain_nltk_analyzer(monkeypatch)
    for text in ["The coffee is GOOD!!!", "the coffee is good", "Not bad at all :)", "The design is ugly."]:
        ours = T.polarity(text)
        ref = plain.polarity_scores(text)
        assert list(ours) == ["compound", "pos", "neu", "neg"]
        assert ours == {k: ref[k] for k in ours}
    assert T.polarity("The coffee is GOOD!!!")["compound"] > T.polarity("the coffee is good")["compound"]


def test_polarity_missing_is_zero():
    zeros = {"compound": 0.0, "pos": 0.0, "neu": 0.0, "neg": 0.0}
    assert T.polarity(None) == zeros
    assert T.polarity(float("nan")) == zeros
    assert T.polarity(pd.NA) == zeros
    assert T.polarity("") == zeros


def test_text_key_is_sha1_of_utf8():
    import hashlib

    assert T.text_key("café ☕") == hashlib.sha1("café ☕".encode()).hexdigest()
    assert T.text_key(None) == T.text_key("") == hashlib.sha1(b"").hexdigest()
    assert len(T.text_key("\ud800")) == 40  # lone surrogate does not raise


def test_score_sentiment_aligned_deduplicated_and_cached():
    texts = pd.Series(
        ["Great coffee!", "Slow service.", "Great coffee!", None, "Great coffee!"], index=[10, 11, 12, 13, 14]
    )
    scores, cache = T.score_sentiment(texts)
    assert list(scores.columns) == ["compound", "pos", "neu", "neg"]
    assert scores.index.equals(texts.index)
    assert scores.attrs["scored"] == 3  # "Great coffee!" once, "Slow service." once, missing once
    assert len(cache) == 3 and cache.index.name == "key"
    assert list(cache.columns) == ["compound", "pos", "neu", "neg"]
    assert scores.loc[10].equals(scores.loc[12])
    assert scores.loc[10, "compound"] == T.polarity("Great coffee!")["compound"]
    assert (scores.loc[13] == 0).all()

    again, cache2 = T.score_sentiment(texts, cache=cache)
    assert again.attrs["scored"] == 0
    assert again.attrs["cached"] == 3
    pd.testing.assert_frame_equal(again, scores, check_exact=True)
    assert len(cache2) == 3

    more, cache3 = T.score_sentiment(["Great coffee!", "Awful, cold latte."], cache=cache2)
    assert more.attrs["scored"] == 1
    assert len(cache3) == 4
    assert more.index.tolist() == [0, 1]

    # a cache read back from a file with the key as a column works the same
    flat = cache3.reset_index()
    assert list(flat.columns) == ["key", "compound", "pos", "neu", "neg"]
    back, _ = T.score_sentiment(texts, cache=flat)
    assert back.attrs["scored"] == 0
    pd.testing.assert_frame_equal(back, scores, check_exact=True)


def test_score_sentiment_empty_and_bad_cache():
    scores, cache = T.score_sentiment([])
    assert scores.empty and list(scores.columns) == ["compound", "pos", "neu", "neg"]
    assert scores.attrs["scored"] == 0
    with pytest.raises(ValueError, match="compound"):
        T.score_sentiment(["x"], cache=pd.DataFrame({"score": [1.0]}, index=["k"]))


def test_score_sentiment_parallel_identical(monkeypatch):
    rng = np.random.default_rng(7)
    words = ["great", "awful", "coffee", "slow", "LOVE", "not", "bad", "!!!", ":)", "design", "ugly", "fine"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 12))) + f" #{i}" for i in range(600)]
    texts += texts[:50]  # duplicates

    calls = []
    real = sentiment_module._score_parallel
    # patch the module score_sentiment lives in, so the spy is the function it really calls
    monkeypatch.setattr(sentiment_module, "_score_parallel", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))

    serial, cache1 = T.score_sentiment(texts, n_jobs=1)
    parallel, cache2 = T.score_sentiment(texts, n_jobs=2, chunk_size=64)
    assert calls == [(2, 64)]  # the pool really ran
    assert serial.attrs["scored"] == parallel.attrs["scored"] == 600
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)
    pd.testing.assert_frame_equal(cache1.sort_index(), cache2.sort_index(), check_exact=True)

    again, _ = T.score_sentiment(texts, cache=cache2, n_jobs=2, chunk_size=64)
    assert again.attrs["scored"] == 0 and len(calls) == 1


# --------------------------------------------------------------------------------------------------
# robustness on arbitrary Unicode
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("s", NASTY)
def test_text_functions_never_raise(s):
    p = T.polarity(s)
    assert set(p) == {"compound", "pos", "neu", "neg"} and -1 <= p["compound"] <= 1
    toks = T.tokenize(s)
    assert all(isinstance(t, str) and t == t.lower() and t for t in toks)
    out = T.safe_text(s, max_chars=50)
    assert len(out) <= 50 * 6  # escaping may lengthen, never unbounded
    assert "<" not in out and ">" not in out
    out.encode("utf-8")  # writable into a UTF-8 report (lone surrogates replaced)
    assert "\u202e" not in out
    T.mask_pii(s)
    T.text_key(s)


def test_one_megabyte_string_is_fast():
    rng = np.random.default_rng(0)
    pieces = ["great", "coffee", "😀", "日本語", "مرحبا", "\u200f", "not", "BAD!!!", "+44 20 7946 0958", "a@b.io"]
    big = " ".join(rng.choice(pieces, size=200_000))[:1_000_000]
    assert len(big) == 1_000_000
    start = time.perf_counter()
    T.tokenize(big)
    T.polarity(big)
    out = T.safe_text(big)
    assert time.perf_counter() - start < 20  # typically ~1 s
    assert len(out) < 400


# --------------------------------------------------------------------------------------------------
# tokenization and term counts
# --------------------------------------------------------------------------------------------------


def test_tokenize_letters_apostrophes_and_stopwords():
    assert T.tokenize("The latte wasn't hot -- 2 stars! mp3 ad-2500") == ["latte", "wasn't", "hot", "stars", "ad"]
    assert T.tokenize("The Latte", stopwords=False) == ["the", "latte"]
    assert T.tokenize("Don’t GO") == ["don't", "go"]
    assert T.tokenize("Café 日本語 مرحبا हिन्दी") == ["café", "日本語", "مرحبا", "हिन्दी"]
    assert T.tokenize(None) == [] and T.tokenize(float("nan")) == []


def test_stopword_file_is_shipped_and_documented():
    path = RESOURCES / "stopwords_en.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "cem-research" in lines[0]
    words = T.stopword_list()
    assert 120 <= len(words) <= 200
    assert {"the", "and", "of", "is"} <= words
    assert not {"not", "no", "never"} & words


def test_term_counts_are_document_frequencies():
    tc = T.term_counts(["great coffee great coffee", "great service", "slow"], ngram_range=(1, 2))
    got = dict(zip(tc["term"], tc["docs"]))
    assert got["great"] == 2  # counted once per document
    assert got["great coffee"] == 1
    assert got["coffee great"] == 1
    assert list(tc.columns) == ["term", "ngram", "docs", "share"]
    assert tc.loc[tc["term"] == "great", "share"].item() == pytest.approx(2 / 3)
    assert T.term_counts(["x y", "z w"], ngram_range=(1, 1), min_df=2)["term"].tolist() == []
    assert T.term_counts(["x y", "y z"], ngram_range=(1, 1), min_df=2)["term"].tolist() == ["y"]


# --------------------------------------------------------------------------------------------------
# keyness
# --------------------------------------------------------------------------------------------------


def test_g2_matches_hand_computation():
    # term in a = 30 of c = 60 target docs and b = 20 of d = 140 reference docs:
    # E1 = 60*50/200 = 15, E2 = 140*50/200 = 35, G2 = 2*(30 ln(30/15) + 20 ln(20/35)) = 19.2041993...
    target = ["refund"] * 30 + ["other"] * 30
    reference = ["refund"] * 20 + ["other"] * 120
    k = T.keyness(target, reference, ngram_range=(1, 1), min_count=1).set_index("term")
    row = k.loc["refund"]
    hand = 2 * (30 * math.log(30 / 15) + 20 * math.log(20 / 35))
    assert hand == pytest.approx(19.204199316, abs=1e-8)
    assert row["g2"] == pytest.approx(hand, rel=1e-12)
    assert row["p_unc"] == pytest.approx(math.erfc(math.sqrt(hand / 2)), rel=1e-9)  # chi2(1) tail
    assert (row["n"], row["target_docs"], row["reference_docs"]) == (50, 30, 20)
    assert row["target_share"] == 0.5 and row["reference_share"] == pytest.approx(20 / 140)
    assert row["log_ratio"] == pytest.approx(math.log2((30.5 / 60) / (20.5 / 140)))
    assert row["direction"] == "over"
    # symmetric 2x2: a=40 of 100, b=5 of 100 -> E = 22.5 each
    k2 = T.keyness(["x"] * 40 + ["y"] * 60, ["x"] * 5 + ["y"] * 95, ngram_range=(1, 1), min_count=1)
    g2 = k2.set_index("term").loc["x", "g2"]
    assert g2 == pytest.approx(2 * (40 * math.log(40 / 22.5) + 5 * math.log(5 / 22.5)), rel=1e-12)
    assert g2 == pytest.approx(30.98835762, abs=1e-6)


def _corpus(n, rng, planted=None, share=0.0, equal_share=0.3):
    filler = ["cup", "table", "morning", "staff", "price", "seat", "window", "music", "milk", "queue",
              "friendly", "warm", "quick", "order", "visit", "week", "sunday", "tuesday", "counter", "menu"]
    docs = []
    for i in range(n):
        words = list(rng.choice(filler, size=6))
        if planted and i < round(share * n):
            words.append(planted)
        if i % 10 < round(equal_share * 10):
            words.append("espresso")
        rng.shuffle(words)
        docs.append(" ".join(words))
    return docs


def test_keyness_planted_term_is_over_and_equal_term_is_not():
    rng = np.random.default_rng(42)
    target = _corpus(200, rng, planted="refund", share=0.40)
    reference = _corpus(400, rng, planted="refund", share=0.05)
    k = T.keyness(target, reference, ngram_range=(1, 2), min_count=5)
    assert list(k.columns) == list(T.KEYNESS_COLUMNS)
    row = k.set_index("term").loc["refund"]
    assert row["target_docs"] == 80 and row["reference_docs"] == 20
    assert bool(row["significant"]) and row["direction"] == "over"
    assert row["p_corr"] < 0.001 and row["log_ratio"] > 2
    assert k.iloc[0]["term"] == "refund"  # the strongest over-represented term comes first
    equal = k.set_index("term").loc["espresso"]
    assert equal["target_share"] == equal["reference_share"] == pytest.approx(0.3)
    assert not bool(equal["significant"]) and equal["g2"] == pytest.approx(0, abs=1e-9)
    # sorted: over-represented by g2 descending, then the rest
    over = k[k["direction"] == "over"]
    assert over.index.max() < len(over)
    assert over["g2"].is_monotonic_decreasing
    assert (k["p_corr"] >= k["p_unc"] - 1e-15).all()


def test_keyness_empty_side_returns_empty_frame():
    k = T.keyness([], ["a b c"] * 10, min_count=1)
    assert k.empty and list(k.columns) == list(T.KEYNESS_COLUMNS)


def test_characteristic_terms_per_group():
    rng = np.random.default_rng(3)
    a = _corpus(150, rng, planted="queue", share=0.5)
    b = _corpus(150, rng, planted="pastry", share=0.5)
    c = _corpus(150, rng)
    df = pd.DataFrame({"comment": a + b + c, "brand": ["A"] * 150 + ["B"] * 150 + ["C"] * 150})
    ct = T.characteristic_terms(df, "comment", "brand", ngram_range=(1, 1), min_count=5, top=3)
    assert list(ct.columns[:2]) == ["group", "rank"]
    assert list(ct.columns[2:]) == list(T.KEYNESS_COLUMNS)
    assert (ct["direction"] == "over").all()
    top1 = ct[ct["rank"] == 1].set_index("group")["term"]
    assert top1["A"] == "queue" and top1["B"] == "pastry"
    assert ct.groupby("group").size().max() <= 3


def test_rising_terms_flags_new_topic_and_sentiment():
    rng = np.random.default_rng(5)
    q1, q2, q3 = _corpus(200, rng), _corpus(200, rng), _corpus(200, rng, planted="outage", share=0.3)
    df = pd.DataFrame({"comment": q1 + q2 + q3, "wave": ["Q1"] * 200 + ["Q2"] * 200 + ["Q3"] * 200})
    df["compound"] = np.where(df["comment"].str.contains("outage"), -0.6, 0.2)
    r = T.rising_terms(df, "comment", "wave", ["Q1", "Q2", "Q3"], ngram_range=(1, 1), min_count=5)
    row = r.set_index("term").loc["outage"]
    assert bool(row["rising"]) and row["direction"] == "over"
    assert row["share_Q1"] == 0 and row["share_Q2"] == 0 and row["share_Q3"] == pytest.approx(0.3)
    assert row["mean_compound"] == pytest.approx(-0.6)
    assert r.iloc[0]["term"] == "outage"
    assert not r.set_index("term").loc["espresso", "rising"]
    with pytest.raises(ValueError):
        T.rising_terms(df, "comment", "wave", ["Q3"])


# --------------------------------------------------------------------------------------------------
# PII masking and safe display
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("write to jo.doe+cx@example.co.uk please", "write to [email] please"),
        ("call +44 20 7946 0958 today", "call [phone] today"),
        ("my number (555) 123-4567.", "my number [phone]."),
        ("or 555-123-4567", "or [phone]"),
        ("+1 (555) 123-4567", "[phone]"),
        ("+44 (0)20 7946 0958", "[phone]"),
        ("mobile 07700 900123", "mobile [phone]"),
        ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("amex 3782 822463 10005", "amex [card]"),
        ("4111111111111111", "[card]"),
        ("card 4111.1111.1111.1111.", "card [card]."),
        ("write to jane.o'brien@example.com", "write to [email]"),
        ("'jane@example.com'", "'[email]'"),
        ("admin: root@localhost", "admin: [email]"),
        ("IBAN DE89 3704 0044 0532 0130 00, thanks", "IBAN [iban], thanks"),
        ("refund to GB82WEST12345698765432", "refund to [iban]"),
        ("FR14 2004 1010 0505 0001 3M02 606", "[iban]"),
    ],
)
def test_mask_pii_masks(raw, expected):
    assert T.mask_pii(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "3 coffees for 4.50 in 2025",
        "rated it 10/10",
        "visited on 12.03.2025 and 2025-03-12 at 10:30",
        "pi is 3.14159265",
        "1,234,567 visitors",
        "Table 12, 2 lattes, 1 cake, £4.50 x 2",
        "scores 1 2 3 4 5 6 7 8",
        "ISBN 978-3-16-148410-0",
        "version 1.2.3.4 of the app",
        "meet @ 5 at the counter, @barista was lovely",
        "room B12 on floor 3",
    ],
)
def test_mask_pii_leaves_ordinary_numbers(raw):
    assert T.mask_pii(raw) == raw


def test_safe_text_escapes_masks_and_truncates():
    assert T.safe_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert T.safe_text('say "hi" & \'bye\'') == "say &quot;hi&quot; &amp; &#x27;bye&#x27;"
    out = T.safe_text("Mail me at a.b@example.com or call +44 20 7946 0958")
    assert "@" not in out and "7946" not in out and "[email]" in out and "[phone]" in out
    long = "word " * 200
    cut = T.safe_text(long, max_chars=50)
    assert cut.endswith("…") and len(cut) <= 50 and cut[:-1].endswith("word")
    assert T.safe_text(None) == ""
    assert T.safe_text("short", max_chars=None) == "short"
    # truncation happens after masking, so a cut can never leave half a phone number behind
    assert "0958" not in T.safe_text("x" * 40 + " +44 20 7946 0958", max_chars=50)


# --------------------------------------------------------------------------------------------------
# aspects
# --------------------------------------------------------------------------------------------------


def test_default_lexicon_has_three_brand_elements():
    lex = T.load_lexicon()
    assert list(lex) == ["product", "look_and_feel", "communications"]
    assert {"design*", "packaging", "logo*"} <= set(lex["look_and_feel"])
    assert {"tast*", "quality", "coffee*"} <= set(lex["product"])
    assert {"newsletter*", "social media", "website*"} <= set(lex["communications"])
    header = (RESOURCES / "aspects.yaml").read_text(encoding="utf-8")
    assert header.startswith("#") and "client.yaml" in header and "aspects:" in header


def test_load_lexicon_overrides_and_validation(tmp_path):
    lex = T.load_lexicon(overrides={"product": ["Croissant*", "oat milk"], "service": ["staff"], "communications": []})
    assert lex["product"] == ["croissant*", "oat milk"]
    assert lex["service"] == ["staff"] and "communications" not in lex
    f = tmp_path / "lex.yaml"
    f.write_text("aspects:\n  service: [staff, barista*]\n", encoding="utf-8")
    assert T.load_lexicon(f) == {"service": ["staff", "barista*"]}
    f.write_text("service: [st*aff]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="only at the end"):
        T.load_lexicon(f)
    with pytest.raises(ValueError, match="list"):
        T.load_lexicon({"service": {"a": 1}})


def test_aspect_mentions_design_negative():
    df = pd.DataFrame(
        {"comment": ["The design is ugly.", "Love the taste! Saw your Instagram ad.", "Nothing special"],
         "brand": ["A", "B", "A"]},
        index=[101, 102, 103],
    )
    m = T.aspect_mentions(df, "comment")
    assert list(m.columns[:5]) == ["aspect", "terms", "sentence", "n_sentences", "compound"]
    assert "brand" in m.columns
    first = m.loc[[101]]
    assert first["aspect"].tolist() == ["look_and_feel"]
    assert first["terms"].item() == "design"
    assert first["compound"].item() < 0
    assert first["compound"].item() == T.polarity("The design is ugly.")["compound"]
    second = m.loc[[102]].set_index("aspect")
    assert second.loc["product", "terms"] == "taste"
    assert second.loc["product", "compound"] > 0  # only the sentence that mentions the aspect
    assert second.loc["communications", "terms"] == "instagram, ad"
    assert 103 not in m.index


def test_aspect_mentions_phrases_and_wildcards():
    lex = {"comms": ["social media", "email campaign*"], "taste": ["tast*"]}
    df = pd.DataFrame({"c": ["Tasteless food. Your social media and e-mail campaigns are great.\nThe email campaigns too"]})
    m = T.aspect_mentions(df, "c", lex)
    got = m.set_index("aspect")
    assert got.loc["taste", "terms"] == "tasteless"
    assert got.loc["comms", "terms"] == "social media, email campaigns"
    assert got.loc["comms", "n_sentences"] == 2
    assert T.aspect_mentions(df, "c", {"x": ["social"]})["terms"].tolist() == ["social"]
    assert T.aspect_mentions(df, "c", {"x": ["media social"]}).empty


def test_aspect_sentiment_summary_with_t_interval():
    df = pd.DataFrame({
        "c": ["The design is ugly.", "Lovely design!", "Ugly logo.", "Great coffee.", "Horrible coffee."],
        "brand": ["A", "A", "A", "B", "B"],
    })
    m = T.aspect_mentions(df, "c")
    s = T.aspect_sentiment(m)
    assert list(s.columns) == ["aspect", "n", "compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"]
    assert s["aspect"].tolist() == ["product", "look_and_feel", "communications"]
    lf = s.set_index("aspect").loc["look_and_feel"]
    v = m.loc[m["aspect"] == "look_and_feel", "compound"].to_numpy()
    half = 4.302652729749464 * v.std(ddof=1) / math.sqrt(3)  # t(0.975, 2)
    assert lf["n"] == 3 and lf["compound"] == pytest.approx(v.mean())
    assert (lf["ci_low"], lf["ci_high"]) == pytest.approx((v.mean() - half, v.mean() + half))
    assert lf["share_negative"] == pytest.approx(2 / 3)
    assert s.set_index("aspect").loc["communications", "n"] == 0
    by = T.aspect_sentiment(m, by="brand")
    assert list(by.columns[:3]) == ["brand", "aspect", "n"]
    assert by[["brand", "aspect", "n"]].values.tolist() == [["A", "look_and_feel", 3], ["B", "product", 2]]


def test_aspect_mentions_score_sentences_through_the_sentiment_module(monkeypatch):
    """aspect_mentions uses text.sentiment's score_sentiment (one VADER path for every caller)."""
    from cem_research.text import aspects

    assert aspects.score_sentiment is T.score_sentiment is sentiment_module.score_sentiment
    calls = []
    real = sentiment_module._score_many
    monkeypatch.setattr(sentiment_module, "_score_many", lambda texts: calls.append(list(texts)) or real(texts))
    T.aspect_mentions(pd.DataFrame({"c": ["Great coffee. Ugly logo."]}), "c")
    assert calls == [["Great coffee.", "Ugly logo."]]


# --------------------------------------------------------------------------------------------------
# package layout: submodules, re-exports, docs
# --------------------------------------------------------------------------------------------------


def _text_modules():
    names = sorted(m.name for m in pkgutil.iter_modules(T.__path__))
    return [T] + [importlib.import_module(f"{T.__name__}.{name}") for name in names]


def test_text_submodules_and_public_names():
    names = {m.__name__.rsplit(".", 1)[-1] for m in _text_modules()}
    assert {"sentiment", "terms", "keyness", "safety", "aspects", "common"} <= names
    for name in T.__all__:
        obj = getattr(T, name)
        if callable(obj):
            home = importlib.import_module(obj.__module__)
            assert home.__name__.startswith("cem_research.text."), name
            assert getattr(home, name) is obj and name in home.__all__, name
            doc = obj.__doc__ or ""
            for section in ("Returns", "Examples"):
                assert f"{section}\n    ---" in doc, f"{name} lacks {section}"
    assert (T.NEGATIVE_THRESHOLD, T.POSITIVE_THRESHOLD) == (-0.05, 0.05)
    assert T.SENTIMENT_COLUMNS == ("compound", "pos", "neu", "neg")


@pytest.mark.parametrize("module", _text_modules(), ids=lambda m: m.__name__)
def test_text_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_text_docstring_examples_are_many():
    attempted = sum(doctest.testmod(m, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE).attempted
                    for m in _text_modules())
    assert attempted > 30


def test_worker_functions_pickle_by_their_module_path():
    """The pool sends these to worker processes by reference: they must round-trip through pickle."""
    for fn in (sentiment_module._worker_init, sentiment_module._worker_score):
        assert fn.__module__ == "cem_research.text.sentiment"
        assert pickle.loads(pickle.dumps(fn)) is fn


def test_vader_words_are_the_analyzers_lexicon():
    assert T.vader_words() == frozenset(T.sentiment_analyzer().lexicon)


def test_processed_cache_holds_every_sentence_so_aspect_mentions_scores_nothing(clients):
    """Processing scores each verbatim's sentences into the cache: the aspect analyses of the notebooks
    then score nothing again, and their results equal the uncached ones."""
    import pandas as pd

    data = clients["coffee_house"]
    assert data.sentiment_cache is not None
    fb = T.scored_feedback(data.feedback).head(300)
    cached = T.aspect_mentions(fb, "text", keep=[], cache=data.sentiment_cache)
    fresh = T.aspect_mentions(fb, "text", keep=[])
    pd.testing.assert_frame_equal(cached, fresh)
    sentences = T.mention_sentences(fb["text"])
    scores, _ = T.score_sentiment(sentences, cache=data.sentiment_cache)
    assert scores.attrs["scored"] == 0 and len(sentences) > 100
