"""The archive: every uploaded file stored once, content-addressed by SHA-256, with its sniffed type."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kinds import DocumentKind  # noqa: F401 - the kinds stay importable from here


class StoredFile(models.Model):
    """One file's content on disk under ARCHIVE_ROOT, named by its SHA-256. Never changed."""

    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64, unique=True)
    content_type = models.CharField(_("文件类型"), max_length=40)
    extension = models.CharField(_("扩展名"), max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    has_thumbnail = models.BooleanField(_("有缩略图"), default=False)
    retain_until_on = models.DateField(_("保管期限至"))
    stored_at = models.DateTimeField(_("存档时间"), auto_now_add=True)
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("存档人"), on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("档案文件")
        verbose_name_plural = _("档案文件")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}.{self.extension}"

    @property
    def relative_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}.{self.extension}"

    @property
    def thumbnail_relative_path(self) -> str:
        return f"thumbs/{self.sha256[:2]}/{self.sha256}.jpg"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
