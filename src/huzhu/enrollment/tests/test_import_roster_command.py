"""`huzhu import-roster`: imports a good file, exit code 2 with reasons on bad input."""
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huzhu.conftest import make_unit
from huzhu.enrollment.models import Coverage

from .conftest import IN_WINDOW, csv_bytes
from .test_imports import good_rows


@pytest.fixture
def unit(hospitalization_2026):
    return make_unit(eligible_headcount=0, female_headcount=0)


def run(path, unit, *extra):
    call_command("import-roster", str(path), "--unit", unit.credit_code, "--year", "2026", "--plan",
                 "hospitalization", "--as-of", IN_WINDOW.isoformat(), *extra)


def test_a_good_csv_is_imported_with_a_summary(tmp_path, unit, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(good_rows(12)))
    run(path, unit)
    out, err = capsys.readouterr()
    assert "导入12人" in out and "12/12 行" in err
    assert Coverage.objects.filter(unit=unit).count() == 12


def test_bad_rows_exit_with_code_2_and_import_nothing(tmp_path, unit, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(good_rows(3) + [("坏", "123", "", "", "")]))
    with pytest.raises(CommandError) as caught:
        run(path, unit)
    assert caught.value.returncode == 2 and "1行有错误" in str(caught.value)
    assert "第5行 身份证号" in capsys.readouterr().err
    assert not Coverage.objects.exists()


def test_valid_only_imports_the_good_rows(tmp_path, unit):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(good_rows(3) + [("坏", "123", "", "", "")]))
    run(path, unit, "--valid-only")
    assert Coverage.objects.count() == 3


@pytest.mark.parametrize(("content", "unit_code", "message"), [
    pytest.param(b"", None, "文件是空的", id="empty file"),
    pytest.param(b"\x89PNG\r\n", None, "不是Excel", id="picture"),
    pytest.param(csv_bytes(good_rows(1)), "911502030000000000", "不存在", id="unknown unit"),
])
def test_bad_input_exits_with_code_2(tmp_path, unit, content, unit_code, message):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as caught:
        call_command("import-roster", str(path), "--unit", unit_code or unit.credit_code, "--year", "2026",
                     "--plan", "hospitalization", "--as-of", date(2025, 11, 1).isoformat())
    assert caught.value.returncode == 2


def test_a_stray_quote_never_puts_full_id_numbers_into_the_error_messages(tmp_path, unit, capsys):
    from huzhu.enrollment.models import ImportRow

    rows = good_rows(6)
    text = csv_bytes(rows).decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    lines[2] = '"' + lines[2]  # an opening quote with no closing one: the cell swallows the rows after it
    path = tmp_path / "roster.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CommandError):
        run(path, unit)
    said = capsys.readouterr()
    stored = " ".join(f"{r.name} {r.error}" for r in ImportRow.objects.all())
    for _name, id_number, *_rest in rows:
        assert id_number not in said.out + said.err
        assert id_number not in stored


def test_people_covered_elsewhere_in_mongolian_digits_are_not_registered_again(tmp_path, unit, hospitalization_2026,
                                                                                capsys):
    from huzhu.members.models import Worker

    from .test_imports import covered_elsewhere

    people = covered_elsewhere(hospitalization_2026)
    mongolian = [("".join(chr(0x1810 + int(c)) if c.isdigit() else c for c in p.reveal_id_number())) for p in people]
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes([(p.name, number, "", "", "") for p, number in zip(people, mongolian, strict=True)]))
    with pytest.raises(CommandError) as caught:
        run(path, unit, "--valid-only")
    assert caught.value.returncode == 2
    assert capsys.readouterr().err.count("包头另一家公司") == 6
    assert Worker.objects.count() == 6 and not Coverage.objects.filter(unit=unit).exists()
