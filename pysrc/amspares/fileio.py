"""Writing output files safely: never half-written, never overwritten unasked."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from amspares.errors import OutputError, OutputExistsError


def check_writable(path: str | os.PathLike, force: bool = False) -> Path:
    """Refuse an existing output unless ``force``; refuse a missing directory."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p} is a directory, not a file")
    if p.exists() and not force:
        raise OutputExistsError(f"{p} exists; pass --force to overwrite it")
    if not p.parent.exists():
        raise OutputError(f"the folder {p.parent} does not exist")
    return p


@contextmanager
def atomic_output(path: str | os.PathLike, force: bool = False, suffix: str | None = None):
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    The rename (``os.replace``) is atomic on one file system, so a reader never sees a
    half-written file, and an error leaves any existing file untouched.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_output(d / "out.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "out.txt").read_text()
    'hello'
    >>> with atomic_output(d / "out.txt") as tmp:
    ...     pass
    Traceback (most recent call last):
    ...
    amspares.errors.OutputExistsError: ... exists; pass --force to overwrite it
    """
    target = check_writable(path, force)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
