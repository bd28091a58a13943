"""The pupil card pages, served inside the admin: the card (participants.card) on screen and as an A4
PDF. Both only render; who may see whom is decided in participants.card through participants.access.
The admin's view wrapper sends them with Cache-Control: private, no-store (personal data)."""

from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

import audit
from participants.card import person_card
from talentbank.downloads import PDF, attachment


def card_view(request, model_admin, object_id):
    card = person_card(request.user, object_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Карточка участника: {card.person.full_name}",
        "card": card,
    }
    return render(request, "admin/participants/participant/card.html", context)


def card_pdf_view(request, model_admin, object_id):
    from reports.pdf import render_pdf  # WeasyPrint loads only for a download

    card = person_card(request.user, object_id)
    content = render_pdf("participants/card_pdf.html", {"card": card, "printed_on": timezone.localdate()}, "card.css")
    response = attachment(content, PDF, card.filename, private=True)
    audit.record(request, audit.DOWNLOAD_CARD_PDF, f"участник № {card.person.pk}: {card.filename}")
    return response


class CardAdminMixin:
    """For ParticipantAdmin: the card's two addresses and a «Карточка» column in the list (the change
    page's button is in templates/admin/participants/participant/change_form.html)."""

    def get_urls(self):
        from django.urls import path

        def page(view):
            return self.admin_site.admin_view(lambda request, **kw: view(request, self, **kw))

        return [
            path("<int:object_id>/card/", page(card_view), name="participants_participant_card"),
            path("<int:object_id>/card/pdf/", page(card_pdf_view), name="participants_participant_card_pdf"),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        # Beside the name, so that it stays in sight however many columns the screen shows.
        name, *rest = super().get_list_display(request)
        return [name, "card_link", *rest]

    @admin.display(description="карточка")
    def card_link(self, obj):
        return format_html('<a href="{}">Открыть</a>', reverse("admin:participants_participant_card", args=[obj.pk]))
