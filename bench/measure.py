"""Measure one database holding a synthetic programme; prints one JSON object.

Run by bench/run.py (`make bench`), which creates the database and the data first:
    DATABASE_URL=... python bench/measure.py --slug synthetic --year 2025 --out result.json
It only measures: nothing here fails on a slow figure.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentbank.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.tokens import issue_token  # noqa: E402
from participants import roles  # noqa: E402
from participants.models import Organisation, Participant, Programme  # noqa: E402
from talentbank.testing import pass_second_factor  # noqa: E402

HANDWRITTEN = ROOT / "bench" / "handwritten.sql"


def timed(function, repeat: int = 3):
    """(median seconds, queries of the last run, result of the last run) after one warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), result


def handwritten_statements() -> list[str]:
    text = "\n".join(line for line in HANDWRITTEN.read_text().splitlines() if not line.startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def report_figures(programme: Programme, year: int) -> dict:
    from reports.services import build_report

    report_seconds, report_queries, _ = timed(lambda: build_report(programme, year))
    period, previous = programme.period(year), programme.period(year - 1)
    params = {
        "p": programme.pk,
        "r": programme.region_id,
        "y": year,
        "s": period.start,
        "e": period.end,
        "ps": previous.start,
        "pe": previous.end,
    }
    statements = handwritten_statements()

    def run_sql():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    sql_seconds, sql_queries, _ = timed(run_sql)
    return {
        "report_seconds": report_seconds,
        "report_queries": report_queries,
        "sql_seconds": sql_seconds,
        "sql_queries": sql_queries,
        "report_to_sql": report_seconds / sql_seconds if sql_seconds else None,
    }


PDF_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentbank.settings")
import django
django.setup()
from participants.models import Programme
from reports.pdf import render_report
from reports.services import build_report
programme = Programme.objects.get(slug={slug!r})
started = time.perf_counter()
pdf = render_report(build_report(programme, {year}))
elapsed = time.perf_counter() - started
# Again in the same process, as a running server does it: its charts are cached by content.
started = time.perf_counter()
render_report(build_report(programme, {year}))
warm = time.perf_counter() - started
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(pdf)).pages)
print(json.dumps({{"pdf_seconds": elapsed, "pdf_warm_seconds": warm, "pdf_pages": pages,
    "pdf_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def pdf_figures(slug: str, year: int) -> dict:
    """Build and render the справка in a fresh process, so that its peak memory is its own."""
    code = PDF_CHILD.format(root=str(ROOT), slug=slug, year=year)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def bench_users(programme: Programme):
    User = get_user_model()
    coordinator, created = User.objects.get_or_create(username="bench-coordinator", defaults={"is_staff": True})
    if created:
        coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
        programme.coordinators.add(coordinator)
    school = (
        Organisation.objects.filter(region=programme.region_id).annotate(n=Count("participants")).order_by("-n").first()
    )
    staff, created = User.objects.get_or_create(username="bench-school", defaults={"is_staff": True})
    if created:
        staff.groups.add(Group.objects.get(name=roles.SCHOOL_STAFF))
        school.staff.add(staff)
    return coordinator, staff, school


def page_figures(client: Client, url: str, repeat: int = 5) -> dict:
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    seconds, queries, response = timed(get, repeat)
    return {"seconds": seconds, "queries": queries, "bytes": len(response.content)}


def admin_figures(coordinator, staff, school) -> dict:
    client = Client()
    client.force_login(coordinator)
    pass_second_factor(client, coordinator)  # coordinators confirm their login with a one-time code
    base = "/admin/participants/participant/"
    surname = Participant.objects.filter(organisation__region=school.region_id).values_list("last_name", flat=True)[0]
    figures = {
        "admin_first_page": page_figures(client, base),
        "admin_filtered": page_figures(
            client, f"{base}?organisation__municipality__id__exact={school.municipality_id}"
        ),
        "admin_search": page_figures(client, f"{base}?q={surname}"),
    }
    # The search itself, as the admin list asks it of PostgreSQL (a page of 100 rows and the count),
    # apart from the rendering of the page; and the API's search, a page of 50 as JSON.
    from participants.access import scope
    from participants.search import search_people

    def search_sql():
        found = search_people(scope(coordinator, Participant.objects.all()), surname).order_by(
            "last_name", "first_name", "patronymic", "-pk"
        )
        return len(list(found.values_list("pk", flat=True)[:100])), found.count()

    seconds, queries, (rows, count) = timed(search_sql, 5)
    figures["search_sql"] = {"seconds": seconds, "queries": queries, "rows": rows, "count": count}
    _, key = issue_token(coordinator, "make bench: search")
    api_client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    figures["api_search"] = page_figures(api_client, f"/api/v1/participants/?q={surname}")
    staff_client = Client()
    staff_client.force_login(staff)
    figures["school_staff_list"] = page_figures(staff_client, base)
    figures["school_staff_list"]["pupils"] = Participant.objects.filter(organisation=school).count()
    # The row-level filter of school staff: which plan PostgreSQL chooses for it.
    queryset = scope(staff, Participant.objects.all()).order_by("last_name", "first_name", "patronymic", "-pk")[:100]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        figures["school_staff_list"]["uses_index"] = (
            "Index" in plan and "Seq Scan on participants_participant" not in plan
        )
        figures["school_staff_list"]["plan"] = plan
    return figures


def served_figures(programme: Programme, year: int, coordinator) -> dict:
    """An approved справка's PDF as an official downloads it: stored with its version, so serving
    it reads one row (the approval itself renders it once, here outside the timing)."""
    from reports.versions import approve

    version = approve(programme, year, coordinator)
    client = Client()
    client.force_login(coordinator)
    pass_second_factor(client, coordinator)
    url = f"/reports/{programme.slug}/{year}/v{version.number}/pdf/"
    figures = page_figures(client, url)
    figures["pdf_bytes"] = len(bytes(version.pdf))
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_figures(coordinator, clients: int = 16, requests_each: int = 25) -> dict:
    """p50/p95 of the participant list with 16 concurrent clients against gunicorn on 127.0.0.1."""
    import http.client

    _, key = issue_token(coordinator, "make bench")
    port = free_port()
    workers = os.environ.get("BENCH_WORKERS", "4")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 60)}
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "talentbank.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    headers = {"Authorization": f"Token {key}", "Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/api/v1/", headers=headers)
                probe.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        pages = max(1, min(20, Participant.objects.count() // 50))
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(n: int):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine = []
            for i in range(requests_each):
                page = (n * requests_each + i) % pages + 1
                started = time.perf_counter()
                conn.request("GET", f"/api/v1/participants/?page={page}", headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    with lock:
                        errors.append(str(response.status))
            with lock:
                latencies.extend(mine)

        for n in range(2):  # warm-up: every worker imports and connects
            client(n)
        latencies.clear()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    return {
        "clients": clients,
        "workers": int(workers),
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95) - 1],
        "requests_per_second": len(latencies) / elapsed,
    }


def import_figures(programme: Programme, coordinator, rows: int = 10_000) -> dict:
    """Rows per second of a 10 000-row participant workbook: the preview, then the commit (rolled back)."""
    from bench.workbook import participant_workbook
    from participants.access import scope
    from participants.importing import import_participants

    organisations = list(scope(coordinator, Organisation.objects.filter(region=programme.region_id, kind="school")))[
        :200
    ]
    data = participant_workbook(rows, organisations)
    kwargs = {"programme": programme, "organisations": organisations, "can_set_membership": True, "user": coordinator}
    started = time.perf_counter()
    preview = import_participants(data, commit=False, **kwargs)
    preview_seconds = time.perf_counter() - started
    if preview.errors:
        raise RuntimeError(f"bench workbook has errors: {preview.errors[:3]}")
    with transaction.atomic():
        started = time.perf_counter()
        import_participants(data, commit=True, **kwargs)
        commit_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    figures = {
        "rows": rows,
        "preview_seconds": preview_seconds,
        "commit_seconds": commit_seconds,
        "preview_rows_per_second": rows / preview_seconds,
        "commit_rows_per_second": rows / commit_seconds,
    }
    # The same kind of file through django-import-export, in the same run (bench/peer_import.py):
    # 1 000 rows, since it goes a row at a time (about 20 queries a row) and 10 000 would take
    # many minutes; its rows per second do not depend on the file's length.
    from bench.peer_import import peer_figures

    peer_rows = 1_000
    peer = peer_figures(participant_workbook(peer_rows, organisations, seed=2025), peer_rows)
    peer["rows"] = peer_rows
    figures["peer"] = peer
    figures["preview_ratio"] = figures["preview_rows_per_second"] / peer["preview_rows_per_second"]
    figures["commit_ratio"] = figures["commit_rows_per_second"] / peer["commit_rows_per_second"]
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--slug", default="synthetic")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--out", required=True)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: report,pdf,admin,served,api,import")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    programme = Programme.objects.get(slug=args.slug)
    coordinator, staff, school = bench_users(programme)
    result = {"people": Participant.objects.count()}
    from events.models import Participation

    result["participations"] = Participation.objects.count()
    steps = [
        ("report", lambda: report_figures(programme, args.year)),
        ("pdf", lambda: pdf_figures(args.slug, args.year)),
        ("admin", lambda: admin_figures(coordinator, staff, school)),
        ("served", lambda: served_figures(programme, args.year, coordinator)),
        ("api", lambda: api_figures(coordinator)),
        ("import", lambda: import_figures(programme, coordinator)),
    ]
    for name, step in steps:
        if name in skip:
            continue
        print(f"  … {name}", file=sys.stderr, flush=True)
        result[name] = step()
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
