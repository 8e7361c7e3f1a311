"""Period lengths a demand history can be given in (no numpy: the CLI's help needs it at start-up).

>>> PERIODS_PER_YEAR["quarter"]
4.0
"""

#: Period lengths a history can be given in, and their number per year.
PERIODS_PER_YEAR = {"month": 12.0, "quarter": 4.0, "week": 365.2425 / 7}
