"""Reference client of the Huzhu hospital API (出院即赔), for hospital IT vendors: standard library only.

    python docs/hospital_client.py --base http://127.0.0.1:8000 --token hzh_… ping
    python docs/hospital_client.py --base … --token … settle --file stay.json
    python docs/hospital_client.py --base … --token … settle --serial ZY2026000001 --id-number … --name 王秀兰 \\
        --admitted-on 2026-11-20 --discharged-on 2026-11-30 --total 17000.00 --fund 12000.00 --self-pay 3000.00 \\
        --out-of-policy 2000.00 --patient-authorized
    python docs/hospital_client.py --base … --token … get ZY2026000001
    python docs/hospital_client.py --base … --token … cancel ZY2026000001 --reason 患者取消出院

Prints the answer JSON. Exit status: 0 answered; 1 refused (4xx: the error body is printed, its `code` on
stderr); 3 no answer (network, timeout twice, 5xx). A settle that times out is sent once more with the same serial:
the serial is the idempotency key, so the retry gets the first answer (HTTP 200) and never a second settlement.
Also importable: ping(), settle(), get(), cancel() return the answer as a dict (`.http_status` on it); a refusal
raises HospitalApiError. docs/hospital-api.md is the guide.
"""
import argparse
import json
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

API = "/api/v1/hospital"
DEFAULT_TIMEOUT = 10.0  # seconds; the settle call is retried once after it


class Answer(dict):
    """The JSON answer, with the HTTP status it came with (settle: 201 settled by this call, 200 answered before)."""

    http_status: int = 0


class HospitalApiError(Exception):
    """Huzhu refused the call (4xx) or could not answer (5xx): `status`, `code`, `message`, the whole `body`."""

    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body
        self.code = str(body.get("code") or f"http_{status}")
        self.message = str(body.get("message") or "")
        super().__init__(f"{self.code} (HTTP {status}): {self.message}")


