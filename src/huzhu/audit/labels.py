"""How the audit log reads to a person: a Chinese label per action code, before/after as label: value.

The log stores codes (stable, searched, exported); the page shows these labels. A code not listed
here (a new service, an old event) falls back to a label built from its known parts, else to the
code itself, so nothing is hidden. Personal numbers are masked again on the way out, whatever an
event carried.
"""
import re
from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from huzhu.core.idnumbers import mask_account, mask_id_number, mask_identifiers_in, mask_mobile

ACTION_LABELS = {
    # sign-in and security
    "login.succeeded": _("登录成功"), "login.failed": _("登录失败"), "logout": _("退出登录"),
    "password.changed": _("修改密码"), "account.unlocked": _("解锁账户"), "totp.enabled": _("启用两步验证"),
    "totp.reset": _("重置两步验证"), "api_token.created": _("创建接口令牌"), "api_token.revoked": _("吊销接口令牌"),
    "worker.signed_in": _("职工短信登录"), "personal_data.revealed": _("查看完整个人信息"),
    "data.exported": _("导出数据"), "audit.chain_verified": _("校验审计链"), "access_log.purged": _("清理访问记录"),
    "rotate_data_key": _("轮换数据密钥"), "create_staff_account": _("创建工作人员账户"),
    # members
    "register_unit": _("登记会员单位"), "register_worker": _("登记职工"), "bulk_register_workers": _("批量登记职工"),
    "bulk_employ_workers": _("批量登记任职"), "end_employment": _("结束任职"), "change_bank_account": _("变更银行卡"),
    "record_leaving": _("登记离职"), "reveal_unit_contact_phone": _("查看单位联系电话"),
    "update_unit_contact": _("修改单位联系人"),
    # enrollment
    "start_enrollment": _("发起参互"), "renew_enrollment": _("续互"), "add_workers": _("加入参互名单"),
    "remove_workers": _("移出参互名单"), "submit_enrollment": _("提交参互"), "withdraw_enrollment": _("撤回参互"),
    "cancel_enrollment": _("作废参互"), "record_payment": _("登记缴费"), "enroll_and_pay": _("参互并缴费"),
    "import_roster": _("导入名单"), "create_import_job": _("创建导入任务"), "discard_import": _("放弃导入"),
    "purge_abandoned_import": _("清理未完成的导入"),
    "record_payments": _("批量确认缴费"), "save_statement_layout": _("保存对账单格式"),
    "import_bank_statement": _("导入银行对账单"), "confirm_statement_lines": _("确认对账单收入"),
    "assign_statement_line": _("指定对账单收入的参互"), "dismiss_statement_line": _("标记非互助金收入"),
    "record_subsidy_receipt": _("登记工会补贴到账"),
    # medical-insurance data (免申即享): consent, the feed, claims made from it
    "give_data_consent": _("登记医保数据比对授权"), "withdraw_data_consent": _("撤回医保数据比对授权"),
    "roster_data_consent": _("名册登记医保数据比对授权"), "confirm_bank_card": _("确认收款银行卡"),
    "save_data_sharing_agreement": _("保存医保数据共享协议"), "create_settlement_import": _("上传医保结算数据"),
    "import_settlements": _("导入医保结算数据"), "purge_raw_settlements": _("清理到期的医保结算原始数据"),
    "claims_from_settlements": _("由医保结算数据生成申领"), "reverse_settlement_claims": _("医保结算冲销"),
    "open_claim_recovery": _("登记补助金追回"),
    "close_claim_recovery": _("补助金追回办结"),
    "apply_held_reversal": _("支付结束后处理医保冲销"),
    "reversal_held_in_payment": _("医保冲销待支付批次处理"),
    # claims
    "create_claim": _("受理申领"), "attach_claim_documents": _("上传申领材料"), "adjust_claim": _("调整补助金"),
    "approve_claim": _("审批申领"), "download_claim_bundle": _("下载申领材料包"),
    "claim_submit": _("提交申领"), "claim_route": _("材料齐全，转初审"), "claim_pass_first": _("初审通过"),
    "claim_pass_second": _("复审通过"), "claim_to_expert": _("送专家评审"), "claim_give_opinion": _("出具专家意见"),
    "straight_through_held": _("自动审批转人工"), "claim_approve": _("审批通过"), "claim_return": _("退回补正"),
    "claim_resubmit": _("补正后重新提交"), "claim_reject": _("不予补助"), "claim_withdraw": _("撤回申领"),
    "claim_pay": _("申领已支付"), "generate_demo_claims": _("生成演示申领"), "synthetic_claims": _("生成模拟申领"),
    "test_past_claims": _("登记历史申领"),
    # complaints and questions (投诉/咨询)
    "file_complaint": _("职工提交投诉咨询"), "log_complaint_call": _("登记投诉咨询来电"),
    "reply_complaint": _("答复投诉咨询"), "close_complaint": _("办结投诉咨询"),
    "escalate_complaints": _("投诉咨询超时升级"),
    # partner hospitals: settlement at discharge (出院即赔) and its reimbursement
    "voided_invoices_imported": _("导入作废或红冲票据清单"),
    "hospital_registered": _("登记合作医院"), "hospital_updated": _("修改合作医院"),
    "hospital_status": _("变更合作医院状态"), "hospital_token_issued": _("签发医院接口令牌"),
    "hospital_token_revoked": _("吊销医院接口令牌"), "discharge_settled": _("出院直接结算"),
    "discharge_referred": _("出院结算转常规申领"), "discharge_cancelled": _("医院撤销出院结算"),
    "claim_hospital_cancel": _("医院撤销出院结算，申领撤回"), "hospital_batch_built": _("生成医院垫付结算批次"),
    "hospital_batch_reconciled": _("医院对账单对账"), "hospital_batch_paid": _("向医院支付垫付款"),
    "hospital_batch_failed": _("向医院付款被退回"), "hospital_batch_cancelled": _("作废医院垫付结算批次"),
    "hospital_dispute_resolved": _("处理医院对账差异"),
    # archives
    "store_file": _("归档文件"),
    # payouts
    "build_payout_batch": _("生成支付批次"), "approve_payout_batch": _("复核支付批次"),
    "cancel_payout_batch": _("作废支付批次"), "export_payout_batch": _("导出银行文件"),
    "send_payout_batch": _("支付批次送银行"), "import_return_payout_batch": _("导入银行回盘"),
    "reconcile_payout_batch": _("支付批次对账"), "export_bank_file": _("导出银行文件"),
    "import_bank_return": _("导入银行回盘"), "resolve_failed_payout": _("处理支付失败"),
    "create_bank_file_template": _("新建银行文件模板"), "change_bank_file_template": _("修改银行文件模板"),
    "copy_bank_file_template": _("复制银行文件模板"),
    "demo_pay_history_batch": _("演示历史支付批次"),
    # ledger
    "ledger_ensure_chart": _("建立会计科目"), "ledger_post_entries": _("批量记账"),
    "ledger_contribution_paid": _("记账：收到互助金"), "ledger_claim_approved": _("记账：核定补助金"),
    "ledger_payout_paid": _("记账：补助金已支付"), "ledger_payout_failed": _("记账：支付失败退回"),
    "ledger_reserve_appropriation": _("记账：提取总准备金"),
    "ledger_hospital_advance": _("记账：医院垫付补助金"), "ledger_hospital_reimbursed": _("记账：归还医院垫付款"),
    "ledger_reversal": _("记账：冲销"), "close_plan_year_books": _("年度结账"),
    "ledger_set_account_mapping": _("修改科目对照"), "ledger_export_vouchers": _("导出记账凭证"),
    "set_working_funds_budget": _("设置工作经费预算"),
    # plans
    "publish_terms": _("发布年度方案条款"), "copy_plan_year": _("复制年度方案"), "open_plan_year": _("开放年度方案"),
    "closed_plan_year": _("结算年度方案"), "draft_plan_year": _("年度方案退回草案"),
    # risk, reports, campaign, actuarial, regions
    "assess_claim_risk": _("风险评估"), "scan_risk": _("风险扫描"), "review_risk_finding": _("处理风险提示"),
    "draw_post_audit": _("抽取事后抽查样本"), "record_post_audit_outcome": _("记录事后抽查结论"),
    "refresh_report_summaries": _("刷新统计汇总"), "request_report_refresh": _("申请刷新统计"),
    "set_campaign_targets": _("设置参互目标"), "record_outreach": _("登记宣传活动"), "log_contact": _("登记回访"),
    "take_follow_up": _("认领跟进"), "release_follow_up": _("放弃跟进"), "take_progress_snapshot": _("参互进度快照"),
    "refresh_divisions": _("更新行政区划"),
    "actuarial.study_queued": _("精算研究排队"), "actuarial.study_running": _("精算研究开始计算"),
    "actuarial.study_done": _("精算研究完成"), "actuarial.study_failed": _("精算研究失败"),
}
# parts of codes not listed above: the object a workflow moved, and the move
_OBJECT_PREFIXES = {"claim_": _("申领"), "ledger_": _("记账"), "admin.": _("管理后台"), "actuarial.": _("精算")}
_OBJECT_SUFFIXES = {"_payout_batch": _("支付批次"), "_plan_year": _("年度方案")}

