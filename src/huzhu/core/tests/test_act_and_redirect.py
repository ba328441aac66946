"""The POST-view helper: a refusal is an error message, success a success message, out of scope a 404."""
import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import RequestFactory

from huzhu.core.errors import Conflict, NotFound
from huzhu.core.views import act_and_redirect


def _post():
    request = RequestFactory().post("/anything/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _refuse():
    raise Conflict("already_done", "已经处理过了")


def test_success_says_done_built_from_the_result_and_goes_where_the_result_says():
    request = _post()
    response = act_and_redirect(request, lambda: 7, to=lambda n: f"/things/{n}/", back="/things/",
                                done=lambda n: f"第{n}件已保存")
    assert response.url == "/things/7/"
    assert _said(request) == [("success", "第7件已保存")]


def test_a_refusal_shows_its_message_and_goes_back():
    request = _post()
    response = act_and_redirect(request, _refuse, to=lambda n: f"/things/{n}/", back="/things/", done="不该出现")
    assert response.url == "/things/"
    assert _said(request) == [("error", "已经处理过了")]


def test_a_refusal_goes_to_the_same_page_when_no_way_back_is_given_and_may_be_reworded():
    request = _post()
    response = act_and_redirect(request, _refuse, to="/things/1/", failed=lambda error: f"#1：{error.message}")
    assert response.url == "/things/1/"
    assert _said(request) == [("error", "#1：已经处理过了")]


def test_a_record_out_of_scope_is_the_404_page_not_a_message():
    request = _post()

    def out_of_scope():
        raise NotFound()

    with pytest.raises(Http404):
        act_and_redirect(request, out_of_scope, to="/things/", done="不该出现")
    assert _said(request) == []
