"""``python -m amspares.workbook``: regenerate ``templates/scenario.xlsx``."""

import sys

from amspares.workbook.writer import main

sys.exit(main())
