"""A small progress bar on stderr for long computations (no dependency; ``quiet`` turns it off)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable ``progress(done, total)`` that draws a bar on ``stream`` at most ten times a second.

    Use as a context manager so the line is finished when the work ends.
    """

    def __init__(self, label: str = "", quiet: bool = False, stream: TextIO | None = None,
                 width: int = 30):
        self.label = label
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = min(1.0, done / total)
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * frac:5.1f}%")
        self.stream.flush()
        self._drawn = True

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        if self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
