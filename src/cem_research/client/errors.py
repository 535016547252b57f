"""Errors that reach a researcher: one line naming client, file, column and rows."""

from __future__ import annotations

from collections.abc import Iterable

MAX_ROWS_SHOWN = 5


def format_rows(rows: Iterable[int] | None, limit: int = MAX_ROWS_SHOWN) -> str:
    """Format row numbers as ``"rows 3, 7, 9 (+12 more)"``.

    Parameters
    ----------
    rows : iterable of int or None
        Spreadsheet row numbers (the header is row 1, the first answer row 2).
    limit : int
        How many row numbers to show before summarising the rest.

    Returns
    -------
    str
        An empty string when there are no rows.
    """
    if rows is None:
        return ""
    rows = sorted({int(r) for r in rows})
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {shown}{more}"


class ContractError(ValueError):
    """Input that breaks the client data contract.

    The message is always a single line of the form
    ``client 'x', file 'survey.csv', column 'q1', rows 3, 7: <what is wrong>``
    so that a researcher sees at once where to look.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, what to do.
    client, file, column : str, optional
        Where it is wrong.
    rows : iterable of int, optional
        Spreadsheet row numbers (header = row 1, first answer row = row 2).
    """

    def __init__(self, message, *, client=None, file=None, column=None, rows=None):
        self.client = client
        self.file = file
        self.column = column
        self.rows = sorted({int(r) for r in rows}) if rows is not None else []
        self.reason = " ".join(str(message).split())
        super().__init__(self._line())

    def _line(self) -> str:
        parts = []
        if self.client:
            parts.append(f"client '{self.client}'")
        if self.file:
            parts.append(f"file '{self.file}'")
        if self.column:
            parts.append(f"column '{self.column}'")
        rows = format_rows(self.rows)
        if rows:
            parts.append(rows)
        where = ", ".join(parts)
        return f"{where}: {self.reason}" if where else self.reason

    def with_client(self, client: str) -> "ContractError":
        """Return a copy that names ``client`` (used when the client is known later)."""
        if self.client:
            return self
        return ContractError(self.reason, client=client, file=self.file,
                             column=self.column, rows=self.rows)


class SnapshotError(RuntimeError):
    """The processed data are not the snapshot a run started with (or raw files changed while they
    were being read).  One line naming the client and what to do."""


class ContractWarning(UserWarning):
    """Input that is read but looks wrong (e.g. a value label for a code that never occurs).

    The message has the one-line form of :class:`ContractError`; the same line is kept in
    ``RawTables.warnings`` and in ``meta.json["warnings"]``."""
