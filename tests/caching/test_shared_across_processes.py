"""Summaries are cached once for every process, and a write made through one process is seen
on the next view through any other: two real `tracker serve` processes share the cache."""

import json

import pytest
import redis

from tests import factories
from tests.api.conftest import new_token
from tests.security.gunicorn import REDIS_URL, Browser, redis_up, start_server, stop
from tracker.extensions import db


def _persons(browser: Browser, token: str) -> int:
    status, _, body = browser.request(
        "/api/v1/summary", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, body
    return json.loads(body)["total"]["persons"]


KEPT = "tracker:tallies:"


def _kept(store: str, tmp_path) -> int:  # type: ignore[no-untyped-def]
    """How many summaries the shared store holds."""
    if store == "redis":
        return len(redis.Redis.from_url(REDIS_URL).keys(f"{KEPT}*"))
    return len(list((tmp_path / "instance" / "cache").iterdir()))


@pytest.mark.parametrize("store", ["files in the instance folder", "redis"])
def test_a_write_through_one_process_is_read_through_another(app, tmp_path, store):
    if store == "redis" and not redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    researcher = factories.make_user("researcher")
    db.session.commit()
    token = new_token(researcher)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if store == "redis":  # what an earlier run left in the shared Redis
        kept = redis.Redis.from_url(REDIS_URL)
        for key in kept.keys(f"{KEPT}*"):
            kept.delete(key)
    # Two processes of one installation: the same instance folder, so the same cache folder
    # (or the same Redis).
    cache = {"cache_url": f"{REDIS_URL}"} if store == "redis" else {}
    writer, writer_base = start_server(url, tmp_path / "instance", **cache)
    reader, reader_base = start_server(url, tmp_path / "instance", **cache)
    try:
        reading, writing = Browser(reader_base), Browser(writer_base)
        assert _persons(reading, token) == 0  # now cached, for the current data version
        assert _kept(store, tmp_path), "the summary should be in the shared store"
        status, _, body = writing.request(
            "/api/v1/persons",
            headers={"Authorization": f"Bearer {token}"},
            json_body={"family_name": "Ri", "given_name": "Sun-hui"},
        )
        assert status == 201, body
        assert _persons(reading, token) == 1
        assert _persons(writing, token) == 1
    finally:
        stop(writer)
        stop(reader)
