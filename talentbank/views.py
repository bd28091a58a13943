from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Staff (coordinators, school staff) work in the admin; officials read справки."""
    return redirect("admin:index" if request.user.is_staff else "reports:index")
