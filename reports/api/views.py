from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.views import report_or_404


class ReportView(APIView):
    """The справка of one programme for one period, as computed for the HTML page, PDF and Excel."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Справка программы за период",
        description="Ключи: criteria, residents_by_municipality, territorial_coverage, satellite_events, teams, "
        "organizations_ranking, diagnostics_by_organization, participants, organizations и др. — по разделам программы.",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug: str, year: int):
        return Response(report_or_404(request, slug, year).to_dict())