FIELD_LABELS = {
    "worker": _("职工"), "unit": _("单位"), "type": _("类型"), "channel": _("受理渠道"), "invoices": _("票据"),
    "documents": _("材料"), "kind": _("材料类型"), "sha256": _("文件指纹"), "size": _("大小（字节）"),
    "status": _("状态"), "from": _("原状态"), "to": _("新状态"), "plan_year": _("年度方案"), "claims": _("申领件数"),
    "decided": _("已核定件数"), "benefit_amount": _("补助金"), "amount": _("金额"), "total_amount": _("合计金额"),
    "comment": _("意见"), "reason": _("事由"), "reason_code": _("原因"), "headcount": _("人数"), "count": _("数量"),
    "name": _("名称"), "username": _("用户名"), "role": _("角色"), "division": _("辖区"), "workers": _("职工人数"),
    "units": _("单位数"), "covered": _("参互人次"), "year": _("年度"), "batch": _("支付批次"), "payouts": _("笔数"),
    "bank_name": _("开户银行"), "bank_account": _("银行账号"), "phone": _("手机号"), "contact_phone": _("联系电话"),
    "contact_name": _("联系人"), "id_number": _("身份证号"), "credit_code": _("统一社会信用代码"),
    "missing_items": _("缺少材料"), "field": _("字段"), "view": _("页面"), "ip": _("IP 地址"),
    "entries": _("分录数"), "findings": _("风险提示数"), "score": _("风险分"), "verdict": _("结论"),
    "version": _("版本"), "rows": _("行数"), "file": _("文件"), "since": _("起始"), "until": _("截止"),
    "sent": _("已发送"), "object_ids": _("对象编号"), "ids": _("编号"),
    "serial": _("结算流水号"), "hospital": _("医院"), "claim": _("申领"), "benefit": _("补助金"), "code": _("机构编码"),
    "league": _("盟市"), "token": _("令牌"), "through": _("截止日期"), "prefix": _("令牌前缀"), "paid_on": _("付款日期"), "bound": _("绑定证书"), "agreed": _("一致笔数"),
    "disputed": _("差异笔数"), "note": _("说明"),
}
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def action_label(code: str) -> str:
    """The Chinese label of an action code; built from its parts, else the code itself."""
    if code in ACTION_LABELS:
        return gettext(ACTION_LABELS[code])
    for prefix, label in _OBJECT_PREFIXES.items():
        if code.startswith(prefix):
            return f"{gettext(label)}：{code[len(prefix):]}"
    for suffix, label in _OBJECT_SUFFIXES.items():
        if code.endswith(suffix):
            return f"{gettext(label)}：{code[:-len(suffix)]}"
    return code


def _masked(key: str, value: str) -> str:
    lowered = key.lower()
    if "phone" in lowered or "mobile" in lowered:
        return value if "*" in value else mask_mobile(value)
    if "id_number" in lowered:
        return value if "*" in value else mask_id_number(value)
    if "account" in lowered and "bank" in lowered:
        return value if "*" in value else mask_account(value)
    return _PHONE.sub(lambda found: mask_mobile(found[0]), mask_identifiers_in(value))


def _text(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dict):
        return "；".join(f"{label}：{text}" for label, text in readable_fields(value))
    if isinstance(value, list | tuple):
        return "、".join(_text(key, item) for item in value) or "—"
    return _masked(key, str(value))


def readable_fields(data) -> list[tuple[str, str]]:
    """An event's before/after as (label, value) rows, labels in Chinese where known, numbers masked."""
    if data in (None, "", {}, []):
        return []
    if not isinstance(data, dict):
        return [("", _text("", data))]
    return [(gettext(FIELD_LABELS[key]) if key in FIELD_LABELS else key, _text(key, value))
            for key, value in data.items()]


def action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, label) for the filter list, sorted by label."""
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])
