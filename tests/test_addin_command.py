"""``amspares addin``: exit status and wording follow what xlwings' installer really did.

The messages fed in are xlwings 0.37.8's own, copied from ``xlwings/cli.py``
(``_addin_install``, ``_addin_remove``, ``addin_status``); the test reads them from the
installed xlwings source so that a changed xlwings text fails here.
"""

from __future__ import annotations

import argparse
import inspect
import subprocess

import pytest
import xlwings.cli

from amspares.commands import addin as addin_cmd

XLWINGS_SOURCE = inspect.getsource(xlwings.cli)

INSTALL_BUSY = ("Error: Failed to install the add-in: If Excel is running, "
                "quit Excel and try again. If you are using the '--glob' option "
                "make sure to run this command from an Elevated Command Prompt.")
REMOVE_MISSING = "Error: Could not remove the add-in. The add-in doesn't seem to be installed."


def test_messages_are_xlwings_own():
    flat = XLWINGS_SOURCE.replace('"\n                "', "").replace('"\n            "', "")
    for text in ("Error: Failed to install the add-in: If Excel is running, ",
                 "Successfully installed the xlwings add-in!", "Successfully removed the add-in!",
                 "The add-in is installed at", "The add-in is not installed.",
                 'Use "xlwings addin remove" to uninstall it.'):
        assert text in XLWINGS_SOURCE or text in flat, text
    assert "Error: Could not remove the add-in. " in XLWINGS_SOURCE


def fake(stdout, returncode=0):
    calls = []

    def run(cmd, **kwargs):
        assert kwargs == {"capture_output": True, "text": True}
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, returncode, stdout=stdout, stderr="")

    return run, calls


@pytest.mark.parametrize("action,stdout,code", [
    ("install", "Successfully installed the xlwings add-in! Please restart Excel.\n", 0),
    ("install", INSTALL_BUSY + "\n", 1),
    ("install", "PermissionError(13, 'Permission denied')\n", 1),
    ("install", "", 1),                       # nothing said: not reported as done
    ("remove", "Successfully removed the add-in!\n", 0),
    ("remove", REMOVE_MISSING + "\n", 1),
    ("status", "The add-in is not installed.\n\"xlwings addin install\" will install it at: C:\\x\n", 0),
    ("status", "The add-in is installed at C:\\x\nUse \"xlwings addin remove\" to uninstall it.\n", 0),
])
def test_exit_status_follows_xlwings_output(action, stdout, code, capsys):
    run, calls = fake(stdout)
    assert addin_cmd.run_addin(argparse.Namespace(action=action), platform="win32", run=run) == code
    out, err = capsys.readouterr()
    assert "xlwings addin" not in out + err and "xlwings add-in" not in out + err
    if code:
        assert f"amspares addin {action}" in err and "Quit Excel" in err
    if action == "status" and "remove" in stdout:
        assert 'Use "amspares addin remove" to uninstall it.' in out
    if action == "install" and code == 0:
        assert "Restart Excel" in out
    if stdout == INSTALL_BUSY + "\n":
        assert out.strip() == ("Error: Failed to install the add-in: If Excel is running, "
                               "quit Excel and try again.")


def test_nonzero_xlwings_status_fails():
    run, _ = fake("Successfully installed the xlwings add-in!", returncode=1)
    assert addin_cmd.run_addin(argparse.Namespace(action="install"), platform="darwin", run=run) == 1
