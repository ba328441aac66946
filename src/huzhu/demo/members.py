"""Deterministic synthetic units and workers shaped like the Inner Mongolia scheme (DATA.md, DOMAIN.md).

A seed reproduces the same data: ages use a fixed reference date, names and numbers come from
one `random.Random(seed)`. Rows are written with bulk inserts in batches, so a million workers
stream through in bounded memory.
"""
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.db import connection, transaction
from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from huzhu.core.bulk import insert_rows
from huzhu.core.crypto import blind_index, encrypt_text
from huzhu.core.idnumbers import make_credit_code, make_resident_id, mask_account, mask_id_number
from huzhu.members.models import Employment, MemberUnit, Worker
from huzhu.members.services import contact_phone_columns, phone_columns
from huzhu.regions.models import Division

REFERENCE_DATE = date(2026, 1, 1)  # ages are taken on this day so that a seed reproduces
BATCH = 5000
WORKERS_PER_UNIT = 80  # DOMAIN: ~1.1 million participants in ~13,800 units a year

# 7th census (2020) population by league, millions (DATA.md).
LEAGUE_WEIGHTS = {
    "150400": 4.04, "150100": 3.45, "150500": 2.87, "150200": 2.71, "150700": 2.24, "150600": 2.15,
    "150900": 1.71, "150800": 1.54, "152200": 1.42, "152500": 1.11, "150300": 0.56, "152900": 0.26,
}
# Leagues that were 盟 with other codes before becoming cities: older ID numbers carry those codes.
LEGACY_LEAGUE_CODES = {"150900": "152600", "150800": "152800", "150700": "152100", "150600": "152700",
                       "150500": "152300", "150400": "152400"}
MONGOL_SHARE = 0.177
DEMO_COUNTY, DEMO_COUNTY_UNITS = "150203", 3

HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
HAN_GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志海峰亮成东"
HAN_GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂英秀兰红梅琳雪婷慧颖洁莉萍琴云莹倩晶璐瑶蕾佳悦"
MONGOL_MALE = ["巴特尔", "额尔敦", "苏和", "朝鲁", "那顺", "巴雅尔", "宝音", "布和", "毕力格", "阿拉坦",
               "孟和", "敖其尔", "达来", "额日和木", "胡和", "特木尔", "吉日嘎拉", "斯琴巴特尔"]
MONGOL_FEMALE = ["其木格", "萨仁", "乌云", "娜仁", "高娃", "图雅", "斯琴", "塔娜", "乌兰", "萨日娜",
                 "格日勒", "琪琪格", "阿拉坦其其格", "额尔德尼", "乌日娜", "包金花"]
SECTORS = ["煤炭", "电力", "钢铁", "稀土", "化工", "建筑", "交通运输", "教育", "卫生", "乳业", "农牧业",
           "商贸", "金融", "机关", "快递物流", "网约配送"]
UNIT_SUFFIXES = ["有限责任公司", "股份有限公司", "集团有限公司", "中心", "局", "学校", "医院", "合作社"]
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "内蒙古银行", "包商银行", "邮政储蓄银行"]


@dataclass(frozen=True)
class DemoSummary:
    units: int
    workers: int


@cache
def _region_valid_in(code: str, year: int) -> bool:
    number = make_resident_id(code, date(year, 6, 15), 1)
    try:
        ric.validate(number)
    except (stdnum_errors.ValidationError, KeyError):
        return False
    return True


@cache
def region_code_for(county: str, year: int) -> str:
    """A region code that existed in the birth year: the county, else its league, else the old 盟 code."""
    league = county[:4] + "00"
    for code in (county, league, LEGACY_LEAGUE_CODES.get(league, league)):
        if _region_valid_in(code, year):
            return code
    return league


