"""Typed look-ups in a spec file's mapping that name the file and the key of whatever is wrong."""

from __future__ import annotations

import datetime
import difflib

__all__ = ["SpecError", "Checker", "hint", "check_keys"]


class SpecError(ValueError):
    """A spec file that cannot be read: the message names the file and the key."""


def hint(key, choices) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to a misspelt ``key`` (empty if none is close)."""
    by_lower = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(str(key).lower(), list(by_lower), n=1)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def check_keys(mapping: dict, allowed, path: str, where: str) -> None:
    """Raise :class:`SpecError` for the first key of ``mapping`` not in ``allowed``."""
    for key in mapping:
        if key not in allowed:
            full = f"{path}.{key}" if path else str(key)
            raise SpecError(f"{where}: unknown key {full!r}{hint(key, allowed)}")


class Checker:
    """Typed look-ups in the spec file ``where``: each returns the value converted, or raises a
    :class:`SpecError` naming the file and the dotted key ``path``."""

    def __init__(self, where: str):
        self.where = where

    # ---- primitives ----------------------------------------------------------------------------
    def fail(self, path: str, message: str):
        raise SpecError(f"{self.where}: key {path!r}: {message}")

    def mapping(self, value, path: str, allowed=None, required=()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {_shown(value)}")
        if allowed is not None:
            check_keys(value, allowed, path, self.where)
        for key in required:
            if key not in value:
                raise SpecError(f"{self.where}: missing key {_join(path, key)!r}")
        return value

    def seq(self, value, path: str, min_len: int = 1) -> list:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_shown(value)}")
        if len(value) < min_len:
            self.fail(path, f"expected at least {min_len} entr{'y' if min_len == 1 else 'ies'}")
        return value

    def text(self, value, path: str) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list, float)):
            self.fail(path, f"expected a text, got {_shown(value)}")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def number(self, value, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected a number, got {_shown(value)}")
        return float(value)

    def integer(self, value, path: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(path, f"expected a whole number >= {low}, got {_shown(value)}")
        return int(value)

    def flag(self, value, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_shown(value)}")
        return value

    def texts(self, value, path: str, min_len: int = 1) -> tuple[str, ...]:
        return tuple(self.text(v, f"{path}[{i}]") for i, v in enumerate(self.seq(value, path, min_len)))

    def pair(self, value, path: str, conv) -> tuple:
        v = self.seq(value, path, 2)
        if len(v) != 2:
            self.fail(path, f"expected two values [low, high], got {_shown(value)}")
        return conv(v[0], f"{path}[0]"), conv(v[1], f"{path}[1]")

    def one_of(self, value, path: str, choices, what: str) -> str:
        value = self.text(value, path)
        if value not in choices:
            self.fail(path, f"{value!r} is not {what}{hint(value, choices)}; use one of "
                            + ", ".join(map(str, choices)))
        return value

    def shares(self, value, path: str, keys, what: str) -> tuple[float, ...]:
        """A mapping ``key -> share`` whose keys are exactly ``keys`` (in that order)."""
        m = self.mapping(value, path, allowed=keys, required=[str(k) for k in keys])
        if [str(k) for k in m] != [str(k) for k in keys]:
            self.fail(path, f"list the {what} in the order " + ", ".join(map(str, keys)))
        return tuple(self.number(v, f"{path}.{k}") for k, v in m.items())

    def date(self, value, path: str) -> str:
        text = self.text(value, path)
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            self.fail(path, f"expected a date YYYY-MM-DD, got {text!r}")
        return text


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _shown(value) -> str:
    return "nothing" if value is None else repr(value) if not isinstance(value, (dict, list)) \
        else type(value).__name__
