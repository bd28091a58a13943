"""The same participant workbook imported by django-import-export, as a Django team would set it up
without talentbank's importer: a ModelResource over the template's Russian headers, the school
found by name, people matched by ФИО and birth date. `make bench` times it beside our import.

It does less than our import: no memberships (Категория, Дата включения, Основание are left out:
they belong to another model), no scope of the importing user, no name normalisation or lookalike
checks. The ratio is therefore in its favour.
"""

import io
import time

from django.db import transaction
from import_export import fields, resources, widgets
from openpyxl import load_workbook

from participants.importing import PARTICIPANT_SHEET
from participants.models import Organisation, Participant


class YesNoWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs):
        return str(value).strip().lower() in {"да", "1", "true"}


class ParticipantResource(resources.ModelResource):
    last_name = fields.Field(attribute="last_name", column_name="Фамилия")
    first_name = fields.Field(attribute="first_name", column_name="Имя")
    patronymic = fields.Field(attribute="patronymic", column_name="Отчество")
    birth_date = fields.Field(attribute="birth_date", column_name="Дата рождения", widget=widgets.DateWidget())
    sex = fields.Field(attribute="sex", column_name="Пол")
    organisation = fields.Field(
        attribute="organisation",
        column_name="Образовательная организация",
        widget=widgets.ForeignKeyWidget(Organisation, "name"),
    )
    grade = fields.Field(attribute="grade", column_name="Класс/курс", widget=widgets.IntegerWidget())
    consent = fields.Field(attribute="consent", column_name="Согласие на обработку ПДн", widget=YesNoWidget())
    consent_date = fields.Field(attribute="consent_date", column_name="Дата согласия", widget=widgets.DateWidget())

    class Meta:
        model = Participant
        import_id_fields = ["last_name", "first_name", "patronymic", "birth_date"]
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "sex",
            "organisation",
            "grade",
            "consent",
            "consent_date",
        ]
        skip_unchanged = True
        clean_model_instances = True


def _dataset(data: bytes):
    """The template's sheet as a tablib Dataset (header row first)."""
    import tablib

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True)[PARTICIPANT_SHEET]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(cell not in (None, "") for cell in row)]
    dataset = tablib.Dataset(headers=[str(h) for h in rows[0]])
    for row in rows[1:]:
        dataset.append(row)
    return dataset


def peer_figures(data: bytes, rows: int) -> dict:
    """django-import-export's dry run (its preview) and its import (rolled back), in rows/s."""
    resource = ParticipantResource()
    started = time.perf_counter()
    result = resource.import_data(_dataset(data), dry_run=True, raise_errors=False)
    preview_seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("django-import-export found errors in the bench workbook")
    with transaction.atomic():
        started = time.perf_counter()
        resource.import_data(_dataset(data), dry_run=False, raise_errors=True)
        commit_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "preview_rows_per_second": rows / preview_seconds,
        "commit_rows_per_second": rows / commit_seconds,
    }
