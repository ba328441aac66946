"""The demo's complaints and questions (投诉/咨询): a dozen in the demo county and its league, in every state —
answered at the county, moved up to the office and to the association by the clock (the daily job run for each
past day), one closed by the worker, one still overdue at the association, anonymous 12351 callers among them."""
from datetime import date, timedelta

from huzhu.complaints import services
from huzhu.core.actors import SYSTEM_ACTOR, SystemActor, WorkerActor
from huzhu.core.scopes import Scope
from huzhu.members.queries import workers_in_scope

DEMO_COUNTY, DEMO_LEAGUE = "150203", "150200"
# (days ago, kind, category, text): the workers' own, filed on the phone page
FILED = [
    (45, "complaint", "claim_progress", "住院补助金申领提交一个多月了，一直显示审核中，请尽快处理。"),
    (20, "complaint", "benefit_amount", "补助金比我自己算的少了三百多元，请说明是怎么计算的。"),
    (9, "question", "documents", "出院小结丢了，可以用病历复印件代替吗？"),
    (6, "question", "claim_progress", "我的申领退回补正了，补交材料后多久能审完？"),
    (3, "complaint", "service", "代办点电话一直没人接。"),
    (1, "question", "enrollment", "今年单位换了，明年的互助保障还能续上吗？"),
    (0, "question", "benefit_amount", "门诊慢特病也能申请补助吗？"),
]
# anonymous or unregistered callers on the 12351 hotline
CALLS = [
    (12, "question", "enrollment", "灵活就业人员怎么参加职工互助保障？", "张先生", "13947100001"),
    (4, "complaint", "other", "单位没有给我们参互，想了解怎么办。", "", "0472-5123456"),
    (2, "question", "documents", "异地住院需要哪些材料？", "李女士", "13947100002"),
]


def file_demo_complaints(*, today: date) -> str:
    """File, log, age, escalate and answer the demo's complaints; returns the summary line."""
    county_scope = Scope("county", DEMO_COUNTY, role="agency")
    workers = list(workers_in_scope(county_scope).exclude(phone_encrypted="").order_by("pk")[:len(FILED)])
    if not workers:
        return "投诉咨询：演示旗县没有登记手机号的职工，未生成。"
    filed = [services.file_complaint(actor=WorkerActor(workers[i % len(workers)].pk), kind=kind, category=category,
                                     text=text, today=today - timedelta(days=ago))
             for i, (ago, kind, category, text) in enumerate(FILED)]
    county_desk = SystemActor(county_scope)
    calls = [services.log_call(actor=county_desk, kind=kind, category=category, text=text, caller_name=name,
                               caller_phone=phone, today=today - timedelta(days=ago))
             for ago, kind, category, text, name, phone in CALLS]
    # The daily job, run for each past day: the old ones climb, one level a day at most.
    first = min(c.received_on for c in filed + calls)
    escalated = sum(services.escalate_overdue(actor=SYSTEM_ACTOR, today=first + timedelta(days=n)).total
                    for n in range(1, (today - first).days + 1))
    answers = ["您好，出院小结遗失的，可由医院病案室复印并加盖公章后提交。",
               "补正材料齐全后 15 个工作日内办结，请留意短信通知。",
               "您好，可携带身份证到所在旗县代办点或通过单位工会办理。"]
    answered = [filed[2], filed[3], calls[0]]
    # Each is answered by the level it has reached by now.
    desks = {"county": county_desk, "league": SystemActor(Scope("league", DEMO_LEAGUE, role="office")),
             "province": SYSTEM_ACTOR}
    for complaint, text in zip(answered, answers, strict=True):
        complaint.refresh_from_db()
        services.reply(actor=desks[complaint.level], complaint=complaint, text=text)
    services.close(actor=WorkerActor(workers[2 % len(workers)].pk), complaint=filed[2])
    return (f"投诉咨询：{len(filed)} 件职工手机提交，{len(calls)} 件 12351 来电，{escalated} 次超时升级，"
            f"{len(answered)} 件已答复（其中 1 件已办结）。")
