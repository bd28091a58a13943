"""Conclusions: sentences generated from the figures of the other sections, never typed."""

from participants.models import ReportSection
from reports import wording as w


def _indicator_text(indicator) -> str:
    share = w.percent(indicator.percent_of_target)
    text = f"{w.number(indicator.actual)} при целевом значении не менее {w.number(indicator.target)} ({share} от цели"
    if indicator.met:
        return text + (f", {w.percent(indicator.excess_percent, signed=True)})" if indicator.excess_percent else ")")
    return text + f"; не хватает {w.number(indicator.shortfall)})"


def criteria_sentences(results) -> list[str]:
    sentences = []
    evaluated = [r for r in results if r.met is not None]
    for result in evaluated:
        verdict = "выполнен" if result.met else "не выполнен"
        if len(result.indicators) == 1:
            detail = _indicator_text(result.indicators[0])
        else:
            detail = "; ".join(f"{i.label} — {_indicator_text(i)}" for i in result.indicators)
        sentences.append(f"Критерий {result.number} «{result.title}» {verdict}: {detail}.")
    if evaluated:
        met = sum(1 for r in evaluated if r.met)
        missed = [str(r.number) for r in evaluated if not r.met]
        summary = f"Выполнено критериев: {met} из {len(evaluated)}."
        if missed:
            summary += f" Не выполнены: {', '.join(missed)}."
        sentences.append(summary)
    without_targets = [str(r.number) for r in results if r.met is None]
    if without_targets:
        sentences.append(f"Для критериев {', '.join(without_targets)} целевые значения на период не заданы.")
    return sentences


def conclusions(report) -> list[str]:
    """Built from the sections the programme's справка has; reuses their computed results."""
    keys = set(report.programme.section_keys())
    sentences: list[str] = []
    if ReportSection.CRITERIA in keys:
        sentences += criteria_sentences(report.get(ReportSection.CRITERIA))
    if ReportSection.RESIDENTS in keys:
        summary = report.get(ReportSection.RESIDENTS)
        sentences.append(
            f"На {w.long_date(summary.on_date)} в банке {w.residents(summary.residents)}; "
            f"новых резидентов за {report.period_title}: {w.number(summary.new_residents)}."
        )
    if ReportSection.ACCREDITED_PARTICIPANTS in keys:
        figures = report.get(ReportSection.ACCREDITED_PARTICIPANTS)
        previous, two_before = figures.periods[1], figures.periods[0]
        sentences.append(
            f"В аккредитованных мероприятиях {report.period.label} года приняли участие {w.people(figures.participants)} "
            f"({w.percent(figures.change_vs_previous, signed=True)} к {previous.label} году, "
            f"{w.percent(figures.change_vs_two_before, signed=True)} к {two_before.label} году)."
        )
    if ReportSection.SATELLITE_EVENTS in keys:
        satellites = report.get(ReportSection.SATELLITE_EVENTS)
        sentences.append(
            f"Мероприятия-спутники: {w.events(satellites.held)}, {w.people(satellites.total.current)} "
            f"(в {satellites.previous_label} году — {w.number(satellites.total.previous)}, "
            f"{w.percent(satellites.total.change_percent, signed=True)})."
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
            f"В {cohort.current.label} учебном году в программе {w.participants(cohort.participants)}, "
            f"образовательных организаций: {w.number(cohort.organizations)} (в {cohort.previous.label} учебном году — "
            f"{w.number(cohort.previous.participants)} и {w.number(cohort.previous.organizations)})."
        )
        if ReportSection.DIAGNOSTICS_BY_ORGANIZATION in keys:
            passed = report.get(ReportSection.DIAGNOSTICS_BY_ORGANIZATION).participants
            sentences.append(
                f"Входную и итоговую диагностику прошли {w.number(passed)} из {w.number(cohort.participants)} участников."
            )
    if ReportSection.DIAGNOSTIC_GROWTH in keys:
        growth = [r for r in report.get(ReportSection.DIAGNOSTIC_GROWTH).rows if r.growth is not None]
        if growth:
            best = max(growth, key=lambda r: r.growth)
            worst = min(growth, key=lambda r: r.growth)
            sentences.append(
                f"Наибольший средний прирост — «{best.competence}» (+{w.number(best.growth)} балла), "
                f"наименьший — «{worst.competence}» (+{w.number(worst.growth)} балла)."
            )
    return sentences
