"""PII masking of hostile comments: the time to mask a 2 MB comment built to make a backtracking
pattern explode (issue 16: a 40 KB comment of digit runs once took 25 s).

Two figures per comment: as a report quotes it (:func:`cem_research.text.safe_text` with the
240-character excerpt the reports show: only the shown part is masked) and the whole text
(:func:`cem_research.text.mask_pii`, linear in its length).  The target is judged on the second.
"""

from __future__ import annotations

import time

__all__ = ["ADVERSARIAL", "SIZE", "measure_masking"]

#: Length of each hostile comment (characters).
SIZE = 2_000_000
#: Hostile comments: one repeated unit each, cut to :data:`SIZE`.
ADVERSARIAL = {
    "digit run": "0123456789",
    "single-digit groups": "1 ",
    "plus-prefixed groups": "+1 ",
    "parenthesised groups": "(1)",
    "at signs": "a@",
    "dotted digits": "1.",
    "long e-mail domain": "a.",
    "IBAN-like run": "DE89",
}
PII = "call +44 20 7946 0958 or mail jane.o'brien@example.com, card 4111.1111.1111.1111 "


def _timed(fn, *args, **kwargs) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def measure_masking(size: int = SIZE, max_chars: int = 240) -> dict:
    """Seconds to mask each hostile comment, as quoted and whole; ``masked`` says the PII before it was
    masked in the quote (a check that the figure is of real work)."""
    from cem_research.text import mask_pii, safe_text

    rows = []
    for kind, unit in ADVERSARIAL.items():
        body = PII + (unit * (size // len(unit) + 1))[: size - len(PII)]
        quoted_s, quote = _timed(safe_text, body, max_chars=max_chars)
        whole_s, _ = _timed(mask_pii, body)
        rows.append({"comment": kind, "characters": len(body), "quoted_seconds": round(quoted_s, 4),
                     "whole_seconds": round(whole_s, 3),
                     "masked": quote.startswith("call [phone] or mail [email], card [card]")})
    return {"max_chars": max_chars, "comments": rows,
            "worst_quoted_seconds": max(r["quoted_seconds"] for r in rows),
            "worst_whole_seconds": max(r["whole_seconds"] for r in rows),
            "all_masked": all(r["masked"] for r in rows)}


if __name__ == "__main__":  # python -m benchmarks.masking
    import json

    print(json.dumps(measure_masking(), indent=2))
