"""Raw files → validated, typed, scored tables in ``data/processed/<client>/``.

The processed folder is rebuilt only when its fingerprint changes: the checksums of
every raw file the contract declares (and ``client.yaml``) and of the package code that
builds it.  It is built in a temporary folder and swapped into place when complete.
Sentiment scores are cached by text content across rebuilds, so unchanged verbatims are
never scored twice.  A client that declares ``weighting:`` gets a raked ``weight`` column in
``ratings.parquet`` and a ``weighting`` summary in ``meta.json`` (:mod:`cem_research.stats.weighting`);
one that declares ``kano:`` gets its Kano answers in ``kano.parquet``, and a hand-coded module sample
(``modules.hand_coded``) becomes ``hand_coded.parquet``: no analysis reads a raw file.

A processed folder is a *snapshot*: :func:`snapshot_id` hashes its tables, the raw checksums and the
fingerprint it was built from (``meta.json["snapshot"]``).  The runner processes each client once per
run and hands the snapshot to every notebook, which then reads exactly that snapshot
(:func:`cem_research.client.data.load_client` with ``snapshot=``) and never re-processes.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from cem_research import __version__
from cem_research.client.config import CONFIG_FILE, ClientConfig, load_config
from cem_research.client.contract import read_client
from cem_research.client.errors import SnapshotError
from cem_research.client.paths import PACKAGE_DIR
from cem_research.client.io import atomic_dir, sha256_file, write_json
from cem_research.stats.weighting import apply_weighting

MIN_ANSWERED = 0.5
SENTIMENT_MAX_CHARS = 20_000
#: Parts of the package (relative to it) whose code shapes the processed tables.
CODE_PARTS = ("client", "text", "stats")
CACHE_FILE = "sentiment_cache.parquet"
#: The copy of client.yaml a processed folder was built from (a snapshot is read with it).
CONFIG_COPY = "client.yaml"
#: Files of a processed folder that make up its snapshot (the sentiment cache is only a cache).
SNAPSHOT_FILES = ("ratings.parquet", "feedback.parquet", "touchpoints.parquet", "kano.parquet",
                  "hand_coded.parquet", "behaviour.parquet", CONFIG_COPY)


def code_fingerprint() -> str:
    """Hash of the package code that shapes the processed tables."""
    h = hashlib.sha256(__version__.encode())
    for part in CODE_PARTS:
        for p in sorted((PACKAGE_DIR / part).rglob("*.py")):
            h.update(p.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def raw_checksums(cfg: ClientConfig) -> dict[str, str]:
    """SHA-256 of ``client.yaml`` and every declared raw file that exists (data files and the
    optional methods' files: a hand-coded sample, a codebook)."""
    out = {CONFIG_FILE: sha256_file(cfg.folder / CONFIG_FILE)}
    for name in [*(spec.file for spec in cfg.files().values()), *cfg.option_files().values()]:
        p = cfg.folder / name
        if p.exists():
            out[name] = sha256_file(p)
    return out


def fingerprint(cfg: ClientConfig, checksums: dict[str, str] | None = None) -> str:
    """What the processed tables depend on: raw checksums (:func:`raw_checksums`, or ``checksums``) + code."""
    checksums = raw_checksums(cfg) if checksums is None else checksums
    payload = json.dumps({"raw": checksums, "code": code_fingerprint()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def snapshot_id(folder: str | Path, meta: dict | None = None) -> str:
    """The identity of a processed folder: a hash of its tables, the copy of ``client.yaml`` it was
    built from, the raw checksums and the fingerprint recorded in its ``meta.json``.

    Parameters
    ----------
    folder : str or Path
        ``data/processed/<client>``.
    meta : dict, optional
        Its ``meta.json`` content (read from ``folder`` when not given).

    Returns
    -------
    str
        20 hex digits; it changes whenever any table or the raw data behind it change.
    """
    folder = Path(folder)
    if meta is None:
        meta = json.loads((folder / "meta.json").read_text())
    files = {name: sha256_file(folder / name) for name in SNAPSHOT_FILES if (folder / name).exists()}
    payload = json.dumps({"files": files, "checksums": meta.get("checksums"),
                          "fingerprint": meta.get("fingerprint")}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def score_constructs(cfg: ClientConfig, ratings: pd.DataFrame) -> pd.DataFrame:
    """Reverse-key items and add one score column per construct.

    Parameters
    ----------
    cfg : ClientConfig
    ratings : DataFrame
        Raw ratings with the declared item columns.

    Returns
    -------
    DataFrame
        A copy with reverse-keyed items replaced by ``min + max - x`` and a column per
        construct: the mean of its answered items when at least half are answered.
    """
    from cem_research.stats import reverse_key, score_scale

    out = ratings.copy()
    for c in cfg.constructs.values():
        for item in c.reverse:
            out[item] = reverse_key(out[item], *c.scale)
    scores = {name: score_scale(out, list(c.items), min_answered=MIN_ANSWERED)
              for name, c in cfg.constructs.items()}
    for name, s in scores.items():
        out[name] = s.astype("float64")
    return out


def _load_cache(folder: Path) -> pd.DataFrame | None:
    p = folder / CACHE_FILE
    if p.exists():
        try:
            return pd.read_parquet(p)
        except Exception:  # a damaged cache is only a cache
            return None
    return None


def up_to_date(out_dir: str | Path, fp: str) -> dict | None:
    """The ``meta.json`` of ``out_dir`` (with ``rebuilt: False``) if it was built from the inputs
    whose :func:`fingerprint` is ``fp``; else ``None``."""
    meta_path = Path(out_dir) / "meta.json"
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError:
        return None
    if meta.get("fingerprint") != fp:
        return None
    meta["rebuilt"] = False
    return meta


def score_feedback(cfg: ClientConfig, feedback: pd.DataFrame, cache: pd.DataFrame | None = None, n_jobs: int = 1,
                   timings: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None, int, dict]:
    """Identify the language of each verbatim and VADER-score the ones VADER reads.

    Parameters
    ----------
    cfg : ClientConfig
        ``feedback.language`` (declared language: no detection) is read from it.
    feedback : DataFrame
        The verbatims read by the contract (``text``, and ``translation`` when declared).
    cache : DataFrame, optional
        The sentiment cache (:func:`cem_research.text.score_sentiment`).
    n_jobs : int
    timings : dict, optional
        Receives ``languages`` and ``sentiment`` (seconds).

    Returns
    -------
    (DataFrame, DataFrame or None, int, dict)
        The feedback with ``language, language_confidence, language_source`` (:func:`cem_research.text.
        detect_languages`), ``sentiment_source`` (``text``, ``translation`` or missing: not scored) and
        ``compound, pos, neu, neg`` (missing where not scored: never a neutral 0); the cache; the number
        of texts scored anew; the language summary for ``meta.json`` (detector, declared language,
        client languages, and per language the comments scored and not scored).
    """
    from cem_research import text

    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    declared = cfg.feedback.options.get("language") if cfg.feedback is not None else None
    langs = text.detect_languages(feedback["text"].str.slice(0, SENTIMENT_MAX_CHARS), language=declared)
    translation = feedback["translation"] if "translation" in feedback.columns else None
    source = text.sentiment_sources(langs["language"], translation)
    timings["languages"] = round(time.perf_counter() - t0, 3)
    t1 = time.perf_counter()
    reads = feedback["text"].where(source != "translation", translation if translation is not None else None)
    todo = source.notna()
    scores, cache = text.score_sentiment(reads[todo].astype(str).str.slice(0, SENTIMENT_MAX_CHARS), cache=cache,
                                         n_jobs=n_jobs)
    scored = int(scores.attrs.get("scored", 0))
    # and every sentence of those texts, as the aspect analyses split them: cached here once, so no
    # notebook scores a sentence again (ClientData.sentiment_cache)
    sentences = text.mention_sentences(reads[todo].tolist())
    _, cache = text.score_sentiment(sentences, cache=cache, n_jobs=n_jobs)
    scores = scores.reindex(feedback.index)  # not scored: missing, never a neutral 0
    feedback = pd.concat([feedback, langs, source.rename("sentiment_source"),
                          scores[["compound", "pos", "neu", "neg"]]], axis=1)
    timings["sentiment"] = round(time.perf_counter() - t1, 3)
    summary = text.language_summary(feedback)
    info = {"detector": "declared" if declared else text.DETECTOR, "declared": declared,
            "translation_column": cfg.feedback.col("translation") if cfg.feedback is not None else None,
            "client_languages": {k: round(float(v), 4) for k, v in langs.attrs.get("client_languages", {}).items()},
            "by_language": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                            for r in summary.to_dict("records")]}
    return feedback, cache, scored, info


def process(cfg: ClientConfig, out_dir: str | Path, n_jobs: int = 1, force: bool = False) -> dict:
    """Build ``out_dir`` (``data/processed/<client>``) from the client's raw files.

    Parameters
    ----------
    cfg : ClientConfig
    out_dir : str or Path
    n_jobs : int
        Processes used to score new verbatims.
    force : bool
        Rebuild even if the fingerprint is unchanged.

    Returns
    -------
    dict
        The ``meta.json`` content; ``meta["rebuilt"]`` says whether work was done.

    Raises
    ------
    ContractError
        If a raw file breaks the contract (nothing is written then).
    """
    out_dir = Path(out_dir)
    checksums = raw_checksums(cfg)
    fp = fingerprint(cfg, checksums)
    if not force:
        meta = up_to_date(out_dir, fp)
        if meta is not None:
            return meta

    t0 = time.perf_counter()
    raw = read_client(cfg)
    ratings = score_constructs(cfg, raw.ratings)
    ratings, weighting = apply_weighting(cfg, ratings)  # survey weights, only with `weighting:`
    config_text = (cfg.folder / CONFIG_FILE).read_bytes()
    if raw_checksums(cfg) != checksums or hashlib.sha256(config_text).hexdigest() != checksums[CONFIG_FILE]:
        raise SnapshotError(f"client '{cfg.client}': a raw file changed while it was being read; nothing was "
                            "written, run again")
    timings = {"read_and_score": round(time.perf_counter() - t0, 3)}

    scored = 0
    cache = _load_cache(out_dir)
    feedback = raw.feedback
    languages = None
    if feedback is not None:
        feedback, cache, scored, languages = score_feedback(cfg, feedback, cache, n_jobs, timings)

    meta = {
        "client": cfg.client,
        "name": cfg.name,
        "fingerprint": fp,
        "package_version": __version__,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "waves": raw.waves,
        "checksums": checksums,
        "accounting": [a.as_dict() for a in raw.accounting],
        "extra_columns": raw.extra_columns,
        "missing_answers": raw.missing_answers,
        # answers set to missing because they hold a declared `missing:` code (column -> code -> count);
        # they are part of missing_answers, the rest of which were blank cells
        "missing_codes": raw.missing_codes,
        "warnings": raw.warnings,
        "missing_rule": f"construct score = mean of answered items if at least {MIN_ANSWERED:.0%} "
                        "of its items are answered, else missing",
        "missing_scores": {c: int(ratings[c].isna().sum()) for c in cfg.constructs},
        "long_texts_truncated_for_sentiment": int((raw.feedback["text"].str.len() > SENTIMENT_MAX_CHARS).sum())
        if raw.feedback is not None else 0,
        "sentiment_scored": scored,
        "timings": timings,
    }
    if languages is not None:
        meta["languages"] = languages
    if weighting is not None:
        meta["weighting"] = weighting
    with atomic_dir(out_dir) as tmp:
        ratings.to_parquet(tmp / "ratings.parquet", index=False)
        if feedback is not None:
            feedback.to_parquet(tmp / "feedback.parquet", index=False)
        if raw.touchpoints is not None:
            raw.touchpoints.to_parquet(tmp / "touchpoints.parquet", index=False)
        if raw.kano is not None:
            raw.kano.to_parquet(tmp / "kano.parquet", index=False)
        if raw.hand_coded is not None:
            raw.hand_coded.to_parquet(tmp / "hand_coded.parquet", index=False)
        if raw.behaviour is not None:
            raw.behaviour.to_parquet(tmp / "behaviour.parquet", index=False)
        if cache is not None and len(cache):
            cache.to_parquet(tmp / CACHE_FILE)
        (tmp / CONFIG_COPY).write_bytes(config_text)
        meta["snapshot"] = snapshot_id(tmp, meta)
        write_json(tmp / "meta.json", meta)
    meta["rebuilt"] = True
    return meta


def process_client(client: str, raw_root: str | Path | None = None, root: Path | None = None,
                   n_jobs: int = 1, force: bool = False) -> dict:
    """Find, read and process one client by name (see :func:`process`)."""
    from cem_research.client.paths import find_raw_dir, processed_dir

    cfg = load_config(find_raw_dir(client, raw_root), client)
    return process(cfg, processed_dir(client, root), n_jobs=n_jobs, force=force)
