"""Worker sign-in for the API: ID number + phone, a one-time code by SMS, a short-lived token."""
from datetime import datetime

from django.conf import settings
from ninja import Router, Schema, Status

from huzhu.core.api_errors import ErrorOut

from . import services
from .throttling import client_ip

router = Router(tags=["auth"])


class CodeIn(Schema):
    id_number: str
    phone: str


class CodeOut(Schema):
    message: str
    expires_in: int


class TokenIn(Schema):
    id_number: str
    phone: str
    code: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime
    worker_name: str


CODE_SENT = "如身份证号与手机号匹配，验证码已发送至该手机，5 分钟内有效"


@router.post("/worker/code", response={202: CodeOut, 429: ErrorOut}, auth=None)
def request_worker_code(request, payload: CodeIn):
    """Ask for a sign-in code. The answer is the same whether or not the pair matches a worker."""
    services.request_worker_code(id_number=payload.id_number, phone=payload.phone, ip=client_ip(request))
    return Status(202, {"message": CODE_SENT, "expires_in": settings.HUZHU_WORKER_CODE_SECONDS})


@router.post("/worker/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None)
def exchange_worker_code(request, payload: TokenIn):
    """Trade the code for a worker token (Bearer) valid for 30 minutes."""
    issued = services.exchange_worker_code(id_number=payload.id_number, phone=payload.phone,
                                           code=payload.code, ip=client_ip(request))
    return {"token": issued.token, "expires_at": issued.expires_at, "worker_name": issued.worker.name}
