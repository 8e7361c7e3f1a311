"""kg CO2e on the situation sheets: each environmental chart has a climate twin (issue 16)."""

import json

from amspares.commands.scenario import study_json
from amspares.scenario import load_scenario
from amspares.workbook.situations import SHEETS

from test_situations import build, parse_ref, series_refs, title_text

TWINS = ("Fig. 26", "Fig. 27-28", "Fig. 30")


def _charts(study):
    wb = build(study)
    return wb, {title_text(c.title): (n, c) for n in SHEETS for c in wb[n]._charts}


def test_each_environmental_chart_has_a_kgco2e_twin_plotting_the_kgco2e_columns():
    study = json.loads(json.dumps(study_json(load_scenario())))
    wb, charts = _charts(study)
    for fig in TWINS:
        twin = [t for t in charts if t.startswith(fig + " in kg CO2e")]
        assert len(twin) == 1, (fig, sorted(charts))
        sheet, chart = charts[twin[0]]
        assert "kg CO2e" in title_text(chart.y_axis.title)
        for label, _x, yf in series_refs(chart):
            _s, col, r1, _r2 = parse_ref(yf)
            header = wb[sheet][f"{col}{r1 - 1}"].value
            assert header.endswith(".impact_kgco2e") and label == header.partition(".")[0]
            # the plotted values are the core's (the sweep's first row)
            assert wb[sheet][f"{col}{r1}"].value is not None


def test_without_climate_factors_no_kgco2e_chart_is_drawn():
    """A scenario whose material has no climate factor has null kg CO2e columns: no empty chart."""
    from amspares.scenario import parse_scenario

    mapping = load_scenario().to_mapping()
    mapping["part"].pop("material_kgco2e_per_kg")
    study = json.loads(json.dumps(study_json(parse_scenario(mapping))))
    _wb, charts = _charts(study)
    assert not any("kg CO2e" in t for t in charts), sorted(charts)
    assert any(t.startswith("Fig. 26 Impact") for t in charts)
