"""Conclusions: sentences generated from the figures of the other sections, never typed."""

from participants.models import ReportSection
from reports import wording as w

from . import criteria


def _indicator_text(indicator) -> str:
    if indicator.actual is None:
        return "нет данных (за период в банк не внесено ни одной записи)"
    share = w.percent(indicator.percent_of_target)
    text = f"{w.number(indicator.actual)} при целевом значении не менее {w.number(indicator.target)} ({share} от цели"
    if indicator.met:
        return text + (f", {w.percent(indicator.excess_percent, signed=True)})" if indicator.excess_percent else ")")
    return text + f"; не хватает {w.number(indicator.shortfall)})"


# Without data a criterion is neither met nor missed: it is not assessed.
VERDICTS = {criteria.MET: "выполнен", criteria.MISSED: "не выполнен", criteria.NO_DATA: "не оценён"}


def _numbers(numbers: list[int], one: str, many: str) -> str:
    """'критерию 5' or 'критериям 3, 5': the noun agrees with how many numbers follow."""
    return f"{one if len(numbers) == 1 else many} {', '.join(str(n) for n in numbers)}"


def criteria_sentences(results, period_title: str = "период") -> list[str]:
    sentences = []
    for result in results:
        if result.status == criteria.NO_TARGET:
            continue
        if len(result.indicators) == 1:
            detail = _indicator_text(result.indicators[0])
        else:
            detail = "; ".join(f"{i.label} — {_indicator_text(i)}" for i in result.indicators)
        sentences.append(f"Критерий {result.number} «{result.title}» {VERDICTS[result.status]}: {detail}.")
    evaluated = [r for r in results if r.status in (criteria.MET, criteria.MISSED)]
    if evaluated:
        met = sum(1 for r in evaluated if r.status == criteria.MET)
        missed = [r.number for r in evaluated if r.status == criteria.MISSED]
        summary = f"Выполнено критериев: {met} из {len(evaluated)}."
        if missed:
            verb = "Не выполнен" if len(missed) == 1 else "Не выполнены"
            summary += f" {verb} {_numbers(missed, 'критерий', 'критерии')}."
        sentences.append(summary)
    no_data = [r.number for r in results if r.status == criteria.NO_DATA]
    if no_data:
        sentences.append(f"По {_numbers(no_data, 'критерию', 'критериям')} нет данных.")
    without_targets = [r.number for r in results if r.status == criteria.NO_TARGET]
    if without_targets:
        verb = "задана" if len(without_targets) == 1 else "заданы"
        goal = "Цель" if len(without_targets) == 1 else "Цели"
        sentences.append(
            f"{goal} на {period_title} не {verb} для {_numbers(without_targets, 'критерия', 'критериев')}."
        )
    return sentences


