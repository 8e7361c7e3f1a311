"""Excel-side adapters (xlwings); imported only inside Excel or by their tests."""
