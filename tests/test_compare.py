"""Cross-report comparison: table, unit normalization, CSV, PNG chart, CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.reports.compare import CSV_COLUMNS, CompareError
from rag.reports.indicators import IndicatorError

runner = CliRunner()


def test_gdp_across_reports(store_services):
    comparison = store_services.compare("GDP")
    assert (comparison.indicator, comparison.indicator_en, comparison.unit) == ("地区生产总值", "GDP", "亿元")
    rows = {(r.region, r.ref_year, r.kind): r for r in comparison.rows}
    linghe = rows[("锦州市凌河区", 2022, "actual")]
    assert (linghe.value, linghe.growth, linghe.written) == (129, 3.1, "129亿元，增长3.1%")
    assert linghe.report_id == "000_748cc8dca99de2ec" and linghe.paragraph == 4 and linghe.quote.startswith("地区生产总值")
    assert linghe.section_path == ["一、2022年工作回顾", "(一)高质量发展成绩可圈可点"]
    assert rows[("营口市西市区", 2019, "target")].value == 122
    assert (rows[("焦作市解放区", 2022, "target")].growth, rows[("焦作市解放区", 2022, "target")].qualifier) == (8, "左右")
    assert rows[("曲靖市麒麟区", 2022, "actual")].growth == 5
    # any name the table knows, in either script, gives the same rows
    for name in ("地区生产总值", "國內生產總值", "gross domestic product", "gdp"):
        assert [r.to_dict() for r in store_services.compare(name).rows] == [r.to_dict() for r in comparison.rows]


def test_filters_and_unit_normalization(store_services):
    targets = store_services.compare("GDP", kind="target")
    assert targets.rows and all(r.kind == "target" for r in targets.rows)
    assert {r.region for r in store_services.compare("GDP", year=2022).rows} == {"锦州市凌河区", "曲靖市麒麟区",
                                                                                "焦作市解放区"}
    spending = store_services.compare("livelihood spending")
    linghe = next(r for r in spending.rows if r.region == "锦州市凌河区")
    assert linghe.unit == spending.unit and linghe.written == "75354万元，增长7.3%"  # every row in the table's unit
    assert linghe.value == {"亿元": 7.5354, "万元": 75354}[spending.unit]
    jobs = store_services.compare("new jobs")
    assert next(r for r in jobs.rows if r.region == "曲靖市麒麟区" and r.kind == "actual").value == 11100
    with pytest.raises(IndicatorError):
        store_services.compare("happiness")
    with pytest.raises(IndicatorError):
        store_services.compare("GDP", kind="wish")


def test_csv_and_dict(store_services):
    comparison = store_services.compare("GDP")
    table = list(csv.DictReader(io.StringIO(comparison.to_csv())))
    assert len(table) == len(comparison.rows) and tuple(table[0]) == CSV_COLUMNS
    linghe = next(r for r in table if r["region"] == "锦州市凌河区" and r["kind"] == "actual")
    assert (linghe["value"], linghe["unit"], linghe["growth"], linghe["ref_year"]) == ("129", "亿元", "3.1", "2022")
    data = comparison.to_dict()
    assert data["indicator"] == "地区生产总值" and len(data["rows"]) == len(comparison.rows)
    json.dumps(data, ensure_ascii=False)


def test_plot_writes_a_png(store_services, tmp_path, monkeypatch):
    path = store_services.compare("GDP").plot(tmp_path / "charts" / "gdp.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    import rag.reports.compare

    monkeypatch.setattr(rag.reports.compare, "find_cjk_font", lambda preferred=None: None)  # no CJK font: pinyin labels
    assert store_services.compare("CPI").rows == []
    path = store_services.compare("fiscal revenue", kind="target").plot(tmp_path / "fiscal.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(CompareError, match="no figures"):
        store_services.compare("CPI").plot(tmp_path / "none.png")


def test_missing_font_is_a_clear_error(store_services, tmp_path):
    with pytest.raises(CompareError, match="does not exist"):
        store_services.compare("GDP").plot(tmp_path / "x.png", font=str(tmp_path / "nofont.ttf"))
    with pytest.raises(CompareError, match="not installed"):
        store_services.compare("GDP").plot(tmp_path / "x.png", font="No Such Font Family")


def test_compare_and_indicators_cli(store_services, tmp_path):
    base = ["--index-dir", str(store_services.index_dir)]
    chart = tmp_path / "out.png"
    result = runner.invoke(app, [*base, "compare", "--indicator", "GDP", "--plot", str(chart), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["plot"] == str(chart) and chart.read_bytes()[:4] == b"\x89PNG" and len(data["rows"]) == 9
    result = runner.invoke(app, [*base, "compare", "--indicator", "GDP", "--kind", "target", "--csv"])
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("indicator,region,ref_year")
    assert len(result.stdout.splitlines()) == 5
    result = runner.invoke(app, [*base, "compare", "--indicator", "GDP", "--year", "2019"])
    assert result.exit_code == 0 and "¶39" in result.output and "¶4 " not in result.output
    result = runner.invoke(app, [*base, "compare", "--indicator", "nonsense"])
    assert result.exit_code == 2 and "unknown indicator 'nonsense'" in result.output

    result = runner.invoke(app, [*base, "indicators", "--report", "000_748cc8dca99de2ec", "--json"])
    rows = json.loads(result.stdout)
    assert result.exit_code == 0 and len(rows) == 23 and rows[0]["quote"] == "地区生产总值完成129亿元,同比增长3.1%"
    result = runner.invoke(app, [*base, "indicators", "--indicator", "GDP", "--kind", "target", "--csv"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 5
    result = runner.invoke(app, [*base, "indicators", "--kind", "multi-year"])
    assert result.exit_code == 0 and "multi-year" in result.output and "actual" not in result.output
    result = runner.invoke(app, [*base, "indicators", "--report", "nope"])
    assert result.exit_code == 2 and "no report with id 'nope'" in result.output
    result = runner.invoke(app, [*base, "indicators", "--targets", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []  # the seeds hold no next-year report
