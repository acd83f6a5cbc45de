"""Shop-supplied regular expressions (flow slot validators, order and tracking number formats),
checked when saved and run in a linear-time engine (RE2).

A shop writes its own patterns; Python's backtracking `re` would let one like `^(a+)+$` spend
seconds on a short message and stall every other shop on the instance. RE2 matches in time
linear in the input, refuses constructs it cannot run that way (back-references, look-around)
and bounds the memory of a compiled pattern. Built-in patterns of the code keep using `re`.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

MAX_PATTERN_LENGTH = 500
_MAX_MEM = 1 << 20  # bytes per compiled pattern


class PatternError(ValueError):
    """The pattern cannot be used; the message says why, without repeating the pattern."""


def _options(ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    options.max_mem = _MAX_MEM
    return options


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str, ignore_case: bool) -> Any:
    return re2.compile(pattern, _options(ignore_case))


def compile_pattern(pattern: str, *, ignore_case: bool = False) -> Any:
    """The compiled pattern (cached); raises `PatternError` for one that cannot be used."""
    if not isinstance(pattern, str) or not pattern:
        raise PatternError("the pattern is empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return _compile(pattern, ignore_case)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        # RE2 appends the offending part of the pattern after a colon; keep only the reason.
        reason = str(reason).split(":", 1)[0].strip() or "invalid"
        raise PatternError(f"not a valid regular expression ({reason})") from None


def pattern_problem(pattern: Any) -> str | None:
    """Why the pattern cannot be used, or None when it can."""
    if not isinstance(pattern, str):
        return "a pattern must be text"
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def usable(patterns: Any) -> tuple[str, ...]:
    """The usable patterns of a list (a broken one stored before the checks is skipped)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if isinstance(patterns, dict):
        patterns = list(patterns.values())
    if not isinstance(patterns, list | tuple):
        return ()
    return tuple(p for p in patterns if pattern_problem(p) is None)
