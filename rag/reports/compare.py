"""One indicator across reports: a table (region, year, value, growth, kind, citation), CSV and a bar chart.

Values are converted to the unit most rows use (75354万元 → 7.5354亿元), so places and years line up; each row
keeps the figure as written and the quoted span it comes from. Charts are drawn by matplotlib (Agg backend,
no display needed) with a Chinese font when one is installed (``REPORTQA_PLOT_FONT`` names one), otherwise
with pinyin labels so no character is drawn as a box.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.index.store import Library
from rag.reports.indicators import check_kind, load_table, resolve_indicator
from rag.reports.ledger import LedgerRow, convert, fmt_number, query_ledger

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "STHeiti",
             "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback", "Noto Sans CJK JP", "Noto Serif CJK SC")
KIND_LABELS = {"actual": ("实际", "actual"), "target": ("目标", "target"), "multi-year": ("多年", "multi-year")}
CSV_COLUMNS = ("indicator", "region", "ref_year", "report_year", "kind", "value", "unit", "written", "growth",
               "qualifier", "rank", "title", "report_id", "paragraph", "chunk_id", "quote")


class CompareError(ValueError):
    """A comparison or chart cannot be made; the message says why."""


@dataclass
class CompareRow:
    indicator: str
    region: str
    ref_year: int | None
    report_year: int | None
    kind: str
    value: float | None  # in the comparison's unit
    unit: str
    written: str  # the figure as the report states it, e.g. 129亿元，增长3.1%
    growth: float | None
    qualifier: str
    rank: str
    title: str
    report_id: str
    paragraph: int | None
    chunk_id: str
    quote: str
    quote_start: int
    section_path: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Comparison:
    indicator: str
    indicator_en: str
    kind: str | None
    year: int | None
    unit: str
    rows: list[CompareRow]

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "indicator_en": self.indicator_en, "kind": self.kind,
                "year": self.year, "unit": self.unit, "rows": [r.to_dict() for r in self.rows]}

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.rows:
            data = row.to_dict()
            writer.writerow(["" if data[c] is None else (fmt_number(data[c]) if isinstance(data[c], float)
                                                        else data[c]) for c in CSV_COLUMNS])
        return out.getvalue()

    def plot(self, path: str | Path, font: str | None = None) -> Path:
        """A PNG bar chart: values (in the comparison's unit) and/or growth rates, one bar per row."""
        return plot_comparison(self, Path(path), font)


def compare(services: Library, indicator: str, kind: str | None = None, year: int | None = None) -> Comparison:
    """The ledger rows of one indicator (a Chinese name, synonym or English alias) across all reports."""
    check_kind(kind)
    names = resolve_indicator(indicator)
    table = load_table()
    rows = query_ledger(services.store.conn, indicators=names, kind=kind, year=year)
    chosen: dict[tuple[str, str, str, int | None], LedgerRow] = {}
    for row in rows:  # one row per report, indicator, kind and year (the first statement of it)
        chosen.setdefault((row.report_id, row.indicator, row.kind, row.ref_year), row)
    picked = list(chosen.values())
    units = Counter(r.unit for r in picked if r.value is not None)
    unit = _common_unit(units)
    reports = {r.report_id: r for r in services.store.reports()}
    chunks = services.store.chunks_by_id(list({r.chunk_id for r in picked}))
    out = []
    for r in picked:
        value = convert(r.value, r.unit, unit) if r.value is not None and unit else None
        value = float(f"{value:.10g}") if value is not None else None  # 1.11万人 → 11100人, not 11100.000000000002
        report = reports.get(r.report_id)
        chunk = chunks.get(r.chunk_id)
        out.append(CompareRow(
            r.indicator, r.region, r.ref_year, r.report_year, r.kind, value, unit if value is not None else "",
            r.figure_text(), r.growth, r.qualifier, r.rank, report.title if report else "", r.report_id,
            r.paragraph, r.chunk_id, r.quote, r.quote_start, chunk.section_path if chunk else [],
        ))
    order = {"actual": 0, "target": 1, "multi-year": 2}
    out.sort(key=lambda c: (c.indicator, c.region, c.ref_year or 0, order.get(c.kind, 3), c.report_id))
    first = table.get(names[0])
    label = indicator if len(names) > 1 else first.name
    return Comparison(label, first.english if len(names) == 1 else indicator, kind, year, unit, out)


def _common_unit(units: Counter[str]) -> str:
    if not units:
        return ""
    best = units.most_common()
    top = best[0][0]
    # prefer the unit into which most rows convert (亿元 over 万元 when both occur equally)
    scores = {u: sum(n for v, n in best if convert(1.0, v, u) is not None) for u, _ in best}
    return max(scores, key=lambda u: (scores[u], units[u], u == top))


# -- chart ------------------------------------------------------------------------------------------------------
def find_cjk_font(preferred: str | None = None) -> str | None:
    """A font family that can draw Chinese: ``preferred`` (a family name or a .ttf/.ttc/.otf path), else the first
    installed one of CJK_FONTS; None when there is none."""
    from matplotlib import font_manager

    if preferred:
        candidate = Path(preferred).expanduser()
        if candidate.suffix.lower() in (".ttf", ".ttc", ".otf"):
            if not candidate.exists():
                raise CompareError(f"plot font {candidate} does not exist")
            font_manager.fontManager.addfont(str(candidate))
            return font_manager.FontProperties(fname=str(candidate)).get_name()
        names = {f.name for f in font_manager.fontManager.ttflist}
        if preferred in names:
            return preferred
        raise CompareError(f"plot font {preferred!r} is not installed")
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _label(row: CompareRow, cjk: bool) -> str:
    kind = KIND_LABELS.get(row.kind, (row.kind, row.kind))[0 if cjk else 1]
    place = row.region if cjk else _pinyin(row.region)
    return f"{place}\n{row.ref_year or ''} {kind}".strip()


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(part.capitalize() for part in lazy_pinyin(text)) or text


def plot_comparison(comparison: Comparison, path: Path, font: str | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if font is None:
        from rag.core.config import get_settings

        font = get_settings().plot_font
    values = [r for r in comparison.rows if r.value is not None]
    growths = [r for r in comparison.rows if r.growth is not None]
    if not values and not growths:
        raise CompareError(f"no figures of {comparison.indicator} to plot")
    family = find_cjk_font(font)
    cjk = family is not None
    panels = [(rows, kind) for rows, kind in ((values, "value"), (growths, "growth")) if rows]
    width = max(6.0, 0.9 * max(len(rows) for rows, _ in panels) + 2)
    context = {"font.family": [family, "sans-serif"]} if cjk else {}
    with plt.rc_context(context):
        fig, axes = plt.subplots(len(panels), 1, figsize=(width, 3.6 * len(panels)), squeeze=False)
        for ax, (rows, kind) in zip(axes[:, 0], panels, strict=True):
            numbers = [r.value if kind == "value" else r.growth for r in rows]
            colors = ["#4C72B0" if r.kind == "actual" else "#DD8452" if r.kind == "target" else "#55A868"
                      for r in rows]
            bars = ax.bar(range(len(rows)), numbers, color=colors)
            ax.set_xticks(range(len(rows)), [_label(r, cjk) for r in rows], fontsize=8)
            ax.bar_label(bars, labels=[fmt_number(round(n, 2)) for n in numbers], fontsize=8)
            if kind == "value":
                unit = comparison.unit if cjk else _unit_en(comparison.unit)
                ax.set_ylabel(f"{'数值' if cjk else 'value'} ({unit})")
            else:
                ax.set_ylabel("增长 growth (%)" if cjk else "growth (%)")
            ax.axhline(0, color="#888888", linewidth=0.6)
        name = f"{comparison.indicator} {comparison.indicator_en}" if cjk else comparison.indicator_en
        axes[0, 0].set_title(name)
        fig.tight_layout()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, dpi=120)
        except OSError as exc:
            raise CompareError(f"cannot write the chart to {path}: {exc.strerror or exc}") from exc
        finally:
            plt.close(fig)
    return path


def _unit_en(unit: str) -> str:
    return {"亿元": "100 million yuan", "万亿元": "trillion yuan", "万元": "10,000 yuan", "元": "yuan",
            "万美元": "10,000 USD", "亿美元": "100 million USD", "美元": "USD", "万人": "10,000 people",
            "人": "people", "%": "%", "万吨": "10,000 t", "亿斤": "100 million jin", "万亿斤": "trillion jin",
            "亿公斤": "100 million kg", "亿吨": "100 million t"}.get(unit, unit)
