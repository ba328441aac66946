"""In a real Chromium: the association uploads a bank statement with a matched, an ambiguous and an unmatched
credit, confirms the match in bulk, picks the right candidate of the ambiguous one, marks the stray credit as no
contribution, and the coverages are active. The statement page also fits a phone."""
import csv

import pytest
from django.utils import timezone

from huzhu.claims.tests.test_browser_claim_flow import sign_in
from huzhu.conftest import SCREENS, make_unit, make_worker
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, Enrollment, StatementLine
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

pytestmark = pytest.mark.browser


def _submitted(plan_year, name, today, count=2):
    unit = make_unit(name=name, eligible_headcount=count, female_headcount=0)
    workers = [make_worker(unit) for _ in range(count)]
    enrollment = services.start_enrollment(actor=SYSTEM_ACTOR, unit=unit, plan_year=plan_year, today=today)
    services.add_workers(actor=SYSTEM_ACTOR, enrollment=enrollment, worker_ids=[w.pk for w in workers], today=today)
    return services.submit_enrollment(actor=SYSTEM_ACTOR, enrollment=enrollment)


@pytest.mark.django_db(transaction=True)
def test_a_statement_upload_is_matched_and_confirmed_in_the_browser(browser_page, association_approver, tmp_path,
                                                                    settings):
    settings.VAR_DIR = tmp_path
    today = timezone.localdate()  # the browser's clock is not the test's to move
    install_default_plans(years=(today.year,))
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=today.year)
    steel = _submitted(plan_year, "包头钢铁测试公司", today)
    school_a = _submitted(plan_year, "呼和浩特市第一中学", today)
    _submitted(plan_year, "鄂尔多斯市第一中学", today)
    statement = tmp_path / "icbc.csv"
    with statement.open("w", encoding="gb18030", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["账号：0602000109200012345", "户名：内蒙古自治区职工互助保障协会"])
        writer.writerow(["交易日期", "交易流水号", "借方发生额", "贷方发生额", "对方单位名称", "对方账号", "摘要"])
        writer.writerow([f"{today}", "ICBC001", "", "180.00", "包头钢铁测试有限责任公司", "0602001", "互助金"])
        writer.writerow([f"{today}", "ICBC002", "", "180.00", "第一中学", "0602002", "互助金"])
        writer.writerow([f"{today}", "ICBC003", "", "66.00", "锡林郭勒某商贸", "0602003", "货款"])
        writer.writerow([f"{today}", "ICBC004", "500.00", "", "包头供电局", "0602004", "电费"])

    page = browser_page
    sign_in(page, association_approver)
    page.goto(page.base_url + "/enrollment/bank-statements/")
    page.select_option("#statement-upload select[name=bank]", "icbc")
    page.set_input_files("#statement-upload input[type=file]", str(statement))
    page.click("#statement-upload button.primary")
    page.wait_for_selector("#statement-lines")
    assert page.locator("#statement-lines tr[data-outcome=matched]").count() == 1
    assert page.locator("#statement-lines tr[data-outcome=ambiguous]").count() == 1
    assert page.locator("#statement-lines tr[data-outcome=unmatched]").count() == 1
    ambiguous = page.inner_text("#statement-lines tr[data-outcome=ambiguous]")
    assert "呼和浩特市第一中学" in ambiguous and "鄂尔多斯市第一中学" in ambiguous and "相似度" in ambiguous
    page.screenshot(path=str(SCREENS / "bank_statement_1_matched.png"), full_page=True)

    # Confirm the match in bulk (one POST for every box ticked).
    page.check("#statement-lines tr[data-outcome=matched] input[name=line]")
    page.click("#statement-confirm button.primary")
    page.wait_for_selector("text=已确认1笔缴费")
    # The ambiguous one: the association picks the school that paid.
    row = page.locator("#statement-lines tr[data-outcome=ambiguous]")
    row.locator("li", has_text="呼和浩特市第一中学").locator("button").click()
    page.wait_for_selector("text=已指定并确认缴费")
    # The stray credit: not a contribution, with the reason.
    row = page.locator("#statement-lines tr[data-outcome=unmatched]")
    row.locator("summary").click()
    row.locator("form.dismiss input[name=reason]").fill("货款误汇，已退回")
    row.locator("form.dismiss button").click()
    page.wait_for_selector("text=已标记为非互助金收入")
    page.screenshot(path=str(SCREENS / "bank_statement_2_confirmed.png"), full_page=True)

    for enrollment in (steel, school_a):
        enrollment.refresh_from_db()
        assert enrollment.status == Enrollment.Status.PAID
        assert set(enrollment.coverages.values_list("status", flat=True)) == {Coverage.Status.ACTIVE}
    assert sorted(StatementLine.objects.values_list("status", flat=True)) == ["confirmed", "confirmed", "dismissed"]

    page.set_viewport_size({"width": 390, "height": 844})  # the same pages on a phone
    page.goto(page.base_url + "/enrollment/bank-statements/")
    page.click("#statement-list a >> nth=0")
    page.wait_for_selector("#statement-lines")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(SCREENS / "bank_statement_3_phone_390.png"), full_page=True)
    page.goto(page.base_url + "/enrollment/subsidy-receivables/")
    assert "40.00" in page.inner_text("#subsidy-receivables")  # two units x 2 people x 10 yuan
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
