"""The one way amspares writes an output file: never half-written, never overwritten unasked.

:func:`atomic_output` is used by every command that writes a file (``amspares init``, the
scenario workbook of ``amspares scenario -o``, ``amspares portfolio -o``):

* the file is written under a temporary name in the target's folder and moved into place
  only when complete, so a reader never sees a half-written file and an error leaves any
  existing file untouched (and no temporary file behind);
* an existing file is replaced only with ``force`` (``--force``); without it the move is
  a hard link that fails if the target exists, so a file that appears while the output
  is being written is not clobbered either;
* the new file gets ordinary permissions (``0666`` minus the umask), like any file the
  user creates; a replaced file keeps its own permissions;
* every problem is an :class:`~amspares.errors.OutputError` with one of the wordings of
  :func:`check_writable` (or ``cannot write P: <reason>``, e.g. a read-only file system
  or a full disk);
* a dangling symbolic link at the output path counts as an existing file;
* temporary names are recognisable (``.NAME.amspares-PID-xxxx.SUFFIX``): one left behind
  by a process that was killed (``kill -9``, a power cut) is removed by the next run that
  writes into the same folder (:func:`remove_stale_temporaries`).

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
amspares.errors.OutputExistsError: .../out.txt exists; use --force to overwrite it
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from amspares.errors import OutputError, OutputExistsError


def exists_message(path) -> str:
    """The one wording of "the output exists"."""
    return f"{path} exists; use --force to overwrite it"


def check_writable(path: str | os.PathLike, force: bool = False, probe: bool = False) -> Path:
    """Refuse an output path that cannot be written, before any work is done.

    The errors (:class:`~amspares.errors.OutputError`), in the order checked:

    * ``cannot write P: it is a folder, not a file``
    * ``P exists; use --force to overwrite it`` (:class:`~amspares.errors.OutputExistsError`)
    * ``cannot write P: the folder F does not exist``
    * ``cannot write P: F is a file, not a folder``
    * ``cannot write P: the folder F is not writable``
    * ``cannot write P: <reason>`` (``probe``: a file could not be created in F, e.g. a
      read-only file system; checked by creating and removing a temporary file)
    """
    p = Path(path)
    folder = p.parent
    if p.is_dir():
        raise OutputError(f"cannot write {p}: it is a folder, not a file")
    if (p.exists() or p.is_symlink()) and not force:     # a dangling link too
        raise OutputExistsError(exists_message(p))
    if not folder.exists():
        raise OutputError(f"cannot write {p}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {p}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {p}: the folder {folder} is not writable")
    if probe:
        try:
            fd, name = tempfile.mkstemp(prefix=temporary_prefix(p), suffix=".probe", dir=folder)
        except OSError as exc:
            raise OutputError(f"cannot write {p}: {exc.strerror or exc}") from None
        os.close(fd)
        os.unlink(name)
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permissions an ordinary new file gets: ``0666`` minus the umask."""
    return 0o666 & ~_umask()


def _publish(tmp: Path, target: Path, force: bool) -> None:
    """Move the complete temporary file to ``target`` (no-clobber unless ``force``)."""
    try:
        mode = target.stat().st_mode & 0o777 if force else new_file_mode()
    except FileNotFoundError:
        mode = new_file_mode()
    os.chmod(tmp, mode)
    if force:
        os.replace(tmp, target)
        return
    try:                        # atomic no-clobber: a link fails if the target exists
        os.link(tmp, target)
    except FileExistsError:
        raise OutputExistsError(exists_message(target)) from None
    except OSError as exc:      # a file system without hard links
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV,
                             errno.EMLINK, errno.ENOSYS):
            raise
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # claims the name
        os.close(fd)
        os.replace(tmp, target)
        return
    tmp.unlink()


@contextmanager
def atomic_output(path: str | os.PathLike, force: bool = False,
                  suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, it becomes ``path``.

    ``suffix`` ends the temporary name (default: the target's suffix; some writers pick
    the format from it). Raises :class:`~amspares.errors.OutputError` (see
    :func:`check_writable`) before the block runs, and
    :class:`~amspares.errors.OutputExistsError` if the target appeared meanwhile. On any
    error the temporary file is removed and an existing target is left as it was.
    """
    target = check_writable(path, force)
    remove_stale_temporaries(target.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=temporary_prefix(target),
                                    suffix=suffix or target.suffix or ".tmp", dir=target.parent)
    except PermissionError as exc:
        raise OutputError(f"cannot write {target}: the folder {target.parent} is not writable "
                          f"({exc.strerror})") from None
    except OSError as exc:          # a read-only file system, no space, ...
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
            _publish(tmp, target, force)
        except OSError as exc:
            if isinstance(exc, (OutputError, FileExistsError)) or (
                    exc.filename is not None and not str(exc.filename).startswith(str(tmp))
                    and Path(exc.filename) != target):
                raise               # not about the output (e.g. reading the input)
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        for leftover in [tmp, *target.parent.glob(glob_escape(tmp.name) + ".*")]:
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass


def temporary_prefix(target: Path) -> str:
    """The start of the temporary names of an output: ``.NAME.amspares-PID-``."""
    return f".{target.name}.amspares-{os.getpid()}-"


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


_STALE = re.compile(r"^\..+\.amspares-(\d+)-")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                 # exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries of amspares runs in ``folder`` whose process is gone.

    Returns the removed paths. Only names amspares makes (``.NAME.amspares-PID-...``) are
    considered, and only when no process ``PID`` runs; any problem is ignored (this is
    housekeeping, never a reason to fail).
    """
    removed = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".") and ".amspares-" in e.name]
    except OSError:
        return removed
    for name in names:
        m = _STALE.match(name)
        if m and not _alive(int(m.group(1))):
            try:
                os.unlink(folder / name)
                removed.append(folder / name)
            except OSError:
                pass
    return removed
