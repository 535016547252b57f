"""Verbatims in the customer's language (issue 18): identification, English-only sentiment, coverage notes.

The mixed-language test client is the tiny client with some of its own-brand comments replaced by Spanish
and German ones written here (with English machine translations for the translation-column variant).
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from cem_research import text
from cem_research.steps.section import Settings
from tests.conftest import TINY, make_project, project_root

# ---------------------------------------------------------------------------------------------------
# a labelled multilingual sample: short customer comments, 12 per language, written for this test
# ---------------------------------------------------------------------------------------------------
LABELLED = {
    "en": ["The coffee was cold and the staff seemed bored.", "Great service, friendly barista, will come back.",
           "The app crashed twice while I was paying.", "Too expensive for such a small cup.",
           "Lovely atmosphere but the music is far too loud.", "My order was wrong again this morning.",
           "Clean tables and quick service, thank you.", "The new loyalty card is confusing.",
           "Waited twenty minutes for a simple latte.", "Best croissants in town, always fresh.",
           "Nobody answered the phone when I called.", "The staff were polite and very helpful."],
    "es": ["El café estaba frío y el personal parecía aburrido.", "Muy buen servicio, volveré pronto.",
           "La aplicación se bloqueó dos veces al pagar.", "Demasiado caro para una taza tan pequeña.",
           "Ambiente agradable pero la música está muy alta.", "Otra vez se equivocaron con mi pedido.",
           "Mesas limpias y atención rápida, gracias.", "La nueva tarjeta de fidelidad es confusa.",
           "Esperé veinte minutos por un café con leche.", "Los mejores cruasanes de la ciudad.",
           "Nadie contestó el teléfono cuando llamé.", "El personal fue amable y muy atento."],
    "de": ["Der Kaffee war kalt und das Personal wirkte gelangweilt.", "Toller Service, ich komme gerne wieder.",
           "Die App ist beim Bezahlen zweimal abgestürzt.", "Viel zu teuer für so eine kleine Tasse.",
           "Schöne Atmosphäre, aber die Musik ist viel zu laut.", "Meine Bestellung war heute wieder falsch.",
           "Saubere Tische und schnelle Bedienung, danke.", "Die neue Kundenkarte ist verwirrend.",
           "Ich habe zwanzig Minuten auf einen Latte gewartet.", "Die besten Croissants der Stadt, immer frisch.",
           "Niemand ist ans Telefon gegangen.", "Die Mitarbeiter waren höflich und sehr hilfsbereit."],
    "fr": ["Le café était froid et le personnel semblait s'ennuyer.", "Très bon service, je reviendrai.",
           "L'application a planté deux fois pendant le paiement.", "Beaucoup trop cher pour une si petite tasse.",
           "Ambiance agréable mais la musique est trop forte.", "Ma commande était encore fausse ce matin.",
           "Tables propres et service rapide, merci.", "La nouvelle carte de fidélité est compliquée.",
           "J'ai attendu vingt minutes pour un simple café au lait.", "Les meilleurs croissants de la ville.",
           "Personne n'a répondu au téléphone.", "Le personnel était poli et très serviable."],
    "it": ["Il caffè era freddo e il personale sembrava annoiato.", "Ottimo servizio, tornerò sicuramente.",
           "L'app si è bloccata due volte durante il pagamento.", "Troppo caro per una tazza così piccola.",
           "Atmosfera piacevole ma la musica è troppo alta.", "Il mio ordine era di nuovo sbagliato.",
           "Tavoli puliti e servizio veloce, grazie.", "La nuova carta fedeltà è confusa.",
           "Ho aspettato venti minuti per un semplice latte.", "I migliori cornetti della città.",
           "Nessuno ha risposto al telefono.", "Il personale è stato gentile e molto disponibile."],
}

SPANISH = [("Me encanta este lugar, el personal es maravilloso.", "I love this place, the staff are wonderful."),
           ("El servicio fue terrible y el café estaba frío.", "The service was terrible and the coffee was cold."),
           ("La aplicación no funciona y nadie me ayudó.", "The app does not work and nobody helped me."),
           ("Muy buen café, volveré con mis amigos.", "Very good coffee, I will come back with my friends."),
           ("Esperé demasiado tiempo en la cola del mostrador.", "I waited far too long in the queue at the counter."),
           ("El personal fue muy amable y rápido.", "The staff were very kind and fast.")]
GERMAN = [("Der Kaffee war schrecklich und viel zu teuer.", "The coffee was terrible and far too expensive."),
          ("Sehr freundliche Bedienung, ich komme gerne wieder.", "Very friendly service, I will gladly come back."),
          ("Die App ist beim Bestellen abgestürzt, sehr ärgerlich.", "The app crashed while ordering, very annoying."),
          ("Das Personal war unfreundlich und langsam.", "The staff were unfriendly and slow.")]
N_ES, N_DE = 30, 20


def _mixed_feedback(folder, translation: bool) -> dict:
    """Replace own-brand comments of the copied tiny client by Spanish and German ones; returns the counts."""
    cfg = yaml.safe_load((folder / "client.yaml").read_text())
    spec = cfg["feedback"]
    path = folder / spec["file"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    own = frame.index[frame[spec["brand"]] == cfg["brand"]].tolist()
    assert len(own) >= N_ES + N_DE + 20, "the tiny client needs enough own-brand comments"
    es_rows, de_rows = own[:N_ES], own[N_ES:N_ES + N_DE]
    english = frame[spec["text"]].copy()
    for i, row in enumerate(es_rows):
        frame.loc[row, spec["text"]] = SPANISH[i % len(SPANISH)][0]
    for i, row in enumerate(de_rows):
        frame.loc[row, spec["text"]] = GERMAN[i % len(GERMAN)][0]
    if translation:  # as a survey platform exports it: a translation for every comment
        tr = english.copy()
        for i, row in enumerate(es_rows):
            tr[row] = SPANISH[i % len(SPANISH)][1]
        for i, row in enumerate(de_rows):
            tr[row] = GERMAN[i % len(GERMAN)][1]
        frame["comment_en"] = tr
        spec["translation"] = "comment_en"
        (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    frame.to_csv(path, index=False)
    return {"es": len(es_rows), "de": len(de_rows), "own": len(own)}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The mixed-language client processed and loaded, without and with a translation column."""
    from cem_research.client.data import load_client

    out = {}
    for name, translation in (("mixed", False), ("mixed_tr", True)):
        root = tmp_path_factory.mktemp(name)
        folder = root / "data" / "raw" / name
        shutil.copytree(TINY, folder)
        (folder / "truth.json").unlink(missing_ok=True)
        counts = _mixed_feedback(folder, translation)
        with project_root(root):
            data = load_client(name, raw_root=root / "data" / "raw")
        # own-brand comments as processed (the contract drops blank ones)
        counts["own"] = int((data.feedback["brand"] == data.config.brand).sum())
        out[name] = {"data": data, "counts": counts, "root": root}
    return out


