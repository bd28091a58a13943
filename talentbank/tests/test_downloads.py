from talentbank.downloads import PDF, attachment


def test_a_download_is_an_attachment_under_its_name():
    response = attachment(b"%PDF", PDF, "spravka-tomsk-2024.pdf")
    assert response.content == b"%PDF"
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == 'attachment; filename="spravka-tomsk-2024.pdf"'
    assert "Cache-Control" not in response


def test_a_private_download_is_never_cached():
    response = attachment(b"x", PDF, "kartochka-1.pdf", private=True)
    assert response["Cache-Control"] == "private, no-store"


def test_a_russian_name_or_a_quote_cannot_break_the_header():
    response = attachment(b"x", PDF, 'справка "Томск".pdf')
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert '"' not in header and "\n" not in header
