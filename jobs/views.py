"""A job's page (progress bar, estimate, outcome), its state as JSON for the page's script, and
its file. A job is its starter's only: anyone else gets 404, as for a job that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from . import runner
from .models import Job, JobStatus


def _own_job(request, job_id) -> Job:
    found = runner.own_job(request.user, job_id)
    if found is None:
        raise Http404("Такого задания нет.")
    return found


@never_cache
@login_required
def job_page(request, job_id):
    found = _own_job(request, job_id)
    context = {"job": found, "state": runner.state(found), "outcome": runner.outcome_html(found)}
    return render(request, "jobs/job.html", context)


@never_cache
@login_required
def job_state(request, job_id):
    found = _own_job(request, job_id)
    data = runner.state(found)
    data["result_url"] = (
        reverse("jobs:open", args=[found.pk]) if found.status == JobStatus.DONE and found.result_url else ""
    )
    data["file_url"] = runner.file_url(found)
    data["file_name"] = found.result_name if data["file_url"] else ""
    return JsonResponse(data)


@login_required
def job_open(request, job_id):
    """A finished job's result page, with its outcome as the page's message."""
    found = _own_job(request, job_id)
    if found.status != JobStatus.DONE or not found.result_url:
        raise Http404("У этого задания нет готовой страницы результата.")
    if found.result_message:
        messages.success(request, runner.outcome_html(found))
    return redirect(found.result_url)


@never_cache
@login_required
def job_file(request, job_id):
    found = _own_job(request, job_id)
    response = runner.file_response(found)
    if response is None:
        raise Http404("У этого задания нет готового файла.")
    return response
