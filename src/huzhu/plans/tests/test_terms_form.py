"""The structured terms form, its Chinese errors and the version diff (no database)."""
from decimal import Decimal

from django.http import QueryDict

from huzhu.plans.default_terms import default_terms
from huzhu.plans.diff import diff_documents, flatten
from huzhu.plans.forms import TermsForm, TermsJsonForm, unflatten


def base(plan: str = "hospitalization") -> dict:
    return default_terms(plan, 2026).model_dump(mode="json")


def posted(document: dict, **overrides) -> QueryDict:
    """What a browser posts for the unchanged form, with some inputs retyped."""
    form = TermsForm(document)
    data = QueryDict(mutable=True)
    for item in form.fields:
        if item.kind == "bool":
            if item.value:
                data[item.path] = "on"
        elif item.kind == "documents":
            data.setlist(item.path, [code for code, _name, checked in item.choices if checked])
        elif item.kind != "fixed":
            data[item.path] = str(item.value)
    for path, value in overrides.items():
        data[path.replace("__", ".")] = value
    return data


def test_flatten_and_unflatten_give_back_the_same_document():
    for plan in ("hospitalization", "women_health"):
        assert unflatten(flatten(base(plan))) == base(plan)


def test_the_unchanged_form_validates_to_the_same_terms():
    for plan in ("hospitalization", "women_health"):
        form = TermsForm(base(plan), posted(base(plan)))
        assert form.is_valid(), form.errors
        assert form.terms == default_terms(plan, 2026)


def test_rates_are_typed_as_percentages():
    form = TermsForm(base(), posted(base(), **{"inpatient.bands.0.rate": "55"}))
    assert form.is_valid(), form.errors
    assert form.terms.inpatient.bands[0].rate == Decimal("0.55")


def test_errors_are_shown_in_chinese_on_the_field_they_concern():
    form = TermsForm(base(), posted(base(), **{
        "inpatient.bands.0.rate": "150", "contribution_amount": "一百", "protection_end_on": "",
    }))
    assert not form.is_valid()
    by_path = {item.path: item.error for item in form.fields}
    assert by_path["inpatient.bands.0.rate"] == "不能大于 100%"
    assert by_path["contribution_amount"] == "应为数字"
    assert by_path["protection_end_on"] == "应为日期（年-月-日）"


def test_bands_that_do_not_meet_are_reported_for_the_bands_as_a_whole():
    form = TermsForm(base(), posted(base(), **{"inpatient.bands.1.lower_amount": "9000"}))
    assert not form.is_valid()
    assert form.other_errors == [("住院补助 · 分段", "各段必须首尾相接（上一段上限 = 下一段下限），只有最后一段可以不设上限")]


def test_required_documents_are_chosen_by_checkbox():
    data = posted(base())
    data.setlist("documents.inpatient", ["invoice", "id_card"])
    form = TermsForm(base(), data)
    assert form.is_valid(), form.errors
    assert form.terms.documents.inpatient == ("invoice", "id_card")


def test_the_json_form_reports_a_syntax_error_with_its_line():
    form = TermsJsonForm(base(), QueryDict(mutable=True) | {"document": '{"plan": }'})
    assert not form.is_valid()
    assert "第 1 行" in form.errors[0][1]


def test_the_diff_lists_only_changed_fields_with_chinese_labels_and_readable_values():
    after = base()
    after["inpatient"]["bands"][1]["rate"] = "0.65"
    after["documents"]["inpatient"] = ["invoice"]
    changes = {c.label: (c.before, c.after) for c in diff_documents(base(), after)}
    assert changes == {
        "住院补助 · 第 2 段 · 比例（%）": ("60%", "65%"),
        "申领材料 · 住院": ("住院结算单、医疗收费票据、身份证复印件、出院小结、银行卡", "医疗收费票据"),
    }
