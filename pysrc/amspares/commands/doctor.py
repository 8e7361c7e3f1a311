"""``amspares doctor``: check the Python/Excel set-up and print a fix for each problem.

The checks live in :mod:`amspares.doctor`; this module is the command.
"""

from __future__ import annotations


def run_doctor(args) -> int:
    """Print the doctor report; 0 when no problems, 1 otherwise."""
    from amspares import doctor

    checks = doctor.run_checks(doctor.Environment.current(workbook=args.workbook))
    print(doctor.format_checks(checks))
    return doctor.exit_code(checks)


def add_parser(subparsers) -> None:
    """Register ``doctor`` on the ``amspares`` sub-command parsers."""
    d = subparsers.add_parser(
        "doctor",
        help="check the Python/Excel installation and say how to fix problems",
        description=(
            "Check Python, package versions, the add-in's xlwings version, the xlwings DLL, "
            "the config files, Excel and the Excel functions; print a one-line fix for each "
            "problem. Exit status 0 when no problems were found, 1 otherwise."
        ),
    )
    d.add_argument("--workbook", metavar="PATH", help="also check this workbook's folder config and location")
    d.set_defaults(func=run_doctor)
