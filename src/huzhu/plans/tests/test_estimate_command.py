"""`huzhu estimate FILE.json` prints DOMAIN.md's answer; malformed input exits with code 2 naming the field."""
import json

import pytest
from django.core.management import call_command

from huzhu.plans.api import DOMAIN_EXAMPLE
from huzhu.plans.management.commands.estimate import Command
from huzhu.plans.services import install_default_plans

from .test_estimate_api import DOMAIN_ANSWER


@pytest.fixture
def plans(db):
    install_default_plans()


def run(argv):
    """Run the command as the `huzhu` script does; the exit code, as SystemExit, when it fails."""
    Command().run_from_argv(["huzhu", "estimate", *argv])


def test_estimate_command_prints_the_domain_answer(plans, tmp_path, capsys):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(DOMAIN_EXAMPLE), encoding="utf-8")
    call_command("estimate", str(request))
    assert capsys.readouterr().out.strip() == DOMAIN_ANSWER


def test_estimate_command_exits_0_on_a_good_request(plans, tmp_path, capsys):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(DOMAIN_EXAMPLE), encoding="utf-8")
    run([str(request)])  # no SystemExit: exit code 0
    assert json.loads(capsys.readouterr().out)["total"] == "9800.00"


@pytest.mark.parametrize(("content", "field"), [
    pytest.param("{not json", "body", id="not-json"),
    pytest.param(json.dumps({**DOMAIN_EXAMPLE, "year": 1999}), "year", id="year-out-of-range"),
    pytest.param(json.dumps({**DOMAIN_EXAMPLE, "events": [{"type": "inpatient"}]}), "events.0.admitted",
                 id="admitted-missing"),
])
def test_malformed_file_exits_with_code_2_and_names_the_field(plans, tmp_path, capsys, content, field):
    request = tmp_path / "request.json"
    request.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        run([str(request)])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert field in captured.err


def test_missing_file_exits_with_code_2(plans, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run([str(tmp_path / "absent.json")])
    assert exit_.value.code == 2
    assert "file" in capsys.readouterr().err
