"""Errors a user can cause. Each carries a message fit to print as one line."""


class AmsparesError(Exception):
    """Base class of every error that is reported to the user without a traceback."""


class ScenarioError(AmsparesError, ValueError):
    """An input (scenario key, cell, CSV column) breaks a rule.

    The message names the input, its value and the rule, e.g.
    ``demand.rate_per_year = -1: must be >= 0``.
    """

    def __init__(self, key: str, value, rule: str):
        self.key = key
        self.value = value
        self.rule = rule
        super().__init__(f"{key} = {value!r}: {rule}")


class OutputError(AmsparesError):
    """An output path that cannot be used (wrong kind of file, missing folder, ...)."""


class OutputExistsError(OutputError, FileExistsError):
    """Refusing to overwrite an existing output without ``--force``."""

