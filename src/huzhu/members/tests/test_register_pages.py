"""Registering units and workers through the web: errors beside the field, nothing half-saved."""
from datetime import date

from django.urls import reverse

from huzhu.conftest import KUNDULUN, PASSWORD
from huzhu.core.idnumbers import make_credit_code, make_resident_id
from huzhu.members.models import MemberUnit, Worker


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def worker_form(**overrides):
    data = {"name": "萨仁", "id_number": make_resident_id(KUNDULUN, date(1990, 2, 3), 122), "phone": "13800138000",
            "kind": "employee", "started_on": "2024-03-01", "ethnicity": "蒙古族", "bank_name": "", "bank_account": ""}
    data.update(overrides)
    return data


def test_a_clerk_registers_a_worker_and_lands_on_the_masked_worker_page(client, county_clerk, home_unit):
    login(client, county_clerk)
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(), follow=True)
    assert response.status_code == 200
    worker = Worker.objects.get()
    assert worker.name == "萨仁" and worker.gender == "F"
    assert worker.id_number_masked in response.text
    assert "138****8000" in response.text and "13800138000" not in response.text  # the phone masked too


def test_a_bad_id_number_is_explained_beside_the_field_and_nothing_is_saved(client, county_clerk, home_unit):
    login(client, county_clerk)
    bad = make_resident_id(KUNDULUN, date(1990, 2, 3), 122)[:-1] + "0"
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(id_number=bad + "1"))
    assert response.status_code == 200
    assert "身份证号应为18位" in response.text
    assert not Worker.objects.exists()


def test_a_duplicate_worker_is_refused_with_the_masked_number(client, county_clerk, home_unit):
    login(client, county_clerk)
    client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form())
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(name="另一人"))
    assert "已登记" in response.text
    assert Worker.objects.count() == 1


def test_a_bad_phone_number_is_named(client, county_clerk, home_unit):
    login(client, county_clerk)
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(phone="123"))
    assert "手机号应为11位" in response.text
    assert not Worker.objects.exists()


def test_a_clerk_cannot_register_at_a_unit_of_another_league(client, county_clerk, other_unit):
    login(client, county_clerk)
    response = client.post(reverse("members:worker_create", args=[other_unit.pk]), worker_form())
    assert response.status_code == 404
    assert not Worker.objects.exists()


def test_an_auditor_may_read_but_not_register(client, auditor, home_unit):
    login(client, auditor)
    assert client.get(reverse("members:unit_detail", args=[home_unit.pk])).status_code == 200
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form())
    assert response.status_code == 403
    assert not Worker.objects.exists()


def test_a_clerk_registers_a_unit_in_the_county_with_a_valid_credit_code(client, county_clerk):
    login(client, county_clerk)
    data = {"name": "昆区新单位", "credit_code": make_credit_code("91", KUNDULUN, "MA0X0001"), "county": KUNDULUN,
            "kind": "enterprise", "sector": "", "eligible_headcount": 30, "female_headcount": 10,
            "contact_name": "", "contact_phone": ""}
    client.post(reverse("members:unit_create"), data)
    assert MemberUnit.objects.filter(name="昆区新单位", county_id=KUNDULUN).exists()
    data["credit_code"] = data["credit_code"][:-1] + ("0" if data["credit_code"][-1] != "0" else "1")
    data["name"] = "错误代码单位"
    response = client.post(reverse("members:unit_create"), data)
    assert "校验位不正确" in response.text
    assert not MemberUnit.objects.filter(name="错误代码单位").exists()


def test_a_registered_persons_number_in_devanagari_digits_is_refused_on_the_form(client, county_clerk, home_unit):
    login(client, county_clerk)
    number = make_resident_id(KUNDULUN, date(1990, 2, 3), 38)  # ends in X
    client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(id_number=number))
    devanagari = "".join(chr(0x0966 + int(c)) if c.isdigit() else c for c in number)
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]),
                           worker_form(name="另一人", id_number=devanagari))
    assert f"身份证号 {number[:4]}**********{number[-4:]} 的职工已登记" in response.text
    assert Worker.objects.count() == 1


def test_a_formula_name_is_refused_on_the_form(client, county_clerk, home_unit):
    login(client, county_clerk)
    response = client.post(reverse("members:worker_create", args=[home_unit.pk]), worker_form(name="=1+1"))
    assert "公式" in response.text
    assert not Worker.objects.exists()
