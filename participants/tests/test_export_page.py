"""The bank export in the admin: coordinators download what they may see, each download is logged."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from participants.models import Participant
from reports.demo.loader import ensure_demo_accounts

URL = "/admin/participants/participant/export/"
LIST = "/admin/participants/participant/"

pytestmark = pytest.mark.usefixtures("demo_data")


@pytest.fixture
def as_user(client, db):
    ensure_demo_accounts()

    def login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return login


def sheet_ids(workbook, name):
    rows = list(workbook[name].iter_rows(values_only=True))
    id_column = rows[0].index("id")
    return {row[id_column] for row in rows[1:]}


def test_a_coordinator_downloads_the_bank_of_their_programme_and_the_download_is_logged(as_user):
    client = as_user("koordinator-tomsk")
    assert "Выгрузить банк в Excel" in client.get(LIST).content.decode()

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bank-')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    tomsk = set(Participant.objects.filter(memberships__programme__slug="tomsk-mkr").values_list("pk", flat=True))
    tula_only = set(
        Participant.objects.filter(memberships__programme__slug="tula-kadry")
        .exclude(memberships__programme__slug="tomsk-mkr")
        .values_list("pk", flat=True)
    )
    exported = sheet_ids(workbook, "Participant")
    assert tomsk <= exported
    assert not exported & tula_only
    event = AuditEvent.objects.get(action="download_export")
    assert event.username == "koordinator-tomsk"
    assert event.what.startswith("bank-") and "строк" in event.what


@pytest.mark.parametrize("username", ["shkola-29", "vlast"])
def test_school_staff_and_officials_cannot_export_the_bank(as_user, username):
    client = as_user(username)

    assert client.get(URL).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="download_export").exists()
    if username == "shkola-29":
        assert "Выгрузить банк в Excel" not in client.get(LIST).content.decode()
