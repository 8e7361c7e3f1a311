"""The ``amspares`` command line: a thin adapter over the core.

Each sub-command lives in its own module, which defines ``add_parser(subparsers)``
(registering the sub-command and setting ``func``) so that features stay separate.
User errors (:class:`amspares.errors.AmsparesError`) print one line and exit 2; an
unexpected internal error prints one line and exits 3 (``AMSPARES_DEBUG=1`` shows the
traceback); no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from amspares import __version__
from amspares.errors import AmsparesError

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
        if os.environ.get("AMSPARES_DEBUG"):
            raise
        print(f"amspares: internal error: {type(exc).__name__}: {exc} (the installation is "
              f"incomplete; reinstall amspares, or run with AMSPARES_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 3
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AmsparesError as exc:
        print(f"amspares {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("amspares: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. "amspares scenario | head"): not an error for the user
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug, not a user error: one line, traceback on request
        if os.environ.get("AMSPARES_DEBUG"):
            raise
        print(f"amspares {args.command}: internal error: {type(exc).__name__}: {exc} "
              f"(run again with AMSPARES_DEBUG=1 for the traceback, and please report it)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
