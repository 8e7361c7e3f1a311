"""The ``amspares`` command line: a thin adapter over the core.

Each sub-command lives in its own module, which defines ``add_parser(subparsers)``
(registering the sub-command and setting ``func``) so that features stay separate.
User errors (:class:`amspares.errors.AmsparesError`) print one line and exit 2; so does
a file-system problem (a folder that cannot be read or written, a full disk). Ctrl-C exits
130 and SIGTERM 143, each with one line, after removing every temporary file. An
unexpected internal error prints one line and exits 3 (``AMSPARES_DEBUG=1`` shows the
traceback); no traceback, and no warning text, reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import signal
import sys
import warnings

# Before numpy is imported: the model does elementwise array arithmetic only (no matrix
# products), so OpenBLAS's worker threads never help the command line; starting them (and
# their spinning) costs about 0.1-0.2 CPU-s a run. A user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from amspares import __version__
from amspares.errors import AmsparesError, Terminated, one_line

#: Modules that each register one or more sub-commands, in help order.
COMMAND_MODULES = (
    "amspares.commands.evaluate",
    "amspares.commands.scenario",
    "amspares.commands.portfolio",
    "amspares.commands.demand",
    "amspares.commands.init",
    "amspares.commands.factors",
    "amspares.commands.addin",
    "amspares.commands.doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amspares",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  amspares evaluate                       the thesis case study, every method\n"
            "  amspares scenario                       the case-study situations: when printing wins\n"
            "  amspares scenario -o case-study.xlsx    ... as a workbook to email\n"
            "  amspares init my_part.toml              a scenario file to edit, then:\n"
            "  amspares evaluate my_part.toml --json\n"
            "  amspares portfolio skus.csv -o decisions.csv\n"
            "\nEvery command takes --help. Documentation: README.md and docs/ in the source."),
        description=(
            "Should a low-demand spare part be kept in stock or printed on demand?\n"
            "Cost (Erlang C base stock, (s,Q) with minimum order quantities, make to order)\n"
            "and Eco-indicator 99 impact, as described in docs/model.md.\n"
            "'amspares scenario' runs the thesis's case-study situations (price, minimum order\n"
            "quantity, portfolio, mould, AM energy) for a scenario, with their break-evens."
        ),
    )
    parser.add_argument("--version", action="version", version=f"amspares {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:    # a module that fails to import is an error, never skipped
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except ImportError as exc:      # a command module is missing or broken: never skipped
        return _internal_error("amspares", exc, "the installation is incomplete; reinstall "
                               "amspares, or run with AMSPARES_DEBUG=1 for the traceback")
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    previous = _on_sigterm()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # numbers are checked; warning text never shown
            import numpy as np
            with np.errstate(all="ignore"):
                return int(args.func(args) or 0)
    except AmsparesError as exc:
        print(f"amspares {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except Terminated:
        print("amspares: terminated (SIGTERM); no file was written", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("amspares: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print(f"amspares {args.command}: error: an input is nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"amspares {args.command}: error: out of memory (is an input file far larger "
              f"than expected?)", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (e.g. "amspares scenario | head"): not an error for the user
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:         # the file system refused: one line, never "please report"
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"amspares {args.command}: error: {one_line(where)}{exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not a user error: one line, traceback on request
        return _internal_error(f"amspares {args.command}", exc, "run again with AMSPARES_DEBUG=1 "
                               "for the traceback, and please report it")
    finally:
        _restore_sigterm(previous)


def _internal_error(prefix: str, exc: BaseException, hint: str) -> int:
    """One line for an error that is amspares' fault, exit 3 (the traceback with AMSPARES_DEBUG=1)."""
    if os.environ.get("AMSPARES_DEBUG"):
        raise exc
    print(f"{prefix}: internal error: {type(exc).__name__}: {exc} ({hint})", file=sys.stderr)
    return 3


def _terminate(signum, frame):
    raise Terminated()


def _on_sigterm():
    """SIGTERM is handled like Ctrl-C: the stack unwinds, temporary files are removed."""
    try:
        return signal.signal(signal.SIGTERM, _terminate)
    except ValueError:              # not the main thread (e.g. called from a test thread)
        return None


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _first_non_finite(obj, path="") -> str | None:
    if isinstance(obj, float):
        return None if math.isfinite(obj) else (path or "the result")
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return None
    for k, v in items:
        found = _first_non_finite(v, f"{path}.{k}" if path else str(k))
        if found:
            return found
    return None


def json_text(obj, **kw) -> str:
    """The one way amspares prints JSON: valid JSON (never NaN or Infinity).

    A result that is not a finite number cannot be printed as JSON: an
    :class:`~amspares.errors.AmsparesError` names the first such value.

    >>> json_text({"a": [1.5, None]})
    '{"a": [1.5, null]}'
    >>> json_text({"a": {"b": float("inf")}})
    Traceback (most recent call last):
    ...
    amspares.errors.AmsparesError: the result a.b is not a finite number; an input is beyond what the model computes (see docs/limits.md)
    """
    import json

    try:
        return json.dumps(obj, allow_nan=False, **kw)
    except ValueError:
        where = _first_non_finite(obj) or "the result"
        raise AmsparesError(f"the result {where} is not a finite number; an input is "
                            f"beyond what the model computes (see docs/limits.md)") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
