"""The one task Django's tasks framework knows: run a job by its id (jobs.runner.run)."""

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from .runner import run

    run(job_id)
