"""What the option parsers share: the one-line error about ``client.yaml``."""

from __future__ import annotations

from cem_research.client.errors import ContractError

CONFIG_FILE = "client.yaml"


def config_error(cfg, message: str, column: str | None = None) -> ContractError:
    """A :class:`ContractError` naming ``cfg``'s client and ``client.yaml`` (and ``column``)."""
    return ContractError(message, client=cfg.client, file=CONFIG_FILE, column=column)
