"""Drafts of the commentary a coordinator writes around the справка's tables.

`section_drafts(report, earlier=())` proposes, for each section of the справка, what a reader
should notice in its table — who leads and with what share, who is absent and for how long, how a
figure moved against one and two periods before, which criterion was missed and by how much —
and, from the same findings, drafts of the closing parts: conclusions, problems, tasks and
recommendations. A draft interprets; it does not read the table out row by row.

Text format of a draft (the coordinator's block format): plain paragraphs separated by a blank
line; a list is lines that start with "- ". No HTML.

Every number a draft prints is a figure of the справка or one a reader computes from it the way
reports/numbers.py does (shares, leaders, differences, averages); with `earlier` справки, also
their headline figures and the change against them. So `numbers.unmatched_numbers(draft,
numbers.report_figures(report, earlier))` is always empty. Names of municipalities, organisations
and events are printed as the tables print them, in the nominative, and counted nouns only in
the forms reports/wording.py has (nominative): «резидентов: 52», «215 резидентов из 312».

What each draft looks at (a section with nothing recorded gets one sentence saying so):
- criteria: how many are met; each missed one with its shortfall and for how many periods in a
  row; those met again after a miss; targets exceeded twofold and more (to revisit) and those met
  without a margin;
- residents: the total and new residents against the earlier справки, whether the intake is
  shrinking while the bank grows, who the bank rests on (pupils or students), the reserve of
  potential residents against the yearly target;
- residents_by_municipality: the leaders and their share, strong municipalities outside them,
  municipalities with one or two residents, those without residents and for how long, read
  against Table 2 (never covered; taking part but giving no residents), newcomers;
- accredited_participants: the change against one and two periods before, whether growth speeds up
  or slows down, participants per event when the number of events changed, municipalities with
  residents but no participants, how the figures were counted;
- territorial_coverage: the core present everywhere, what changed in each event's coverage and
  who did not come back, newcomers and drop-outs, municipalities absent all three periods;
- satellite_events: the change of the total, which directions drive it, the events that moved
  most, events new or not held;
- opportunities: the share of residents reached, the shortfall to the criterion, which kinds
  dominate and which are missing;
- partners, publications, achievements: the new partners (and what to ask of them), the share of
  the founder's own sites, where achievements concentrate against where residents are;
- cohort, teams, organizations_ranking: participants against organisations (growing in depth or
  in breadth), team sizes, the leading organisations and their share, who left and who joined;
- diagnostics_by_organization, activities, diagnostic_growth: who has not passed, which activities
  reached most participants, gaps in the record, the strongest and weakest growth;
- conclusions: the main points of all the above; problems, tasks, recommendations: what the
  findings call for (targeted work with schools of municipalities absent three periods, ...).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from participants.models import Category, ReportSection
from participants.periods import PeriodKind
from reports import numbers as nb
from reports import wording as w

S = ReportSection
CLOSING = ("problems", "tasks", "recommendations")

# Share of a whole in words, from the largest: the first whose fraction the part exceeds.
PORTIONS = [
    (Decimal(2) / 3, "больше двух третей"),
    (Decimal(1) / 2, "больше половины"),
    (Decimal(1) / 3, "больше трети"),
    (Decimal(1) / 4, "больше четверти"),
]
SIMILAR_PERCENT = 3  # a change within ±3 % reads as «почти столько же»
NOTABLE_PERCENT = 5  # a municipality outside the leaders with at least this share is worth naming
WIDE_MARGIN_PERCENT = 200  # a target exceeded this much no longer shows where to grow
NARROW_MARGIN_PERCENT = 110  # a target met below this is met without a margin
QUIET_DAYS = 90  # no activity recorded for this long before the period's end is worth a word

# What to recommend when a criterion is missed, by its metric.
ADVICE = {
    "new_residents": "расширить набор в банк: аккредитовать новые мероприятия, работать с потенциальными резидентами",
    "accredited_editions": "провести все аккредитованные мероприятия плана и подготовить аккредитацию новых",
    "new_partners": "привлечь новых партнёров — вузы, предприятия, органы власти — и оформить партнёрство",
    "satellite_editions": "расширить сеть мероприятий-спутников, в том числе подготовительных к аккредитованным",
    "satellite_participants": "приглашать на мероприятия-спутники школы муниципалитетов с малым участием",
    "residents_with_opportunities": "договориться с организациями-партнёрами о практиках и стажировках для резидентов",
    "publications": "планировать публикацию о каждом мероприятии на сайтах партнёров и в информационных агентствах",
}


# Wording helpers --------------------------------------------------------------------------------


def _n(value) -> str:
    return w.number(value)


def _p(value, signed: bool = False) -> str:
    return w.percent(value, signed=signed)


def _signed(value) -> str:
    """+90, −44, 0; +10,2 for a decimal (wording.percent signs percentages the same way)."""
    text = w.number(abs(value))
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def _was(then, diff, percent) -> str:
    """'(2 494; +90, +3,6 %)': the earlier figure and the change; '(2 494)' when nothing changed."""
    return f"({_n(then)}; {_change(diff, percent)})" if diff else f"({_n(then)})"


def _change(diff, percent) -> str:
    """'+90, +3,6 %', or only the difference when there is no percentage."""
    return _signed(diff) if percent is None else f"{_signed(diff)}, {_p(percent, signed=True)}"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " и " + items[-1]


def _portion(part, whole) -> str:
    """'больше двух третей', 'больше половины', ...; '' when the part is a quarter or less."""
    if not whole:
        return ""
    for fraction, words in PORTIONS:
        if Decimal(part) > fraction * whole:
            return words
    return ""


def _verb(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _paragraphs(*parts) -> str:
    return "\n\n".join(p for p in parts if p)


def _items(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    return _cap(text) + ("" if text.endswith((".", "!", "?")) else ".")


@dataclass
class Context:
    """One справка, the earlier ones it is compared with, and what the closing parts collect."""

    report: object
    before: list  # earlier справки, the nearest first
    summary: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)

    @property
    def academic(self) -> bool:
        return self.report.programme.period_kind == PeriodKind.ACADEMIC

    def in_period(self, label: str | None = None) -> str:
        """'в 2019 году', 'в 2019/2020 учебном году'."""
        label = label or self.report.period.label
        return f"в {label} учебном году" if self.academic else f"в {label} году"

    def of_period(self, label: str) -> str:
        """'2018 года', '2018/2019 учебного года'."""
        return f"{label} учебного года" if self.academic else f"{label} года"

    def with_period(self, label: str) -> str:
        """'с 2018 годом', 'с 2018/2019 учебным годом'."""
        return f"с {label} учебным годом" if self.academic else f"с {label} годом"

    def span(self, first: str, last: str) -> str:
        """'в 2017–2019 годах', 'с 2017/2018 по 2019/2020 учебный год'."""
        return f"с {first} по {last} учебный год" if self.academic else f"в {first}–{last} годах"

    def in_a_row(self, count: int) -> str:
        """'второй год подряд', 'третий учебный год подряд'."""
        ordinal = {2: "второй", 3: "третий"}.get(count, "не первый")
        return f"{ordinal} учебный год подряд" if self.academic else f"{ordinal} год подряд"

    @property
    def for_period(self) -> str:
        return f"за {self.report.period_title}"

    def section(self, key: str):
        return self.report.sections.get(key)

    def earlier_section(self, key: str) -> list[tuple[str, object]]:
        """(period label, section) of the earlier справки that have the section, the nearest first."""
        return [(e.period.label, e.sections[key]) for e in self.before if key in e.sections]

    def against_earlier(self, name: str) -> str:
        """'больше, чем в 2018 году (360; +103, +28,6 %), и больше, чем в 2017 году (257; +206, +80,2 %)'
        for a headline figure; '' without earlier справки that have it."""
        now = nb.headline(self.report, name)
        parts = []
        for before in self.before:
            then = nb.headline(before, name)
            if now is None or not then:
                continue
            diff, percent = nb.change(now, then)
            if diff > 0:
                words = "больше, чем"
            elif diff < 0:
                words = "меньше, чем"
            else:
                parts.append(f"столько же, сколько {self.in_period(before.period.label)} ({_n(then)})")
                continue
            parts.append(f"{words} {self.in_period(before.period.label)} {_was(then, diff, percent)}")
        return ", и ".join(parts)

    def target(self, metric: str):
        """(criterion, indicator) measuring the metric in this period, or None."""
        for result in self.section(S.CRITERIA) or []:
            for indicator in result.indicators:
                if indicator.metric == metric:
                    return result, indicator
        return None


# Sections ---------------------------------------------------------------------------------------


def criteria_draft(results, ctx: Context) -> str:
    evaluated = [r for r in results if r.met is not None]
    unset = [r for r in results if r.met is None]
    if not evaluated:
        if not results:
            return ""
        return (
            f"Целевые значения критериев {ctx.for_period} не заданы: выполнение оценить нельзя. "
            "Внесите цели, и справка сравнит с ними показатели."
        )
    met = [r for r in evaluated if r.met]
    missed = [r for r in evaluated if not r.met]
    opening = f"Критериев выполнено: {_n(len(met))} из {_n(len(evaluated))}."
    if not missed:
        opening += " Все критерии с заданными целями выполнены."
    missed_lines = []
    for result in missed:
        unmet = [i for i in result.indicators if not i.met]
        details = "; ".join(
            (f"{i.label} — " if len(result.indicators) > 1 else "")
            + f"{_n(i.actual)} при цели {_n(i.target)}, выполнено на {_p(i.percent_of_target)}, "
            f"не хватает {_n(i.shortfall)}"
            for i in unmet
        )
        line = f"критерий {result.number} «{result.title}»: {details}"
        streak = _missed_streak(result.number, ctx)
        if streak > 1:
            line += f" ({ctx.in_a_row(streak).replace(' подряд', '')} подряд)"
        missed_lines.append(line)
        ctx.problems.append(f"не выполнен {line}")
        ctx.tasks.append(
            f"выполнить критерий {result.number}: "
            + "; ".join(f"{i.label} — не менее {_n(i.target)} ({ctx.in_period()} — {_n(i.actual)})" for i in unmet)
        )
        for metric in dict.fromkeys(i.metric for i in unmet):
            if metric in ADVICE:
                ctx.recommendations.append(f"по критерию {result.number}: {ADVICE[metric]}")
    parts = [opening]
    if missed_lines:
        parts += [_verb(len(missed_lines), "Не выполнен:", "Не выполнены:"), _items(missed_lines)]
    recovered = [str(r.number) for r in met if _missed_streak(r.number, ctx, offset=0) > 0]
    if recovered:
        parts.append(
            f"{_verb(len(recovered), 'Выполнен критерий', 'Выполнены критерии')} {_and(recovered)}, "
            f"{_verb(len(recovered), 'не выполненный', 'не выполненные')} {ctx.in_period(ctx.before[0].period.label)}."
        )
    wide, narrow = [], []
    for result in met:
        for indicator in result.indicators:
            label = f", {indicator.label}" if len(result.indicators) > 1 else ""
            text = (
                f"критерий {result.number}{label}: {_n(indicator.actual)} при цели {_n(indicator.target)} "
                f"({_p(indicator.percent_of_target)} от цели)"
            )
            if indicator.percent_of_target is None:
                continue
            if indicator.percent_of_target >= WIDE_MARGIN_PERCENT:
                wide.append((result.number, text))
            elif indicator.percent_of_target < NARROW_MARGIN_PERCENT:
                narrow.append(text)
    if wide:
        parts += [
            "Перевыполнены в разы — такие цели уже не показывают, куда расти:",
            _items([text for _, text in wide]),
        ]
        numbers = sorted({str(number) for number, _ in wide}, key=int)
        ctx.recommendations.append(
            f"пересмотреть целевые значения: {_verb(len(numbers), 'критерий', 'критерии')} {_and(numbers)} "
            f"{_verb(len(numbers), 'перевыполнен', 'перевыполнены')} в разы"
        )
    if narrow:
        parts += [
            "Выполнены без запаса — небольшое отставание в следующем периоде, и они не будут выполнены:",
            _items(narrow),
        ]
    if unset:
        numbers = [str(r.number) for r in unset]
        parts.append(
            f"Для {_verb(len(numbers), 'критерия', 'критериев')} {_and(numbers)} цели {ctx.for_period} не заданы."
        )
    summary = f"критериев выполнено {_n(len(met))} из {_n(len(evaluated))}"
    if missed:
        summary += f"; не {_verb(len(missed), 'выполнен критерий', 'выполнены критерии')} " + _and(
            [str(r.number) for r in missed]
        )
        if len(missed) == 1 and len(missed[0].indicators) == 1:
            summary += f" (не хватает {_n(missed[0].indicators[0].shortfall)})"
    ctx.summary.append(summary)
    return _paragraphs(*parts)


def _missed_streak(number: int, ctx: Context, offset: int = 1) -> int:
    """Periods in a row, this one counted as `offset`, in which the criterion was missed."""
    streak = offset
    for before in ctx.before:
        result = next((r for r in before.sections.get(S.CRITERIA) or [] if r.number == number), None)
        if result is None or result.met is not False:
            break
        streak += 1
    return streak


def residents_draft(summary, ctx: Context) -> str:
    if not summary.residents and not summary.new_residents:
        return f"Резиденты на {w.long_date(summary.on_date)} не записаны."
    total = summary.residents
    opening = f"На {w.long_date(summary.on_date)} в банке {w.residents(total)}"
    against = ctx.against_earlier("residents")
    opening += f" — {against}." if against else "."
    new_share = nb.share(summary.new_residents, total)
    new = f"Новых резидентов {ctx.for_period}: {_n(summary.new_residents)}"
    if new_share is not None:
        new += f" ({_p(new_share)} всех резидентов)"
    against_new = ctx.against_earlier("new_residents")
    new += f" — {against_new}." if against_new else "."
    declines = len(_direction(ctx, "new_residents")) - 1
    if _falling(ctx, "new_residents") and _rising(ctx, "residents"):
        new += (
            " Банк растёт за счёт тех, кто уже в нём, а приток новых резидентов сокращается "
            f"{ctx.in_a_row(declines) if declines > 1 else 'по сравнению с прошлым периодом'}."
        )
        ctx.problems.append(f"приток новых резидентов сокращается: {_n(summary.new_residents)} {ctx.for_period}")
        ctx.tasks.append(
            "вернуть рост притока новых резидентов: аккредитовать новые мероприятия, включать потенциальных резидентов"
        )
    counts = {c.category: c.count for c in summary.by_category}
    school, student = counts.get(Category.SCHOOL, 0), counts.get(Category.STUDENT, 0)
    composition = ""
    if total and school and student:
        bigger, smaller = ("школьники", "студентов") if school >= student else ("студенты", "школьников")
        big, small = max(school, student), min(school, student)
        composition = (
            f"Основу банка составляют {bigger}: {_n(big)} из {_n(total)} ({_p(nb.share(big, total))}); "
            f"{smaller} — {_n(small)} ({_p(nb.share(small, total))})."
        )
    reserve = ""
    potential, partners = counts.get(Category.POTENTIAL, 0), counts.get(Category.PARTNER, 0)
    if potential:
        reserve = f"Потенциальных резидентов: {_n(potential)} — это резерв пополнения следующего периода"
        target = ctx.target("new_residents")
        if target is not None:
            compared = "больше" if potential >= target[1].target else "меньше"
            reserve += f", {compared} годовой цели пополнения ({_n(target[1].target)})"
        reserve += "."
    if partners:
        reserve += f" Партнёров (бывших резидентов, которые продолжают участвовать): {_n(partners)}."
    ctx.summary.append(
        f"в банке {w.residents(total)}, новых {ctx.for_period} — {_n(summary.new_residents)}"
        + (f" ({_p(new_share)})" if new_share is not None else "")
    )
    return _paragraphs(opening + " " + new, composition, reserve.strip())


def _direction(ctx: Context, name: str) -> list[int]:
    """The headline figure over the periods, oldest first, for the periods that have it."""
    values = [nb.headline(e, name) for e in reversed(ctx.before)] + [nb.headline(ctx.report, name)]
    return [v for v in values if v is not None]


def _falling(ctx: Context, name: str) -> bool:
    values = _direction(ctx, name)
    return len(values) >= 2 and all(a > b for a, b in pairwise(values))


def _rising(ctx: Context, name: str) -> bool:
    values = _direction(ctx, name)
    return len(values) >= 2 and all(a < b for a, b in pairwise(values))


def residents_by_municipality_draft(table, ctx: Context) -> str:
    rows = table.rows + table.other_regions
    total = table.total.residents
    if not total:
        return f"Резидентов-школьников на {w.long_date(table.on_date)} нет ни в одном муниципалитете."
    parts = []
    lead = nb.leaders(rows, lambda r: r.residents, total)
    if lead:
        lead_residents = sum(r.residents for r in lead)
        lead_organizations = sum(r.organizations for r in lead)
        names = _and([r.municipality for r in lead])
        portion = _portion(lead_residents, total) or "больше всего"
        rest = total - lead_residents
        text = (
            f"{_cap(portion)} резидентов-школьников {_verb(len(lead), 'даёт', 'дают')} {names}: "
            f"{w.residents(lead_residents)} из {_n(total)} ({_p(nb.share(lead_residents, total))}), "
            f"организаций — {_n(lead_organizations)} из {_n(table.total.organizations)}."
        )
        if rest:
            text += f" На все остальные муниципалитеты приходится {_n(rest)} ({_p(nb.share(rest, total))})."
        parts.append(text)
        ctx.summary.append(
            f"{names} {_verb(len(lead), 'даёт', 'дают')} {_p(nb.share(lead_residents, total))} резидентов-школьников"
        )
        notable = [
            r
            for r in nb.ranked(rows, lambda r: r.residents)
            if r not in lead and nb.share(r.residents, total) >= NOTABLE_PERCENT
        ]
        if notable:
            listed = ", ".join(
                f"{r.municipality} — {_n(r.residents)} ({_p(nb.share(r.residents, total))}, организаций: {_n(r.organizations)})"
                for r in notable
            )
            text = f"За пределами лидеров выделяются: {listed}."
            if all(r.residents >= 5 * r.organizations for r in notable):
                text += (
                    " Резидентов здесь дают немногие школы — их опыт подготовки стоит изучить и предложить "
                    "соседним муниципалитетам."
                )
            parts.append(text)
    thin = [r.municipality for r in table.rows if 0 < r.residents <= 2]
    if thin:
        parts.append(
            f"Всего один-два резидента: {', '.join(thin)}. Выпуск этих школьников оставит муниципалитет без "
            "резидентов, если не придут новые."
        )
    without = table.without_residents
    if without:
        text = f"Без резидентов — {w.municipalities(len(without))} из {_n(len(table.rows))}: {', '.join(without)}."
        earlier = ctx.earlier_section(S.RESIDENTS_BY_MUNICIPALITY)
        if earlier:
            always = [m for m in without if all(m in section.without_residents for _, section in earlier)]
            lost = [m for m in without if m not in earlier[0][1].without_residents]
            how_long = ctx.in_a_row(len(earlier) + 1)
            if always and len(always) == len(without):
                text = (
                    f"Без резидентов — {w.municipalities(len(without))} из {_n(len(table.rows))}, "
                    f"{_verb(len(without), 'и это', 'все —')} {how_long}: {', '.join(without)}."
                )
            elif always:
                text += f" Из них без резидентов {how_long}: {', '.join(always)}."
            if always:
                ctx.problems.append(f"без резидентов {how_long}: {', '.join(always)}")
            if lost:
                text += f" Потеряли всех резидентов за период: {', '.join(lost)}."
        parts.append(text)
        coverage = ctx.section(S.TERRITORIAL_COVERAGE)
        if coverage is not None:
            absent = [m for m in without if m in coverage.not_covered]
            if absent:
                parts.append(
                    f"{_and(absent)} не {_verb(len(absent), 'участвовал', 'участвовали')} и в аккредитованных "
                    f"мероприятиях {_coverage_span(coverage, ctx)}: без участия в них резидентов там не появится."
                )
        accredited = ctx.section(S.ACCREDITED_PARTICIPANTS)
        if accredited is not None:
            trying = [m for m in without if m in accredited.municipalities]
            if trying:
                parts.append(
                    f"{_and(trying)} в аккредитованных мероприятиях {ctx.in_period()} "
                    f"{_verb(len(trying), 'участвовал', 'участвовали')}, но резидентов пока не "
                    f"{_verb(len(trying), 'дал', 'дали')}: их участникам нужна поддержка в подготовке — "
                    "наставники, подготовительные мероприятия-спутники."
                )
                ctx.recommendations.append(
                    f"поддержать подготовку участников из муниципалитетов, которые участвуют, но резидентов не дают: "
                    f"{', '.join(trying)}"
                )
    earlier = ctx.earlier_section(S.RESIDENTS_BY_MUNICIPALITY)
    if earlier:
        gained = [m for m in table.with_residents if m in earlier[0][1].without_residents]
        if gained:
            parts.append(f"Появились резиденты (их не было {ctx.in_period(earlier[0][0])}): {', '.join(gained)}.")
    if table.other_regions:
        listed = ", ".join(f"{r.municipality} — {_n(r.residents)}" for r in table.other_regions if r.residents)
        if listed:
            parts.append(f"Резиденты из других регионов показаны отдельно: {listed}.")
    if table.without_organization:
        parts.append(
            f"Резидентов без указанной организации: {_n(table.without_organization)}; в разбивке по "
            "муниципалитетам их нет — организацию стоит дописать в их карточки."
        )
    return _paragraphs(*parts)


def accredited_participants_draft(figures, ctx: Context) -> str:
    periods = figures.periods
    current = periods[-1]
    if not current.participants and not current.editions:
        return f"Аккредитованные мероприятия {ctx.in_period()} не записаны."
    comparisons = []
    for earlier in reversed(periods[:-1]):
        if not earlier.participants:
            continue
        diff, percent = nb.change(current.participants, earlier.participants)
        words = "больше, чем" if diff > 0 else "меньше, чем" if diff < 0 else "столько же, сколько"
        comparisons.append(f"{words} {ctx.in_period(earlier.label)} {_was(earlier.participants, diff, percent)}")
    opening = f"В аккредитованных мероприятиях {ctx.in_period()} участвовали {w.people(current.participants)}"
    opening += f" — {', и '.join(comparisons)}." if comparisons else "."
    parts = [opening]
    if len(periods) == 3 and all(p.participants for p in periods):
        first, second, third = periods
        step_before, percent_before = nb.change(second.participants, first.participants)
        step_now, percent_now = nb.change(third.participants, second.participants)
        if step_before > 0 and step_now > 0:
            text = f"Рост {ctx.in_a_row(2)}"
            if step_now < step_before:
                text += (
                    f", но медленнее: {ctx.in_period(second.label)} прибавилось {_n(step_before)} "
                    f"({_p(percent_before, signed=True)}), {ctx.in_period(third.label)} — {_n(step_now)} "
                    f"({_p(percent_now, signed=True)})."
                )
            else:
                text += "."
            parts.append(text)
        elif step_before > 0 > step_now:
            parts.append(f"Рост {ctx.in_period(second.label)} сменился снижением.")
        elif step_before < 0 < step_now:
            parts.append(f"Снижение {ctx.in_period(second.label)} сменилось ростом.")
        elif step_before < 0 and step_now < 0:
            parts.append(f"Снижение {ctx.in_a_row(2)}.")
            ctx.problems.append(f"участников аккредитованных мероприятий меньше {ctx.in_a_row(2)}")
    previous = periods[-2]
    if previous.editions and current.editions and previous.editions != current.editions:
        per_now = nb.mean(current.participants, current.editions)
        per_before = nb.mean(previous.participants, previous.editions)
        text = (
            f"Мероприятий было {_n(previous.editions)} {ctx.in_period(previous.label)} и {_n(current.editions)} "
            f"{ctx.in_period()}; в среднем на одно мероприятие участников — {_n(per_now)} против {_n(per_before)}."
        )
        if current.participants > previous.participants and per_now < per_before:
            text += " Рост общего числа даёт число мероприятий, а не их наполняемость."
        elif current.participants > previous.participants:
            text += " Участников больше и в расчёте на одно мероприятие: выросла наполняемость."
        elif current.participants < previous.participants and per_now > per_before:
            text += " Снижение общего числа объясняется меньшим числом мероприятий: наполняемость выросла."
        elif current.participants < previous.participants:
            text += " Участников меньше и в расчёте на одно мероприятие: наполняемость снизилась."
        parts.append(text)
    region = nb.region_size(ctx.report)
    if figures.municipalities:
        text = f"Участвовали {w.municipalities(len(figures.municipalities))}"
        if region:
            text += f" из {_n(region)} ({_p(nb.share(len(figures.municipalities), region))})"
        text += "."
        table = ctx.section(S.RESIDENTS_BY_MUNICIPALITY)
        if table is not None:
            silent = [m for m in table.with_residents if m not in figures.municipalities]
            if silent:
                text += (
                    f" Резиденты есть, но участников {ctx.in_period()} не было: {', '.join(silent)} — связь с банком "
                    "может прерваться."
                )
        parts.append(text)
    if any("численность" in s for s in figures.sources):
        parts.append(
            "Числа — по численности, указанной организаторами, а не по поимённым записям: человек, побывавший на "
            "нескольких мероприятиях, учтён несколько раз."
        )
    if comparisons:
        ctx.summary.append(
            f"участников аккредитованных мероприятий — {_n(current.participants)}, "
            + ", ".join(
                f"{_p(nb.change(current.participants, p.participants)[1], signed=True)} к {p.label} "
                + ("учебному году" if ctx.academic else "году")
                for p in reversed(periods[:-1])
                if p.participants
            )
        )
    return _paragraphs(*parts)


def _not_held(cell) -> str:
    return "не проводилось" if cell.held is False else "не записано"


def _coverage_span(coverage, ctx: Context) -> str:
    """The periods of Table 2 in which accredited events were held: 'в 2017–2019 годах', 'в 2017 году'."""
    held = [
        label
        for year, label in zip(coverage.periods, coverage.period_labels, strict=True)
        if any(s.periods[str(year)].held for s in coverage.series)
    ] or coverage.period_labels
    return ctx.in_period(held[0]) if len(held) == 1 else ctx.span(held[0], held[-1])


def territorial_coverage_draft(coverage, ctx: Context) -> str:
    labels = coverage.period_labels
    if not coverage.series:
        return f"Аккредитованные мероприятия {ctx.span(labels[0], labels[-1])} не записаны."
    span = _coverage_span(coverage, ctx)
    region = len(coverage.municipalities)
    parts = []
    held_cells = [c for s in coverage.series for c in s.periods.values() if c.held]
    core = [m for m in coverage.municipalities if held_cells and all(m in c.municipalities for c in held_cells)]
    if core:
        parts.append(
            f"Постоянное ядро — {_and(core)}: представители были на каждом проведённом аккредитованном "
            f"мероприятии {span}."
        )
    lines = []
    current_key, previous_key = str(coverage.periods[-1]), str(coverage.periods[-2])
    for series in coverage.series:
        now, before = series.periods[current_key], series.periods[previous_key]
        if not now.held:
            lines.append(f"{series.name}: {ctx.in_period()} — {now.note or _not_held(now)}")
        elif not before.held:
            lines.append(
                f"{series.name}: {ctx.in_period(labels[-2])} — {before.note or _not_held(before)}; "
                f"{ctx.in_period()} — {w.municipalities(now.count)}"
            )
        else:
            diff = now.count - before.count
            gone = [m for m in before.municipalities if m not in now.municipalities]
            came = [m for m in now.municipalities if m not in before.municipalities]
            if not gone and not came:
                lines.append(
                    f"{series.name}: тот же состав, что {ctx.in_period(labels[-2])}, — {w.municipalities(now.count)}"
                )
                continue
            text = f"{series.name}: {w.municipalities(now.count)} против {_n(before.count)} {ctx.in_period(labels[-2])}"
            if diff:
                text += f" ({_signed(diff)})"
            if gone:
                text += f"; не вернулись: {', '.join(gone)}"
            if came:
                text += f"; добавились: {', '.join(came)}"
            lines.append(text)
            if diff < 0 and -diff * 3 >= before.count:
                ctx.problems.append(
                    f"сузился территориальный охват: {series.name} — {w.municipalities(now.count)} против "
                    f"{_n(before.count)} {ctx.in_period(labels[-2])}"
                )
    if any(s.periods[previous_key].held is not None for s in coverage.series):
        parts += [f"Что изменилось {ctx.in_period()} по сравнению {ctx.with_period(labels[-2])}:", _items(lines)]
    else:
        parts.append(f"{_cap(ctx.in_period(labels[-2]))} аккредитованные мероприятия не записаны: сравнивать не с чем.")
    now_covered = {m for s in coverage.series for m in s.periods[current_key].municipalities}
    earlier_covered = {
        m for s in coverage.series for key, c in s.periods.items() if key != current_key for m in c.municipalities
    }
    new = [m for m in coverage.municipalities if m in now_covered and m not in earlier_covered]
    dropped = [m for m in coverage.municipalities if m in earlier_covered and m not in now_covered]
    if new and earlier_covered:
        parts.append(f"Впервые за три периода: {', '.join(new)}.")
    if dropped:
        parts.append(f"Участвовали раньше, но не {ctx.in_period()}: {', '.join(dropped)}.")
    if coverage.not_covered:
        absent = coverage.not_covered
        parts.append(
            f"Ни в одном аккредитованном мероприятии {span} не участвовали {w.municipalities(len(absent))} из "
            f"{_n(region)}: {', '.join(absent)}. С общеобразовательными организациями этих муниципалитетов нужна "
            "адресная работа: приглашения напрямую в школы, консультации, возможность участвовать дистанционно."
        )
        ctx.summary.append(
            f"ни в одном аккредитованном мероприятии {span} не участвовали {w.municipalities(len(absent))} из "
            f"{_n(region)}: {', '.join(absent)}"
        )
        ctx.problems.append(f"не участвуют в аккредитованных мероприятиях {span}: {', '.join(absent)}")
        ctx.tasks.append(f"вовлечь в аккредитованные мероприятия школы муниципалитетов: {', '.join(absent)}")
        ctx.recommendations.append(
            f"организовать адресную работу со школами муниципалитетов без участников {span} ({', '.join(absent)}): "
            "приглашения напрямую в школы, телефонные консультации, участие в режиме видеоконференции"
        )
    guests = []
    for key, label in zip(coverage.periods, labels, strict=False):
        names = list(dict.fromkeys(m for s in coverage.series for m in s.periods[str(key)].other_regions))
        if names:
            guests.append(f"{ctx.in_period(label)} — {', '.join(names)}")
    if guests:
        parts.append(f"Участники из других регионов: {'; '.join(guests)}.")
    return _paragraphs(*parts)


def satellite_events_draft(satellites, ctx: Context) -> str:
    total = satellites.total
    if not satellites.rows or not (total.current or satellites.held):
        return f"Мероприятия-спутники {ctx.in_period()} не записаны."
    previous_in = ctx.in_period(satellites.previous_label)
    if total.previous:
        diff, percent = nb.change(total.current, total.previous)
        if abs(percent) < SIMILAR_PERCENT:
            words = f"почти столько же, сколько {previous_in}"
        else:
            words = f"{'больше' if diff > 0 else 'меньше'}, чем {previous_in}"
        opening = (
            f"Участников мероприятий-спутников — {_n(total.current)}: {words} {_was(total.previous, diff, percent)}."
        )
        ctx.summary.append(
            f"участников мероприятий-спутников — {_n(total.current)}, {words} ({_p(percent, signed=True)})"
        )
    else:
        opening = f"Участников мероприятий-спутников — {_n(total.current)}; {previous_in} они не записаны."
    parts = [opening]
    moved = [d for d in satellites.by_direction if d.previous and d.current != d.previous]
    if len(satellites.by_direction) > 1 and moved:
        grew = sorted((d for d in moved if d.current > d.previous), key=lambda d: d.previous - d.current)
        fell = sorted((d for d in moved if d.current < d.previous), key=lambda d: d.current - d.previous)

        def listed(directions):
            return _and([f"«{d.label}» ({_change(*nb.change(d.current, d.previous))})" for d in directions])

        text = []
        if fell:
            text.append(f"снижение {_verb(len(fell), 'дало направление', 'дали направления')} {listed(fell)}")
            for d in fell:
                if nb.change(d.current, d.previous)[1] <= -10:
                    ctx.problems.append(
                        f"меньше участников мероприятий-спутников по направлению «{d.label}»: {_n(d.current)} "
                        f"против {_n(d.previous)} ({_p(nb.change(d.current, d.previous)[1], signed=True)})"
                    )
                    ctx.tasks.append(
                        f"вернуть участников мероприятий-спутников по направлению «{d.label}» "
                        f"к уровню {ctx.of_period(satellites.previous_label)}"
                    )
        if grew:
            text.append(f"рост — {listed(grew)}")
        parts.append(_sentence("; ".join(text)))
    movers = [
        r
        for r in satellites.rows
        if r.change_percent is not None and abs(r.change_percent) >= 10 and abs(r.change) >= 10
    ]
    up = sorted((r for r in movers if r.change > 0), key=lambda r: -r.change)[:3]
    down = sorted((r for r in movers if r.change < 0), key=lambda r: r.change)[:3]
    if up or down:
        lines = [f"{r.name}: {_change(r.change, r.change_percent)}" for r in up + down]
        parts += ["Заметнее всего изменились:", _items(lines)]
    new = [r.name for r in satellites.rows if r.previous is None and r.current is not None]
    gone = [r.name for r in satellites.rows if r.previous is not None and r.current is None]
    if new and total.previous:
        parts.append(f"Впервые {ctx.in_period()}: {'; '.join(new)}.")
    if gone:
        parts.append(f"Не проводились {ctx.in_period()}: {'; '.join(gone)}.")
    if any("численность" in s for s in satellites.sources):
        parts.append(
            "Числа — по численности, указанной организаторами (обучающиеся, педагоги и эксперты вместе), а не по "
            "поимённым записям."
        )
    return _paragraphs(*parts)


def opportunities_draft(opportunities, ctx: Context) -> str:
    target = ctx.target("residents_with_opportunities")
    if not opportunities.residents:
        text = f"Практики, стажировки, профильные смены и экспертная работа резидентов {ctx.in_period()} не записаны."
        if target is not None:
            result, indicator = target
            text += (
                f" При цели критерия {result.number} ({_n(indicator.target)}) это значит, что критерий не выполнен — "
                "или что данные не внесены."
            )
        return text
    total = opportunities.residents
    opening = f"Практику, стажировку, профильную смену или экспертную работу получили {w.residents(total)}"
    residents = ctx.section(S.RESIDENTS)
    if residents is not None and residents.residents:
        opening += f" — {_p(nb.share(total, residents.residents))} всех резидентов"
    if target is not None:
        result, indicator = target
        if indicator.met:
            opening += f"; цель критерия {result.number} ({_n(indicator.target)}) достигнута"
        else:
            opening += (
                f"; до цели критерия {result.number} ({_n(indicator.target)}) не хватает {_n(indicator.shortfall)}"
            )
    parts = [opening + "."]
    kinds = nb.ranked([k for k in opportunities.by_kind if k.residents], lambda k: k.residents)
    if kinds:
        main = kinds[0]
        portion = _portion(main.residents, total)
        text = "По видам: " + ", ".join(
            f"{k.label} — {_n(k.residents)} ({_p(nb.share(k.residents, total))})" for k in kinds
        )
        text += "."
        if portion:
            text += f" Главный вид — «{main.label}»: {portion} резидентов с такими возможностями."
        parts.append(text)
    missing = [k.label for k in opportunities.by_kind if not k.residents]
    if missing:
        text = f"Нет записей по {_verb(len(missing), 'виду', 'видам')}: {', '.join(missing)}."
        if target is not None and not target[1].met:
            text += (
                " Практики и стажировки у организаций-партнёров — главный резерв для выполнения критерия: о них "
                "стоит договориться с партнёрами, прежде всего с новыми."
            )
        parts.append(text)
    return _paragraphs(*parts)


def partners_draft(partners, ctx: Context) -> str:
    if not partners.active:
        return "Организации-партнёры на конец периода не записаны."
    if partners.new:
        opening = (
            f"Новых партнёров {ctx.for_period}: {_n(partners.new)} — {', '.join(partners.new_names)}; всего "
            f"партнёров на конец периода: {_n(partners.active)}"
        )
    else:
        opening = (
            f"Новых партнёров {ctx.in_period()} не появилось — сеть не расширяется; партнёров на конец периода: "
            f"{_n(partners.active)}"
        )
        ctx.problems.append(f"новых организаций-партнёров {ctx.in_period()} не появилось")
    against = ctx.against_earlier("partners")
    opening += f", {against}." if against else "."
    parts = [opening]
    target = ctx.target("residents_with_opportunities")
    if partners.new and target is not None and not target[1].met:
        parts.append(
            f"С новыми партнёрами стоит сразу обсудить практики и стажировки для резидентов: критерий "
            f"{target[0].number} не выполнен."
        )
    return _paragraphs(*parts)


def publications_draft(publications, ctx: Context) -> str:
    if not publications.media and not publications.social_network_posts:
        return f"Публикации {ctx.in_period()} не записаны."
    counted = [o for o in publications.by_outlet if o.kind != "social_network"]
    opening = f"Публикаций на сайтах учредителей, партнёров и информационных агентств: {_n(publications.media)}"
    target = ctx.target("publications")
    if target is not None:
        opening += f" при цели критерия {target[0].number} не менее {_n(target[1].target)}"
    against = ctx.against_earlier("publications")
    opening += f"; это {against}." if against else "."
    parts = [opening]
    founder = next((o for o in counted if o.kind == "founder_site"), None)
    if founder and publications.media and 3 * founder.publications > publications.media:
        parts.append(
            f"{_cap(_portion(founder.publications, publications.media))} из них — на собственных сайтах учредителя: "
            f"{_n(founder.publications)} из {_n(publications.media)} "
            f"({_p(nb.share(founder.publications, publications.media))}). Стоит чаще выходить к внешней аудитории — "
            "на сайты партнёров и в информационные агентства."
        )
    agencies = next((o for o in counted if o.kind == "news_agency"), None)
    if agencies:
        parts.append(
            f"В информационных агентствах — {w.publications(agencies.publications)}, изданий: {_n(agencies.outlets)}."
        )
    elif counted:
        parts.append("В информационных агентствах публикаций нет: о программе пишут только её участники и партнёры.")
    if publications.social_network_posts:
        parts.append(f"Посты в социальных сетях ({_n(publications.social_network_posts)}) в критерий не входят.")
    return _paragraphs(*parts)


def achievements_draft(achievements, ctx: Context) -> str:
    rows = achievements.rows
    if not rows:
        return f"Личные достижения {ctx.in_period()} не записаны."
    levels = Counter(r.level for r in rows)
    opening = (
        f"Личных достижений: {_n(len(rows))}, их обладателей: {_n(achievements.people)}. По уровням: "
        + ", ".join(f"{level} — {_n(count)}" for level, count in levels.items())
        + "."
    )
    parts = [opening]
    places = Counter(r.municipality for r in rows if r.municipality)
    if places:
        (place, count), *_ = places.most_common(1)
        text = f"Больше всего достижений — {place}: {_n(count)} из {_n(len(rows))} ({_p(nb.share(count, len(rows)))})"
        table = ctx.section(S.RESIDENTS_BY_MUNICIPALITY)
        row = next((r for r in table.rows if r.municipality == place), None) if table is not None else None
        resident_share = nb.share(row.residents, table.total.residents) if row is not None else None
        if resident_share is not None and nb.share(count, len(rows)) > 2 * resident_share:
            text += (
                f", при доле среди резидентов-школьников {_p(resident_share)}. Подготовку в школах этого "
                "муниципалитета стоит изучить и распространить."
            )
        else:
            text += "."
        parts.append(text)
    if achievements.unnamed:
        parts.append(
            f"Обладателей без согласия на упоминание имени: {_n(achievements.unnamed)} — в справке их результаты "
            "приведены без имён."
        )
    return _paragraphs(*parts)


def cohort_draft(cohort, ctx: Context) -> str:
    current, previous = cohort.current, cohort.previous
    if not current.participants:
        return f"Участники {ctx.in_period()} не записаны."
    if not previous.participants:
        ctx.summary.append(
            f"первый набор: участников {_n(current.participants)}, организаций {_n(current.organizations)}"
        )
        return (
            f"{_cap(ctx.in_period())} — первый набор: участников {_n(current.participants)}, образовательных "
            f"организаций {_n(current.organizations)}."
        )
    people_diff, people_percent = nb.change(current.participants, previous.participants)
    org_diff, org_percent = nb.change(current.organizations, previous.organizations)

    def compared(now, then, diff, percent):
        words = "больше" if diff > 0 else "меньше" if diff < 0 else "столько же"
        if not diff:
            return f"столько же — {_n(now)}"
        return f"{words}: {_n(now)} против {_n(then)} ({_change(diff, percent)})"

    opening = (
        f"По сравнению {ctx.with_period(previous.label)} участников "
        f"{compared(current.participants, previous.participants, people_diff, people_percent)}, "
        f"организаций {compared(current.organizations, previous.organizations, org_diff, org_percent)}."
    )
    parts = [opening]
    per_now = nb.mean(current.participants, current.organizations)
    per_before = nb.mean(previous.participants, previous.organizations)
    if people_diff > 0 and org_diff < 0:
        parts.append(
            f"Программа растёт вглубь, а не вширь: в среднем на организацию {_n(per_now)} участника против "
            f"{_n(per_before)}. Охват школ сузился — тем, кто перестал участвовать, стоит предложить вернуться."
        )
        ctx.problems.append(
            f"участвует меньше образовательных организаций: {_n(current.organizations)} против "
            f"{_n(previous.organizations)} {ctx.in_period(previous.label)}"
        )
        ctx.tasks.append(f"вернуть в программу организации, участвовавшие {ctx.in_period(previous.label)}")
    elif people_diff < 0:
        ctx.problems.append(
            f"участников меньше: {_n(current.participants)} против {_n(previous.participants)} "
            f"{ctx.in_period(previous.label)}"
        )
    ctx.summary.append(
        f"участников {_n(current.participants)} ({_p(people_percent, signed=True)}), организаций "
        f"{_n(current.organizations)} ({_p(org_percent, signed=True)})"
    )
    return _paragraphs(*parts)


def teams_draft(teams, ctx: Context) -> str:
    if not teams.rows:
        return f"Проектные команды {ctx.in_period()} не записаны."
    sizes = [r.members for r in teams.rows]
    largest, smallest = max(sizes), min(sizes)
    opening = (
        f"Команд: {_n(len(teams.rows))}, в них {w.participants(teams.members)}; в среднем "
        f"{_n(nb.mean(teams.members, len(teams.rows)))} человека в команде."
    )
    parts = [opening]
    if largest != smallest:
        big = [r.name for r in teams.rows if r.members == largest]
        small = [r.name for r in teams.rows if r.members == smallest]
        text = (
            f"Размер команд — от {_n(smallest)} до {_n(largest)}: "
            f"{_verb(len(big), 'самая большая', 'самые большие')} — {_and(big)} ({_n(largest)}, "
            f"{_p(nb.share(largest, teams.members))} участников), "
            f"{_verb(len(small), 'самая малочисленная', 'самые малочисленные')} — {_and(small)} "
            f"({_verb(len(small), '', 'по ')}{_n(smallest)})."
        )
        if largest >= 3 * smallest:
            text += (
                " Команды очень неравные: малым командам стоит помочь с набором или объединить близкие по теме проекты."
            )
            ctx.recommendations.append(
                f"малым командам ({_and(small)}) помочь с набором участников или объединить близкие проекты"
            )
        parts.append(text)
    cohort = ctx.section(S.COHORT)
    if cohort is not None and cohort.participants:
        outside = cohort.participants - teams.members
        if outside == 0:
            parts.append("В командах все участники программы.")
        elif outside > 0:
            parts.append(
                f"Вне команд участников: {_n(outside)} из {_n(cohort.participants)} — им нужна команда или "
                "индивидуальный проект."
            )
    no_mentor = [r.name for r in teams.rows if not r.mentor]
    if no_mentor:
        parts.append(f"Наставник не указан: {', '.join(no_mentor)}.")
    return _paragraphs(*parts)


def organizations_ranking_draft(ranking, ctx: Context) -> str:
    if not ranking.rows:
        return f"Участники {ctx.in_period()} ни в одной организации не записаны."
    total = ranking.participants
    parts = []
    lead = nb.leaders(ranking.rows, lambda r: r.participants, total)
    if lead and len(lead) < len(ranking.rows):
        lead_sum = sum(r.participants for r in lead)
        portion = _portion(lead_sum, total) or "больше всего"
        names = _and([r.organization for r in lead])
        parts.append(
            f"{_cap(portion)} участников — {_n(lead_sum)} из {_n(total)} ({_p(nb.share(lead_sum, total))}) — "
            f"{_verb(len(lead), 'даёт', 'дают')} {names}."
        )
        ctx.summary.append(f"{_p(nb.share(lead_sum, total))} участников {_verb(len(lead), 'даёт', 'дают')} {names}")
        smallest = min(r.participants for r in ranking.rows)
        tail = [r.organization for r in ranking.rows if r.participants == smallest]
        if smallest < lead[-1].participants:
            parts.append(
                f"Наименьшее число участников — {_n(smallest)}: {', '.join(tail)}. Этим организациям стоит "
                "помочь расширить охват обучающихся."
            )
            ctx.recommendations.append(
                f"организациям с наименьшим числом участников ({_n(smallest)}) — расширить охват обучающихся: "
                f"{', '.join(tail)}"
            )
    earlier = ctx.earlier_section(S.ORGANIZATIONS_RANKING)
    if earlier and earlier[0][1].rows:
        label, before = earlier[0]
        now_names = [r.organization for r in ranking.rows]
        before_names = [r.organization for r in before.rows]
        gone = [n for n in before_names if n not in now_names]
        came = [n for n in now_names if n not in before_names]
        text = []
        if gone:
            text.append(f"не продолжили участие: {', '.join(gone)}")
            ctx.recommendations.append(
                f"организациям, участвовавшим {ctx.in_period(label)} и не продолжившим участие, предложить вернуться: "
                f"{', '.join(gone)}"
            )
        if came:
            text.append(f"впервые участвуют: {', '.join(came)}")
        if text:
            parts.append(f"По сравнению {ctx.with_period(label)} " + "; ".join(text) + ".")
        leaders_then = [r.organization for r in before.rows if r.place == 1]
        leaders_now = [r.organization for r in ranking.rows if r.place == 1]
        if leaders_then and leaders_then != leaders_now:
            parts.append(f"Лидер сменился: {ctx.in_period(label)} первое место — {_and(leaders_then)}.")
    return _paragraphs(*parts)


def diagnostics_by_organization_draft(diagnostics, ctx: Context) -> str:
    cohort = ctx.section(S.COHORT)
    size = cohort.participants if cohort is not None else None
    if not diagnostics.participants:
        return f"Прошедшие входную и итоговую диагностику {ctx.in_period()} не записаны."
    if not size:
        return f"Входную и итоговую диагностику прошли {w.participants(diagnostics.participants)}."
    text = (
        f"Входную и итоговую диагностику прошли {w.participants(diagnostics.participants)} из {_n(size)} "
        f"({_p(nb.share(diagnostics.participants, size))})"
    )
    if diagnostics.participants >= size:
        ctx.summary.append(f"диагностику прошли все участники: {_n(diagnostics.participants)} из {_n(size)}")
        return text + " — все участники программы."
    text += f"; не прошли — {_n(size - diagnostics.participants)}."
    parts = [text]
    ranking = ctx.section(S.ORGANIZATIONS_RANKING)
    if ranking is not None:
        passed = {r.organization: r.participants for r in diagnostics.rows}
        behind = sorted(
            ((r, r.participants - passed.get(r.organization, 0)) for r in ranking.rows),
            key=lambda pair: -pair[1],
        )
        behind = [(r, gap) for r, gap in behind if gap > 0][:3]
        if behind:
            parts.append(
                "Больше всего не прошедших: "
                + ", ".join(f"{r.organization} — {_n(gap)} из {_n(r.participants)}" for r, gap in behind)
                + "."
            )
    ctx.problems.append(
        f"диагностику прошли не все: {_n(diagnostics.participants)} из {_n(size)} "
        f"({_p(nb.share(diagnostics.participants, size))})"
    )
    ctx.tasks.append("обеспечить прохождение входной и итоговой диагностики всеми участниками")
    return _paragraphs(*parts)


def activities_draft(activities, ctx: Context) -> str:
    held = [r for r in activities.rows if r.held]
    if not held:
        return f"Мероприятия участников {ctx.in_period()} не записаны."
    cohort = ctx.section(S.COHORT)
    size = cohort.participants if cohort is not None else None
    parts = [f"Мероприятий записано: {_n(len(held))}."]
    if size:
        wide = [r for r in held if r.pupils and 2 * r.pupils > size]
        narrow = [r for r in held if r.pupils and 2 * r.pupils <= size]
        if wide:
            parts += [
                "Охватили больше половины участников:",
                _items([f"{r.title} — {_n(r.pupils)} ({_p(nb.share(r.pupils, size))})" for r in wide]),
            ]
        if narrow:
            low, high = min(r.pupils for r in narrow), max(r.pupils for r in narrow)
            reach = f"от {_n(low)} до {_n(high)} человек" if low != high else f"по {_n(low)}"
            parts.append(
                f"Остальные — для небольших групп ({reach}): это точечная работа с частью участников."
                if len(narrow) > 1
                else f"Ещё одно — для небольшой группы ({_n(low)})."
            )
    with_teachers = [r for r in held if r.teachers]
    if not with_teachers:
        parts.append(
            "Педагоги на мероприятиях не учтены — их участие стоит записывать: оно показывает работу наставников."
        )
    elif len(with_teachers) < len(held):
        listed = "; ".join(f"{r.title} ({_n(r.teachers)})" for r in with_teachers)
        where = _verb(len(with_teachers), "на одном мероприятии", "на некоторых мероприятиях")
        parts.append(f"Педагоги учтены только {where}: {listed}. На остальных их участие не записано.")
    last = max((r.ends_on or r.starts_on for r in held if r.ends_on or r.starts_on), default=None)
    period = ctx.report.period
    if last and period.end - last > timedelta(days=QUIET_DAYS) and period.contains(last):
        parts.append(
            f"После {w.long_date(last)} мероприятий не записано, хотя период длится до {w.long_date(period.end)}: "
            "если мероприятия были, их стоит внести."
        )
        ctx.summary.append(f"после {w.long_date(last)} мероприятия участников не записаны")
        ctx.problems.append(f"после {w.long_date(last)} мероприятия участников не записаны")
    not_held = [r.title for r in activities.rows if not r.held]
    if not_held:
        parts.append(f"Не состоялись: {'; '.join(not_held)}.")
    return _paragraphs(*parts)


def diagnostic_growth_draft(growth, ctx: Context) -> str:
    rows = [r for r in growth.rows if r.growth is not None]
    if not rows:
        return f"Результаты входной и итоговой диагностики {ctx.in_period()} не записаны."
    values = [r.growth for r in rows]
    average = nb.mean(sum(values), len(values))
    instrument = f" ({growth.instrument})" if growth.instrument else ""
    if all(v > 0 for v in values):
        opening = (
            f"Прирост есть по всем компетенциям{instrument}: от {_signed(min(values))} до {_signed(max(values))} "
            f"балла, в среднем {_signed(average)}."
        )
    else:
        falling = [r for r in rows if r.growth <= 0]
        opening = (
            f"Средний прирост по компетенциям{instrument} — {_signed(average)} балла; не выросли: "
            + ", ".join(f"«{r.competence}» ({_signed(r.growth)})" for r in falling)
            + "."
        )
        ctx.problems.append("по части компетенций нет прироста: " + ", ".join(f"«{r.competence}»" for r in falling))
    parts = [opening]
    if len(rows) > 1:
        best = max(rows, key=lambda r: r.growth)
        worst = min(rows, key=lambda r: r.growth)
        text = (
            f"Сильнее всего выросла компетенция «{best.competence}»: с {_n(best.entry)} до {_n(best.final)} "
            f"({_signed(best.growth)}); слабее всего — «{worst.competence}» ({_signed(worst.growth)})"
        )
        if worst.entry == max(r.entry for r in rows):
            text += f", самая высокая на входе ({_n(worst.entry)}): у сильной стороны меньше запаса для роста"
        parts.append(text + ".")
        lowest = min(rows, key=lambda r: r.final)
        parts.append(
            f"Самый низкий итоговый балл — «{lowest.competence}» ({_n(lowest.final)}): на этой компетенции стоит "
            "сосредоточить работу в следующем периоде."
        )
        ctx.recommendations.append(
            f"в следующем периоде сосредоточить работу на компетенции «{lowest.competence}» — самый низкий итоговый балл"
        )
    cohort = ctx.section(S.COHORT)
    if cohort is not None and cohort.participants and growth.participants < cohort.participants:
        parts.append(
            f"Прирост посчитан для прошедших обе диагностики: {_n(growth.participants)} из {_n(cohort.participants)} "
            f"({_p(nb.share(growth.participants, cohort.participants))})."
        )
    ctx.summary.append(f"прирост по компетенциям в среднем {_signed(average)} балла")
    return _paragraphs(*parts)


def _closing_list(lines: list[str]) -> str:
    unique = list(dict.fromkeys(lines))
    return _items([line + (";" if i < len(unique) - 1 else ".") for i, line in enumerate(unique)])


def section_drafts(report, earlier: Sequence = ()) -> dict[str, str]:
    """Proposed commentary for each section of the справка, keyed by section key, and for the closing
    parts "conclusions", "problems", "tasks", "recommendations" where the figures justify them.

    `earlier`: справки of up to two preceding periods (build_report(programme, year - 1), year - 2);
    with them, drafts compare headline figures and say for how long something has lasted. Without
    them, drafts use the earlier periods the sections themselves carry."""
    ctx = Context(report, nb.comparable(report, earlier))
    if not report.has_data:
        return {
            S.CONCLUSIONS.value: (
                f"{_cap(ctx.for_period)} в системе нет ни мероприятий, ни включений в программу: данных периода нет, "
                "поэтому комментарии к разделам не предложены. Если период уже прошёл, внесите его мероприятия и "
                "участников."
            )
        }
    from .sections import SECTIONS  # the registry imports this module's draft functions

    drafts = {}
    for key in report.programme.section_keys():
        draft = SECTIONS[key].draft
        if draft is not None and key in report.sections:
            text = draft(report.sections[key], ctx)
            if text:
                drafts[key] = text
    if S.CONCLUSIONS in report.programme.section_keys() and ctx.summary:
        drafts[S.CONCLUSIONS.value] = _paragraphs(f"Главное {ctx.for_period}:", _closing_list(ctx.summary))
    if ctx.problems:
        drafts["problems"] = _closing_list(ctx.problems)
    if ctx.tasks:
        drafts["tasks"] = _closing_list(ctx.tasks)
    if ctx.recommendations:
        drafts["recommendations"] = _closing_list(ctx.recommendations)
    return drafts