def _context(cafile: str | None, cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """TLS for https bases: the CA that signed Huzhu's proxy, and the hospital's client certificate if it has one."""
    if not (cafile or cert):
        return None
    context = ssl.create_default_context(cafile=cafile)
    if cert:
        context.load_cert_chain(cert, key)
    return context


def request(base: str, token: str, method: str, path: str, body: dict | None = None, *,
            timeout: float = DEFAULT_TIMEOUT, cafile: str | None = None, cert: str | None = None,
            key: str | None = None) -> Answer:
    """One call: the answer JSON; HospitalApiError on a 4xx/5xx; TimeoutError/OSError when nothing came back."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    call = urllib.request.Request(base.rstrip("/") + API + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=timeout, context=_context(cafile, cert, key)) as response:
            answer = Answer(json.loads(response.read().decode() or "{}"))
            answer.http_status = response.status
            return answer
    except urllib.error.HTTPError as exc:
        text = exc.read().decode(errors="replace")
        try:
            error = json.loads(text)
        except ValueError:
            error = {"code": f"http_{exc.code}", "message": text[:200]}
        raise HospitalApiError(exc.code, error if isinstance(error, dict) else {"message": str(error)}) from None
    except urllib.error.URLError as exc:  # no HTTP answer: unreachable, refused, or a timeout while connecting
        if isinstance(exc.reason, TimeoutError):
            raise TimeoutError(str(exc.reason)) from exc
        raise ConnectionError(str(exc.reason)) from exc


def _serial_path(serial: str) -> str:
    return "/discharges/" + urllib.parse.quote(serial, safe="")


def ping(base: str, token: str, **options) -> Answer:
    """GET /ping: the hospital the token belongs to (`hospital`, `name`) and the server's time."""
    return request(base, token, "GET", "/ping", **options)


def settle(base: str, token: str, body: dict, *, retries: int = 1, **options) -> Answer:
    """POST /discharges; on a timeout or a cut connection the same body (same serial) is sent again, `retries` times.

    Safe because the serial is the idempotency key: a retry of a call Huzhu did receive gets its first answer.
    """
    for attempt in range(retries + 1):
        try:
            return request(base, token, "POST", "/discharges", body, **options)
        except (TimeoutError, ConnectionError) as exc:
            if attempt == retries:
                raise
            print(f"第 {attempt + 1} 次请求无应答（{exc}），以同一结算流水号 {body.get('serial')} 重试",
                  file=sys.stderr)
    raise AssertionError("unreachable")


def get(base: str, token: str, serial: str, **options) -> Answer:
    """GET /discharges/{serial}: the answer given to that serial (404 not_found for a serial of no call of ours)."""
    return request(base, token, "GET", _serial_path(serial), **options)


def cancel(base: str, token: str, serial: str, reason: str, **options) -> Answer:
    """POST /discharges/{serial}/cancel: the same day only; cancelling again answers the cancellation."""
    return request(base, token, "POST", _serial_path(serial) + "/cancel", {"reason": reason}, **options)


AMOUNT_FLAGS = {  # flag -> DischargeIn field
    "total": "total_amount", "fund": "fund_paid_amount", "serious_illness": "serious_illness_amount",
    "medical_aid": "medical_aid_amount", "self_pay": "policy_self_pay_amount",
    "out_of_policy": "out_of_policy_amount", "self_funded": "self_funded_amount",
}
TEXT_FLAGS = ("serial", "id_number", "name", "hospital_code", "admitted_on", "discharged_on", "settled_on",
              "diagnosis_code")


def stay_from(args: argparse.Namespace) -> dict:
    """The settle body: the JSON file if given, then any flag on top of it."""
    body: dict = {}
    if args.file:
        with open(args.file, encoding="utf-8-sig") as handle:
            body = json.load(handle)
    for flag in TEXT_FLAGS:
        if getattr(args, flag):
            body[flag] = getattr(args, flag)
    for flag, field in AMOUNT_FLAGS.items():
        if getattr(args, flag):
            body[field] = getattr(args, flag)
    if args.patient_authorized:
        body["patient_authorized"] = True
    if body.get("discharged_on") and not body.get("settled_on"):
        body["settled_on"] = body["discharged_on"]  # settled with the medical insurance on the day of discharge
    return body


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description="Huzhu 出院即赔接口参考客户端（仅用标准库）")
    top.add_argument("--base", required=True, help="Huzhu 地址，如 https://huzhu.example.org 或 http://127.0.0.1:8000")
    top.add_argument("--token", required=True, help="医院接口令牌 hzh_…（登记页签发，只显示一次）")
    top.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="每次请求的超时秒数")
    top.add_argument("--cafile", help="校验 Huzhu 服务器证书的 CA 文件（PEM）")
    top.add_argument("--cert", help="医院客户端证书（PEM；令牌绑定了证书时必需）")
    top.add_argument("--key", help="客户端证书的私钥（PEM）")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("ping", help="连通性检查：返回令牌所属医院")
    settle_cmd = commands.add_parser("settle", help="出院结算（超时后以同一流水号重试一次）")
    settle_cmd.add_argument("--file", help="结算请求 JSON 文件（DischargeIn 的字段）")
    for flag in TEXT_FLAGS:
        settle_cmd.add_argument("--" + flag.replace("_", "-"), dest=flag)
    for flag, field in AMOUNT_FLAGS.items():
        settle_cmd.add_argument("--" + flag.replace("_", "-"), dest=flag, help=field)
    settle_cmd.add_argument("--patient-authorized", action="store_true", help="患者已签署出院直接结算授权书")
    get_cmd = commands.add_parser("get", help="查询一笔出院结算")
    get_cmd.add_argument("serial")
    cancel_cmd = commands.add_parser("cancel", help="撤销出院结算（仅限结算当日）")
    cancel_cmd.add_argument("serial")
    cancel_cmd.add_argument("--reason", required=True, help="撤销原因")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    options = {"timeout": args.timeout, "cafile": args.cafile, "cert": args.cert, "key": args.key}
    try:
        if args.command == "ping":
            answer = ping(args.base, args.token, **options)
        elif args.command == "settle":
            answer = settle(args.base, args.token, stay_from(args), **options)
        elif args.command == "get":
            answer = get(args.base, args.token, args.serial, **options)
        else:
            answer = cancel(args.base, args.token, args.serial, args.reason, **options)
    except HospitalApiError as exc:
        print(json.dumps(exc.body, ensure_ascii=False, indent=2))
        print(f"错误 {exc.code}（HTTP {exc.status}）：{exc.message}", file=sys.stderr)
        return 1 if exc.status < 500 else 3
    except (TimeoutError, OSError) as exc:
        print(f"无应答：{exc}", file=sys.stderr)
        return 3
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    if args.command == "settle":
        print("HTTP 201：本次结算" if answer.http_status == 201 else "HTTP 200：此流水号之前已答复，以上为原答复",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
