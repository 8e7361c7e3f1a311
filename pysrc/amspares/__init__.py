"""amspares: keep a low-demand spare part in stock, or print it on demand?

The package is layered so that every number has one code path:

* :mod:`amspares.core` -- the pure model (numpy/scipy only): Erlang C, base stock,
  (s,Q) with minimum order quantities, make to order, Eco-indicator 99 impact, and
  the vectorised evaluation of a scenario's methods.
* :mod:`amspares.scenario` -- scenario files (TOML), validation, factor tables.
* adapters that compute nothing themselves: :mod:`amspares.cli`, :mod:`amspares.udfs`
  (Excel functions), the workbook writer and the ribbon macro :func:`main`.
"""

__version__ = "0.1.0"


def main():
    """Entry point of the ribbon button "Run scenario" (called by the add-in's RunMain).

    Imports xlwings lazily so that the pure package never needs it.
    """
    from amspares.excel.ribbon import run_scenario

    run_scenario()
