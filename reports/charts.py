"""Charts of the справка as inline SVG: each function takes a section's data and returns an <svg> element
(text drawn as vector paths, so the PDF needs no fonts) that scales to the width of its container,
or "" when there is nothing to draw.

Only matplotlib's object-oriented API is used (never pyplot, which keeps global state). rcParams are
global too, so rendering runs under a lock: a threaded server never mixes two charts' settings.
"""

import base64
import functools
import hashlib
import io
import re
import textwrap
import threading
from collections.abc import Callable
from decimal import Decimal

from django.core.cache import cache
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from reports.wording import number, signed_number

# The A4 portrait content width: figures are drawn at print size, so 8 pt text prints at 8 pt.
WIDTH_INCHES = 17 / 2.54
FONT_SIZE = 8
SMALL = 7

STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib and has Cyrillic
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "legend.frameon": False,
    "axes.unicode_minus": True,
    "axes.edgecolor": "#888888",
    "xtick.color": "#555555",
    "ytick.color": "#333333",
    "text.color": "#222222",
    "hatch.color": "#9a9a9a",
    "hatch.linewidth": 0.6,
    # Labels are data: a «$», «\\» or «_» in a competence or a series is drawn as typed, never as mathtext.
    "text.parse_math": False,
    "svg.fonttype": "path",  # text as outlines: nothing to embed or substitute in the PDF
    "svg.hashsalt": "talentbank",  # fixed ids (clip paths, markers) for deterministic output
    "figure.dpi": 72,
    "savefig.dpi": 72,
}

# Colours (colour-blind safe blues and an orange for what needs attention).
PRIMARY = "#2b6ca3"
LIGHT = "#a9c8e4"
TRACK = "#eef1f4"
GRID = "#d9dde2"
MUTED = "#777777"
ALERT = "#c0392b"
ALERT_BAND = "#fbe9e7"

_lock = threading.Lock()


CACHE_SECONDS = 24 * 3600


def _chart(draw: Callable[..., Figure | None]) -> Callable[..., str]:
    """Decorator: runs draw(section) under the shared style and returns its figure as inline SVG;
    `.png(section)` gives it as an <img> of a PNG instead.

    Drawing is the costliest part of a справка page, so charts are cached by what they show: the
    key is a digest of the section's data, so a change in the records gives a new key and a chart
    is never stale."""
    name = draw.__name__

    def cached(section, kind: str, output: Callable[[Figure], str]) -> str:
        key = f"chart:{name}:{kind}:{hashlib.sha256(repr(section).encode()).hexdigest()}"
        found = cache.get(key)
        if found is None:
            with _lock, rc_context(STYLE):
                figure = draw(section)
                found = "" if figure is None else output(figure)
            cache.set(key, found, CACHE_SECONDS)
        return found

    @functools.wraps(draw)
    def render(section) -> str:
        return cached(section, "svg", lambda figure: _svg(figure, id_prefix=name.removesuffix("_chart")))

    def png(section) -> str:
        """For the PDF: WeasyPrint draws an inline SVG of hundreds of glyph paths far more slowly
        than it places one image."""
        return cached(section, "png", _png)

    render.png = png
    return render


def _figure(height_inches: float) -> Figure:
    return Figure(figsize=(WIDTH_INCHES, height_inches), layout="constrained")


