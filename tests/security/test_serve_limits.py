"""Limits hold exactly with the default set-up: `tracker serve` runs one process (with threads)
while the limiter counts in memory, and several only with a shared store (issue 16, finding 3)."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import factories
from tests.security.gunicorn import Browser, start_server, stop
from tracker.extensions import db
from tracker.serve import choose_workers

WRONG = "not the password, sorry"


def test_one_process_while_the_store_is_memory_and_several_once_it_is_shared():
    assert choose_workers("memory://", None) == 1
    assert choose_workers("redis://127.0.0.1:6379/0", None) == 2
    assert choose_workers("redis://127.0.0.1:6379/0", 8) == 8
    assert choose_workers("memory://", 1) == 1
    with pytest.raises(ValueError, match="TRACKER_RATELIMIT_STORAGE_URL"):
        choose_workers("memory://", 4)


def test_serve_refuses_several_processes_on_a_memory_store(runner, monkeypatch):
    import tracker.serve

    started = []
    monkeypatch.setattr(tracker.serve, "run_gunicorn", lambda *args: started.append(args))
    refused = runner.invoke(args=["serve", "--workers", "2"])
    assert refused.exit_code == 2
    assert "TRACKER_RATELIMIT_STORAGE_URL" in refused.output
    assert started == []
    assert runner.invoke(args=["serve"]).exit_code == 0
    (_app, _host, _port, workers, threads) = started[0]
    assert (workers, threads) == (1, 4)


def test_account_limit_is_exact_under_concurrent_guesses_with_the_default_serve(app, tmp_path):
    """Eight wrong passwords at once against one account, through `tracker serve` as started
    by default: exactly five are checked, the others refused."""
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    process, base = start_server(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=None
    )
    try:
        browsers = [Browser(base) for _ in range(8)]
        tokens = []
        for browser in browsers:
            _, _, page = browser.request("/login")
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert token
            tokens.append(factories.sensitive(token.group(1)))
        start = threading.Barrier(len(browsers))

        def guess(n: int) -> int:
            start.wait()
            status, _, _ = browsers[n].request(
                "/login",
                {"email": "ana@example.org", "password": WRONG, "csrf_token": tokens[n]},
            )
            return status

        with ThreadPoolExecutor(len(browsers)) as pool:
            statuses = sorted(pool.map(guess, range(len(browsers))))
        assert statuses == [401] * 5 + [429] * 3
    finally:
        stop(process)
