"""The unit of the package: a report :class:`Section`, and the :class:`Settings` every section shares.

A section is one heading of a notebook (and of the report).  It knows

* its Schmitt step and its title (the heading the reader sees);
* whether the client's data support it: :meth:`Section.skip_reason` returns the one-line reason
  when they do not (``None`` when they do);
* how to compute its tidy result from a :class:`~cem_research.client.data.ClientData`
  (:meth:`Section.compute`, a DataFrame or a small dataclass of them);
* its findings in plain words (:meth:`Section.findings`, the keyword arguments of
  :func:`cem_research.present.findings.record`);
* how to present the result (:meth:`Section.present`: the tables, figures and notes to show, in
  order; nothing is displayed by the section itself).

A notebook cell only calls :meth:`Section.run`, which shows the section's output (or its skip
line) and records its findings.  Sections that need another section's result call
:meth:`Section.result` on it: the result is computed once per loaded client and settings.

Examples
--------
>>> from cem_research.steps.section import Settings
>>> Settings().n_boot
400
>>> Settings.from_params(n_boot=200, seed=1).seed
1
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cem_research.client.data import memoize
from cem_research.stats import MIN_GROUP, RELIABILITY_THRESHOLD

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData


@dataclass(frozen=True)
class Settings:
    """The analysis settings every section of a report shares (papermill parameters of each notebook).

    Parameters
    ----------
    n_boot : int
        Bootstrap resamples for every bootstrap interval.
    seed : int
        Seed of every resampling, so that a report is reproducible.
    confidence : float
        Confidence level of every interval.
    reliability_threshold : float
        Cronbach's alpha below which a construct is flagged (:data:`cem_research.stats.RELIABILITY_THRESHOLD`).
    min_group : int
        Smallest group a comparison analyses (:data:`cem_research.stats.MIN_GROUP`).
    """

    n_boot: int = 400
    seed: int = 2003
    confidence: float = 0.95
    reliability_threshold: float = RELIABILITY_THRESHOLD
    min_group: int = MIN_GROUP

    def __post_init__(self):
        if int(self.n_boot) < 1:
            raise ValueError(f"n_boot must be a positive number of resamples, got {self.n_boot!r}")
        if not 0 < float(self.confidence) < 1:
            raise ValueError(f"confidence must lie between 0 and 1, got {self.confidence!r}")

    @classmethod
    def from_params(cls, **params: Any) -> "Settings":
        """Settings from notebook parameters; ``None`` values keep the defaults, unknown names are refused."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - names)
        if unknown:
            raise TypeError(f"unknown setting(s) {unknown}; known: {sorted(names)}")
        return cls(**{k: v for k, v in params.items() if v is not None})


@dataclass(frozen=True)
class Shown:
    """One thing a section shows: a table, a figure or a note.

    Attributes
    ----------
    kind : str
        ``'table'``, ``'figure'`` or ``'markdown'``.
    content : Any
        The DataFrame (a table, already in reader's columns), the matplotlib Figure, or the Markdown text.
    caption : str
        Caption of a table, or alt text of a figure.
    options : dict
        Keyword arguments for :func:`cem_research.present.tables.show` (``percent``, ``digits``, ``rename``).
    layer : str
        Where the client's report shows it: ``'client'`` (the section itself: the one or two charts
        and the compact table that prove its finding) or ``'appendix'`` (the technical appendix:
        full tables, tests, checks).  Notebooks show both layers.
    """

    kind: str
    content: Any
    caption: str = ""
    options: dict = dataclasses.field(default_factory=dict)
    layer: str = "client"

    def __post_init__(self):
        if self.layer not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}, got {self.layer!r}")


#: The two layers of a report: the client's report and its technical appendix.
LAYERS = ("client", "appendix")


class Section:
    """Base class of a report section; subclasses set :attr:`step` and :attr:`title` and override
    :meth:`compute` (and usually :meth:`skip_reason`, :meth:`findings` and :meth:`present`)."""

    step: ClassVar[int]
    title: ClassVar[str]
    #: keys of the sections whose results this section's findings quote (their numbers are checked against
    #: those sections' tables too: tests/test_claims.py)
    cites: ClassVar[tuple[str, ...]] = ()

    # ---- what a subclass provides ------------------------------------------------------------
    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        """Why this client's data do not support the section (one line), or ``None`` when they do."""
        return None

    def compute(self, data: "ClientData", settings: Settings) -> Any:
        """The section's tidy result."""
        raise NotImplementedError

    def findings(self, result: Any, data: "ClientData", settings: Settings) -> list[dict]:
        """The findings in plain words: keyword arguments of :func:`cem_research.present.findings.record`."""
        return []

    def present(self, result: Any, data: "ClientData", settings: Settings) -> list[Shown]:
        """What to show, in order (tables, figures, notes)."""
        return []

    # ---- shared machinery ----------------------------------------------------------------------
    @property
    def key(self) -> str:
        """Unique name of the section (its class name)."""
        return type(self).__name__

    def result(self, data: "ClientData", settings: Settings | None = None) -> Any:
        """:meth:`compute`, once per loaded client and settings; ``None`` when the section is skipped.

        Other sections call this to reuse a result (reliability flags, the driver importances...).
        """
        settings = settings or Settings()

        def build():
            if self.skip_reason(data, settings) is not None:
                return None
            return self.compute(data, settings)

        return memoize(data, ("section", self.key, settings), build)

    def run(self, data: "ClientData", settings: Settings | None = None, *, show: bool = True) -> Any:
        """Compute the section, show its tables and figures, record its findings (or its skip line).

        Returns the result (``None`` when skipped).
        """
        from cem_research.present import findings as fnd
        from cem_research.present.show import display_all

        settings = settings or Settings()
        reason = self.skip_reason(data, settings)
        if reason is not None:
            fnd.skip(self.step, self.title, reason)
            return None
        result = self.result(data, settings)
        if show:
            display_all(self.present(result, data, settings), cfg=data.config)
        for finding in self.findings(result, data, settings):
            fnd.record(self.step, self.title, **finding)
        return result


STEP_PACKAGES = ("world", "platform", "brand", "interface", "innovation")


def all_sections() -> list[Section]:
    """Every section of the five steps, in report order: each step package's ``SECTIONS``."""
    import importlib

    out: list[Section] = []
    for name in STEP_PACKAGES:
        out.extend(importlib.import_module(f"cem_research.steps.{name}").SECTIONS)
    return out
