"""cem-research: a notebook-driven toolkit for Customer Experience Management research.

The package follows Bernd Schmitt's (2003) five CEM steps; each step has a module
(:mod:`~cem_research.steps.world`, :mod:`~cem_research.steps.platform`, :mod:`~cem_research.steps.brand`,
:mod:`~cem_research.steps.interface`, :mod:`~cem_research.steps.innovation`) that the numbered
notebooks call.  Shared modules hold the data contract (:mod:`~cem_research.client.config`,
:mod:`~cem_research.client.contract`), statistics, text analysis, plots, the pipeline and the report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cem-research")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
