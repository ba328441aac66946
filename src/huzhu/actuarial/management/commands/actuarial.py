"""`huzhu actuarial experience|ibnr|whatif|reserve|pricing ...`: run a study from the command line, save it,
print its headline figures, and optionally write the PDF and XLSX reports."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import DomainError


class Command(BaseCommand):
    help = "精准测算：经验分析、IBNR（多种方法）、条款测算、准备金充足性、下一年度定价"

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True)
        for kind, text in (("experience", "经验分析"), ("ibnr", "IBNR 链梯法"), ("whatif", "条款测算"),
                           ("reserve", "准备金充足性"), ("pricing", "下一年度定价（信度加权）")):
            sub = kinds.add_parser(kind, help=text)
            sub.add_argument("--plan", default="hospitalization", choices=["hospitalization", "women_health"])
            sub.add_argument("--title", default="")
            sub.add_argument("--pdf", type=Path, help="写出 PDF 报告到此文件")
            sub.add_argument("--xlsx", type=Path, help="写出 Excel 到此文件")
            if kind == "ibnr":
                sub.add_argument("--year", type=int, required=True)
                sub.add_argument("--as-of", dest="as_of")
                sub.add_argument("--grain", default="OMDM")
                sub.add_argument("--expected-loss-ratio", dest="expected_loss_ratio", type=float,
                                 help="B-F 等方法的预期赔付率，如 0.87（默认定价口径）")
                sub.add_argument("--methods", dest="regulatory_methods", nargs="+",
                                 choices=["chain_ladder", "bornhuetter_ferguson", "expected_loss_ratio", "benktander"],
                                 help="监管口径取较大者的方法（至少两种，默认链梯法和 B-F 法）")
                sub.add_argument("--bootstrap", dest="bootstrap_simulations", type=int, default=1000,
                                 help="自助法模拟次数（0 = 不做）")
                sub.add_argument("--seed", type=int, default=1)
            else:
                sub.add_argument("--years", type=int, nargs="+", required=True)
            if kind in ("experience", "reserve"):
                sub.add_argument("--as-of", dest="as_of", help="评估日期（默认今天）：未结束年度的保障人年按已过天数折算")
            if kind == "experience":
                sub.add_argument("--confidence", type=float, default=0.95)
            if kind == "whatif":
                sub.add_argument("--base-year", dest="base_year", type=int, help="条款所属年度（默认最后一个年度）")
                sub.add_argument("--terms", type=Path, help="完整条款 JSON 文件（默认所属年度的现行条款）")
                sub.add_argument("--set", dest="changes", action="append", default=[], metavar="PATH=VALUE",
                                 help="修改一项条款，如 inpatient.minimum_amount=300 或 inpatient.bands.0.rate=0.55")
            if kind == "pricing":
                for name in ("prior_burning_cost", "cost_factor", "trend", "benefit_share", "whatif_study"):
                    sub.add_argument(f"--{name.replace('_', '-')}", dest=name)
            if kind == "reserve":
                for name in ("next_exposure", "contribution_amount", "reserve_amount", "benefit_share",
                             "target_loss_ratio", "shortfall_probability", "cost_factor"):
                    sub.add_argument(f"--{name.replace('_', '-')}", dest=name)
                sub.add_argument("--simulations", type=int, default=10_000)
                sub.add_argument("--seed", type=int, default=1)
                sub.add_argument("--no-parameter-uncertainty", dest="parameter_uncertainty", action="store_false")

    def handle(self, *args, kind, **options):
        from huzhu.actuarial import reports, services

        data = self._inputs(kind, options)
        try:
            study = services.create_study(actor=None, kind=kind, data=data, title=options["title"])
            study = services.run_study(actor=None, study_id=study.pk)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if study.status != study.Status.DONE:
            raise CommandError(f"测算 #{study.pk} 失败：{study.message}")
        self.stdout.write(f"测算 #{study.pk} {study.title}：已完成")
        for line in self._headline(kind, study.results):
            self.stdout.write(f"  {line}")
        if options.get("pdf"):
            options["pdf"].write_bytes(reports.render_pdf(study))
            self.stdout.write(f"PDF：{options['pdf']}")
        if options.get("xlsx"):
            options["xlsx"].write_bytes(reports.render_xlsx(study))
            self.stdout.write(f"Excel：{options['xlsx']}")

    def _inputs(self, kind: str, options: dict) -> dict:
        data = {"plan": options["plan"]}
        if kind == "ibnr":
            data.update(year=options["year"], grain=options["grain"], seed=options["seed"],
                        bootstrap_simulations=options["bootstrap_simulations"])
            data.update({name: options[name] for name in ("as_of", "expected_loss_ratio", "regulatory_methods")
                         if options.get(name)})
            return data
        data["years"] = options["years"]
        if kind in ("experience", "reserve") and options.get("as_of"):
            data["as_of"] = options["as_of"]
        if kind == "experience":
            data["confidence"] = options["confidence"]
        elif kind == "whatif":
            data.update(self._terms(options))
        elif kind == "pricing":
            data.update({name: options[name] for name in ("prior_burning_cost", "cost_factor", "trend", "benefit_share",
                                                          "whatif_study") if options.get(name) is not None})
        elif kind == "reserve":
            data.update(simulations=options["simulations"], seed=options["seed"],
                        parameter_uncertainty=options["parameter_uncertainty"])
            data.update({name: options[name] for name in ("next_exposure", "contribution_amount", "reserve_amount",
                                                          "benefit_share", "target_loss_ratio", "shortfall_probability",
                                                          "cost_factor") if options.get(name) is not None})
        return data

    def _terms(self, options: dict) -> dict:
        from huzhu.plans.queries import plan_year

        base_year = options.get("base_year") or max(options["years"])
        if options.get("terms"):
            try:
                document = json.loads(options["terms"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"条款文件 {options['terms']} 无法读取：{exc}") from None
        else:
            year = plan_year(options["plan"], base_year)
            if year is None:
                raise CommandError(f"没有 {base_year} 年度的方案条款")
            document = year.current_version.document
        for change in options["changes"]:
            path, sep, value = change.partition("=")
            if not sep:
                raise CommandError(f"--set {change}：应为 路径=值")
            node = document
            *parents, last = path.split(".")
            try:
                for part in parents:
                    node = node[int(part)] if isinstance(node, list) else node[part]
                if isinstance(node, list):
                    node[int(last)] = value
                elif last not in node:
                    raise KeyError(last)
                else:
                    node[last] = value
            except (KeyError, IndexError, ValueError, TypeError):
                raise CommandError(f"--set {change}：条款中没有 {path}") from None
        return {"base_year": base_year, "terms": document}

    def _methods(self, m: dict) -> list[str]:
        labels, reg = m["labels"], m["regulatory"]
        lines = ["IBNR 各方法合计（预期赔付率 " + f"{m['expected_loss_ratio']:.2%}）：" + "，".join(
            f"{labels[code]} {m['totals'][code]:,.2f}" for code in m["methods"]) + f"；Mack 标准误 {m['mack_se']:,.2f}"]
        floor = (f"；经验不足三年，下限为当年已付 {reg['paid_in_year']:,.2f} 的 10% = {reg['floor']:,.2f}"
                 if reg["floor_applies"] else "")
        lines.append(f"监管口径 IBNR {reg['amount']:,.2f} 元（{'、'.join(labels[c] for c in reg['methods'])}中较大者"
                     f"{labels[reg['method']]} {reg['largest']:,.2f}{floor}）")
        b = m.get("bootstrap") or {}
        if b.get("simulations"):
            lines.append(f"自助法 {b['simulations']} 次：均值 {b['mean']:,.2f}，标准差 {b['sd']:,.2f}，"
                         + "，".join(f"{p['p']}% {p['value']:,.2f}" for p in b["percentiles"]))
        return lines

    def _headline(self, kind: str, r: dict) -> list[str]:
        if kind == "experience":
            t = r["total"]
            return [f"保障人年 {t['exposure']:,.1f}，补助 {t['claims']} 件，出险频率 {(t['frequency'] or 0) * 1000:.2f}‰",
                    f"件均补助 {t['severity'] or 0:,.2f} 元，人均赔付成本 {t['burning_cost'] or 0:,.2f} 元，"
                    f"赔付率 {(t['loss_ratio'] or 0) * 100:.1f}%"]
        if kind == "ibnr":
            line = r["plan_year_reported_basis"]
            return [f"{r['year']} 年度：已报告 {line['reported']:,.2f}，已支付 {line['paid']:,.2f}，"
                    f"最终赔款 {line['ultimate']:,.2f}（Mack 标准误 {line['mack_se']:,.2f}），IBNR {line['ibnr']:,.2f} 元",
                    f"账务：已审批 {r['ledger']['benefits']}，已支付 {r['ledger']['paid']}，应付 {r['ledger']['payable']} 元",
                    *self._methods(r["methods"])]
        if kind == "whatif":
            t = r["total"]
            return [f"重算 {t['claims']} 件（与已决一致 {t['reproduced']} 件）：现行 {t['current_fen'] / 100:,.2f} 元，"
                    f"测算 {t['proposed_fen'] / 100:,.2f} 元，差额 {t['difference_fen'] / 100:,.2f} 元",
                    f"多得 {t['winners']} 人（合计 {t['winners_gain_fen'] / 100:,.2f} 元），"
                    f"少得 {t['losers']} 人（合计 {t['losers_loss_fen'] / 100:,.2f} 元）；"
                    f"赔付率 {(t['current_loss_ratio'] or 0) * 100:.1f}% → {(t['proposed_loss_ratio'] or 0) * 100:.1f}%"]
        if kind == "pricing":
            return [f"建议互助金 {r['recommended']:,.2f} 元/人（现行 {r['current_contribution']:,.2f}），"
                    f"信度加权人均赔付成本 {r['blended']:,.2f} 元，先验 {r['prior']:,.2f} 元",
                    *[f"{x['label']}：经验 {x['burning_cost']:,.2f}，Z = {x['credibility']:.3f}，加权 {x['blended']:,.2f}，"
                      f"对应互助金 {x['contribution']:,.2f}" for x in r["rows"]]]
        a, n = r["adequacy"], r["needed"]
        return [f"预计补助金 {a['mean']:,.2f} 元（标准差 {a['sd']:,.2f}），资金不足概率 {a['shortfall_probability'] * 100:.2f}%",
                f"建议每人互助金 {n['needed']:,.2f} 元（赔付率目标 {n['for_loss_ratio']:,.2f}，不足概率目标 {n['for_shortfall']:,.2f}）"]
