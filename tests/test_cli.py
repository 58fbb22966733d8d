"""The `tracker` command line."""

import subprocess
import sys

from sqlalchemy import select

from tracker.accounts.models import ApiToken, User
from tracker.accounts.services import hash_token
from tracker.extensions import db


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "r@example.org", "--role", "researcher", "--password-stdin"],
        input="a fine long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User)).scalar_one()
    assert (user.email, user.role) == ("r@example.org", "researcher")
    assert "a fine long password" not in user.password_hash


def test_users_create_prompts_for_the_password_twice(runner):
    result = runner.invoke(
        args=["users", "create", "r@example.org", "--role", "analyst"],
        input="a fine long password\na fine long password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(User.role)).scalar_one() == "analyst"


def test_users_create_rejects_bad_input_without_a_traceback(runner):
    for args, stdin, message in (
        (
            ["users", "create", "not-an-email", "--role", "admin", "--password-stdin"],
            "a fine long password\n",
            "valid email",
        ),
        (
            ["users", "create", "a@example.org", "--role", "admin", "--password-stdin"],
            "short\n",
            "at least 12",
        ),
        (
            ["users", "create", "a@example.org", "--role", "king", "--password-stdin"],
            "a fine long password\n",
            "king",
        ),
    ):
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0
        assert message in result.output
        assert "Traceback" not in result.output
    assert db.session.execute(select(User)).first() is None


def test_users_token_prints_a_token_once_and_stores_only_its_hash(runner):
    runner.invoke(
        args=["users", "create", "r@example.org", "--role", "researcher", "--password-stdin"],
        input="a fine long password\n",
    )
    result = runner.invoke(args=["users", "token", "r@example.org", "--name", "laptop script"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[0]
    assert plain.startswith("rt_")
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert token.token_hash == hash_token(plain)
    assert token.name == "laptop script"
    assert plain not in token.token_hash


def test_users_token_for_an_unknown_account_fails(runner):
    result = runner.invoke(args=["users", "token", "nobody@example.org", "--name", "x"])
    assert result.exit_code != 0
    assert "No account" in result.output


def test_console_script_is_a_flask_group_with_routes_and_serve():
    for args in (["routes"], ["serve", "--help"], ["db", "--help"], ["sample", "--help"]):
        completed = subprocess.run(
            [sys.executable, "-m", "tracker", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"TRACKER_SECRET_KEY": "x" * 40, "TRACKER_DATABASE_URL": "sqlite://", "PATH": ""},
        )
        assert completed.returncode == 0, completed.stderr
    assert (
        "/setup"
        in subprocess.run(
            [sys.executable, "-m", "tracker", "routes"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"TRACKER_SECRET_KEY": "x" * 40, "TRACKER_DATABASE_URL": "sqlite://", "PATH": ""},
        ).stdout
    )
