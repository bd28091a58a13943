"""The admin half of access.py: every admin page, inline, choice list, autocomplete and filter
shows only what `access.scope` leaves, and an object outside it is a 404, not a redirect."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.http import Http404

from participants.access import is_scoped_model, scope


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


class ScopedAdminMixin(ScopedQuerysetMixin):
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # The same answer whether the record does not exist or belongs to someone else.
            raise Http404("Запись не найдена или у вас нет к ней доступа.")
        return obj

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                field = get_fields_from_path(self.model, item)[-1]
                if field.is_relation and is_scoped_model(field.related_model):
                    item = (item, ScopedRelatedFilter)
            filters.append(item)
        return filters
