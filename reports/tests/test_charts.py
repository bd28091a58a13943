"""Charts are inline SVG: well-formed, scalable, deterministic, empty when there is nothing to draw.

Pure tests on hand-made section data: no database.
"""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from participants.models import Programme
from participants.periods import Period, PeriodKind
from reports import charts
from reports.services.bank import MunicipalityRow, ResidentsByMunicipality, Totals
from reports.services.cohort import CompetenceGrowth, DiagnosticGrowth
from reports.services.events import (
    CoverageCell,
    CoverageSeries,
    PeriodTotals,
    SatelliteEvents,
    SatelliteRow,
    TerritorialCoverage,
)
from reports.trends import KEY_FIGURES, TrendRow, Trends
from reports.wording import NBSP

SVG = "{http://www.w3.org/2000/svg}"


def residents() -> ResidentsByMunicipality:
    rows = [
        MunicipalityRow("Александровский район", 0, 0),
        MunicipalityRow("Асиновский район", 2, 5),
        MunicipalityRow("г. Томск", 25, 1150),
    ]
    return ResidentsByMunicipality(
        on_date=date(2019, 12, 31),
        rows=rows,
        total=Totals(27, 1155),
        with_residents=["Асиновский район", "г. Томск"],
        without_residents=["Александровский район"],
        regional_organizations=[],
    )


def satellites() -> SatelliteEvents:
    rows = [
        SatelliteRow(
            "Научно-практическая конференция «Человек. Земля. Вселенная»", "pr", "проекты", 442, 472, 30, None
        ),
        SatelliteRow(
            "Региональный этап Всероссийского конкурса юношеских исследовательских работ имени В.И. Вернадского",
            "pr",
            "проекты",
            None,
            12345,
            None,
            None,
        ),
    ]
    return SatelliteEvents(
        period_label="2019",
        previous_label="2018",
        rows=rows,
        total=PeriodTotals(442, 12817, None),
        by_direction=[],
        held=2,
        sources=[],
    )


MUNICIPALITIES = ["Александровский район", "Асиновский район", "Бакчарский район", "г. Томск"]


def coverage() -> TerritorialCoverage:
    def cell(held, municipalities=()):
        return CoverageCell(held, "", list(municipalities), len(municipalities), [])

    return TerritorialCoverage(
        periods=[2017, 2018, 2019],
        period_labels=["2017", "2018", "2019"],
        series=[
            CoverageSeries(
                "Сибирская молодёжная Ассамблея «Профессии будущего»",
                {"2017": cell(True, ["Асиновский район", "г. Томск"]), "2018": cell(False), "2019": cell(None)},
            ),
            CoverageSeries(
                "Открытый областной молодёжный форум",
                {"2017": cell(True, ["г. Томск"]), "2018": cell(True, ["Бакчарский район"]), "2019": cell(True)},
            ),
        ],
        not_covered=["Александровский район"],
        municipalities=MUNICIPALITIES,
    )


def growth() -> DiagnosticGrowth:
    return DiagnosticGrowth(
        instrument="Скиллфолио",
        participants=52,
        rows=[
            CompetenceGrowth("Коммуникация", Decimal("48.1"), Decimal("57.1"), Decimal("9.0")),
            CompetenceGrowth("Лидерство", Decimal("60.0"), Decimal("55.5"), Decimal("-4.5")),
            CompetenceGrowth("Креативность", None, Decimal("50.0"), None),
        ],
    )


CHARTS = [
    (charts.residents_by_municipality_chart, residents),
    (charts.satellite_events_chart, satellites),
    (charts.coverage_matrix_chart, coverage),
    (charts.diagnostic_growth_chart, growth),
]
ids = [chart.__name__ for chart, _ in CHARTS]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))


def texts(svg: str) -> list[str]:
    """Text is drawn as paths; matplotlib keeps each string beside its glyphs as an XML comment."""
    return [node.text.strip() for node in parse(svg).iter(ET.Comment)]


