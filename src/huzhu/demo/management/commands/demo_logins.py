"""`huzhu demo_logins`: print the demo accounts, one per role."""
import os

from django.core.management.base import BaseCommand

from huzhu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

PAYOUT_ACCOUNTS = [("zhifu", "协会支付制单员（补助金支付批次）"), ("fuhe", "协会支付复核员（复核、发送批次）")]


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\n互助 · 演示环境  http://127.0.0.1:{port}/")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _role, _division, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {label}")
        for username, label in PAYOUT_ACCOUNTS:  # made by the demo's payout batch (maker ≠ checker)
            self.stdout.write(f"  {username:<10} {label}")
        worker = self._demo_worker()
        if worker is not None:
            self.stdout.write(f"职工本人：打开 /me/ ，身份证号 {worker.reveal_id_number()}，手机号 {worker.reveal_phone()}；"
                              "演示环境不发短信，验证码打印在本窗口的日志里（SMS to …）。")
        from huzhu.demo.settlements import demo_feed_path

        if demo_feed_path().exists():
            self.stdout.write(f"医保结算数据样例：{demo_feed_path()}（以 xiehui 登录，在 /settlements/ 上传，"
                              "已授权职工的住院结算自动生成申领）")
        if self._demo_hospital():
            from huzhu.demo.hospitals import DEMO_HOSPITAL_CODE, DEMO_HOSPITAL_TOKEN

            self.stdout.write(f"合作医院接口（出院即赔）：医院 {DEMO_HOSPITAL_CODE} 的令牌 {DEMO_HOSPITAL_TOKEN}；"
                              f"python docs/hospital_client.py --base http://127.0.0.1:{port} --token {DEMO_HOSPITAL_TOKEN} ping")
        self.stdout.write("公开页面：/calculator/ 算清互助账 · /policy/ 政策宣讲\n")

    def _demo_worker(self):
        """A demo worker of the demo county with claims, to sign in as (None before the demo is loaded)."""
        from django.db.utils import DatabaseError

        from huzhu.claims.queries import first_claimant_with_phone

        try:
            return first_claimant_with_phone("150203")
        except DatabaseError:  # not migrated yet
            return None

    def _demo_hospital(self) -> bool:
        from django.db.utils import DatabaseError

        from huzhu.hospitals.queries import hospital_by_code

        try:
            from huzhu.demo.hospitals import DEMO_HOSPITAL_CODE

            return hospital_by_code(DEMO_HOSPITAL_CODE) is not None
        except DatabaseError:
            return False
