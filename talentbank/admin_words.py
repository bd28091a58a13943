"""The admin's Russian: each model's name in the forms Django's admin sentences need.

Django builds its admin sentences from a model's `verbose_name` and `verbose_name_plural`, which are
nominative: «Выберите %s для изменения», «Добавить %s», «Добавить еще один %(verbose_name)s»,
«%(count)s %(name)s», «Удалить выбранные %(verbose_name_plural)s». In Russian that gives «Выберите
участник для изменения», «33 участники», «Добавить еще один Членство». This module is the one place
that writes the other forms (`WORDS`), and `RussianAdminMixin` puts them into those sentences:

- the list's title and its «Добавить …» button (accusative: «Выберите участника для изменения»);
- the add, change and view pages' titles («Добавить участника», «Изменить программу»);
- an inline's «Добавить ещё …» link (accusative with «ещё один/одного/одну/одно»);
- the delete action («Удалить выбранных участников»);
- the list's result count (templates/admin/pagination.html: «33 участника», the rule of
  reports.wording.plural_form);
- history pages (simple-history): «—» instead of «None», «да»/«нет», choices by their labels
  (templates/simple_history/object_history_list.html writes the table's own words in Russian).

A model without an entry keeps Django's nominative wording; talentbank/tests/test_admin_russian.py
checks that every model a coordinator can open has one.
"""

import json
from dataclasses import dataclass

from django import template
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_format_dict
from django.contrib.admin.views.main import IS_POPUP_VAR
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper

from reports.wording import NOUNS, plural_form

ANOTHER = {"m": "ещё один", "m-anim": "ещё одного", "f": "ещё одну", "n": "ещё одно"}


@dataclass(frozen=True)
class Words:
    accusative: str  # «Выберите участника», «Добавить программу»
    gender: str  # for «ещё один/одного/одну/одно»: "m", "m-anim" (accusative = genitive), "f", "n"
    counted: tuple[str, str, str]  # after a number: 1 участник, 2 участника, 5 участников
    selected: str = ""  # «Удалить выбранных участников»; empty: «выбранные» + verbose_name_plural

    @property
    def another(self) -> str:
        return f"{ANOTHER[self.gender]} {self.accusative}"

    def count(self, n: int) -> str:
        return self.counted[plural_form(n)]


def _suffixed(forms: tuple[str, str, str], tail: str) -> tuple[str, str, str]:
    return tuple(f"{form} {tail}" for form in forms)


WORDS: dict[str, Words] = {
    "participants.region": Words("субъект РФ", "m", ("субъект РФ", "субъекта РФ", "субъектов РФ")),
    "participants.municipality": Words(
        "муниципальное образование",
        "n",
        ("муниципальное образование", "муниципальных образования", "муниципальных образований"),
    ),
    "participants.organisation": Words("образовательную организацию", "f", NOUNS["educational_organisation"].nom),
    "participants.programme": Words("программу", "f", ("программа", "программы", "программ")),
    "participants.criterion": Words("критерий эффективности", "m", _suffixed(NOUNS["criterion"].nom, "эффективности")),
    "participants.criteriontarget": Words(
        "целевое значение критерия",
        "n",
        ("целевое значение критерия", "целевых значения критериев", "целевых значений критериев"),
    ),
    "participants.participant": Words("участника", "m-anim", NOUNS["participant"].nom, selected="выбранных участников"),
    "participants.membership": Words(
        "членство в программе",
        "n",
        ("членство в программе", "членства в программах", "членств в программах"),
    ),
    "participants.projectteam": Words(
        "проектную команду", "f", ("проектная команда", "проектные команды", "проектных команд")
    ),
    "participants.teammember": Words(
        "участника команды",
        "m-anim",
        _suffixed(NOUNS["participant"].nom, "команды"),
        selected="выбранных участников команды",
    ),
    "participants.instrument": Words(
        "диагностический инструмент",
        "m",
        ("диагностический инструмент", "диагностических инструмента", "диагностических инструментов"),
    ),
    "participants.competence": Words("компетенцию", "f", ("компетенция", "компетенции", "компетенций")),
    "participants.diagnostic": Words("диагностику", "f", ("диагностика", "диагностики", "диагностик")),
    "participants.diagnosticscore": Words(
        "балл по компетенции",
        "m",
        ("балл по компетенции", "балла по компетенциям", "баллов по компетенциям"),
    ),
    "participants.achievement": Words("достижение", "n", ("достижение", "достижения", "достижений")),
    "participants.mergerecord": Words(
        "объединение участников", "n", ("объединение участников", "объединения участников", "объединений участников")
    ),
    "participants.importupload": Words(
        "загрузку из Excel", "f", ("загрузка из Excel", "загрузки из Excel", "загрузок из Excel")
    ),
    "events.eventseries": Words(
        "мероприятие (серию)", "n", ("мероприятие (серия)", "мероприятия (серии)", "мероприятий (серий)")
    ),
    "events.edition": Words(
        "выпуск мероприятия", "m", ("выпуск мероприятия", "выпуска мероприятий", "выпусков мероприятий")
    ),
    "events.coverage": Words(
        "муниципалитет-участник",
        "m",
        ("муниципалитет-участник", "муниципалитета-участника", "муниципалитетов-участников"),
    ),
    "events.participation": Words("участие в мероприятии", "n", NOUNS["participation_record"].nom),
    "events.partnerorganisation": Words("организацию-партнёра", "f", NOUNS["partner"].nom),
    "events.opportunity": Words(
        "возможность (практику, стажировку, смену)", "f", ("возможность", "возможности", "возможностей")
    ),
    "events.publication": Words("публикацию", "f", NOUNS["publication"].nom),
    "reports.periodreport": Words("текст справки", "m", ("текст справки", "текста справок", "текстов справок")),
    "reports.reportversion": Words(
        "утверждённую версию справки",
        "f",
        ("утверждённая версия справки", "утверждённые версии справок", "утверждённых версий справок"),
    ),
    "accounts.manageduser": Words(
        "пароль пользователя", "m", ("пароль пользователя", "пароля пользователей", "паролей пользователей")
    ),
    "accounts.apitoken": Words("токен API", "m", ("токен API", "токена API", "токенов API")),
    "audit.auditevent": Words("событие", "n", ("событие", "события", "событий")),
    "auth.user": Words(
        "пользователя", "m-anim", ("пользователь", "пользователя", "пользователей"), selected="выбранных пользователей"
    ),
    "auth.group": Words("группу", "f", ("группа", "группы", "групп")),
}