@pytest.mark.parametrize(("chart", "section"), CHARTS, ids=ids)
def test_chart_is_inline_scalable_svg(chart, section):
    svg = chart(section())

    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert svg.startswith("<svg")  # no XML declaration or DOCTYPE before the element
    assert "<!DOCTYPE" not in svg
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert len(root.get("viewBox").split()) == 4
    assert not list(root.iter(f"{SVG}text"))  # text as paths: the PDF needs no fonts
    assert root.find(f"{SVG}metadata") is None  # no creation date


@pytest.mark.parametrize(("chart", "section"), CHARTS, ids=ids)
def test_chart_is_deterministic(chart, section):
    first = chart(section())
    cache.clear()  # draw it again rather than read it back
    assert chart(section()) == first


def test_charts_are_cached_by_what_they_show(monkeypatch):
    cache.clear()
    drawn = []
    svg = charts._svg
    monkeypatch.setattr(charts, "_svg", lambda figure, id_prefix: drawn.append(id_prefix) or svg(figure, id_prefix))

    first = charts.residents_by_municipality_chart(residents())
    again = charts.residents_by_municipality_chart(residents())
    changed_data = replace(residents(), rows=residents().rows[:-1])
    changed = charts.residents_by_municipality_chart(changed_data)

    assert again == first and len(drawn) == 2  # the same data is drawn once; new data draws anew
    assert changed != first
    assert charts.residents_by_municipality_chart.png(residents()).startswith('<img class="chart-image"')


EMPTY = [
    (charts.residents_by_municipality_chart, lambda: replace(residents(), rows=[])),
    (charts.satellite_events_chart, lambda: replace(satellites(), rows=[])),
    (charts.coverage_matrix_chart, lambda: replace(coverage(), series=[])),
    (charts.coverage_matrix_chart, lambda: replace(coverage(), municipalities=[])),
    (charts.diagnostic_growth_chart, lambda: replace(growth(), rows=[])),
    (charts.diagnostic_growth_chart, lambda: replace(growth(), rows=[CompetenceGrowth("Лидерство", None, None, None)])),
]


@pytest.mark.parametrize(("chart", "section"), EMPTY)
def test_nothing_to_draw_gives_empty_string(chart, section):
    assert chart(section()) == ""


def test_residents_chart_labels_every_municipality_and_value_russian_style():
    labels = texts(charts.residents_by_municipality_chart(residents()))

    for name in ("Александровский район", "Асиновский район", "г. Томск"):
        assert name in labels
    assert "0" in labels  # the empty bar is still labelled
    assert f"1{NBSP}150" in labels


def test_satellite_chart_has_period_legend_and_short_names():
    labels = texts(charts.satellite_events_chart(satellites()))

    assert "2018" in labels
    assert "2019" in labels
    assert f"12{NBSP}345" in labels
    assert "—" in labels  # no figure for the previous period
    assert max(len(line) for line in labels) <= 45  # each drawn line of the wrapped names


def test_growth_chart_writes_decimal_comma_and_signed_growth():
    labels = texts(charts.diagnostic_growth_chart(growth()))

    assert "48,1" in labels
    assert "57,1" in labels
    assert "+9,0" in labels
    assert "−4,5" in labels


def _ids(svg: str, prefix: str) -> list[str]:
    return [node.get("id") for node in parse(svg).iter() if (node.get("id") or "").startswith(prefix)]


def test_coverage_matrix_has_a_row_per_municipality_and_a_cell_per_series_period():
    section = coverage()
    svg = charts.coverage_matrix_chart(section)

    assert len(_ids(svg, "coverage_matrix-row-")) == len(MUNICIPALITIES)
    assert len(_ids(svg, "coverage_matrix-cell-")) == len(MUNICIPALITIES) * 2 * 3

    more = charts.coverage_matrix_chart(replace(section, municipalities=[*MUNICIPALITIES, "г. Кедровый"]))
    assert len(_ids(more, "coverage_matrix-row-")) == len(MUNICIPALITIES) + 1