def _svg(figure: Figure, id_prefix: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE: the element is inlined
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # Scale to the container: width 100 %, height from the viewBox's aspect ratio.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)
    return _prefix_ids(svg, id_prefix).strip() + "\n"


PRINT_DPI = 200


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PRINT_DPI, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    # As wide as its container, like the SVG: the figure is drawn at the page's content width.
    return f'<img class="chart-image" src="data:image/png;base64,{data}" alt="" style="width: 100%; height: auto">'


def _prefix_ids(svg: str, prefix: str) -> str:
    """Several charts are inlined in one page: give each chart's ids (and references to them) its own prefix."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r"#([\w.-]+)", lambda m: f"#{prefix}-{m.group(1)}" if m.group(1) in ids else m.group(0), svg)


def _shorten(text: str, width: int, lines: int = 2) -> str:
    """Wraps text to at most `lines` lines of `width` characters, ending with … when cut."""
    wrapped = textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    last = textwrap.shorten(" ".join(wrapped[lines - 1 :]), width - 1, placeholder="")
    return "\n".join([*wrapped[: lines - 1], last.rstrip(" ,.;:–—-") + "…"])


def _short_series_name(name: str) -> str:
    """'Открытый форум «Новое поколение: кадровый резерв XXI века»' -> 'Новое поколение'; a name without
    quotes stays whole (the caller cuts it to its first words)."""
    quoted = re.search(r"«(.+)»", name)
    text = quoted.group(1).split(":")[0] if quoted else name
    return text.strip(" «»")


def _ru_ticks(value, _position) -> str:
    return number(int(value)) if float(value).is_integer() else number(Decimal(str(value)))


def _bar_labels(ax, bars, values, **style) -> None:
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(
            "—" if value is None else number(value),
            (bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            **style,
        )


def _plain_axes(ax) -> None:
    """Bars labelled at their ends need no value axis."""
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GRID)
    ax.tick_params(axis="y", length=0, pad=4)
    ax.set_xticks([])


@_chart
def residents_by_municipality_chart(section) -> Figure | None:
    """Horizontal bars: resident pupils of each municipality, in report order, zeros as empty bars."""
    rows = list(section.rows)
    if not rows:
        return None
    values = [row.residents or 0 for row in rows]
    top = max(max(values), 1)
    figure = _figure(0.6 + 0.21 * len(rows))
    ax = figure.add_subplot()
    positions = range(len(rows))
    ax.barh(positions, [top] * len(rows), height=0.68, color=TRACK)  # the empty bar behind each value
    bars = ax.barh(positions, values, height=0.68, color=PRIMARY)
    _bar_labels(ax, bars, values)
    ax.set_yticks(positions, [row.municipality for row in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row at the top
    ax.set_xlim(0, top * 1.1)
    _plain_axes(ax)
    return figure


@_chart
def satellite_events_chart(section) -> Figure | None:
    """Grouped horizontal bars: participants of each satellite event, previous period against this one."""
    rows = list(section.rows)
    if not rows:
        return None
    previous = [row.previous for row in rows]
    current = [row.current for row in rows]
    top = max([v for v in previous + current if v] or [1])
    figure = _figure(0.55 + 0.5 * len(rows))
    ax = figure.add_subplot()
    height = 0.36
    centres = range(len(rows))
    before = ax.barh([c - height / 2 for c in centres], [v or 0 for v in previous], height=height, color=LIGHT)
    now = ax.barh([c + height / 2 for c in centres], [v or 0 for v in current], height=height, color=PRIMARY)
    _bar_labels(ax, before, previous, fontsize=SMALL, color=MUTED)
    _bar_labels(ax, now, current, fontsize=SMALL)
    ax.set_yticks(centres, [_shorten(row.name, 45, lines=3) for row in rows], linespacing=1.1)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.12)
    _plain_axes(ax)
    figure.legend(
        [before, now],
        [section.previous_label, section.period_label],
        loc="outside upper right",
        ncols=2,
        handlelength=1.2,
    )
    return figure


@_chart
def coverage_matrix_chart(section) -> Figure | None:
    """Matrix: municipalities of the region (rows) against each series in each period (columns)."""
    municipalities = list(section.municipalities)
    series = list(section.series)
    periods = [str(p) for p in section.periods]
    if not municipalities or not series or not periods:
        return None
    not_covered = set(section.not_covered)
    labels = dict(zip(periods, section.period_labels, strict=False))
    gap = 0.7  # between series
    columns = []  # (x, series, period key)
    for index, entry in enumerate(series):
        for offset, period in enumerate(periods):
            columns.append((index * (len(periods) + gap) + offset, entry, period))
    width = columns[-1][0] + 1

    period_names = [labels.get(p, p) for p in periods]
    vertical = max(len(n) for n in period_names) > 4  # '2018/2019' does not fit under a cell
    header = 0.55 + (0.45 if vertical else 0)
    figure = _figure(header + 0.55 + 0.2 * len(municipalities))
    ax = figure.add_subplot()
    unknown = False
    for row, municipality in enumerate(municipalities):
        if municipality in not_covered:
            band = Rectangle((-0.5, row - 0.5), width + 0.5, 1, color=ALERT_BAND, lw=0)
        else:
            band = Rectangle((-0.5, row - 0.5), width + 0.5, 1, color="none", lw=0)
        band.set_gid(f"row-{row}")
        ax.add_artist(band)  # limits are set below: add_patch would recompute them per patch
        for column, (x, entry, period) in enumerate(columns):
            cell = entry.periods.get(period)
            held = cell.held if cell else None
            unknown = unknown or held is None
            if not held:
                style = {"facecolor": "#f4f4f4", "edgecolor": "none", "hatch": "/////"}
            elif municipality in cell.municipalities:
                style = {"facecolor": PRIMARY, "edgecolor": "none"}
            else:
                style = {"facecolor": "white", "edgecolor": GRID, "linewidth": 0.6}
            patch = Rectangle((x + 0.08, row - 0.42), 0.84, 0.84, **style)
            patch.set_gid(f"cell-{row}-{column}")
            ax.add_artist(patch)

    ax.set_xlim(-0.5, width + 0.1)
    ax.set_ylim(len(municipalities) - 0.5, -0.5)
    ax.set_yticks(range(len(municipalities)), municipalities)
    for text in ax.get_yticklabels():
        if text.get_text() in not_covered:
            text.set_color(ALERT)
            text.set_fontweight("bold")
    ax.xaxis.tick_top()
    ax.set_xticks(
        [x + 0.5 for x, _, _ in columns],
        [labels.get(p, p) for _, _, p in columns],
        fontsize=SMALL - 0.5,
        rotation=90 if vertical else 0,
    )
    ax.tick_params(axis="both", length=0, pad=2)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for index, entry in enumerate(series):
        ax.annotate(
            _shorten(_short_series_name(entry.name), 14, lines=3),
            (index * (len(periods) + gap) + len(periods) / 2, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 6 + (SMALL - 0.5) * 0.65 * max(len(n) for n in period_names) if vertical else 14),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=SMALL,
            linespacing=1.1,
        )

    handles = [
        Patch(facecolor=PRIMARY, label="участвовал"),
        Patch(facecolor="white", edgecolor=GRID, label="не участвовал"),
        Patch(facecolor="#f4f4f4", hatch="/////", label="не проводилось" + (" или нет сведений" if unknown else "")),
    ]
    if not_covered:
        handles.append(Patch(facecolor=ALERT_BAND, label="не охвачен ни одним мероприятием"))
    one_line = sum(len(h.get_label()) for h in handles) <= 72
    legend = figure.legend(
        handles=handles, loc="outside lower center", ncols=len(handles) if one_line else 2, handlelength=1.2
    )
    if not_covered:
        legend.get_texts()[-1].set_color(ALERT)
    return figure


@_chart
def diagnostic_growth_chart(section) -> Figure | None:
    """Dumbbells: entry and final average score of each competence, the growth written beside."""
    rows = [row for row in section.rows if row.entry is not None or row.final is not None]
    if not rows:
        return None
    scores = [float(v) for row in rows for v in (row.entry, row.final) if v is not None]
    low, high = min(scores), max(scores)
    span = max(high - low, 1)
    figure = _figure(0.9 + 0.3 * len(rows))
    ax = figure.add_subplot()
    for y, row in enumerate(rows):
        if row.entry is not None and row.final is not None:
            ax.plot([float(row.entry), float(row.final)], [y, y], color=GRID, linewidth=3, solid_capstyle="round")
        for value, colour, side in ((row.entry, LIGHT, -1), (row.final, PRIMARY, 1)):
            if value is None:
                continue
            ax.plot([float(value)], [y], "o", color=colour, markersize=7, markeredgecolor="white", markeredgewidth=0.6)
            if row.entry is not None and row.final is not None and row.final < row.entry:
                side = -side
            ax.annotate(
                number(value),
                (float(value), y),
                xytext=(7 * side, 0),
                textcoords="offset points",
                ha="left" if side > 0 else "right",
                va="center",
                fontsize=SMALL,
                color=MUTED if colour == LIGHT else "#222222",
            )
        if row.growth is not None:
            ax.annotate(
                signed_number(row.growth),
                (1, y),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontweight="bold",
                color=PRIMARY if row.growth >= 0 else ALERT,
            )
    ax.set_yticks(range(len(rows)), [_shorten(row.competence, 30) for row in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(low - span * 0.25, high + span * 0.25)
    ax.xaxis.set_major_formatter(FuncFormatter(_ru_ticks))
    ax.grid(axis="x", color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.tick_params(axis="y", length=0, pad=4)
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel("Средний балл", color=MUTED, fontsize=SMALL)
    ax.annotate(
        "Прирост",
        (1, 1),
        xycoords="axes fraction",
        xytext=(6, 4),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=SMALL,
        color=MUTED,
    )
    marker = {"marker": "o", "linestyle": "none", "markersize": 7, "markeredgecolor": "white"}
    figure.legend(
        [Line2D([], [], color=LIGHT, **marker), Line2D([], [], color=PRIMARY, **marker)],
        ["входная диагностика", "итоговая диагностика"],
        loc="outside upper left",
        ncols=2,
        handletextpad=0.2,
    )
    return figure


@_chart
def trends_chart(trends) -> Figure | None:
    """Small multiples, one panel per key figure (reports.trends): a bar per period with its value;
    a period without data has no bar and says «нет данных»; criteria as «N из M»."""
    rows = [row for row in trends.rows if any(v is not None for v in row.values)]
    if not rows or len(trends.periods) < 2:
        return None
    columns = 2
    lines = -(-len(rows) // columns)
    figure = _figure(0.2 + 1.55 * lines)
    labels = trends.period_labels
    positions = range(len(labels))
    for index, row in enumerate(rows):
        ax = figure.add_subplot(lines, columns, index + 1)
        heights = [(v[0] if row.is_criteria else v) if v is not None else 0 for v in row.values]
        top = max(max(heights), 1)
        bars = ax.bar(positions, heights, width=0.62, color=PRIMARY)
        for bar, value in zip(bars, row.values, strict=True):
            if value is None:
                text, style = "нет\nданных", {"color": MUTED, "fontsize": SMALL}
            elif row.is_criteria:
                text, style = f"{number(value[0])} из {number(value[1])}", {"fontsize": SMALL}
            else:
                text, style = number(value), {"fontsize": SMALL}
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                linespacing=1.0,
                **style,
            )
        ax.set_title(_shorten(row.figure.label, 40, lines=1), loc="left", fontsize=FONT_SIZE)
        ax.set_xticks(positions, labels, fontsize=SMALL)
        ax.set_ylim(0, top * 1.35)
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(GRID)
        ax.tick_params(axis="x", length=0)
    return figure
