from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import ManagedUser
from accounts.passwords import reset_password, resettable_users
from participants.admin_scope import RunsTheBankReadOnlyMixin


@admin.register(ManagedUser)
class PasswordResetAdmin(RunsTheBankReadOnlyMixin, admin.ModelAdmin):
    """«Пароли пользователей»: the people whose password the user may set (accounts.passwords), each with a
    link to a page that sets a new one. Nothing else about an account can be changed here."""

    list_display = ("username", "last_name", "first_name", "organisations", "is_active", "password_link")
    list_display_links = None
    search_fields = ("username", "last_name", "first_name")
    ordering = ("username",)
    fields = ("username", "last_name", "first_name", "email", "is_active", "last_login")
    readonly_fields = fields

    def get_queryset(self, request):
        allowed = resettable_users(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=allowed).prefetch_related("staff_organisations")

    @admin.display(description="организации")
    def organisations(self, obj):
        return ", ".join(sorted(o.name for o in obj.staff_organisations.all())) or "—"

    @admin.display(description="пароль")
    def password_link(self, obj):
        return format_html(
            '<a href="{}">Задать новый пароль</a>', reverse("admin:accounts_manageduser_password", args=[obj.pk])
        )

    def get_urls(self):
        page = self.admin_site.admin_view(self.set_password_view)
        return [path("<path:object_id>/password/", page, name="accounts_manageduser_password"), *super().get_urls()]

    def set_password_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        target = self.get_object(request, unquote(object_id))
        if target is None:
            raise Http404("Пользователь не найден или задать ему пароль вы не можете.")
        form = SetPasswordForm(target, request.POST or None)
        if request.method == "POST" and form.is_valid():
            reset_password(request, target, form.cleaned_data["new_password1"])
            messages.success(
                request,
                f"Пароль пользователя «{target.username}» изменён. Сообщите его лично: при входе пользователь должен будет задать свой.",
            )
            return redirect("admin:accounts_manageduser_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Новый пароль: {target.username}",
            "target": target,
            "form": form,
        }
        return TemplateResponse(request, "admin/accounts/set_password.html", context)
