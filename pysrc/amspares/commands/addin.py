"""``amspares addin install|remove|status`` and ``amspares doctor``.

``addin`` hands the packaged ``amspares.xlam`` to xlwings' own command line
(``python -m xlwings.cli addin install --file <path>``), which copies it to Excel's XLSTART
folder (and, on macOS, installs xlwings' AppleScript for RunPython).
"""

from __future__ import annotations

import subprocess
import sys

from amspares.errors import AmsparesError

ACTIONS = ("install", "remove", "status")


class AddinError(AmsparesError):
    """The add-in cannot be managed here (platform, missing file, xlwings failure)."""


def xlwings_addin_command(action: str, xlam: str, python: str = sys.executable) -> list[str]:
    """The xlwings CLI invocation for ``action`` on the add-in file ``xlam``.

    >>> xlwings_addin_command("status", "C:/a/amspares.xlam", python="python")
    ['python', '-m', 'xlwings.cli', 'addin', 'status', '--file', 'C:/a/amspares.xlam']
    """
    if action not in ACTIONS:
        raise AddinError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    return [python, "-m", "xlwings.cli", "addin", action, "--file", xlam]


def run_addin(args, platform: str = sys.platform, run=subprocess.run) -> int:
    """Install, remove or report the add-in through xlwings.

    Parameters
    ----------
    args : argparse.Namespace
        With ``action`` in :data:`ACTIONS`.
    platform : str
        ``sys.platform``; other than ``win32``/``darwin`` is refused.
    run : callable
        ``subprocess.run`` or a fake.

    Returns
    -------
    int
        xlwings' exit status.

    Raises
    ------
    AddinError
        On a platform without Excel, or when the add-in file is missing.
    """
    if platform not in ("win32", "darwin"):
        raise AddinError(f"'addin {args.action}' needs Excel, which runs on Windows or macOS (this is {platform})")
    from amspares.excel.addin_build import find_xlam

    xlam = find_xlam()
    if xlam is None:
        raise AddinError("amspares.xlam is missing from this installation; reinstall amspares")
    proc = run(xlwings_addin_command(args.action, str(xlam)))
    # xlwings prints its own errors but may still exit 0; pass its status on.
    return int(proc.returncode or 0)


def run_doctor(args) -> int:
    """Print the doctor report; 0 when no problems, 1 otherwise."""
    from amspares import doctor

    checks = doctor.run_checks(doctor.Environment.current(workbook=args.workbook))
    print(doctor.format_checks(checks))
    return doctor.exit_code(checks)


def add_parser(subparsers) -> None:
    """Register ``addin`` and ``doctor`` on the ``amspares`` sub-command parsers."""
    p = subparsers.add_parser(
        "addin",
        help="install, remove or show the Excel add-in (Windows and macOS)",
        description=(
            "Install, remove or show the amspares Excel add-in (amspares.xlam) in Excel's "
            "XLSTART folder, through xlwings' 'addin' command. Quit Excel first."
        ),
    )
    p.add_argument("action", choices=ACTIONS, help="what to do with the add-in")
    p.set_defaults(func=run_addin)

    d = subparsers.add_parser(
        "doctor",
        help="check the Python/Excel installation and say how to fix problems",
        description=(
            "Check Python, package versions, the add-in's xlwings version, the xlwings DLL, "
            "the config files and the Excel functions; print a one-line fix for each problem. "
            "Exit status 0 when no problems were found, 1 otherwise."
        ),
    )
    d.add_argument("--workbook", metavar="PATH", help="also check this workbook's folder config and location")
    d.set_defaults(func=run_doctor)
