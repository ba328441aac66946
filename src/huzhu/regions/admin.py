"""Accounts, roles and divisions: the system administrator's part of the admin site (三员分立).

What the system administrator may open at all is decided by the role (security/backends.py);
here, which accounts she may touch: never the security or audit administrators', never her own
role, and no per-user permission grants outside the roles.
"""
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from huzhu.audit.admin import AuditedModelAdmin

from . import services
from .models import AgencyPoint, Division, Office, Role, StaffProfile

GUARDED_ROLES = (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


@admin.register(Division)
class DivisionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ("name", "league", "phone")


@admin.register(AgencyPoint)
class AgencyPointAdmin(AuditedModelAdmin):
    list_display = ("name", "county", "office", "phone")
    list_filter = ("office",)
    search_fields = ("name", "county__name")


class StaffProfileForm(forms.ModelForm):
    actor = None  # set by StaffProfileAdmin.get_form

    class Meta:
        model = StaffProfile
        fields = ("user", "role", "division", "unit")

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        stored_role = StaffProfile.objects.filter(pk=self.instance.pk).values_list("role", flat=True).first()
        refusal = services.staff_profile_refusal(actor=self.actor, user_id=getattr(user, "pk", None),
                                                 role=cleaned.get("role"), stored_role=stored_role)
        if refusal:
            raise forms.ValidationError(refusal)
        return cleaned


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "division", "unit")
    list_filter = ("role",)
    raw_id_fields = ("unit",)
    form = StaffProfileForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(role__in=GUARDED_ROLES).exclude(user=request.user)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value not in GUARDED_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        services.save_staff_profile(actor=request.user, profile=obj)


# The admin site speaks Chinese too (Django's default header reads "Django 管理").
admin.site.site_header = _("互助 · 系统管理")
admin.site.site_title = _("互助系统管理")
admin.site.index_title = _("账户、角色与基础数据")

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(AuditedModelAdmin, UserAdmin):
    """Accounts: the system administrator creates, deactivates and resets the password of business staff."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Not the break-glass superuser, not the other two administrators: she could otherwise set
        # their password and sign in as them.
        return queryset.filter(is_superuser=False).exclude(staff__role__in=GUARDED_ROLES)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # Permissions come from the role only; no per-user grants, no new superusers.
        return ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")
