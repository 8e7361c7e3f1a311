"""Render workbooks with LibreOffice (headless) to PDF and PNG, to look at sheets and charts.

Used by the tests (a sheet must render to a non-empty PDF) and by hand to refresh the
screenshots in ``docs/images``::

    python tests/render.py book.xlsx out/            # -> out/book.pdf, out/book-1.png, ...
    python tests/render.py book.xlsx out/ --dpi 80 --first 1 --last 2
    python tests/render.py book.xlsx out/ --dpi 110 --first 1 --last 1 --crop 40,200,560,250 --name fig13
    python tests/render.py screenshots docs/images      # the screenshots in docs/workbook.md

Every call uses its own LibreOffice user profile, so several renders (or engineers) can run
at the same time without fighting over ``~/.config/libreoffice``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["soffice", "to_pdf", "pdf_pages", "to_png", "keep_only"]


def soffice() -> str:
    """Path of the LibreOffice binary (``tests/run.sh`` installs it)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; tests/run.sh installs it")
    return exe


def to_pdf(book: str | Path, outdir: str | Path, timeout: float = 240) -> Path:
    """Convert a workbook to PDF with LibreOffice; returns the PDF path (``outdir/<stem>.pdf``)."""
    book, outdir = Path(book).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        cmd = [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(book)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdf = outdir / (book.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return pdf


def pdf_pages(pdf: str | Path) -> int:
    """Number of pages of a PDF, read from its page objects (no poppler needed).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.pdf"
    >>> _ = p.write_bytes(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page >>")
    >>> pdf_pages(p)
    2
    """
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def to_png(pdf: str | Path, outdir: str | Path, dpi: int = 80, first: int = 1, last: int | None = None,
           crop: tuple[int, int, int, int] | None = None, name: str | None = None) -> list[Path]:
    """Pages of a PDF as PNG files (``pdftoppm`` from poppler-utils).

    ``crop`` = ``(x, y, width, height)`` in pixels at ``dpi`` keeps one area of each page
    (a chart, for a screenshot); ``name`` is the file-name stem (default: the PDF's).
    """
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise RuntimeError("pdftoppm is not installed (apt-get install poppler-utils)")
    pdf, outdir = Path(pdf), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = name or pdf.stem
    cmd = [exe, "-png", "-r", str(dpi), "-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    if crop is not None:
        x, y, w, h = crop
        cmd += ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    subprocess.run(cmd + [str(pdf), str(outdir / stem)], check=True, capture_output=True)
    return sorted(outdir.glob(stem + "-*.png"))


def keep_only(wb, sheet: str):
    """Drop every sheet of an in-memory openpyxl workbook but ``sheet``, to render one sheet.

    Works on the workbook as built: openpyxl drops charts when it *loads* a file, so a saved
    workbook cannot be trimmed this way.
    """
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    return wb


#: docs/images screenshots: (file name, sheet, crop (x, y, w, h) at 110 dpi or None for the whole page 1)
SCREENSHOTS = (
    ("situations-base-comparison.png", "Base comparison", None),
    ("situations-price.png", "Price", None),
    ("chart-fig13-total-cost-vs-S.png", "Base comparison", (40, 200, 560, 260)),
    ("chart-fig23-fig30-mould.png", "Mould", (40, 200, 1220, 260)),
    ("chart-fig21-fig29-portfolio.png", "Portfolio", (40, 160, 1220, 450)),
)


def screenshots(outdir: str | Path, dpi: int = 80) -> list[Path]:
    """Render the situation sheets of the built-in case study to ``docs/images``-style PNGs.

    One sheet per workbook (:func:`keep_only`), LibreOffice to PDF, page 1 to PNG (whole
    page at ``dpi``, or a chart area cropped at 110 dpi).
    """
    from openpyxl import Workbook

    from amspares.commands.scenario import study_json
    from amspares.scenario import load_scenario
    from amspares.workbook.situations import add_situation_sheets

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    study = study_json(load_scenario())
    made = []
    with tempfile.TemporaryDirectory(prefix="amspares_shots_") as tmp:
        pdfs = {}
        for file, sheet, crop in SCREENSHOTS:
            if sheet not in pdfs:
                wb = Workbook()
                del wb[wb.sheetnames[0]]
                add_situation_sheets(wb, study)
                book = Path(tmp) / (re.sub(r"\W+", "_", sheet) + ".xlsx")
                keep_only(wb, sheet).save(book)
                pdfs[sheet] = to_pdf(book, tmp)
            stem = Path(file).stem
            pngs = to_png(pdfs[sheet], tmp, 110 if crop else dpi, 1, 1, crop, stem)
            target = outdir / file
            shutil.move(str(pngs[0]), target)
            made.append(target)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("book", help="workbook to render, or 'screenshots' to refresh docs/images")
    ap.add_argument("outdir")
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--last", type=int)
    ap.add_argument("--crop", metavar="X,Y,W,H", help="keep this area (pixels at --dpi) of each page")
    ap.add_argument("--name", help="PNG file-name stem (default: the workbook's)")
    args = ap.parse_args(argv)
    if args.book == "screenshots":
        for p in screenshots(args.outdir, args.dpi):
            print(f"{p} ({p.stat().st_size // 1024} KB)")
        return 0
    pdf = to_pdf(args.book, args.outdir)
    crop = tuple(int(v) for v in args.crop.split(",")) if args.crop else None
    pngs = to_png(pdf, args.outdir, args.dpi, args.first, args.last, crop, args.name)
    print(f"{pdf} ({pdf_pages(pdf)} pages)")
    for p in pngs:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
