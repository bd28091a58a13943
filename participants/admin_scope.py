"""The admin half of access.py: every admin page, inline, choice list, autocomplete and filter
shows only what `access.scope` leaves, and an object outside it is a 404, not a redirect."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DateField
from django.http import Http404

from participants.access import HIDDEN_IN_CASCADE, access_for, hidden_in_cascade, is_scoped_model, scope
from participants.models import Organisation
from talentbank.admin_words import RussianAdminMixin
from talentbank.pagination import EstimatedCountPaginator


def period_column(field: str = "period"):
    """A list column for a PeriodYearField: the year as written (2019), never digit-grouped as the
    admin groups other integers under USE_THOUSAND_SEPARATOR («2 019»)."""

    @admin.display(description="период", ordering=field)
    def period(obj) -> str:
        value = getattr(obj, field)
        return "" if value is None else str(value)

    return period


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-object filter listing only the objects the user may see."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        queryset = related._default_manager.all()
        if is_scoped_model(related):
            queryset = scope(request.user, queryset)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]

    def has_output(self):
        # Django drops a filter with a single choice, and with it the filtering it was asked for
        # (?organisation__isnull=True from the start page would list everyone): an active one stays.
        return super().has_output() or bool(self.used_parameters)


class OrganisationFilter(ScopedRelatedFilter):
    """A region has thousands of organisations, too many for a sidebar: they are listed once a
    municipality is chosen in the filter above, or straight away when the user sees only a few."""

    MAX_CHOICES = 30

    def field_choices(self, field, request, model_admin):
        queryset = scope(request.user, field.related_model._default_manager.all())
        municipality = request.GET.get(f"{self.field_path}__municipality__id__exact", "")
        if municipality.isdigit():
            queryset = queryset.filter(municipality_id=municipality)
        elif queryset[: self.MAX_CHOICES + 1].count() > self.MAX_CHOICES:
            # Only the organisation already chosen, if any, so that the active filter stays visible.
            chosen = self.lookup_val if isinstance(self.lookup_val, list) else [self.lookup_val]
            queryset = queryset.filter(pk__in=[v for v in chosen if v and str(v).isdigit()])
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in queryset.order_by(*(ordering or ["name"]))]


class ScopedAllValuesFilter(admin.AllValuesFieldListFilter):
    """A filter over a plain field reached through a relation ("edition__period"): Django lists the
    values of every row of the related table, other programmes' periods included; this lists the
    values of the rows the user sees."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request).order_by(field_path).values_list(field_path, flat=True).distinct()
        )


class ScopedQuerysetMixin:
    """For ModelAdmin and inlines alike: rows and foreign-key choices narrowed to the user's scope."""

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope(request.user, related._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope(request.user, related._default_manager.all())
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RunsTheBankReadOnlyMixin(RussianAdminMixin):
    """An admin page that superusers and coordinators read and nobody edits (the audit log, the
    password list): whom it shows is the page's own get_queryset."""

    def has_module_permission(self, request):
        return access_for(request.user).runs_the_bank

    def has_view_permission(self, request, obj=None):
        return access_for(request.user).runs_the_bank

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(NOT_FOUND)  # as on every scoped page: absent and out of sight look the same
        return obj


NOT_FOUND = "Запись не найдена или у вас нет к ней доступа."


class ScopedAdminMixin(RussianAdminMixin, ScopedQuerysetMixin):
    # Lists never wait for a full COUNT over a national-size table (see talentbank/pagination.py).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # The same answer whether the record does not exist or belongs to someone else.
            raise Http404(NOT_FOUND)
        return obj

    def get_deleted_objects(self, objs, request):
        """Django's list of what a delete takes with it, refused (and naming nothing) when the
        cascade reaches records the user may not see (access.hidden_in_cascade)."""
        hidden = hidden_in_cascade(request.user, objs)
        if hidden:  # refused before Django's own collection builds the list of names
            return [], {}, {HIDDEN_IN_CASCADE.format(count=hidden)}, []
        return super().get_deleted_objects(objs, request)

    def save_model(self, request, obj, form, change):
        if not change and hasattr(obj, "created_by_id") and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _ensure_visible(self, request, object_id):
        """For views that look the object up themselves (simple-history's history pages)."""
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
            if self.get_queryset(request).filter(pk=pk).exists():
                return
            # A deleted record's history (e.g. merged away) stays readable for superusers only.
            if request.user.is_superuser and not self.model._default_manager.filter(pk=pk).exists():
                return
        except (ValueError, ValidationError):
            pass
        raise Http404(NOT_FOUND)

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                field = get_fields_from_path(self.model, item)[-1]
                if field.is_relation and field.related_model is Organisation:
                    item = (item, OrganisationFilter)
                elif field.is_relation and is_scoped_model(field.related_model):
                    item = (item, ScopedRelatedFilter)
                elif not (field.is_relation or field.choices or isinstance(field, (BooleanField, DateField))):
                    item = (item, ScopedAllValuesFilter)
            filters.append(item)
        return filters
