"""Staff passwords: long enough, three character classes, none of the last five again."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD

NEW = ["Grassland-2026a", "Grassland-2026b", "Grassland-2026c", "Grassland-2026d", "Grassland-2026e",
       "Grassland-2026f"]


@pytest.mark.parametrize("password, ok", [
    ("alllowercaseletters", False), ("lowercase12345", False), ("Lowercase12345", True),
    ("lower-case-1234", True), ("Short-1a", False),
], ids=["one class", "two classes", "three classes", "symbols count", "too short"])
def test_a_password_needs_ten_characters_of_three_classes(password, ok, db):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def _change(client, old, new):
    return client.post("/security/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_clerk_changes_her_password_and_may_not_reuse_the_last_five(client, county_clerk):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    current = PASSWORD
    for new in NEW:
        assert _change(client, current, new).status_code == 302
        current = new
    assert AuditEvent.objects.filter(action="password.changed", object_id=str(county_clerk.pk)).count() == len(NEW)
    for reused in NEW[-5:]:
        refused = _change(client, current, reused)
        assert refused.status_code == 200 and "最近 5 次" in refused.text
    assert _change(client, current, NEW[0]).status_code == 302  # six changes ago: allowed again


def test_the_password_page_says_the_rules(client, county_clerk):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    page = client.get("/security/password/").text
    assert "至少 3 类" in page and "最近 5 次" in page
