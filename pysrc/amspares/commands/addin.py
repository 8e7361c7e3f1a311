"""``amspares addin install|remove|status``.

``addin`` hands the packaged ``amspares.xlam`` to xlwings' own command line
(``python -m xlwings.cli addin install --file <path>``), which copies it to Excel's XLSTART
folder (and, on macOS, installs xlwings' AppleScript for RunPython).
"""

from __future__ import annotations

import re
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


#: What xlwings prints when it did what was asked (xlwings 0.37.8, ``xlwings/cli.py``).
SUCCESS = {
    "install": ("Successfully installed",),
    "remove": ("Successfully removed",),
    "status": ("The add-in is installed at", "The add-in is not installed."),
}


def amspares_wording(text: str) -> str:
    """xlwings' messages with amspares' commands and name.

    >>> amspares_wording('Use "xlwings addin remove" to uninstall it.')
    'Use "amspares addin remove" to uninstall it.'
    >>> amspares_wording("Successfully installed the xlwings add-in! Please restart Excel.")
    'Successfully installed the amspares add-in! Please restart Excel.'
    """
    for action in ACTIONS + ("update",):
        text = text.replace(f"xlwings addin {action}", f"amspares addin {action}")
    text = text.replace("the xlwings add-in", "the amspares add-in")
    text = text.replace("If you are using the '--glob' option make sure to run this command from an Elevated Command Prompt.", "")
    text = text.replace(" If you use the '--glob' option, make sure to run this command from an Elevated Command Prompt!", " ")
    return text.strip()


def xlwings_succeeded(action: str, returncode: int, output: str) -> bool:
    """Whether xlwings did ``action``: xlwings prints its errors and still exits 0, so its
    output is read too.

    >>> xlwings_succeeded("install", 0, "Error: Failed to install the add-in: If Excel is running, quit Excel and try again.")
    False
    >>> xlwings_succeeded("remove", 0, "Successfully removed the add-in!")
    True
    """
    if returncode:
        return False
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if any(line.startswith("Error") or line.startswith("Traceback") or re.match(r"\w+(Error|Exception)\(", line) for line in lines):
        return False
    return any(line.startswith(SUCCESS[action]) for line in lines)


def run_addin(args, platform: str = sys.platform, run=None) -> int:
    """Install, remove or report the add-in through xlwings.

    Parameters
    ----------
    args : argparse.Namespace
        With ``action`` in :data:`ACTIONS`.
    platform : str
        ``sys.platform``; other than ``win32``/``darwin`` is refused.
    run : callable
        ``subprocess.run`` or a fake (called with ``capture_output=True, text=True``).

    Returns
    -------
    int
        0 when xlwings did it, 1 when it failed (its message is printed, reworded for
        amspares, with the fix).

    Raises
    ------
    AddinError
        On a platform without Excel, or when the add-in file is missing.
    """
    if run is None:
        import subprocess

        run = subprocess.run
    if platform not in ("win32", "darwin"):
        raise AddinError(f"'addin {args.action}' needs Excel, which runs on Windows or macOS (this is {platform})")
    from amspares.excel.addin_build import find_xlam

    xlam = find_xlam()
    if xlam is None:
        raise AddinError("amspares.xlam is missing from this installation; reinstall amspares")
    proc = run(xlwings_addin_command(args.action, str(xlam)), capture_output=True, text=True)
    output = (proc.stdout or "") + (proc.stderr or "")
    if output.strip():
        print(amspares_wording(output))
    if xlwings_succeeded(args.action, int(proc.returncode or 0), output):
        if args.action == "install":
            print("Restart Excel: the AM Spares tab and the worksheet functions are then ready "
                  "(run 'amspares doctor' if they are not).")
        return 0
    print(f"amspares: 'addin {args.action}' failed. Quit Excel (check Task Manager for a "
          f"hidden EXCEL.EXE) and run 'amspares addin {args.action}' again; "
          "'amspares doctor' checks the rest of the setup.", file=sys.stderr)
    return 1


def add_parser(subparsers) -> None:
    """Register ``addin`` on the ``amspares`` sub-command parsers."""
    p = subparsers.add_parser(
        "addin",
        help="install, remove or show the Excel add-in (Windows and macOS)",
        description=(
            "Install, remove or show the amspares Excel add-in (amspares.xlam, with the "
            "worksheet functions and the AM Spares tab) in Excel's XLSTART folder, through "
            "xlwings' 'addin' command. Quit Excel first; restart it afterwards. "
            "Exit status 0 when it worked, 1 when it failed."
        ),
    )
    p.add_argument("action", choices=ACTIONS, help="what to do with the add-in")
    p.set_defaults(func=run_addin)