# ---------------------------------------------------------------------------------------------------
def test_detection_accuracy_on_the_labelled_sample():
    texts = [t for lang in LABELLED for t in LABELLED[lang]]
    truth = [lang for lang in LABELLED for _ in LABELLED[lang]]
    got = text.detect_languages(texts)
    accuracy = float(np.mean(got["language"].to_numpy() == np.array(truth)))
    assert len(texts) == 60 and accuracy >= 0.95, f"accuracy {accuracy:.2f}"
    assert got["language_confidence"].between(0, 1).all()
    assert set(got.attrs["client_languages"]) == set(LABELLED)
    # each language alone too (a client of one language)
    for lang, sample in LABELLED.items():
        alone = text.detect_languages(sample)
        assert (alone["language"] == lang).mean() >= 11 / 12, lang


def test_short_comments_take_the_clients_language():
    # alone, py3langid calls "ok" Serbian and "Too expensive" Galician; among English comments they are English
    english = LABELLED["en"] + ["ok", "Too expensive", "Nice staff", "Fine."]
    got = text.detect_languages(english)
    assert (got["language"] == "en").all()
    assert set(got.loc[12:, "language_source"]) == {"client languages"}
    assert set(got.loc[:11, "language_source"]) == {"detected"}
    # a declared language skips detection
    declared = text.detect_languages(["ok", "Hola", ""], language="es")
    assert declared["language"].tolist()[:2] == ["es", "es"] and declared["language"].isna().tolist()[2]
    assert declared["language_confidence"].isna().all() and declared["language_source"].tolist()[0] == "declared"


