"""English through Django i18n on the pages of claims, campaign, ledger, payouts, reports, risk,
actuarial and security: each main page, signed in as a persona who may see it, has its headings
(h1, h2, th) in English. Names that are data (plans, units, workers, places) stay as stored."""
import re

import pytest
import time_machine
from django.urls import reverse

from huzhu.conftest import PASSWORD
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import Plan
from huzhu.regions.models import AgencyPoint, Division, Office

from .conftest import TODAY

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
HEADING = re.compile(r"<(h1|h2|th)\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")

# (persona, url, English that must show, Chinese it replaces)
PAGES = [
    ("agency", lambda w: reverse("claims:queue"), ["Claim review", "Working days left", "Risk"], "剩余工作日"),
    ("agency", lambda w: reverse("claims:detail", args=[w.regions["own"].claim_in_review.pk]),
     ["How the benefit is calculated", "Claim documents", "History", "Total medical costs"], "办理过程"),
    ("agency", lambda w: reverse("claims:new"), ["Desk claim intake", "Worker and event", "Settlement amounts (yuan)"],
     "职工与事件"),
    ("association", lambda w: reverse("claims:official_days"), ["Holiday schedule", "What the review clock follows",
                                                               "Upload a holiday schedule", "Download the CSV template"],
     "上传节假日安排"),
    (None, lambda w: reverse("me:sign_in"), ["Worker sign-in", "Get a code"], "获取验证码"),
    ("association", lambda w: reverse("campaign:progress"), ["Enrollment progress", "Progress by league", "Day by day",
                                                             "Unit attainment"], "逐日进度"),
    ("association", lambda w: reverse("campaign:targets"), ["Enrollment targets", "Units last year"], "上年单位"),
    ("association", lambda w: reverse("campaign:follow_up_list"), ["Renewal follow-up", "Enrolled last year"],
     "上年参互人数"),
    ("association", lambda w: reverse("campaign:outreach"), ["Outreach events", "Monthly totals by office"],
     "各办事处逐月汇总"),
    ("association", lambda w: reverse("campaign:staffing"), ["Staffing", "Staff on duty"], "在岗人员"),
    ("association", lambda w: reverse("campaign:evaluation"), ["Performance evaluation", "Total score",
                                                               "How scores are computed"], "评分方法"),
    ("association", lambda w: reverse("ledger:trial_balance"), ["Trial balance", "Account balances", "Debits"],
     "科目余额"),
    ("association", lambda w: reverse("ledger:budget"), ["Working funds: budget vs actual", "Execution rate"],
     "执行率"),
    ("association", lambda w: reverse("ledger:close_year"), ["Year-end closings", "Closing posts these entries"],
     "结账将记入以下分录"),
    ("association", lambda w: reverse("payouts:batch_list"), ["Benefit payout batches", "Checked by", "Filters"],
     "补助金支付批次"),
    ("association", lambda w: reverse("payouts:batch_new"), ["New payout batch", "Preview totals"], "新建支付批次"),
    ("association", lambda w: reverse("payouts:failed_queue"), ["Failed payouts", "Payouts returned by the bank"],
     "银行退回的支付"),
    ("association", lambda w: reverse("reports:dashboard"), ["Reports", "Claim status", "Review time",
                                                             "Enrolled units", "Main diagnoses"], "审核用时"),
    ("association", lambda w: reverse("risk:index"), ["Risk control", "By check", "Precision", "By hospital (top 20)"],
     "按检查项"),
    ("association", lambda w: reverse("actuarial:index"), ["Actuarial studies", "Start a study", "Saved studies"],
     "已保存的测算"),
    ("agency", lambda w: reverse("security:tokens"), ["My API tokens", "New token", "Purpose"], "我的 API 令牌"),
    ("agency", lambda w: reverse("security:totp"), ["Two-factor authentication (TOTP)", "Turn on"], "确认启用"),
]
IDS = ["claim-queue", "claim-detail", "desk-claim", "official-days", "worker-claims", "campaign-progress",
       "campaign-targets", "campaign-follow-up", "campaign-outreach", "campaign-staffing", "campaign-evaluation",
       "trial-balance", "working-funds", "year-close", "payout-batches", "new-payout-batch", "failed-payouts", "reports",
       "risk", "actuarial", "api-tokens", "totp"]


def data_names() -> list[str]:
    """Names stored as data, longest first: shown as they are in every language."""
    names = {*Plan.objects.values_list("name", flat=True), *MemberUnit.objects.values_list("name", flat=True),
             *Worker.objects.values_list("name", flat=True), *Division.objects.values_list("name", flat=True),
             *Office.objects.values_list("name", flat=True), *AgencyPoint.objects.values_list("name", flat=True)}
    return sorted((n for n in names if n), key=len, reverse=True)


def untranslated_headings(html: str, names: list[str]) -> list[str]:
    """The h1/h2/th texts that still hold Chinese once data names are taken out."""
    found = []
    for _tag, inner in HEADING.findall(html):
        text = TAG.sub(" ", inner)
        for name in names:
            text = text.replace(name, "")
        if CJK.search(text):
            found.append(" ".join(TAG.sub(" ", inner).split()))
    return found


def sign_in(client, persona: str | None):
    if persona is not None:
        assert client.login(username=f"api_{persona}", password=PASSWORD)


@pytest.fixture
def august_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def problems_in_english(client, world, persona, url, english, chinese) -> list[str]:
    client.logout()
    sign_in(client, persona)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    response = client.get(url(world))
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    html = response.content.decode()
    problems = [] if 'lang="en"' in html else ["not served in English"]
    problems += [f"no “{text}”" for text in english if text not in html]
    problems += [f"still shows “{chinese}”"] if chinese in html else []
    return problems + [f"Chinese heading: {text}" for text in untranslated_headings(html, data_names())]


def test_each_page_speaks_english_when_english_is_chosen(client, api_world, august_2026):
    # One world for every page (building it is the slow part); each page reports its own problems.
    problems = {page_id: found for page_id, page in zip(IDS, PAGES, strict=True)
                if (found := problems_in_english(client, api_world, *page))}
    assert not problems, problems


def test_each_page_stays_chinese_by_default(client, api_world, august_2026):
    problems = {}
    for page_id, (persona, url, english, chinese) in zip(IDS, PAGES, strict=True):
        client.logout()
        sign_in(client, persona)
        html = client.get(url(api_world)).content.decode()
        if 'lang="zh-hans"' not in html or chinese not in html or english[0] in html:
            problems[page_id] = english[0]
    assert not problems, problems
