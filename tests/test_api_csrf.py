"""The REST API's writes with the session cookie need the CSRF token; with a bearer token not."""
import re

import config
from app import create_app
from app.extensions import db
from tests import scenario

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_a_cookie_signed_in_api_write_needs_the_pages_csrf_token(app, api, world):
    guarded = create_app(config.TestConfig, WTF_CSRF_ENABLED=True,
                         SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        client = guarded.test_client()
        token = TOKEN.search(client.get("/login/").text).group(1)
        signed_in = client.post("/login/", data={"username": "region.almaty", "csrf_token": token,
                                                 "password": scenario.PASSWORD})
        assert signed_in.status_code == 302 and "/login" not in signed_in.location
        body = {"name": "ТОО «Без токена»", "country": 1}
        refused = client.post("/api/v1/investor/", json=body)
        assert refused.status_code == 400 and "X-CSRFToken" in refused.json["message"]
        page_token = TOKEN.search(client.get("/logout/").text).group(1)
        accepted = client.post("/api/v1/investor/", json=body, headers={"X-CSRFToken": page_token})
        assert accepted.status_code == 201, accepted.text
        bearer, headers = api("region.almaty")  # no cookie: the token is the credential
        bearer_app = guarded.test_client()
        assert bearer_app.post("/api/v1/investor/", headers=headers, json={
            "name": "ТОО «С токеном доступа»", "country": 1}).status_code == 201
    finally:
        with guarded.app_context():
            db.session.remove()
            db.engine.dispose()
