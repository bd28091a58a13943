"""What the HTML page and the PDF share: the document's sections in order, table numbers, charts."""

from dataclasses import dataclass

from participants.models import PROGRAMME_KIND_GENITIVE

from . import narrative as prose
from .services import Report

# A long list (a row per person, team or organisation; a national-size bank has thousands of them):
# the page and the PDF print the first rows, the workbook and the API carry them all.
PRINTED_ROWS = 50


@dataclass
class DocumentSection:
    key: str
    title: str
    data: object
    template: str
    table_number: int | None
    chart: str
    rows: list | None = None  # the rows printed, for a long list
    more: int = 0  # rows of the list not printed
    commentary: str = ""  # the coordinator's text after the section, as HTML
    figure_number: int | None = None  # «Рисунок N» of the section's chart


def _has_table(data) -> bool:
    """An empty table is left out (the section says in one line what was not recorded), and takes
    no number: the tables that are printed are numbered 1, 2, 3 without gaps."""
    if hasattr(data, "series"):
        return bool(data.series)
    return bool(getattr(data, "rows", True))


def document_sections(
    report: Report, *, raster_charts: bool = False, texts: dict[str, str] | None = None
) -> list[DocumentSection]:
    """raster_charts: charts as PNG images (for the PDF) instead of inline SVG (for the page);
    texts: the narrative blocks as they print (narrative.blocks)."""
    from .sections import SECTIONS  # the registry imports the exporters, which import this module

    texts = texts or {}
    sections, table, figure = [], 0, 0
    for key, title, data in report.ordered_sections():
        registered = SECTIONS[key]
        number = None
        if registered.table and _has_table(data):
            table += 1
            number = table
        chart = ""
        if registered.chart is not None and report.has_data:
            chart = registered.chart.png(data) if raster_charts else registered.chart(data)
        section = DocumentSection(key, title, data, registered.template, number, chart)
        section.commentary = prose.to_html(texts.get(key, ""))
        if chart:
            figure += 1
            section.figure_number = figure
        if registered.long_list:
            section.rows = data.rows[:PRINTED_ROWS]
            section.more = max(0, len(data.rows) - PRINTED_ROWS)
        sections.append(section)
    return sections


@dataclass(frozen=True)
class Frame:
    """What frames the figures: who issues the справка, how it is titled, who signs and who prepared it."""

    issuer: str
    subject: str  # «об итогах реализации программы «…» за 2019 год»
    signer_position: str
    signer_name: str
    executor: str
    is_demo: bool


def document_frame(report: Report, holder=None) -> Frame:
    """The programme's frame, with what the period's справка (reports.PeriodReport) overrides."""
    programme = report.programme

    def pick(field: str) -> str:
        return (getattr(holder, field, "") or "").strip() or getattr(programme, field)

    kind = PROGRAMME_KIND_GENITIVE.get(programme.kind, "программы")
    return Frame(
        issuer=pick("issuer") or programme.operator,
        subject=f"об итогах реализации {kind} «{programme.name}» за {report.period_title}",
        signer_position=pick("signer_position"),
        signer_name=pick("signer_name"),
        executor=pick("executor"),
        is_demo=programme.is_demo,
    )


def document_context(report: Report, *, raster_charts: bool = False, holder=None, narrative=None, stamp=None) -> dict:
    """What the page and the PDF print. holder: the period's reports.PeriodReport (its text and
    frame); narrative: the blocks, when they are not the holder's (an approved version's);
    stamp: the approval of an approved version (versions.Stamp), None for a draft."""
    narrative = prose.narrative_of(holder, narrative)
    texts = prose.blocks(report.programme, narrative)
    sections = document_sections(report, raster_charts=raster_charts, texts=texts)
    closing = [
        (part.heading, prose.to_html(texts[part.key]))
        for part in prose.parts(report.programme)
        if part.key in prose.CLOSING_PARTS and part.key in texts
    ]
    return {
        "report": report,
        "programme": report.programme,
        "sections": sections,
        "introduction": prose.to_html(texts.get(prose.INTRODUCTION, "")),
        "closing": closing,
        "stamp": stamp,
        "is_draft": stamp is None,
        "frame": document_frame(report, holder),
    }