def words_for(model) -> Words | None:
    return WORDS.get(model._meta.label_lower)


def counted_name(model, n: int) -> str:
    """«33 участника»: the model's name after the number n (without the number)."""
    words = words_for(model)
    if words is None:
        return str(model._meta.verbose_name if plural_form(n) == 0 else model._meta.verbose_name_plural)
    return words.count(n)


class RussianInlineFormSet(helpers.InlineAdminFormSet):
    """The inline's «Добавить ещё одно членство в программе» (Django: «Добавить еще один Членство…»)."""

    def inline_formset_data(self):
        words = words_for(self.opts.model)
        if words is None:
            return super().inline_formset_data()
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = capfirst(f"Добавить {words.another}")
        return json.dumps(data)


class RussianAdminMixin:
    """Puts WORDS into the sentences Django's admin builds from the nominative verbose names."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        words = words_for(self.model)
        if words is None or not context or "cl" not in context:
            return response
        cl = context["cl"]
        if context.get("title") == cl.title:
            if IS_POPUP_VAR in request.GET:
                context["title"] = gettext("Select %s") % words.accusative
            elif self.has_change_permission(request):
                context["title"] = gettext("Select %s to change") % words.accusative
            else:
                context["title"] = gettext("Select %s to view") % words.accusative
        context.setdefault("add_label", capfirst(f"добавить {words.accusative}"))
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        words = words_for(self.model)
        if words is not None:
            for sentence in ("Add %s", "Change %s", "View %s"):
                if context.get("title") == gettext(sentence) % self.opts.verbose_name:
                    context["title"] = gettext(sentence) % words.accusative
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_delete_form(self, request, context):
        # «Вы уверены, что хотите удалить участника "…"?», not «удалить участник».
        words = words_for(self.model)
        if words is not None:
            refused = gettext("Cannot delete %(name)s")
            if context.get("title") == refused % {"name": context.get("object_name")}:
                context["title"] = refused % {"name": words.accusative}
            context["object_name"] = words.accusative
        return super().render_delete_form(request, context)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_admin_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_admin_formset in inline_admin_formsets:
            if type(inline_admin_formset) is helpers.InlineAdminFormSet:
                inline_admin_formset.__class__ = RussianInlineFormSet  # only inline_formset_data differs
        return inline_admin_formsets

    def get_action_choices(self, request, *args, **kwargs):
        choices = super().get_action_choices(request, *args, **kwargs)
        words = words_for(self.model)
        if words is None or not words.selected:
            return choices
        delete = gettext("Delete selected %(verbose_name_plural)s") % model_format_dict(self.opts)
        return [(name, f"Удалить {words.selected}" if label == delete else label) for name, label in choices]

    def get_historical_record_context_helper(self, request, historical_record):
        return RussianHistoryHelper(self.model, historical_record)


class RussianHistoryHelper(HistoricalRecordContextHelper):
    """A history page's changes: «—» for nothing, «да»/«нет», a choice by its label."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "да" if value else "нет"
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return value


# Template filters, loaded as {% load admin_words %} (TEMPLATES OPTIONS libraries in settings).
register = template.Library()


@register.filter
def result_name(cl):
    """The list's name after its result count: «33 участника»."""
    return counted_name(cl.model, cl.result_count)


@register.filter
def plural_ru(n, forms: str):
    """{{ n|plural_ru:"запись,записи,записей" }} → «записи» for 2."""
    one, few, many = forms.split(",")
    return (one, few, many)[plural_form(n or 0)]