def _name(rng: random.Random, gender: str, mongol: bool) -> str:
    if mongol:
        return rng.choice(MONGOL_MALE if gender == "M" else MONGOL_FEMALE)
    given = HAN_GIVEN_MALE if gender == "M" else HAN_GIVEN_FEMALE
    return rng.choice(HAN_SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def _counties_by_league() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for code, parent in Division.objects.filter(level=Division.Level.COUNTY).values_list("code", "parent_id"):
        result.setdefault(parent, []).append(code)
    return result


def _unit_sizes(rng: random.Random, workers: int) -> list[int]:
    """Lognormal unit sizes adding up to `workers` (a few large units, many small ones)."""
    units = max(1, round(workers / WORKERS_PER_UNIT))
    raw = [rng.lognormvariate(3.5, 1.1) for _ in range(units)]
    scale = workers / sum(raw)
    sizes = [max(1, int(r * scale)) for r in raw]
    diff = workers - sum(sizes)
    sizes[0] += diff if sizes[0] + diff > 0 else 0
    return sizes


def _build_units(rng: random.Random, sizes: list[int], seed: int) -> list[MemberUnit]:
    counties = _counties_by_league()
    leagues = list(LEAGUE_WEIGHTS)
    weights = [LEAGUE_WEIGHTS[c] for c in leagues]
    units = []
    regional_unions: dict[str, MemberUnit] = {}
    for n, size in enumerate(sizes):
        league = rng.choices(leagues, weights)[0]
        county = rng.choice(counties[league])
        if n < DEMO_COUNTY_UNITS:  # the demo logins work in 包头市昆都仑区: give them units to see
            league, county = DEMO_COUNTY[:4] + "00", DEMO_COUNTY
        sector = rng.choice(SECTORS)
        gig = sector in ("快递物流", "网约配送") and rng.random() < 0.5
        kind = MemberUnit.Kind.REGIONAL_UNION if gig else (
            MemberUnit.Kind.INSTITUTION if sector in ("机关", "教育", "卫生") else MemberUnit.Kind.ENTERPRISE)
        name = (f"{county[-2:]}区域{sector}新就业形态工会联合会" if gig else
                f"内蒙古{rng.choice('蒙华兴泰恒鑫诚远达丰')}{rng.choice('源盛通昌宏利安祥瑞')}{sector}{rng.choice(UNIT_SUFFIXES)}")
        female = int(size * rng.uniform(0.25, 0.6))
        prefix = "81" if gig else ("12" if kind == MemberUnit.Kind.INSTITUTION else "91")
        units.append(MemberUnit(
            name=f"{name}（{n + 1:05d}）", credit_code=make_credit_code(prefix, county, f"D{seed % 10}{n:06d}"),
            kind=kind, sector=sector, league_id=league, county_id=county, has_union=True,
            eligible_headcount=size, female_headcount=female,
            contact_name=_name(rng, rng.choice("MF"), rng.random() < MONGOL_SHARE),
            **contact_phone_columns(f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"),
        ))
        if gig:
            regional_unions[county] = units[-1]
    return units


WORKER_COLUMNS = ("name", "id_number_encrypted", "id_number_index", "id_number_masked", "gender", "birth_on",
                  "ethnicity", "phone_encrypted", "phone_index", "phone_masked", "kind", "unit_id", "league_id",
                  "county_id", "bank_name",
                  "bank_account_encrypted", "bank_account_masked", "bank_account_index", "created_at")
_UNIT = WORKER_COLUMNS.index("unit_id")


def _worker_rows(rng: random.Random, units: list[MemberUnit]) -> Iterator[tuple[tuple, date]]:
    """(worker row in WORKER_COLUMNS order, employment start) for every worker of every unit."""
    sequence_by_key: dict[tuple[str, date], int] = {}
    created_at = timezone.now()
    for unit in units:
        kind = Worker.Kind.GIG if unit.kind == MemberUnit.Kind.REGIONAL_UNION else Worker.Kind.EMPLOYEE
        females = unit.female_headcount
        for i in range(unit.eligible_headcount):
            gender = "F" if i < females else "M"
            age = rng.randint(20, 54 if gender == "F" else 59)
            birth = REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(365))
            region = region_code_for(unit.county_id, birth.year)
            key = (region, birth)
            seq = sequence_by_key.get(key, 0) + 1
            sequence_by_key[key] = seq
            # 3-digit sequence: odd = male, even = female (GB 11643)
            number = make_resident_id(region, birth, (2 * seq - (1 if gender == "M" else 0)) % 1000)
            account = f"62{rng.randrange(10**15):015d}"
            mongol = rng.random() < MONGOL_SHARE
            row = (
                _name(rng, gender, mongol), encrypt_text(number), blind_index(number), mask_id_number(number),
                gender, birth, "蒙古族" if mongol else "汉族", *phone_columns(f"1{rng.choice('35789')}{rng.randrange(10**9):09d}").values(),
                kind, unit.pk, unit.league_id, unit.county_id, rng.choice(BANKS), encrypt_text(account),
                mask_account(account), blind_index(account), created_at,
            )
            yield row, REFERENCE_DATE - timedelta(days=rng.randrange(30, 365 * 15))


def generate(*, workers: int, seed: int, progress=None) -> DemoSummary:
    """Create units and `workers` workers with employments. Deterministic for a seed."""
    rng = random.Random(seed)
    sizes = _unit_sizes(rng, workers)
    with transaction.atomic():
        units = MemberUnit.objects.bulk_create(_build_units(rng, sizes, seed), batch_size=BATCH)
    if connection.vendor != "postgresql" or any(u.pk is None for u in units):
        by_code = dict(MemberUnit.objects.filter(credit_code__in=[u.credit_code for u in units])
                       .values_list("credit_code", "pk"))
        for unit in units:
            unit.pk = by_code[unit.credit_code]
    done = 0
    batch: list[tuple[tuple, date]] = []
    for row in _worker_rows(rng, units):
        batch.append(row)
        if len(batch) >= BATCH:
            done += _write_workers(batch)
            batch = []
            if progress:
                progress(done, workers)
    if batch:
        done += _write_workers(batch)
        if progress:
            progress(done, workers)
    return DemoSummary(units=len(units), workers=done)


def _write_workers(batch: list[tuple[tuple, date]]) -> int:
    """Insert one batch of workers with COPY/executemany, then their employments."""
    with transaction.atomic():
        insert_rows(Worker._meta.db_table, WORKER_COLUMNS, (row for row, _ in batch))
        ids = dict(Worker.objects.filter(id_number_index__in=[row[2] for row, _ in batch])
                   .values_list("id_number_index", "pk"))
        insert_rows(Employment._meta.db_table, ("worker_id", "unit_id", "started_on"),
                    ((ids[row[2]], row[_UNIT], started) for row, started in batch))
    return len(batch)
