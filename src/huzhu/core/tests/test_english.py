"""English through Django i18n: the catalogue covers every msgid, and the main pages speak English."""
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from huzhu.conftest import PASSWORD
from huzhu.plans import services

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text.strip()[1:-1])


def catalogue_entries(path: Path) -> list[dict]:
    """The .po's entries as {"msgid", "msgstr": [...], "flags"}, read with the standard library."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line or (line.startswith("#") and key and key.startswith("msgstr")):
            if entry and entry["msgid"]:
                entries.append(entry)
            entry, key = None, None
            if not line:
                continue
        if line.startswith("#~"):
            continue
        entry = entry or {"msgid": "", "msgid_plural": "", "msgctxt": "", "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key.startswith("msgstr"):
                entry["msgstr"][key] += _unquote(line)
            else:
                entry[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            if key.startswith("msgstr"):
                entry["msgstr"][key] = _unquote(rest)
            else:
                entry[key] = _unquote(rest)
    return entries


def header_and_nav(html: str) -> str:
    """The top bar (brand, main navigation, who is signed in) of a page."""
    match = re.search(r'<header class="topbar">.*?</header>', html, re.S)
    assert match, "page has no top bar"
    return match.group(0)


def in_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_every_msgid_of_the_english_catalogue_is_translated():
    entries = catalogue_entries(CATALOGUE)
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, "untranslated msgids (see scripts/i18n_check.py):\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy msgids:\n" + "\n".join(fuzzy)


def test_the_compiled_catalogue_matches_the_po():
    mo = CATALOGUE.with_suffix(".mo")
    assert mo.exists(), "run `huzhu compilemessages` and commit django.mo"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [e["msgid"] for e in catalogue_entries(CATALOGUE)
             if not e["msgid_plural"] and not e["msgctxt"] and compiled.gettext(e["msgid"]) != e["msgstr"]["msgstr"]]
    assert not stale, "django.mo is older than django.po; run `huzhu compilemessages`:\n" + "\n".join(stale)


def test_without_a_choice_the_pages_are_in_chinese(client, db):
    page = client.get(reverse("login"))
    assert 'lang="zh-hans"' in page.text
    assert "工作人员登录" in page.text and "Staff login" not in page.text


def test_the_login_page_in_english(client, db):
    in_english(client)
    page = client.get(reverse("login")).text
    assert 'lang="en"' in page
    for text in ("Staff login", "Username", "Password", "Log in", "Benefit calculator"):
        assert text in page
    assert "工作人员登录" not in page
    assert not CJK.search(header_and_nav(page))


def test_accept_language_en_also_gives_english(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Staff login" in page


def test_the_calculator_in_english(client, db):
    services.install_default_plans()
    in_english(client)
    page = client.get(reverse("portal:calculator")).text
    for text in ("Benefit calculator", "About you", "Gender", "Date of birth", "Event 1",
                 "Calculate benefit", "Add another event", "Outpatient special/chronic disease"):
        assert text in page
    assert "算清互助账" not in page and "计算补助金" not in page
    assert not CJK.search(header_and_nav(page))
    result = client.get(reverse("portal:calculator"), {
        "action": "calculate", "plan": "hospitalization", "year": "2026", "gender": "F",
        "birth_date": "1985-03-02", "consecutive_years": "3", "kind": "employee",
        "e0_type": "inpatient", "e0_start": "2026-03-01", "e0_end": "2026-03-11", "e0_self_pay": "15000.00",
    }).text
    assert "Total benefit" in result and "Inpatient 2026-03-01 to 2026-03-11" in result


def test_the_policy_page_in_english(client, db):
    services.install_default_plans()
    in_english(client)
    page = client.get(reverse("portal:policy_year", args=["hospitalization", 2026])).text
    for text in ("Who can join", "How to join", "What it pays", "What to bring", "When to claim",
                 "Daily hospital allowance", "find your nearest agency point"):
        assert text in page
    assert "谁能参加" not in page
    assert "Jan. 1, 2026 to Dec. 31, 2026" in page  # dates in the language's own format
    assert not CJK.search(header_and_nav(page))


def test_a_staff_page_in_english(client, county_clerk):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    in_english(client)
    page = client.get(reverse("members:worker_list")).text
    nav = header_and_nav(page)
    for text in ("Home", "Member units", "Workers", "Group enrollment", "Claim review", "Log out", "Agency point"):
        assert text in nav
    assert not CJK.search(nav), CJK.findall(nav)
    assert "Search" in page and "No matching workers." in page
