"""Test-wide settings: hypothesis runs derandomised, so a run is repeatable.

The ``ci`` profile (the default) draws the same examples on every run (``derandomize``)
and keeps no example database; a failure found once is then kept as an explicit
``@example`` in its test. ``HYPOTHESIS_PROFILE=explore`` draws fresh random examples
(to look for new failures locally).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