def test_only_english_is_scored_and_never_as_neutral(mixed):
    fb = mixed["mixed"]["data"].feedback
    counts = mixed["mixed"]["counts"]
    es, de = fb[fb["language"] == "es"], fb[fb["language"] == "de"]
    assert len(es) == counts["es"] and len(de) == counts["de"]
    # the Spanish and German comments carry no score at all: not a neutral 0
    assert es[["compound", "pos", "neu", "neg"]].isna().all().all()
    assert de[["compound", "pos", "neu", "neg"]].isna().all().all() and de["sentiment_source"].isna().all()
    en = fb[fb["language"] == "en"]
    assert len(en) == len(fb) - counts["es"] - counts["de"]
    assert en["compound"].notna().all() and (en["sentiment_source"] == "text").all()
    first = en.iloc[0]
    assert first["compound"] == pytest.approx(text.polarity(first["text"])["compound"])
    meta = mixed["mixed"]["data"].meta["languages"]
    by = {r["language"]: r for r in meta["by_language"]}
    assert by["es"]["not_scored"] == counts["es"] and by["de"]["not_scored"] == counts["de"]
    assert meta["detector"] == "py3langid" and meta["translation_column"] is None


def test_sentiment_statistics_are_english_only(mixed, monkeypatch):
    from cem_research.steps import world
    from tests.conftest import run_captured

    data, counts = mixed["mixed"]["data"], mixed["mixed"]["counts"]
    summary = world.sentiment_summary(data)
    n_all = int(summary.loc[summary["dimension"] == "all", "n"].iloc[0])
    own_english = int(((data.feedback["brand"] == data.config.brand) & (data.feedback["language"] == "en")).sum())
    assert n_all == own_english == counts["own"] - counts["es"] - counts["de"]
    sec = world.WhatCustomersSay()
    _, shown, recorded = run_captured(sec, data, monkeypatch)
    texts = [k["text"] if "text" in k else a[2] for kind, a, k in recorded if kind == "record"]
    coverage = next(t for t in texts if t.startswith("Sentiment analysed for"))
    assert f"Spanish, {counts['es']} comments" in coverage and f"German, {counts['de']} comments" in coverage
    notes = [s.content for s in shown if s.kind == "markdown" and "not scored" in str(s.content)]
    assert notes and f"not scored (Spanish, {counts['es']} comments; German, {counts['de']} comments)" in notes[0]
    # the quotes are English comments only
    quotes = world.representative_quotes(data)
    assert not any(w in " ".join(quotes["quote"]) for w in ("café", "Kaffee", "personal es"))


def test_other_sections_leave_the_unscored_comments_out(mixed):
    from cem_research.steps import interface
    from cem_research.steps.brand.aspects import aspect_mentions
    from cem_research.steps.innovation.themes import emerging_themes, theme_comments

    data, counts = mixed["mixed"]["data"], mixed["mixed"]["counts"]
    voice = interface.InterfaceVoice()
    res = voice.result(data, Settings())
    assert int(res.sentiment["n"].sum()) <= counts["own"] - counts["es"] - counts["de"]
    shown = voice.present(res, data, Settings())
    assert any(s.kind == "markdown" and "Spanish" in str(s.content) for s in shown)
    mentions = aspect_mentions(data)
    assert mentions.attrs["unscored_by_brand"][data.config.brand] == counts["es"] + counts["de"]
    assert not mentions["sentence"].str.contains("Kaffee|café", regex=True).any()
    themes = theme_comments(data)
    assert themes.attrs["language"] == "en" and set(themes.attrs["left_out"]) == {"Spanish", "German"}
    assert not themes["text"].str.contains("Kaffee|café", regex=True).any()
    result = emerging_themes(data, min_count=2)
    if result is not None:
        assert result.attrs["language"] == "en"


