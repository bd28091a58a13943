"""A job's page (progress bar, estimate, outcome), its state as JSON for the page's script, and
its file. A job is its starter's only: anyone else gets 404, as for a job that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
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
    data["result_url"] = found.result_url if found.status == JobStatus.DONE else ""
    data["file_url"] = runner.file_url(found)
    data["file_name"] = found.result_name if data["file_url"] else ""
    return JsonResponse(data)


@never_cache
@login_required
def job_file(request, job_id):
    found = _own_job(request, job_id)
    if found.status != JobStatus.DONE or found.result_file is None:
        raise Http404("У этого задания нет готового файла.")
    response = HttpResponse(bytes(found.result_file), content_type=found.result_type)
    response["Content-Disposition"] = f'attachment; filename="{found.result_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
