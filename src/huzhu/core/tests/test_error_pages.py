"""404 and 500 pages in Chinese, also under the development default (DEBUG on)."""
import pytest
from django.template.loader import render_to_string

from huzhu.conftest import PASSWORD


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_an_unknown_page_is_the_chinese_404_in_both_modes(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "Page not found" not in page and "URLconf" not in page


def test_a_record_outside_the_scope_is_the_chinese_404_under_debug(client, settings, county_clerk):
    settings.DEBUG = True
    assert client.login(username=county_clerk.username, password=PASSWORD)
    response = client.get("/claims/987654/")
    assert response.status_code == 404 and "记录不存在或不在您的管辖范围内" in response.content.decode()


def test_the_api_keeps_its_json_404(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and "页面不存在" not in response.content.decode()


def test_the_500_page_is_chinese_and_needs_no_request():
    page = render_to_string("500.html")
    assert "服务器出错" in page and "Server Error" not in page
