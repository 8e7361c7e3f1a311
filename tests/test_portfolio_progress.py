"""Progress of ``amspares portfolio --jobs 2``: before the fix the progress line said 100 %
while a third of the SKUs was done, because it followed the reader, which runs ahead of the
workers."""

from amspares.portfolio import run_portfolio
from amspares.scenario import load_scenario


def _catalogue(path, rows):
    with open(path, "w") as f:
        f.write("sku,demand.rate_per_year,methods.regular.price\n")
        for i in range(rows):
            f.write(f"S{i},{0.1 + (i * 7919 % 2000) / 100:.3f},{5 + (i * 104729 % 4500) / 100:.2f}\n")


def test_progress_follows_the_results_not_the_reader(tmp_path):
    cat = tmp_path / "cat.csv"
    _catalogue(cat, 200_000)
    seen = []
    report = run_portfolio(cat, tmp_path / "out.csv", load_scenario(), jobs=2, chunk_rows=20_000,
                           progress=lambda fraction, rows: seen.append((fraction, rows)))
    assert report.rows == 200_000 and len(seen) == 10
    for fraction, rows in seen:
        # each chunk is the same size in bytes to within a few per cent
        assert abs(fraction - rows / 200_000) < 0.03, (fraction, rows)
