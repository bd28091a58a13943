"""What every API endpoint shares: the access scope of participants/access.py, the role groups'
model permissions, and the models' own validation (the same Russian messages as the forms)."""

import copy
from collections import Counter

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from rest_framework import fields, permissions, relations, serializers, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from accounts.permissions import load_permissions
from participants.access import (
    HIDDEN_IN_CASCADE,
    coordinate_new_programme,
    hidden_in_cascade,
    is_scoped_model,
    scope,
)
from participants.formats import upper_first
from participants.models import Programme


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to another record: only records the user may see are accepted (an id outside
    the scope gets the same answer as an id that does not exist)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and queryset is not None and is_scoped_model(queryset.model):
            queryset = scope(request.user, queryset)
        return queryset


class ModelMessagesSerializer(serializers.ModelSerializer):
    """A model's fields with the model's own wording for their limits, read fast."""

    def get_fields(self):
        """DRF builds a model serializer's fields from the model for every serializer (every
        request); they are built once per class here and each serializer gets a copy, as DRF copies
        declared fields. Nothing in them depends on the request: a reference's scope is applied
        when it is read (ScopedPrimaryKeyRelatedField.get_queryset)."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)

    def to_representation(self, instance):
        """DRF's own representation, with what it decides anew for every field of every row (which
        fields are readable, how each reaches its value) decided once per serializer: a list page
        reads 50 rows through the same serializer. A field that is a column of the model is read
        from the row directly (a reference as its id, as DRF's pk-only path does); any other field
        (a property, a nested serializer, a custom field) goes through DRF as before."""
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = self._representation_plan = [
                (field.field_name, field, *_column_of(self.Meta.model, field)) for field in self._readable_fields
            ]
        representation = {}
        for name, field, attname, is_reference in plan:
            if attname is None:
                try:
                    attribute = field.get_attribute(instance)
                except fields.SkipField:
                    continue
                value = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
                representation[name] = None if value is None else field.to_representation(attribute)
                continue
            value = getattr(instance, attname)
            if value is None or is_reference:
                representation[name] = value
            else:
                representation[name] = field.to_representation(value)
        return representation

    def build_standard_field(self, field_name, model_field):
        """DRF turns Min/MaxValueValidator into its own limits with its own wording; keep the
        limits (they are in the schema) but say what the model says."""
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        messages = dict(kwargs.get("error_messages", {}))
        for validator in model_field.validators:
            if isinstance(validator, MinValueValidator) and validator.message != MinValueValidator.message:
                messages["min_value"] = validator.message
            if isinstance(validator, MaxValueValidator) and validator.message != MaxValueValidator.message:
                messages["max_value"] = validator.message
        if messages:
            kwargs["error_messages"] = messages
        return field_class, kwargs


def _column_of(model, field) -> tuple[str | None, bool]:
    """(attname, is a reference) when `field` shows one column of `model` the way DRF would read it
    (its own get_attribute, no dotted source, a reference shown as its bare id); (None, False) else."""
    if len(field.source_attrs) != 1:
        return None, False
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None, False
    if not model_field.concrete or model_field.many_to_many:
        return None, False
    if isinstance(field, relations.PrimaryKeyRelatedField):
        plain = (
            field.pk_field is None
            and field.use_pk_only_optimization()
            and type(field).get_attribute is relations.RelatedField.get_attribute
            and type(field).to_representation is relations.PrimaryKeyRelatedField.to_representation
        )
        return (model_field.attname, True) if plain and model_field.is_relation else (None, False)
    if model_field.is_relation or type(field).get_attribute is not fields.Field.get_attribute:
        return None, False
    return model_field.attname, False


class ModelValidatedSerializer(ModelMessagesSerializer):
    """Runs Model.full_clean() (field validators, clean(), constraints) before saving."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = model()
        if self.instance is not None:
            # A copy of the stored record, known to be stored: its own id and unique values are not
            # "already taken" by itself (the uniqueness checks skip a saved record's own row).
            instance = model(**{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields})
            instance._state.adding = False
            instance._state.db = self.instance._state.db
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        if hasattr(instance, "tidy_names"):
            instance.tidy_names()
        if hasattr(instance, "viewer") and "request" in self.context:
            instance.viewer = self.context["request"].user  # the duplicate message names only what they may see
        # As a ModelForm does: fields set by save() (editable=False) and m2m are not validated here.
        excluded = m2m | {f.name for f in model._meta.concrete_fields if not f.editable}
        writable = [
            f for f in model._meta.concrete_fields if f.name in self.fields and not self.fields[f.name].read_only
        ]
        before = {f.name: getattr(instance, f.attname) for f in writable}
        try:
            instance.full_clean(exclude=sorted(excluded))
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from error
        # What the model's clean() filled in (an edition's period from its start date) is saved too.
        for f in writable:
            if f.name not in attrs and getattr(instance, f.attname) != before[f.name]:
                attrs[f.name] = getattr(instance, f.name)
        return attrs

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as error:
            # Two requests racing past validation: still a 400 with a reason, never a 500.
            raise ValidationError(
                {"non_field_errors": ["Запись противоречит другим данным банка (нарушено ограничение базы данных)."]}
            ) from error


class Conflict(APIException):
    status_code = 409
    default_detail = "Запись нельзя удалить: на неё ссылаются другие записи."
    default_code = "conflict"


def referenced_by(objects) -> str:
    """Why a record cannot be deleted, with counts per kind of record that refers to it (no names).
    `objects`: the referring records, or a Counter of them by their kinds' plural names."""
    counts = objects if isinstance(objects, Counter) else Counter(type(o)._meta.verbose_name_plural for o in objects)
    listed = "; ".join(f"{kind} — {count}" for kind, count in sorted(counts.items()))
    return f"Удалить нельзя: на эту запись ссылаются другие записи банка ({listed}). Сначала удалите или перенесите их."


class RolePermissions(permissions.DjangoModelPermissions):
    """The role groups' model permissions, reading included."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        load_permissions(request.user)
        return super().has_permission(request, view)

    def _queryset(self, view):
        """Only the model is read from it: the view's unscoped queryset, not get_queryset(), which
        would build the user's scope a second time for every request."""
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


class ScopedViewSet(viewsets.ModelViewSet):
    """A model's endpoint: its rows narrowed to the user's scope; writes atomic."""

    permission_classes = [permissions.IsAuthenticated, RolePermissions]
    # Reverse relations whose rows a delete would take with it but must not through the API (an
    # edition's named participations): such a delete is a 409 until they are deleted first.
    kept_relations: tuple[str, ...] = ()

    def get_queryset(self):
        return scope(self.request.user, super().get_queryset())

    def perform_destroy(self, instance):
        hidden = hidden_in_cascade(self.request.user, [instance])
        if hidden:
            message = HIDDEN_IN_CASCADE.format(count=hidden)
            raise PermissionDenied(upper_first(message) + ".")
        kept = Counter()
        for relation in self.kept_relations:
            rows = getattr(instance, relation)
            kept[rows.model._meta.verbose_name_plural] += rows.count()
        if +kept:
            raise Conflict(referenced_by(+kept))
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as error:
            blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
            raise Conflict(referenced_by(blocking)) from error

    def perform_create(self, serializer):
        if any(f.name == "created_by" for f in serializer.Meta.model._meta.concrete_fields):
            serializer.save(created_by=self.request.user)
        else:
            serializer.save()
        if isinstance(serializer.instance, Programme):
            coordinate_new_programme(self.request.user, serializer.instance)