def test_terms_of_an_unscored_language_use_its_own_stopwords(mixed):
    from cem_research.steps.world.feedback import feedback_terms

    data = mixed["mixed"]["data"]
    terms = feedback_terms(data, language="es", min_count=2)
    assert terms is not None and len(terms) and {"amable", "cola"} <= set(terms["term"])
    assert not set(terms["term"]) & {"el", "la", "y", "es", "de", "fue", "muy"}  # Spanish stopwords removed
    assert not set(terms["term"]) & {"kaffee", "schrecklich", "bedienung", "unfreundlich", "langsam"}  # no German
    english = feedback_terms(data, min_count=2)
    assert english is None or not set(english["term"]) & {"kaffee", "café", "servicio"}


def test_a_translation_column_is_scored_and_said(mixed, monkeypatch):
    from cem_research.steps import world
    from tests.conftest import run_captured

    data, counts = mixed["mixed_tr"]["data"], mixed["mixed_tr"]["counts"]
    fb = data.feedback
    es = fb[fb["language"] == "es"]
    assert (es["sentiment_source"] == "translation").all() and es["compound"].notna().all()
    love = es[es["text"] == SPANISH[0][0]].iloc[0]
    assert love["compound"] == pytest.approx(text.polarity(SPANISH[0][1])["compound"]) and love["compound"] > 0.5
    assert data.meta["languages"]["translation_column"] == "comment_en"
    summary = world.sentiment_summary(data)
    assert int(summary.loc[summary["dimension"] == "all", "n"].iloc[0]) == counts["own"]
    _, shown, recorded = run_captured(world.WhatCustomersSay(), data, monkeypatch)
    texts = [k["text"] if "text" in k else a[2] for kind, a, k in recorded if kind == "record"]
    coverage = next(t for t in texts if t.startswith("Sentiment analysed for"))
    assert coverage.startswith("Sentiment analysed for 100%") and "machine translation" in coverage
    assert any("Scored from the client's English machine translation: Spanish, 30 comments" in str(s.content)
               for s in shown if s.kind == "markdown")


def test_language_key_is_validated_and_skips_detection(tmp_path):
    from cem_research.client.config import parse_config
    from cem_research.client.errors import ContractError

    base = {"brand": "B", "survey": {"file": "s.csv"}, "constructs": {"q": ["q1"]},
            "feedback": {"file": "f.csv", "text": "c", "language": "es", "translation": "c_en"}}
    cfg = parse_config(base, "demo")
    assert cfg.feedback.options["language"] == "es" and cfg.feedback.col("translation") == "c_en"
    assert "language" not in cfg.feedback.columns
    for bad in ("Spanish", "xx", 3):
        with pytest.raises(ContractError, match="feedback.language"):
            parse_config({**base, "feedback": {**base["feedback"], "language": bad}}, "demo")


def test_english_demo_comments_are_all_scored(clients):
    """The English clients keep every comment scored as before (same reports)."""
    checked = 0
    for name, data in clients.items():
        fb = data.feedback
        if fb is None:
            continue
        assert (fb["language"] == "en").all(), name
        assert fb["compound"].notna().all() and (fb["sentiment_source"] == "text").all(), name
        checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_the_mixed_clients_report_counts_the_unscored_comments(tmp_path):
    from bs4 import BeautifulSoup

    from cem_research.run.pipeline import Runner

    root = make_project(tmp_path / "proj", {})
    folder = root / "data" / "raw" / "mixed"
    shutil.copytree(TINY, folder)
    (folder / "truth.json").unlink(missing_ok=True)
    counts = _mixed_feedback(folder, translation=False)
    with project_root(root):
        outcomes = Runner(root, jobs=2, echo=lambda m: None).run()
    assert all(o.ok for o in outcomes), [o for o in outcomes]
    report = BeautifulSoup((root / "reports" / "mixed" / "report.html").read_text(), "html.parser")
    one = report.find(id="executive-summary").get_text(" ", strip=True)
    assert "Sentiment analysed for" in one and f"Spanish, {counts['es']} comments" in one
    body = report.get_text(" ", strip=True)
    assert f"not scored (Spanish, {counts['es']} comments; German, {counts['de']} comments)" in body
    appendix = BeautifulSoup((root / "reports" / "mixed" / "appendix.html").read_text(), "html.parser")
    text_ = appendix.get_text(" ", strip=True)
    assert "Languages of the verbatims" in text_ and "py3langid" in text_
