"""`huzhu demo --workers N --seed S`: load deterministic demo data for every installed part."""
import sys
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from huzhu.demo import members as member_demo
from huzhu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from huzhu.demo.bank_statement import write_demo_statement
from huzhu.demo.campaign import run_demo_campaign
from huzhu.demo.claims import generate_demo_history, parse_years
from huzhu.demo.complaints import file_demo_complaints
from huzhu.demo.enrollment import enroll_demo_units
from huzhu.demo.hospitals import settle_demo_discharges
from huzhu.demo.payouts import close_demo_years, pay_demo_claims, pay_demo_history
from huzhu.demo.post_audit import draw_demo_post_audit
from huzhu.demo.settlements import write_demo_feed
from huzhu.members.models import MemberUnit
from huzhu.plans.services import install_default_plans
from huzhu.regions.services import create_staff_account
from huzhu.reports.services import refresh_summaries
from huzhu.risk.services import scan_year

HISTORY_PAID_BEFORE = timedelta(days=60)  # approvals older than this were paid in the batches of their month


class Command(BaseCommand):
    help = "生成演示数据（确定性：同一种子生成相同数据）"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="skip when units already exist")
        parser.add_argument("--years", type=parse_years, default="2024-2026",
                            help="years with enrollments and claims, e.g. 2019-2026 (2027 is the campaign's)")

    def handle(self, *args, workers: int, seed: int, if_empty: bool, years: list[int], **options):
        if if_empty and MemberUnit.objects.exists():
            self.stdout.write("演示数据已存在，跳过生成。")
            return
        started = time.monotonic()
        install_default_plans(years=sorted({*years, 2026, 2027}))

        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\r职工 {done:,}/{total:,} ({done * 100 // max(total, 1)}%)")
            sys.stderr.flush()

        summary = member_demo.generate(workers=workers, seed=seed, progress=progress)
        sys.stderr.write("\n")
        covered = sum(enroll_demo_units(seed=seed, year=year) for year in years if year <= 2026)
        campaign_summary = run_demo_campaign(seed=seed, today=timezone.localdate())
        claims = generate_demo_history(years=years, seed=seed, progress=lambda line: sys.stderr.write(line + "\n"))
        today = timezone.localdate()
        # Every paid claim goes through a payout batch: older approvals in monthly batches of their time,
        # those approved a week ago or earlier in one batch today; the rest wait for a user's batch.
        history_batches = pay_demo_history(paid_before=today - HISTORY_PAID_BEFORE)
        payout_summary = pay_demo_claims(approved_to=today - timedelta(days=7))
        # the association's demo login closes the past years' books (reserve appropriated at close)
        username, role, _division, label = next(a for a in DEMO_ACCOUNTS if a[1] == "association")
        closer = create_staff_account(actor=None, username=username, password=DEMO_PASSWORD, role=role,
                                      full_name=label)
        closed = close_demo_years(years=years, today=today, actor=closer)
        hospital_summary = settle_demo_discharges(seed=seed, today=today)
        complaint_summary = file_demo_complaints(today=today)
        findings = sum(scan_year(year=year).findings for year in years if year <= 2026)
        post_audit_summary = draw_demo_post_audit(actor=closer, today=today)
        refresh_summaries(actor=None)
        contact_unit = MemberUnit.objects.filter(county_id="150203").order_by("-eligible_headcount").first()
        for username, role, division, label in DEMO_ACCOUNTS:
            create_staff_account(actor=None, username=username, password=DEMO_PASSWORD, role=role,
                                 full_name=label, division_code=division,
                                 unit=contact_unit if role == "unit" else None)
        self.stdout.write(self.style.SUCCESS(
            f"演示数据：{summary.units:,} 家单位，{summary.workers:,} 名职工，"
            f"{covered:,} 人次参互，{claims:,} 件申领，用时 {time.monotonic() - started:.1f} 秒"))
        self.stdout.write(campaign_summary)
        self.stdout.write(f"历史支付：{history_batches} 个按月支付批次（已对账）。")
        self.stdout.write(payout_summary)
        self.stdout.write(f"年度结账：{'、'.join(closed) or '无'}（已提取总准备金）。")
        self.stdout.write(f"风险扫描：{findings:,} 条风险提示（见“风险防控”）。")
        self.stdout.write(post_audit_summary)
        self.stdout.write(hospital_summary)
        self.stdout.write(complaint_summary)
        statement, credits = write_demo_statement(today=today)
        if credits:
            self.stdout.write(f"银行流水样例：{statement}（{credits} 笔来账、1 笔手续费；以 xiehui 登录，在“银行流水”页上传，"
                              f"选择中国工商银行）。")
        feed, rows = write_demo_feed(seed=seed, today=today)
        self.stdout.write(f"医保结算数据样例：{feed}（{rows} 行；以 xiehui 登录，在“医保数据”页上传）。")
