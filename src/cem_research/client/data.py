"""What a notebook works with: :class:`ClientData` and :func:`load_client`."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cem_research.client.config import ClientConfig, load_config


# Frames several analyses share (the own-brand rows, the joined feedback or touchpoint events, ...)
# are built once per ClientData object and reused while it lives (see :func:`memoize`).
_MEMO: dict[int, tuple[tuple, tuple, dict]] = {}


def _memo_stamp(data) -> tuple[tuple, tuple]:
    """What cached results depend on: objects compared by identity, and values compared by equality."""
    frames = (data.ratings, data.feedback, data.touchpoints, getattr(data, "kano_answers", None),
              getattr(data, "hand_coded", None), getattr(data, "behaviour", None))
    meta = data.meta
    waves = meta.get("waves") if isinstance(meta, dict) else None
    same = (data.config, meta, *frames, *(None if f is None else f.columns for f in frames))
    equal = (tuple(None if f is None else f.shape for f in frames), None if waves is None else tuple(waves))
    return same, equal


def memoize(data, key, build: Callable[[], object]):
    """``build()``, computed once per ``data`` object and ``key``.

    The cache is dropped with the data object, and starts afresh when one of its tables, its
    config or its meta is replaced, or a table gains rows or columns; it does not notice values
    edited in place.  The cached result is shared: callers must not modify it (hand out a copy —
    under pandas' copy-on-write a shallow ``frame.copy(deep=False)`` is enough).

    Parameters
    ----------
    data : ClientData
    key : hashable
        Names the result, e.g. ``("world", "segments")``.
    build : callable
        Computes the result from ``data``.
    """
    try:
        same, equal = _memo_stamp(data)
    except AttributeError:
        return build()
    ident = id(data)
    entry = _MEMO.get(ident)
    if entry is None:
        try:
            weakref.finalize(data, _MEMO.pop, ident, None)
        except TypeError:  # not weak-referenceable: no caching
            return build()
    elif not (all(a is b for a, b in zip(entry[0], same)) and entry[1] == equal):
        entry = None
    if entry is None:
        entry = (same, equal, {})
        _MEMO[ident] = entry
    cache = entry[2]
    if key not in cache:
        cache[key] = build()
    return cache[key]


@dataclass
class ClientData:
    """One client's contract and processed tables.

    Attributes
    ----------
    config : ClientConfig
        The validated ``client.yaml``.
    ratings : DataFrame
        One row per rating (own brand and competitors), items reverse-keyed, construct
        scores named after the constructs (see ``docs/architecture.md``).
    feedback, touchpoints : DataFrame or None
        Verbatims with sentiment, and touchpoint events, when the client supplies them.
    meta : dict
        Row accounting, wave order, checksums, snapshot id (``meta.json``).
    kano_answers : DataFrame or None
        The survey's Kano answers (``row, feature, functional, dysfunctional``, recoded 1 like ...
        5 dislike) when the client declares ``kano:``; ``row`` links them to the survey rows of
        :attr:`ratings`.
    hand_coded : DataFrame or None
        The hand-coded module sample (``row, text, module``) when ``modules.hand_coded`` is declared.
    sentiment_cache : DataFrame or None
        VADER scores of the verbatims and of their sentences, computed when the client was processed
        (:func:`cem_research.text.score_sentiment`'s cache): sections pass it on so that no notebook
        scores a sentence again.  Only a cache: without it the same scores are computed.
    behaviour : DataFrame or None
        What respondents did (``respondent, matched`` and the declared measures) when the client
        declares ``behaviour:`` (:func:`cem_research.client.behaviour.read_behaviour`).
    """

    config: ClientConfig
    ratings: pd.DataFrame
    feedback: pd.DataFrame | None = None
    touchpoints: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)
    kano_answers: pd.DataFrame | None = None
    hand_coded: pd.DataFrame | None = None
    sentiment_cache: pd.DataFrame | None = None
    behaviour: pd.DataFrame | None = None

    @property
    def client(self) -> str:
        return self.config.client

    @property
    def waves(self) -> list[str]:
        """Waves in analysis order."""
        return list(self.meta.get("waves") or pd.unique(self.ratings["wave"]))

    @property
    def main_outcome(self) -> str | None:
        """The outcome every step states its headline on (``main_outcome:`` in ``client.yaml``;
        default: the first declared outcome, else the NPS construct, else ``None``)."""
        return self.config.main_outcome

    @property
    def latest_wave(self) -> str:
        return self.waves[-1]

    @property
    def own(self) -> pd.DataFrame:
        """Ratings of the client's own brand."""
        return self.ratings[self.ratings["brand_kind"] == "own"]

    @property
    def has_competitors(self) -> bool:
        return bool((self.ratings["brand_kind"] != "own").any())

    @property
    def weight(self) -> str | None:
        """Name of the weight column when survey weights are present, else ``None``."""
        return "weight" if "weight" in self.ratings else None

    def upto(self, wave: str | None) -> "ClientData":
        """The data restricted to waves up to and including ``wave`` (``None``: all)."""
        if wave is None:
            return self
        waves = self.waves
        if wave not in waves:
            raise ValueError(f"wave {wave!r} not in this client's waves {waves}")
        keep = waves[: waves.index(wave) + 1]
        meta = {**self.meta, "waves": keep}

        def cut(df):
            if df is None or "wave" not in df:
                return df
            return df[df["wave"].isin(keep) | df["wave"].isna()].reset_index(drop=True)

        return ClientData(self.config, cut(self.ratings), cut(self.feedback), cut(self.touchpoints), meta,
                          self.kano_answers, self.hand_coded, self.sentiment_cache, self.behaviour)


def read_processed(cfg: ClientConfig, folder: str | Path) -> ClientData:
    """Load the processed tables of a client from ``folder`` (and its sentiment cache, when readable)."""
    from cem_research.client.processing import CACHE_FILE

    folder = Path(folder)

    def opt(name):
        p = folder / name
        return pd.read_parquet(p) if p.exists() else None

    try:
        cache = opt(CACHE_FILE)
    except Exception:  # noqa: BLE001 - a damaged cache is only a cache
        cache = None
    meta = json.loads((folder / "meta.json").read_text())
    return ClientData(cfg, pd.read_parquet(folder / "ratings.parquet"), opt("feedback.parquet"),
                      opt("touchpoints.parquet"), meta, opt("kano.parquet"), opt("hand_coded.parquet"), cache,
                      opt("behaviour.parquet"))


def read_snapshot(client: str, folder: str | Path, snapshot: str, raw_dir: str | Path) -> ClientData:
    """Load the processed snapshot ``snapshot`` of a client from ``folder``, without processing.

    The contract is read from the copy of ``client.yaml`` the snapshot was built from, so a
    ``client.yaml`` edited after processing does not reach the analysis either.

    Raises
    ------
    SnapshotError
        When ``folder`` no longer holds that snapshot (it was rebuilt or replaced after the run
        started), or holds none.
    """
    from cem_research.client.errors import SnapshotError
    from cem_research.client.processing import CONFIG_COPY, snapshot_id

    folder = Path(folder)

    def refuse(why: str):
        return SnapshotError(f"client '{client}': the processed data {why}, not the snapshot {snapshot} this "
                             "run started with; run the reports again (`make reports`)")

    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, json.JSONDecodeError):
        raise refuse("are missing") from None
    if meta.get("snapshot") != snapshot:
        raise refuse(f"are snapshot {meta.get('snapshot')}")
    cfg = load_config(raw_dir, client, source=folder / CONFIG_COPY)
    data = read_processed(cfg, folder)
    if data.meta.get("snapshot") != snapshot or snapshot_id(folder, data.meta) != snapshot:
        raise refuse("were replaced while being read")
    return data


