"""The hospital API (出院即赔) at /api/v1/hospital/: a partner hospital's system settles a stay at discharge.

Authenticated by the hospital's own token (`Authorization: Bearer hzh_…`, issued on the registry page), optionally
bound to its client certificate. docs/hospital-api.md is the vendors' guide; the error codes are in errors.py.
"""
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import Field

from . import queries, rules, services
from .services.discharge import answer_of


class HospitalTokenAuth(HttpBearer):
    """Bearer hospital token; request.auth is the hospital, request.hospital_actor the actor the services take."""

    def authenticate(self, request, token: str):
        if not token.startswith(rules.TOKEN_PREFIX):
            return None
        hospital, actor = services.authenticate_hospital(token, certificate_sha256=request.META.get(rules.CERTIFICATE_HEADER, ""))
        request.hospital_actor = actor
        request._api_token_auth = True  # no session for this call
        return hospital


router = Router(tags=["hospital"], auth=HospitalTokenAuth())


class DischargeIn(Schema):
    """A stay at discharge, with the fields of the settlement feed (医疗保障基金结算清单)."""

    serial: str = Field(description="结算流水号（幂等键：重试时不变；1 至 40 位字母、数字、“-”或“_”）", max_length=40)
    id_number: str = Field(description="患者身份证号（18 位）", max_length=30)
    name: str = Field(description="患者姓名", max_length=60)
    hospital_code: str = Field("", description="定点机构编码（可省略；填写时须与令牌所属医院一致）", max_length=30)
    admitted_on: date = Field(description="入院日期")
    discharged_on: date = Field(description="出院日期")
    settled_on: date = Field(description="医保结算日期")
    diagnosis_code: str = Field("", description="主要诊断编码（ICD-10）", max_length=20)
    total_amount: Decimal = Field(description="医疗费总额", max_digits=14, decimal_places=2)
    fund_paid_amount: Decimal = Field(Decimal("0"), description="统筹基金支付", max_digits=14, decimal_places=2)
    serious_illness_amount: Decimal = Field(Decimal("0"), description="大病保险支付", max_digits=14, decimal_places=2)
    medical_aid_amount: Decimal = Field(Decimal("0"), description="医疗救助支付", max_digits=14, decimal_places=2)
    policy_self_pay_amount: Decimal = Field(description="政策范围内个人自付", max_digits=14, decimal_places=2)
    out_of_policy_amount: Decimal = Field(Decimal("0"), description="政策范围外个人自付", max_digits=14, decimal_places=2)
    self_funded_amount: Decimal = Field(Decimal("0"), description="全自费", max_digits=14, decimal_places=2)
    patient_authorized: bool = Field(False, description="患者已签署出院直接结算授权书（须为 true）")


class StepOut(Schema):
    name: str
    label: str
    amount: str


class DischargeOut(Schema):
    """The answer: `status` settled (take `benefit` off the bill), referred (the worker applies the usual way,
    `message` says why) or cancelled. A retry of the same call gets the same answer."""

    serial: str
    reference: str = Field(description="互助结算单号，打印在结算单上")
    status: str = Field(description="settled | referred | cancelled")
    status_label: str
    covered: bool = False
    plan_year: str = ""
    benefit: str = Field(description="互助补助金（元，两位小数），从患者费用中抵扣；referred 和 cancelled 时为 0.00")
    steps: list[StepOut] = Field(default_factory=list, description="补助金计算过程")
    claim_id: int | None = None
    reason_code: str = ""
    message: str
    settled_at: datetime
    cancelled_at: datetime | None = None


class CancelIn(Schema):
    reason: str = Field(description="撤销原因（如：患者取消出院、结算有误）", max_length=200)


class PingOut(Schema):
    hospital: str
    name: str
    time: datetime


@router.post("/discharges", response={200: DischargeOut, 201: DischargeOut},
             summary="出院结算：查询保障并结算互助补助金", operation_id="hospital_settle_discharge")
def settle(request: HttpRequest, payload: DischargeIn):
    """Idempotent by `serial`: 201 when this call settled or referred the stay, 200 when it was answered before."""
    discharge, made = services.settle_discharge(actor=request.hospital_actor, hospital=request.auth,
                                                fields=payload.dict())
    return Status(201 if made else 200, answer_of(discharge))


@router.get("/discharges/{serial}", response=DischargeOut, summary="查询一笔出院结算",
            operation_id="hospital_discharge")
def discharge(request: HttpRequest, serial: str):
    return answer_of(queries.discharge_of_hospital(request.auth, serial))


@router.post("/discharges/{serial}/cancel", response=DischargeOut, summary="撤销出院结算（仅限结算当日）",
             operation_id="hospital_cancel_discharge")
def cancel(request: HttpRequest, serial: str, payload: CancelIn):
    """The same day only; cancelling again answers the cancellation already made."""
    return answer_of(services.cancel_discharge(actor=request.hospital_actor, hospital=request.auth, serial=serial,
                                               reason=payload.reason))


@router.get("/ping", response=PingOut, summary="连通性检查", operation_id="hospital_ping")
def ping(request: HttpRequest):
    return {"hospital": request.auth.code, "name": request.auth.name, "time": timezone.now()}
