"""Sections of the optional research methods (survey weighting, Kano, experiential modules,
promise versus delivery): shown only for clients that declare the method in ``client.yaml``.

A client that does not declare the method gets nothing in its report -- no heading, no skip line
-- as before the methods were sections.  A client that declares it but whose data cannot support
it still gets the section's one-line skip reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from cem_research.steps.section import Section, Settings

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData


class OptionalSection(Section):
    """A :class:`~cem_research.steps.section.Section` of an optional method.

    Subclasses set :attr:`option` (the ``client.yaml`` key, parsed as ``data.config.<option>``) and
    override :meth:`data_skip_reason` for reasons other than "not declared".
    """

    optional: ClassVar[bool] = True
    option: ClassVar[str]

    def declared(self, data: "ClientData") -> bool:
        """Whether the client declares the method (its parsed spec is on the config)."""
        return getattr(data.config, self.option, None) is not None

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if not self.declared(data):
            return f"the client declares no '{self.option}:' in client.yaml"
        return self.data_skip_reason(data, settings)

    def data_skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        """Why a client that declares the method cannot get the section (``None``: it can)."""
        return None

    def run(self, data: "ClientData", settings: Settings | None = None, *, show: bool = True) -> Any:
        """As :meth:`Section.run`, but a client that does not declare the method gets nothing at all."""
        if not self.declared(data):
            return None
        return super().run(data, settings, show=show)
