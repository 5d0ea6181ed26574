"""A small progress bar on stderr for long computations (no dependency; ``quiet`` turns it off)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable ``progress(done, total)`` that draws a bar on ``stream`` at most ten times a second.

    The bar always ends its line with a newline when the work is done, so that the next output (a result,
    an error message, the shell prompt) starts on a line of its own:

    - used as a context manager, the line is ended when the block exits (also after an error); work in
      several phases, each reaching ``total``, redraws one bar on one line;
    - called without ``with``, the line is ended as soon as ``done`` reaches ``total``.

    With ``quiet`` nothing is written.
    """

    def __init__(self, label: str = "", quiet: bool = False, stream: TextIO | None = None,
                 width: int = 30):
        self.label = label
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._last = 0.0
        self._open = False  # a bar is drawn on the current line, not yet ended by a newline
        self._managed = False  # inside ``with``: the line is ended on exit

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total <= 0:
            return
        finished = done >= total
        now = time.monotonic()
        if not finished and self._open and now - self._last < 0.1:
            return
        self._last = now
        frac = min(1.0, max(0.0, done / total))
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * frac:5.1f}%")
        self._open = True
        if finished and not self._managed:
            self.close()
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line if one is open (idempotent)."""
        if self._open and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
        self._open = False

    def __enter__(self) -> ProgressBar:
        self._managed = True
        return self

    def __exit__(self, *exc) -> None:
        self._managed = False
        self.close()
