"""The OpenAPI document and the docs page: served by the app, nothing from a CDN."""
import re


def test_the_docs_page_loads_swagger_ui_from_the_apps_own_static_files(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets


def test_the_openapi_document_lists_error_responses_and_the_webhook(client, db):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/me/claims/{claim_id}/documents"]["post"]
    assert {"201", "401", "404", "409", "422", "507"} <= set(map(str, operation["responses"]))
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}
    assert "claim.status_changed" in document["webhooks"]
