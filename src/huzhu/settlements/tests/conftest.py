"""Settlement fixtures: plans, covered and consenting workers, an agreement, and feed files in each format."""
import csv
import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from huzhu.claims.tests.conftest import cover
from huzhu.conftest import make_worker
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.members import services as member_services
from huzhu.members.models import DataConsent
from huzhu.plans.services import install_default_plans
from huzhu.settlements import services
from huzhu.settlements.rules import HEADER

TODAY = date(2027, 3, 1)
_serials = itertools.count(1)


def consent(*workers) -> None:
    member_services.give_data_consent(actor=SYSTEM_ACTOR, worker_ids=[w.pk for w in workers],
                                      source=DataConsent.Source.UNIT)


def id_number_of(worker) -> str:
    from huzhu.core.crypto import decrypt_text

    return decrypt_text(worker.id_number_encrypted)


def feed_row(worker=None, *, id_number: str = "", serial: str = "", admitted=date(2027, 2, 1),
             discharged=date(2027, 2, 10), settled=date(2027, 2, 10), care="住院", diagnosis="J18.900",
             total="20000.00", fund="12000.00", self_pay="6000.00", out_of_policy="2000.00", reversal_of: str = "",
             **overrides) -> dict:
    """A settlement row with the contract's column names (a reversal row when `reversal_of` is set)."""
    row = {
        "结算流水号": serial or f"JS{next(_serials):012d}",
        "身份证号": id_number or (id_number_of(worker) if worker else ""),
        "姓名": worker.name if worker else "某某",
        "定点机构编码": "H15020300001", "定点机构名称": "包头市中心医院",
        "入院日期": admitted.isoformat(), "出院日期": discharged.isoformat() if discharged else "",
        "结算日期": settled.isoformat(), "主要诊断编码": diagnosis,
        "医疗费总额": total, "统筹基金支付": fund, "大病保险支付": "0.00", "医疗救助支付": "0.00",
        "政策范围内个人自付": self_pay, "政策范围外个人自付": out_of_policy, "全自费": "0.00",
        "险种": "职工基本医疗保险", "就医类别": care, "冲销标志": "1" if reversal_of else "0",
        "原结算流水号": reversal_of,
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8-sig", header=HEADER) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([row.get(name, "") for name in HEADER])
    workbook.save(path)
    return path


@pytest.fixture
def plans(db):
    return install_default_plans(years=(2026, 2027))


@pytest.fixture
def agreement(db):
    return services.save_agreement(actor=SYSTEM_ACTOR, bureau_name="内蒙古自治区医疗保障局", region_id=None,
                                   starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), retention_days=90)


@pytest.fixture
def covered(plans, home_unit):
    """A consenting worker covered by the hospitalization plan in 2026 and 2027."""
    worker = make_worker(home_unit, name="巴特尔")
    cover(worker, year=2026)
    cover(worker, year=2027)
    consent(worker)
    return worker


@pytest.fixture
def run_feed(agreement, tmp_path, settings):
    """Import a feed file through the service (as the CLI does) and return the finished job."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()

    def run(path: Path, *, mode: str = "valid", today: date = TODAY, chunk_size: int | None = None):
        job = services.create_settlement_import(actor=SYSTEM_ACTOR, file_name=path.name, path=path, mode=mode,
                                                source="cli", today=today)
        return services.run_settlement_import(job_id=job.pk, actor=SYSTEM_ACTOR, today=today, chunk_size=chunk_size)
    return run


AMOUNT = Decimal
