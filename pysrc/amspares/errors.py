"""Errors a user can cause. Each carries a message fit to print as one line.

Every value a message echoes goes through :func:`shown`: control characters are escaped
(a line break in a value never splits the message), and a long value is cut at
:data:`SHOWN_CHARS` characters with its length said, so one message stays one short line.

>>> shown("a\\nb")
"'a\\\\nb'"
>>> shown("x" * 200)[-30:]
'xxxxxxxxxxxx… (202 characters)'
>>> shown({f"k{i}": i for i in range(1000)})
'a table of 1,000 keys (k0, k1, k2, k3, k4, ...)'
"""

from __future__ import annotations

import re

#: The longest echo of a value in a message, in characters.
SHOWN_CHARS = 100
#: The longest whole message (keys and rules included), in characters.
MESSAGE_CHARS = 1000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x07``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(value, limit: int = SHOWN_CHARS) -> str:
    """A value as a message echoes it: ``repr``-like, escaped, and at most ``limit`` long.

    A table (dict) or list is described by its size and first few entries, so that even a
    value of 200,000 keys gives a short line.
    """
    if isinstance(value, dict) and len(value) > 5:
        keys = [cut(escape(str(k)), 20) for k in list(value)[:5]]
        more = ", ..." if len(value) > 5 else ""
        return f"a table of {len(value):,} keys ({', '.join(keys)}{more})"
    if isinstance(value, (list, tuple)) and len(value) > 5:
        return f"a list of {len(value):,} values"
    try:
        text = repr(value)
    except (ValueError, RecursionError):       # e.g. a 5,000-digit integer, deep nesting
        text = f"a {type(value).__name__} too large to show"
    return cut(escape(text), limit)


def one_line(text: str, limit: int = MESSAGE_CHARS) -> str:
    """A message as one line of at most ``limit`` characters (control characters escaped)."""
    return cut(escape(str(text)), limit)


class AmsparesError(Exception):
    """Base class of every error that is reported to the user without a traceback."""


class ScenarioError(AmsparesError, ValueError):
    """An input (scenario key, cell, CSV column) breaks a rule.

    The message names the input, its value and the rule, e.g.
    ``demand.rate_per_year = -1: must be >= 0``.
    """

    def __init__(self, key: str, value, rule: str):
        self.key = key
        self.value = value
        self.rule = rule
        super().__init__(f"{cut(escape(str(key)), 120)} = {shown(value)}: {one_line(rule)}")


class OutputError(AmsparesError):
    """An output path that cannot be used (wrong kind of file, missing folder, ...)."""


class OutputExistsError(OutputError, FileExistsError):
    """Refusing to overwrite an existing output without ``--force``."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled like Ctrl-C (temporaries removed)."""
