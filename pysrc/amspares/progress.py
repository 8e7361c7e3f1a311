"""Progress of long command-line work, on stderr.

Shown only once the work has taken a second, so quick runs stay quiet. On a terminal one
line is redrawn in place (with a bar when the fraction done is known); otherwise (a log,
CI) one plain line per update, prefixed with the command.

>>> import io
>>> out = io.StringIO()
>>> p = Progress("scenario", out, after=0.0)
>>> p.show("[2/6] price sweeps", 2 / 6)
>>> out.getvalue()
'amspares scenario: [2/6] price sweeps\\n'
"""

from __future__ import annotations

import sys
import time


class Progress:
    """Progress lines for the command ``amspares <command>``."""

    def __init__(self, command: str, stream=None, after: float = 1.0):
        self.command = command
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.after = after
        self.shown = False

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def show(self, text: str, fraction: float | None = None) -> None:
        if self.elapsed < self.after:
            return
        if self.tty:
            bar = ""
            if fraction is not None:
                done = int(30 * min(max(fraction, 0.0), 1.0))
                bar = f"[{'#' * done}{'.' * (30 - done)}] {fraction:4.0%}  "
            self.stream.write(f"\r\033[Kamspares {self.command}: {bar}{text}")
        else:
            self.stream.write(f"amspares {self.command}: {text}\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the in-place line (terminal only) before the command prints its results."""
        if self.shown and self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
