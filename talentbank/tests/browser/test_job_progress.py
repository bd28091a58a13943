"""A long job seen in the browser: the coordinator asks for the current справка's PDF, lands on the
job's page with a progress bar while the job waits in the database queue, a worker takes it, and
the page offers the file without a reload."""

from django.core.management import call_command

from .test_journeys import TOMSK_2019, download, log_in, pdf_text, screenshot, text_of, upload_workbook

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_current_spravka_pdf_is_a_job_with_a_progress_bar(page, settings):
    settings.TASKS = DATABASE_QUEUE
    log_in(page, "koordinator-tomsk")
    page.goto(TOMSK_2019)
    page.get_by_role("link", name="Скачать PDF").first.click()
    page.wait_for_url("**/jobs/*/")
    assert page.locator("progress#job-progress").is_visible()
    assert "В очереди" in text_of(page, "#job-status")
    screenshot(page, "job-progress")

    # The worker `make run` keeps beside the web server, here run once until the queue is empty;
    # meanwhile the page keeps asking the server how the job is going.
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    name, content = download(page, page.locator("#job-file"))
    assert name == "spravka-tomsk-mkr-2019.pdf"
    assert "Молодёжный кадровый ресурс" in pdf_text(content)
    assert not page.locator("progress#job-progress").is_visible()
    screenshot(page, "job-done")


def test_a_large_import_is_saved_by_a_job_with_a_progress_bar(page, settings):
    """A file at the background threshold (IMPORT_BACKGROUND_ROWS, lowered here from 2 000 to 50
    to keep the test short) confirmed: the job's page shows the bar until a worker has saved the
    rows, then the participant list says what was saved."""
    from bench.workbook import participant_workbook
    from participants.models import Organisation, Participant

    settings.TASKS = DATABASE_QUEUE
    settings.IMPORT_BACKGROUND_ROWS = 50
    schools = list(Organisation.objects.filter(region__name="Томская область").order_by("pk")[:20])
    content = participant_workbook(50, schools)
    before = Participant.objects.count()
    log_in(page, "koordinator-tomsk")
    page.goto("/admin/participants/participant/import/")
    upload_workbook(page, content, "50.xlsx")
    assert "Будет создано: 50" in text_of(page, "#content")
    page.click("input[type=submit][value='Сохранить']")
    page.wait_for_url("**/jobs/*/")
    assert page.locator("progress#job-progress").is_visible()
    assert Participant.objects.count() == before  # nothing is written until the worker runs
    screenshot(page, "job-import-progress")

    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    page.wait_for_url("**/admin/participants/participant/", timeout=60_000)
    assert "«50.xlsx» сохранён: создано 50, обновлено 0" in text_of(page, "ul.messagelist")
    assert Participant.objects.count() == before + 50
