"""Build ``xlam/amspares.xlam`` from the quickstart ribbon add-in of the installed xlwings.

Usage::

    python xlam/build_xlam.py            # writes xlam/amspares.xlam and xlam/LICENSE-xlwings.txt
    python xlam/build_xlam.py --check    # exit 1 if the committed add-in differs from a fresh build

The logic lives in :mod:`amspares.excel.addin_build`; the build is reproducible (fixed zip
timestamps, the source's member order, a deterministic VBA project writer).  It writes the
worksheet functions' VBA (xlwings' generator run on ``amspares.udfs``) into the add-in's
VBA project: rebuild after changing ``amspares.udfs``.  Run it with the xlwings version
pinned in ``pyproject.toml`` installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "pysrc"))

from amspares.excel import addin_build  # noqa: E402


def license_text() -> str:
    """xlwings' BSD license text from the installed distribution."""
    from importlib.metadata import distribution

    dist = distribution("xlwings")
    for f in dist.files or ():
        if f.name == "LICENSE.txt":
            return f.read_text(encoding="utf-8")
    raise SystemExit("build_xlam: error: xlwings' LICENSE.txt not found in its installed distribution")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "amspares.xlam")
    parser.add_argument("--check", action="store_true", help="compare with a fresh build instead of writing")
    args = parser.parse_args(argv)
    import xlwings

    source = addin_build.source_xlam()
    members = addin_build.build_members(source)
    if args.check:
        if not args.out.is_file() or addin_build.read_members(args.out) != members:
            print(f"build_xlam: {args.out} differs from a fresh build; run python xlam/build_xlam.py")
            return 1
        print(f"build_xlam: {args.out} is up to date (xlwings {xlwings.__version__})")
        return 0
    addin_build.write_xlam(members, args.out)
    (HERE / "LICENSE-xlwings.txt").write_text(license_text(), encoding="utf-8")
    print(f"build_xlam: wrote {args.out} from {source} (xlwings {xlwings.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
