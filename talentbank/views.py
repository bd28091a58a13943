from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from participants.access import access_for


@login_required
def home(request):
    """Where each role starts: coordinators and superusers on the admin index (a coordinator's start
    page, reports/workplace.py), school staff on their pupils' list (with the import), officials
    on the справки."""
    access = access_for(request.user)
    if not request.user.is_staff:
        return redirect("reports:index")
    if access.is_school_staff and not access.runs_the_bank:
        return redirect("admin:participants_participant_changelist")
    return redirect("admin:index")
