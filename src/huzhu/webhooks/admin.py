from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy

from huzhu.core.admin import ReadOnlyAdmin

from . import services
from .models import Delivery, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Partner systems. The signing secret is generated here and shown once; rotate it if it leaks."""

    list_display = ("name", "url", "division", "is_active", "secret_hint", "last_change_id", "created_at")
    list_filter = ("is_active",)
    fields = ("name", "url", "division", "is_active", "secret_hint", "last_change_id")
    readonly_fields = ("secret_hint", "last_change_id")
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created, secret = services.create_subscriber(actor=request.user, name=obj.name, url=obj.url,
                                                     division=obj.division)
        obj.pk = created.pk
        messages.warning(request, gettext("签名密钥（只显示这一次，请立即交给订阅方保存）：%(secret)s") % {"secret": secret})

    @admin.action(description=gettext_lazy("更换签名密钥"))
    def rotate_secret(self, request, queryset):
        for subscriber in queryset:
            secret = services.rotate_secret(actor=request.user, subscriber=subscriber)
            messages.warning(request, gettext("%(name)s 的新签名密钥（只显示这一次）：%(secret)s") % {
                "name": subscriber.name, "secret": secret})


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: every event, its tries and outcome. Failed ones can be sent again."""

    list_display = ("event_id", "subscriber", "event_type", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "subscriber")
    search_fields = ("event_id",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry_now"]

    @admin.action(description=gettext_lazy("立即重新发送"))
    def retry_now(self, request, queryset):
        count = services.retry_deliveries(actor=request.user, deliveries=list(queryset))
        messages.success(request, gettext("已安排重新发送 %(count)s 条") % {"count": count})
