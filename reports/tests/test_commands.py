import io
import re

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

pytestmark = pytest.mark.usefixtures("demo_data", "db")


def test_render_report_writes_the_pdf(tmp_path):
    out = tmp_path / "tula.pdf"
    stdout = io.StringIO()
    call_command("render_report", "tula-kadry", "2019", "--out", str(out), stdout=stdout)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert "за 2019/2020 учебный год" in text
    assert "Рейтинг образовательных организаций" in text
    assert "сохранена" in stdout.getvalue()


def test_render_report_names_the_programmes_it_knows_when_the_slug_is_wrong(tmp_path):
    with pytest.raises(CommandError, match=re.escape("Программы «nope» нет. Есть: tomsk-mkr, tula-kadry.")):
        call_command("render_report", "nope", "2019", "--out", str(tmp_path / "x.pdf"))
