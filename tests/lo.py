"""Headless LibreOffice as a spreadsheet engine for the tests.

:func:`recalculate` converts an xlsx with ``soffice --headless --convert-to xlsx`` under a
private user profile whose registrymodifications.xcu forces a full recalculation on load
(``OOXMLRecalcMode`` = 0, "always"; ``ODFRecalcMode`` = 0), so every formula is computed by
LibreOffice, not copied from the file's cached values. Read the result with openpyxl
``data_only=True``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(src: str | os.PathLike, outdir: str | os.PathLike, timeout: float = 180) -> Path:
    """Open ``src`` in headless LibreOffice, recalculate everything, save as xlsx in ``outdir``."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; tests/run.sh installs it")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="amspares-lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
        src = Path(src)
        # convert into a scratch dir: same basename as the source would collide with it
        scratch = Path(tempfile.mkdtemp(prefix="amspares-lo-out-"))
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(scratch), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = scratch / (src.stem + ".xlsx")
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stdout} {proc.stderr}")
        dest = outdir / (src.stem + ".recalc.xlsx")
        shutil.move(str(out), dest)
        shutil.rmtree(scratch, ignore_errors=True)
        return dest
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def recalculate_many(sources, outdir: str | os.PathLike, timeout: float = 600) -> list[Path]:
    """:func:`recalculate` for several files in one LibreOffice start (the files must have
    different names); returns the recalculated copies, in order."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; tests/run.sh installs it")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    sources = [Path(s) for s in sources]
    profile = Path(tempfile.mkdtemp(prefix="amspares-lo-profile-"))
    scratch = Path(tempfile.mkdtemp(prefix="amspares-lo-out-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(scratch), *map(str, sources)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = []
        for src in sources:
            got = scratch / (src.stem + ".xlsx")
            if not got.exists():
                raise RuntimeError(f"LibreOffice failed on {src.name} ({proc.returncode}): {proc.stdout} {proc.stderr}")
            dest = outdir / (src.stem + ".recalc.xlsx")
            shutil.move(str(got), dest)
            out.append(dest)
        return out
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
