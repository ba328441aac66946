"""The association's bank-file templates: create, edit, copy — each change audited with before and after."""
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import StaffActor
from huzhu.core.errors import Conflict, ValidationFailed

from .. import bank_layouts
from ..models import BankFileTemplate

RETURN_FIELDS = ("return_has_header", "return_reference_column", "return_serial_column", "return_account_column",
                 "return_amount_column", "return_amount_in_fen", "return_result_column", "return_reason_column",
                 "return_success_values", "return_failure_values")
PLAIN_FIELDS = ("name", "bank", "file_type", "encoding", "delimiter", "has_header", "sheet_name", "is_active",
                *RETURN_FIELDS)


@dataclass(frozen=True)
class TemplateValues:
    """A template as the association writes it on the page (or a test): layout, columns, return mapping."""

    name: str
    bank: str
    file_type: str = BankFileTemplate.FileType.CSV
    encoding: str = BankFileTemplate.Encoding.UTF8_BOM
    delimiter: str = ","
    has_header: bool = True
    sheet_name: str = ""
    is_active: bool = True
    columns: tuple[bank_layouts.Column, ...] = ()
    return_has_header: bool = True
    return_reference_column: str = ""
    return_serial_column: str = ""
    return_account_column: str = ""
    return_amount_column: str = ""
    return_amount_in_fen: bool = False
    return_result_column: str = ""
    return_reason_column: str = ""
    return_success_values: str = ""
    return_failure_values: str = ""

    @classmethod
    def of(cls, template: BankFileTemplate, **changes) -> "TemplateValues":
        """The template's values, with `changes` applied."""
        values = {name: getattr(template, name) for name in PLAIN_FIELDS}
        values["columns"] = tuple(template.layout_columns())
        return cls(**{**values, **changes})


def snapshot(template: BankFileTemplate) -> dict:
    """What the audit keeps of a template (no personal data in a layout)."""
    return {**{name: getattr(template, name) for name in PLAIN_FIELDS}, "columns": list(template.columns or [])}


def _problem(values: TemplateValues) -> tuple[str, str]:
    """(field, Chinese message) of the first thing wrong with the values, or ("", "")."""
    if not values.name.strip():
        return "name", _("请填写模板名称")
    if not values.bank.strip():
        return "bank", _("请填写银行")
    if values.file_type not in bank_layouts.FILE_TYPES:
        return "file_type", _("文件类型应为 CSV、XLSX 或 TXT")
    if values.encoding not in bank_layouts.ENCODINGS:
        return "encoding", _("编码应为 UTF-8 或 GB18030")
    if values.file_type != BankFileTemplate.FileType.XLSX and values.delimiter not in bank_layouts.DELIMITERS:
        return "delimiter", _("分隔符应为逗号、竖线、制表符或分号")
    problem = bank_layouts.columns_problem(values.columns)
    if problem:
        return "columns", problem
    layout = bank_layouts.ReturnLayout(
        has_header=values.return_has_header, reference=values.return_reference_column,
        serial=values.return_serial_column, account=values.return_account_column,
        amount=values.return_amount_column, result=values.return_result_column, reason=values.return_reason_column,
        success_values=bank_layouts.split_values(values.return_success_values),
        failure_values=bank_layouts.split_values(values.return_failure_values))
    problem = layout.problem()
    if problem:
        return "return_result_column", problem
    return "", ""


@transaction.atomic
def save_bank_file_template(*, actor: StaffActor, template: BankFileTemplate | None,
                            values: TemplateValues) -> BankFileTemplate:
    """Create a template (template=None) or change one; refused with the field and reason, audited before/after."""
    name, problem = _problem(values)
    if problem:
        raise ValidationFailed("invalid_bank_template", problem, field=name)
    before = None
    if template is None:
        template = BankFileTemplate()
    else:
        template = BankFileTemplate.objects.select_for_update().get(pk=template.pk)
        before = snapshot(template)
    for field_name in PLAIN_FIELDS:
        value = getattr(values, field_name)
        setattr(template, field_name, value.strip() if isinstance(value, str) and field_name != "delimiter" else value)
    template.columns = [column.as_json() for column in values.columns]
    template.updated_by = actor
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise Conflict("template_name_taken", _("已有名为“%(name)s”的模板") % {"name": values.name.strip()}) from exc
    after = snapshot(template)
    if before == after:
        return template
    changed = {key: value for key, value in after.items() if before is None or before.get(key) != value}
    record_event(actor=actor, action="create_bank_file_template" if before is None else "change_bank_file_template",
                 object_type="BankFileTemplate", object_id=template.pk,
                 before={key: before[key] for key in changed} if before else None, after=changed)
    return template


@transaction.atomic
def copy_bank_file_template(*, actor: StaffActor, template: BankFileTemplate) -> BankFileTemplate:
    """A copy of a template to edit (a bank branch's variant), named '… 副本', '… 副本2'…"""
    base = _("%(name)s 副本") % {"name": template.name}
    name, number = base[:60], 1
    while BankFileTemplate.objects.filter(name=name).exists():
        number += 1
        name = f"{base[:56]}{number}"
    copy = save_bank_file_template(actor=actor, template=None, values=TemplateValues.of(template, name=name))
    record_event(actor=actor, action="copy_bank_file_template", object_type="BankFileTemplate", object_id=copy.pk,
                 after={"from": template.name, "name": name})
    return copy
