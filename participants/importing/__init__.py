"""Loading participants from Excel workbooks; event results (events.importing) take the same steps.

One rule for everything: a workbook is read and checked in full — its columns, every cell, repeats
inside the file and the bank — and every problem is reported at once with its row and column in
Russian (grouped by kind, report.KINDS), so one correction round is enough; only a file without a
single problem is saved — in one
transaction, with the changes written to the audit trail (django-simple-history).

A person is matched by normalised ФИО and birth date (participants.names.normalise_name), the
same rule the admin uses to refuse duplicates. People are looked up, and rows written, a query per
table, not per row: on PostgreSQL a file of ten thousand rows takes the same dozen queries as a
file of ten. The workbook is read straight from its XML (reading._XlsxSheet), a few times faster
than openpyxl builds its cells.

Name parts are the identity: a matched person's ФИО is never rewritten by an import (the file's
spelling may differ only in case, spaces and ё/е).

One job per module:
- report: what the user is told (ImportIssue, RowOutcome, ImportReport);
- reading: a workbook read safely into rows of {column: value}, or refused (size, archive, headers);
- columns: the participants' columns, and the checks of one row's cells;
- templates: the blank workbooks to fill in;
- planning: each row matched against the bank and planned, or refused;
- writing: the plans saved, all or nothing.
Names without a leading underscore are shared between these modules and events.importing; those
with one stay inside their module. Everyone else imports from the package itself.
"""

from participants.importing.columns import (
    PARTICIPANT_COLUMNS,
    PARTICIPANT_SHEET,
    SCHOOL_STAFF_COLUMNS,
    participant_columns,
)
from participants.importing.planning import PERSON_UPDATE_FIELDS, read_participants
from participants.importing.reading import MAX_IMPORT_BYTES
from participants.importing.report import ImportIssue, ImportReport, RowOutcome
from participants.importing.templates import participant_template
from participants.importing.writing import run, save_people

__all__ = [
    "MAX_IMPORT_BYTES",
    "PARTICIPANT_COLUMNS",
    "PARTICIPANT_SHEET",
    "SCHOOL_STAFF_COLUMNS",
    "ImportIssue",
    "ImportReport",
    "RowOutcome",
    "import_participants",
    "participant_columns",
    "participant_template",
]


def import_participants(
    data: bytes, *, programme, organisations, can_set_membership: bool, user=None, commit: bool, people=None
) -> ImportReport:
    """Check a workbook of participants (commit=False: preview) or save it (commit=True, all or nothing).

    `organisations`: where the user may load pupils into. `can_set_membership`: whether Категория,
    Дата включения and Основание may be filled (the programme coordinator's right); without it the
    file is expected as school staff's template (columns.SCHOOL_STAFF_COLUMNS), and a filled cell of
    those columns is an error of its row, never saved. `people`: whom
    the user may see (access.scope); a row matching anyone else is refused. None: everyone.
    """

    def read():
        return read_participants(data, programme, organisations, can_set_membership, people)

    return run(read, lambda plans: save_people(plans, user, PERSON_UPDATE_FIELDS), commit)