def _fills(svg: str, gid: str) -> set[str]:
    group = next(node for node in parse(svg).iter() if node.get("id") == gid)
    return {
        part.split(":")[1].strip()
        for path in group.iter()
        for part in (path.get("style") or "").split(";")
        if "fill" in part
    }


def test_coverage_matrix_marks_participation_series_not_held_and_not_covered_rows():
    svg = charts.coverage_matrix_chart(coverage())
    tomsk = MUNICIPALITIES.index("г. Томск")

    assert charts.PRIMARY in _fills(svg, f"coverage_matrix-cell-{tomsk}-0")  # took part in 2017
    assert charts.PRIMARY in _fills(svg, f"coverage_matrix-cell-{tomsk}-3")  # and in the second series in 2017
    assert charts.PRIMARY not in _fills(svg, "coverage_matrix-cell-1-3")  # Асиновский район did not
    not_held = _fills(svg, f"coverage_matrix-cell-{tomsk}-1")
    assert any(fill.startswith("url(#") for fill in not_held)  # hatched
    assert charts.ALERT_BAND in _fills(svg, "coverage_matrix-row-0")  # Александровский район: not covered
    assert charts.ALERT_BAND not in _fills(svg, f"coverage_matrix-row-{tomsk}")
    labels = texts(svg)
    assert "Профессии" in labels  # the «…» short name, one drawn line each
    assert "будущего" in labels
    assert "не охвачен ни одним мероприятием" in labels


def test_short_series_name():
    assert charts._short_series_name("Форум «Новое поколение: кадровый резерв XXI века»") == "Новое поколение"
    assert charts._short_series_name("Образовательная смена по робототехнике") == (
        "Образовательная смена по робототехнике"
    )


def test_shorten_wraps_and_ends_with_ellipsis():
    assert charts._shorten("Областная олимпиада", 45) == "Областная олимпиада"
    shortened = charts._shorten("слово " * 30, 20, lines=2)
    assert len(shortened.splitlines()) == 2
    assert shortened.endswith("…")
    assert all(len(line) <= 20 for line in shortened.splitlines())


@pytest.mark.parametrize("name", [r"$\foo$", r"$x_1$ и $y^2$", "a_b\\c", "$", "_скрытая"])
def test_labels_are_drawn_as_typed_not_as_mathtext(name):
    """Regression: «$\\foo$» in one competence's name took down the справка with a 500."""
    cache.clear()
    section = growth()
    section = replace(section, rows=[replace(section.rows[0], competence=name), *section.rows[1:]])
    labels = texts(charts.diagnostic_growth_chart(section))
    assert any(name in label for label in labels)
    residents_section = residents()
    first = replace(residents_section.rows[-1], municipality=name)
    assert any(
        name in label
        for label in texts(
            charts.residents_by_municipality_chart(
                replace(residents_section, rows=[*residents_section.rows[:-1], first])
            )
        )
    )


def trends_data(satellite_2017) -> Trends:
    figures = {f.key: f for f in KEY_FIGURES}
    periods = [Period(PeriodKind.CALENDAR, year) for year in (2017, 2018, 2019)]
    rows = [
        TrendRow(figures["residents"], [257, 360, 463]),
        TrendRow(figures["satellite"], [satellite_2017, 2501, 2457]),
        TrendRow(figures["criteria"], [(2, 3), (2, 4), (5, 6)]),
    ]
    return Trends(Programme(name="МКР", slug="tomsk-mkr"), periods, rows)


def test_trends_chart_draws_missing_data_apart_from_zero_and_nothing_for_one_period():
    cache.clear()
    missing, zero = charts.trends_chart(trends_data(None)), charts.trends_chart(trends_data(0))
    assert parse(missing).tag == f"{SVG}svg" and parse(zero).tag == f"{SVG}svg"
    assert missing != zero
    assert "данных" in texts(missing) and "данных" not in texts(zero)  # «нет данных», not a bar of 0
    assert {"Резиденты на начало периода", "5 из 6", f"2{NBSP}501", "2019"} <= set(texts(missing))
    single = trends_data(None)
    assert charts.trends_chart(replace(single, periods=single.periods[:1], rows=[])) == ""