def load_client(client: str, raw_root: str | Path | None = None, wave: str | None = None,
                n_jobs: int = 1, snapshot: str | None = None) -> ClientData:
    """Load a client for analysis, (re)processing its raw data first if it changed.

    Parameters
    ----------
    client : str
        The client's folder name under ``data/raw/`` (or ``tests/fixtures/`` for test clients).
    raw_root : str or Path, optional
        Folder holding client folders, if not the default search path.
    wave : str, optional
        Analyse waves up to this one only (``None``: all waves).
    n_jobs : int
        Processes for scoring new verbatims.
    snapshot : str, optional
        The processed snapshot to read (``meta.json["snapshot"]``, passed by the runner to every
        notebook of a run).  Given, nothing is processed: the processed tables are read and must be
        that snapshot, else :class:`~cem_research.client.errors.SnapshotError`; so every notebook
        of a run reads the same data even if a raw file is edited meanwhile.  ``None`` (a
        researcher in JupyterLab): raw data are processed first when they changed.

    Returns
    -------
    ClientData

    Examples
    --------
    >>> from cem_research.client.data import load_client
    >>> data = load_client("tiny_client")  # doctest: +SKIP
    >>> data.ratings.shape  # doctest: +SKIP
    """
    from cem_research.client.paths import find_raw_dir, processed_dir
    from cem_research.client.processing import process

    raw_dir = find_raw_dir(client, raw_root)
    out = processed_dir(client)
    if snapshot is not None:
        return read_snapshot(client, out, snapshot, raw_dir).upto(wave)
    cfg = load_config(raw_dir, client)
    process(cfg, out, n_jobs=n_jobs)
    return read_processed(cfg, out).upto(wave)
