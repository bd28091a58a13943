from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts import tokens
from accounts.models import ApiToken, ManagedUser
from accounts.passwords import reset_password, resettable_users
from accounts.rules import REFUSED, manageable_users
from participants.admin_scope import RunsTheBankReadOnlyMixin
from talentbank.admin_words import RussianAdminMixin


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


@admin.register(ApiToken)
class ApiTokenAdmin(RussianAdminMixin, admin.ModelAdmin):
    """«Токены API»: issue (the key is shown once, on the page after saving) and revoke (delete).

    Only the tokens of the accounts the user manages (accounts.rules, oneself included) are listed,
    and only those accounts are offered as owners. No page shows or edits a token: the key is not
    stored, and owner, label and prefix are all in the list.
    """

    list_display = ("user", "label", "shown_prefix", "created", "last_used_at", "revoke_link")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("user__username", "label", "prefix")
    fields = ("user", "label")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=tokens.revocable_tokens(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = manageable_users(request.user, include_self=True).order_by("username")
            kwargs["error_messages"] = {"invalid_choice": REFUSED}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Токен не найден или отозвать его вы не можете.")
        return obj

    @admin.display(description="начало ключа", ordering="prefix")
    def shown_prefix(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description="отозвать")
    def revoke_link(self, obj):
        return format_html('<a href="{}">Отозвать</a>', reverse("admin:accounts_apitoken_delete", args=[obj.pk]))

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:accounts_apitoken_changelist")

    def add_view(self, request, form_url="", extra_context=None):
        # One token per form: the page after saving shows its key.
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Kept on the object for response_add only, never saved.
        obj.key_shown_once = tokens.issue(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: no message or session holds it, so it is on this page only."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Токен выдан",
            "token": obj,
            "key": obj.key_shown_once,
        }
        return TemplateResponse(request, "admin/accounts/token_issued.html", context)

    def delete_model(self, request, obj):
        tokens.revoke(request, [obj])

    def delete_queryset(self, request, queryset):
        tokens.revoke(request, queryset)