def conclusions(report) -> list[str]:
    """Built from the sections the programme's справка has; reuses their computed results."""
    keys = set(report.programme.section_keys())
    sentences: list[str] = []
    if ReportSection.CRITERIA in keys:
        sentences += criteria_sentences(report.get(ReportSection.CRITERIA), report.period_title)
    if ReportSection.RESIDENTS in keys:
        summary = report.get(ReportSection.RESIDENTS)
        on_date = w.long_date(summary.on_date)
        if summary.residents is None:
            stock = f"Резидентов в банке на {on_date}: {w.NO_DATA}"
        else:
            stock = f"На {on_date} в банке {w.residents(summary.residents)}"
        sentences.append(f"{stock}; новых резидентов за {report.period_title}: {w.figure(summary.new_residents)}.")
    if ReportSection.ACCREDITED_PARTICIPANTS in keys:
        figures = report.get(ReportSection.ACCREDITED_PARTICIPANTS)
        previous, two_before = figures.periods[1], figures.periods[0]
        n = figures.participants
        if n is None:
            sentences.append(f"Участники аккредитованных мероприятий {report.period.label} года: {w.NO_DATA}.")
        else:
            changes = [
                f"{w.percent(change, signed=True)} к {p.label} году"
                for change, p in ((figures.change_vs_previous, previous), (figures.change_vs_two_before, two_before))
                if change is not None
            ]
            sentences.append(
                f"В аккредитованных мероприятиях {report.period.label} года {w.agree(n, 'принял', 'приняли')} участие "
                f"{w.people(n)}" + (f" ({', '.join(changes)})" if changes else "") + "."
            )
    if ReportSection.SATELLITE_EVENTS in keys:
        satellites = report.get(ReportSection.SATELLITE_EVENTS)
        total = satellites.total
        if satellites.held is None:
            sentences.append(f"Мероприятия-спутники за {report.period_title}: {w.NO_DATA}.")
        elif total.current is None:
            sentences.append(f"Мероприятия-спутники: {w.events(satellites.held)}, число участников: {w.NO_DATA}.")
        else:
            change = f", {w.percent(total.change_percent, signed=True)}" if total.change_percent is not None else ""
            sentences.append(
                f"Мероприятия-спутники: {w.events(satellites.held)}, {w.people(total.current)} "
                f"(в {satellites.previous_label} году — {w.figure(total.previous)}{change})."
            )
    if {ReportSection.RESIDENTS_BY_MUNICIPALITY, ReportSection.TERRITORIAL_COVERAGE} <= keys:
        table1 = report.get(ReportSection.RESIDENTS_BY_MUNICIPALITY)
        coverage = report.get(ReportSection.TERRITORIAL_COVERAGE)
        years = f"{coverage.period_labels[0]}–{coverage.period_labels[-1]}"
        if table1.without_residents:
            sentences.append(
                f"Муниципалитеты без резидентов ({w.number(len(table1.without_residents))}): "
                f"{', '.join(table1.without_residents)}."
            )
        if coverage.not_covered:
            sentences.append(
                f"Муниципалитеты, представители которых не участвовали в аккредитованных мероприятиях "
                f"в {years} годах ({w.number(len(coverage.not_covered))}): {', '.join(coverage.not_covered)}."
            )
        neither = [m for m in table1.without_residents if m in coverage.not_covered]
        if neither:
            sentences.append(
                f"Ни резидентов, ни участников аккредитованных мероприятий за три года: {', '.join(neither)} — "
                "с образовательными организациями этих муниципалитетов нужна адресная работа."
            )
    if ReportSection.COHORT in keys:
        cohort = report.get(ReportSection.COHORT)
        sentences.append(
            f"В {cohort.current.label} учебном году {_cohort_text(cohort.current, 'в программе ')} "
            f"(в {cohort.previous.label} учебном году — {_cohort_text(cohort.previous)})."
        )
        if ReportSection.DIAGNOSTICS_BY_ORGANIZATION in keys:
            passed = report.get(ReportSection.DIAGNOSTICS_BY_ORGANIZATION).participants
            if passed is None:
                sentences.append(f"Результаты входной и итоговой диагностики за {report.period_title}: {w.NO_DATA}.")
            elif cohort.participants is None:
                sentences.append(
                    f"Входную и итоговую диагностику {w.agree(passed, 'прошёл', 'прошли')} {w.people(passed)}."
                )
            else:
                # «0 из 41 участника», «52 из 52 участников»: after «из» the genitive.
                sentences.append(
                    f"Входную и итоговую диагностику {w.agree(passed, 'прошёл', 'прошли')} {w.number(passed)} "
                    f"из {w.participants(cohort.participants, 'gen')}."
                )
    if ReportSection.DIAGNOSTIC_GROWTH in keys:
        growth = [r for r in report.get(ReportSection.DIAGNOSTIC_GROWTH).rows if r.growth is not None]
        if growth:
            best = max(growth, key=lambda r: r.growth)
            worst = min(growth, key=lambda r: r.growth)
            sentences.append(
                f"Наибольший средний прирост — «{best.competence}» ({w.points(best.growth)}), "
                f"наименьший — «{worst.competence}» ({w.points(worst.growth)})."
            )
    return sentences


def _cohort_text(cohort, where: str = "") -> str:
    """'в программе 52 участника из 13 образовательных организаций'; 'нет данных' for a period without a cohort."""
    if cohort.participants is None:
        return w.NO_DATA
    text = f"{where}{w.participants(cohort.participants)}"
    if cohort.organizations:
        text += f" из {w.educational_organisations(cohort.organizations, 'gen')}"
    return text
