"""The health check, the request id and errors logged with their traceback."""

import io
import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import path

from maillage import urls as project_urls


def _fail(request):
    raise RuntimeError("deliberate failure for the log test")


urlpatterns = [path("fail/", _fail), *project_urls.urlpatterns]
handler500 = project_urls.handler500


@pytest.mark.django_db
def test_health_answers_ok_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_keeps_a_sensible_given_one(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert given.headers["X-Request-ID"] == "proxy-1234abcd"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["X-Request-ID"] != "<script>"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_error_is_logged_with_traceback_and_request_id_and_the_page_gives_the_id():
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "stderr"]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        client = Client(raise_request_exception=False)
        response = client.get("/fail/", headers={"X-Request-ID": "report-5678efgh"})
    finally:
        handler.setStream(previous)
    assert response.status_code == 500
    body = response.content.decode()
    assert "report-5678efgh" in body
    assert "<html lang=" in body
    logged = written.getvalue()
    # The configured stderr handler wrote the line with the id, then the traceback.
    assert "ERROR [report-5678efgh] django.request: Internal Server Error: /fail/" in logged
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: deliberate failure for the log test" in logged


def test_django_messages_reach_standard_error_without_debug():
    # Django's own console handler prints only with DEBUG on; ours does not depend on it.
    logger = logging.getLogger("django.request")
    assert logger.getEffectiveLevel() <= logging.ERROR
    assert settings.LOGGING["root"]["handlers"] == ["stderr"]
    assert settings.LOGGING["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
