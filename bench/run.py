"""`make bench`: build a synthetic bank at each scale on PostgreSQL, measure it, print a table and
write bench/results.json. Scales come from BENCH_SCALES (default "1 100 1000").

Each scale gets its own fresh database on the server DATABASE_URL points to (scripts/with-postgres
starts a throwaway one). Benchmarks only measure and print: a slow figure never fails anything.
"""

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PYTHON = sys.executable

# Issue 13's targets, tightened by issue 16 (a fresh справка ≤ 1 s, an approved PDF served ≤ 100 ms,
# a search ≤ 100 ms, 150 API pages/s at p95 ≤ 150 ms, imports of 20 000 / 10 000 rows/s).
TARGETS = {
    "report_seconds": ("≤", 1.0),
    "report_to_sql": ("≤", 3.0),
    "pdf_seconds": ("≤", 5.0),
    "pdf_peak_mb": ("≤", 500),
    "served_ms": ("≤", 100),
    "admin_ms": ("≤", 300),
    "search_ms": ("≤", 100),
    "api_p95_ms": ("≤", 150),
    "api_requests_per_second": ("≥", 150),
    "import_preview_rows_per_second": ("≥", 20_000),
    "import_commit_rows_per_second": ("≥", 10_000),
}


def target(key: str, unit: str = "") -> str:
    sign, value = TARGETS[key]
    return f"{sign} {fmt(value, 0 if float(value).is_integer() else 1)}{unit}"


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def fresh_database(base: str, name: str):
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(url: str, *args: str):
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def bench_scale(base: str, scale: int, seed: int) -> dict:
    name = f"talentbank_bench_{scale}"
    url = database_url(base, name)
    print(f"\n== Масштаб {scale}: база {name}", flush=True)
    fresh_database(base, name)
    manage(url, "migrate", "--noinput", "-v", "0")
    started = time.perf_counter()
    manage(url, "generate_synthetic", "--scale", str(scale), "--seed", str(seed))
    generate_seconds = time.perf_counter() - started
    out = ROOT / "bench" / f".scale-{scale}.json"
    env = {**os.environ, "DATABASE_URL": url}
    skip = os.environ.get("BENCH_SKIP", "")
    subprocess.run([PYTHON, "bench/measure.py", "--out", str(out), "--skip", skip], cwd=ROOT, env=env, check=True)
    result = json.loads(out.read_text())
    out.unlink()
    result["scale"] = scale
    result["generate_seconds"] = generate_seconds
    return result


def fmt(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return f"{text}{unit}"


def rows_of(results: list[dict]) -> list[tuple[str, str, list[str]]]:
    """(measure, target, one cell per scale)."""

    def cell(r, *path, digits=0, unit="", factor=1.0):
        value = r
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return fmt(value * factor if value is not None else None, digits, unit)

    lines = [
        ("people / participations", "", [f"{fmt(r['people'])} / {fmt(r['participations'])}" for r in results]),
        ("generate_synthetic, s", "", [fmt(r.get("generate_seconds"), 1) for r in results]),
        (
            "справка computation, s",
            target("report_seconds"),
            [cell(r, "report", "report_seconds", digits=2) for r in results],
        ),
        ("справка SQL queries", "constant", [cell(r, "report", "report_queries") for r in results]),
        ("hand-written SQL, s", "", [cell(r, "report", "sql_seconds", digits=2) for r in results]),
        (
            "справка / SQL",
            target("report_to_sql", "×"),
            [cell(r, "report", "report_to_sql", digits=1, unit="×") for r in results],
        ),
        (
            "PDF render_report, fresh process, s",
            target("pdf_seconds"),
            [cell(r, "pdf", "pdf_seconds", digits=1) for r in results],
        ),
        (
            "PDF again in that process, s",
            target("pdf_seconds"),
            [cell(r, "pdf", "pdf_warm_seconds", digits=1) for r in results],
        ),
        ("PDF pages", "", [cell(r, "pdf", "pdf_pages") for r in results]),
        ("PDF peak memory, MB", target("pdf_peak_mb"), [cell(r, "pdf", "pdf_peak_mb") for r in results]),
        (
            "approved справка's PDF served, ms",
            target("served_ms"),
            [cell(r, "served", "seconds", factor=1000) for r in results],
        ),
    ]
    for key, label, goal in [
        ("admin_first_page", "admin list, first page", "admin_ms"),
        ("admin_filtered", "admin list, filtered", "admin_ms"),
        ("admin_search", "admin list, search", "search_ms"),
        ("search_sql", "search SQL alone (rows + count)", "search_ms"),
        ("api_search", "API search, page of 50", "search_ms"),
        ("school_staff_list", "school staff list", "admin_ms"),
    ]:
        lines.append(
            (
                f"{label}, ms (queries)",
                target(goal),
                [
                    f"{cell(r, 'admin', key, 'seconds', factor=1000)} ({cell(r, 'admin', key, 'queries')})"
                    for r in results
                ],
            )
        )
    lines += [
        (
            "school staff filter uses an index",
            "yes",
            [
                {True: "yes", False: "NO"}.get(r.get("admin", {}).get("school_staff_list", {}).get("uses_index"), "—")
                for r in results
            ],
        ),
        ("API list p50, ms (16 clients)", "", [cell(r, "api", "p50_ms") for r in results]),
        ("API list p95, ms (16 clients)", target("api_p95_ms"), [cell(r, "api", "p95_ms") for r in results]),
        (
            "API requests/s (16 clients)",
            target("api_requests_per_second"),
            [cell(r, "api", "requests_per_second") for r in results],
        ),
        (
            "import preview, rows/s (10 000)",
            target("import_preview_rows_per_second"),
            [cell(r, "import", "preview_rows_per_second") for r in results],
        ),
        (
            "import commit, rows/s (10 000)",
            target("import_commit_rows_per_second"),
            [cell(r, "import", "commit_rows_per_second") for r in results],
        ),
        (
            "django-import-export preview / commit, rows/s",
            "",
            [
                f"{cell(r, 'import', 'peer', 'preview_rows_per_second')} / {cell(r, 'import', 'peer', 'commit_rows_per_second')}"
                for r in results
            ],
        ),
        (
            "ours ÷ django-import-export, preview / commit",
            "",
            [
                f"{cell(r, 'import', 'preview_ratio', digits=1, unit='×')} / {cell(r, 'import', 'commit_ratio', digits=1, unit='×')}"
                for r in results
            ],
        ),
    ]
    return lines


def table(results: list[dict]) -> str:
    header = ["measure", "target", *[f"scale {r['scale']}" for r in results]]
    body = [[m, t, *cells] for m, t, cells in rows_of(results)]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in body]
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": server,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("make bench работает на PostgreSQL: запустите его через make bench (scripts/with-postgres).")
    scales = [int(s) for s in os.environ.get("BENCH_SCALES", "1 100 1000").split()]
    seed = int(os.environ.get("BENCH_SEED", "1"))
    results = []
    report = {"machine": machine(), "targets": TARGETS, "results": results}
    for scale in scales:
        try:
            results.append(bench_scale(base, scale, seed))
        except subprocess.CalledProcessError as error:
            print(f"Масштаб {scale}: замер не удался ({error}); остальные масштабы измеряются дальше.", flush=True)
            results.append({"scale": scale, "error": str(error), "people": None, "participations": None})
        # Written after every scale, so that a long run that stops keeps what it measured.
        RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    print("\n" + table(results))
    print(
        f"\nMachine: {report['machine']['cpus']} CPUs, {report['machine']['cpu']}, PostgreSQL {report['machine']['postgresql']}"
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
