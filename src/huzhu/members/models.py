"""Member units (会员单位), workers (职工) and their employment history."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField, decrypt_text
from huzhu.core.idnumbers import mask_account


class MemberUnit(models.Model):
    """An employer (or a regional/industry union acting for gig workers) that enrolls as a group."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INSTITUTION = "institution", _("机关事业单位")
        SOCIAL = "social", _("社会组织")
        REGIONAL_UNION = "regional_union", _("区域性工会联合会")
        INDUSTRY_UNION = "industry_union", _("行业工会联合会")

    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    sector = models.CharField(_("行业"), max_length=50, blank=True)
    league = models.ForeignKey("regions.Division", verbose_name=_("盟市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", verbose_name=_("旗县"), on_delete=models.PROTECT, related_name="+")
    has_union = models.BooleanField(_("已建工会"), default=True)
    parent_union = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="member_units",
        verbose_name=_("上级/代管工会"), help_text=_("未建工会的单位通过区域或行业工会参互"),
    )
    eligible_headcount = models.PositiveIntegerField(_("符合条件职工人数"), default=0)
    female_headcount = models.PositiveIntegerField(_("女职工人数"), default=0)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    # The contact's mobile, like a worker's: encrypted, blind-indexed, shown masked (138****0001).
    contact_phone_encrypted = EncryptedField(_("联系电话（密文）"), max_length=120, blank=True, default="", db_default="",
                                             blind_index="contact_phone_index")
    contact_phone_index = models.CharField(_("联系电话索引"), max_length=32, blank=True, default="", db_default="")
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会员单位")
        verbose_name_plural = _("会员单位")
        indexes = [models.Index(fields=["county", "name"]), models.Index(fields=["league", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_id(self) -> int:
        return self.pk

    def reveal_contact_phone(self) -> str:
        """Decrypt the contact's mobile; callers must be allowed to and must audit it."""
        return decrypt_text(self.contact_phone_encrypted) if self.contact_phone_encrypted else ""


class Worker(models.Model):
    """A worker. The ID number is stored encrypted, found by its blind index, shown masked."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("在职职工")
        GIG = "gig", _("新就业形态劳动者")

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = EncryptedField(_("身份证号（密文）"), max_length=120, blind_index="id_number_index")
    id_number_index = models.CharField(_("身份证号索引"), max_length=32)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_on = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=10, blank=True)
    # The mobile, like the ID number: encrypted, found by its blind index (staff search, the worker's
    # sign-in), shown masked (138****0001); `reveal_phone` decrypts it for SMS.
    phone_encrypted = EncryptedField(_("手机号（密文）"), max_length=120, blank=True, default="", db_default="", blind_index="phone_index")
    phone_index = models.CharField(_("手机号索引"), max_length=32, blank=True, default="", db_default="")
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, default="", db_default="")
    kind = models.CharField(_("人员类别"), max_length=10, choices=Kind.choices, default=Kind.EMPLOYEE)
    # The current unit and its league and county: copies (of the open employment's unit and of that
    # unit's regions) kept for scoped lists, without database constraints of their own; see Meta.
    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                             db_constraint=False, related_name="workers", verbose_name=_("现工作单位"))
    league = models.ForeignKey("regions.Division", verbose_name=_("盟市"), on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    county = models.ForeignKey("regions.Division", verbose_name=_("旗县"), on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    bank_account_encrypted = EncryptedField(_("银行账号（密文）"), max_length=120, blank=True, blind_index="bank_account_index")
    bank_account_masked = models.CharField(_("银行卡号"), max_length=30, blank=True)
    # Blind index of the account: risk control finds one account paid for several workers.
    bank_account_index = models.CharField(_("银行账号索引"), max_length=32, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = _("职工")
        # Every index here is written for each of the million workers a large roster import registers
        # (docs/scaling.md, "Roster imports"), so there is one per access path and no more: the
        # composites serve their leading foreign keys too, the masked number's pattern index serves
        # equality and prefix search, and workers without a bank account (all imported ones) stay
        # out of the account index.
        constraints = [models.UniqueConstraint(fields=["id_number_index"], name="one_worker_per_id_number")]
        indexes = [
            models.Index(fields=["county", "name"]),
            models.Index(fields=["league", "name"]),
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["name"]),
            models.Index(fields=["id_number_masked"], name="worker_id_number_masked", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["bank_account_index"], name="worker_bank_account_index",
                         condition=~models.Q(bank_account_index="")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def reveal_id_number(self) -> str:
        """Decrypt the ID number; callers must be allowed to and must audit it."""
        return decrypt_text(self.id_number_encrypted)

    def reveal_phone(self) -> str:
        """Decrypt the mobile number (SMS sending, the worker's own sign-in); "" when none is registered."""
        return decrypt_text(self.phone_encrypted) if self.phone_encrypted else ""

    def reveal_bank_account(self) -> str:
        return decrypt_text(self.bank_account_encrypted) if self.bank_account_encrypted else ""

    @staticmethod
    def mask_bank_account(number: str) -> str:
        return mask_account(number)


class Employment(models.Model):
    """A worker's employment at a unit, from a date until a date (open while employed)."""

    worker = models.ForeignKey(Worker, verbose_name=_("职工"), on_delete=models.CASCADE, related_name="employments")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("会员单位"), on_delete=models.PROTECT, related_name="employments", db_index=False)
    started_on = models.DateField(_("入职日期"))
    ended_on = models.DateField(_("离职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职记录")
        verbose_name_plural = _("任职记录")
        indexes = [models.Index(fields=["unit", "ended_on"])]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_employment_per_worker"),
        ]


class DataConsent(models.Model):
    """A worker's consent to have her medical-insurance settlements matched (免申即享), and its withdrawal.

    Append-only in spirit: a withdrawal closes the row (withdrawn_at) and a later consent is a new row,
    so the history of who agreed when, and through which door, stays readable. At most one open row
    per worker.
    """

    class Source(models.TextChoices):
        ROSTER = "roster", _("参保名单")
        UNIT = "unit", _("单位声明")
        WORKER = "worker", _("职工本人")
        DESK = "desk", _("代办点")

    worker = models.ForeignKey(Worker, verbose_name=_("职工"), on_delete=models.CASCADE, related_name="data_consents")
    source = models.CharField(_("同意方式"), max_length=10, choices=Source.choices)
    given_at = models.DateTimeField(_("同意时间"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_source = models.CharField(_("撤回方式"), max_length=10, choices=Source.choices, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤回登记人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("医保数据比对授权")
        verbose_name_plural = _("医保数据比对授权")
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=models.Q(withdrawn_at__isnull=True),
                                    name="one_open_data_consent_per_worker"),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
