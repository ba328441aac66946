"""The demo's medical-insurance feed: an agreement, consents for some workers, and a sample file to upload.

The file (var/demo/settlement-feed.csv, the contract's header) holds stays of consenting workers of
the demo county (they become claims through the 医保数据 channel), stays of workers who did not
consent (counted, not matched), a reversal of one consenting worker's stay, and a person the scheme
does not know (unmatched). Upload it at /settlements/ as the association (xiehui).
"""
import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members import services as member_services
from huzhu.members.models import DataConsent
from huzhu.settlements import services as settlement_services
from huzhu.settlements.models import DataSharingAgreement
from huzhu.settlements.rules import HEADER

DEMO_COUNTY = "150203"


def demo_feed_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "settlement-feed.csv"


def write_demo_feed(*, seed: int, today: date) -> tuple[Path, int]:
    """Record the demo agreement and consents, write the sample feed; returns its path and row count."""
    rng = random.Random(seed * 7919)
    if not DataSharingAgreement.objects.exists():
        settlement_services.save_agreement(
            actor=SYSTEM_ACTOR, bureau_name="内蒙古自治区医疗保障局", region_id=None,
            starts_on=date(today.year, 1, 1), ends_on=date(today.year + 1, 12, 31), shared_fields="，".join(HEADER),
            contact_name="医保数据科", contact_phone="0471-0000000", retention_days=180)
    coverages = list(enrollment_queries.active_coverages_of_year(today.year).filter(
        county_id=DEMO_COUNTY, plan_year__plan_id="hospitalization").select_related("worker").order_by("worker_id")[:12])
    workers = [c.worker for c in coverages]
    consenting, declining = workers[:8], workers[8:]
    member_services.give_data_consent(actor=SYSTEM_ACTOR, worker_ids=[w.pk for w in consenting],
                                      source=DataConsent.Source.UNIT)
    rows = []
    for n, worker in enumerate(consenting + declining):
        admitted = today - timedelta(days=rng.randint(12, 60))
        stay = rng.randint(3, 10)
        self_pay = Decimal(rng.randrange(2000, 9000))
        fund = Decimal(rng.randrange(5000, 20000))
        out_of_policy = Decimal(rng.randrange(0, 1500))
        rows.append(_row(f"DEMO{today:%Y%m}{n + 1:04d}", worker.reveal_id_number(), worker.name, admitted,
                         admitted + timedelta(days=stay), fund, self_pay, out_of_policy))
    if rows:
        reversed_row = rows[1]
        rows.append({**reversed_row, "结算流水号": f"{reversed_row['结算流水号']}R", "冲销标志": "1",
                     "原结算流水号": reversed_row["结算流水号"], "结算日期": today.isoformat()})
    stranger = make_resident_id(DEMO_COUNTY, date(1979, 6, 1), 999)
    rows.append(_row(f"DEMO{today:%Y%m}9999", stranger, "未参互人员", today - timedelta(days=20),
                     today - timedelta(days=15), Decimal("8000"), Decimal("3000"), Decimal("0")))
    path = demo_feed_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[name] for name in HEADER])
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
    return path, len(rows)


def _row(serial, id_number, name, admitted, discharged, fund, self_pay, out_of_policy) -> dict:
    total = fund + self_pay + out_of_policy
    return {"结算流水号": serial, "身份证号": id_number, "姓名": name, "定点机构编码": "H15020300001",
            "定点机构名称": "包头市中心医院", "入院日期": admitted.isoformat(), "出院日期": discharged.isoformat(),
            "结算日期": discharged.isoformat(), "主要诊断编码": "J18.900", "医疗费总额": f"{total:.2f}",
            "统筹基金支付": f"{fund:.2f}", "大病保险支付": "0.00", "医疗救助支付": "0.00",
            "政策范围内个人自付": f"{self_pay:.2f}", "政策范围外个人自付": f"{out_of_policy:.2f}", "全自费": "0.00",
            "险种": "职工基本医疗保险", "就医类别": "住院", "冲销标志": "0", "原结算流水号": ""}
