"""An installed (non-editable) wheel still finds templates/ and migrations/."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import sys, tracker
from flask_migrate import upgrade
assert tracker.__file__.startswith(sys.argv[1]), tracker.__file__
settings = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2]}
app = tracker.create_app(settings)
with app.app_context():
    upgrade()
response = app.test_client().get("/setup")
assert response.status_code == 200, response.status_code
assert b"Create the first admin" in response.data
korean = app.test_client().get("/setup", headers={"Accept-Language": "ko"})
assert "첫 관리자 계정 만들기" in korean.get_data(as_text=True)
print("ok")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )
    return next(out.glob("*.whl"))


def test_wheel_carries_templates_and_migrations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/templates/base.html" in names
    assert "tracker/migrations/env.py" in names
    assert any(name.startswith("tracker/migrations/versions/0001") for name in names)
    assert "tracker/static/tracker.css" in names
    assert "tracker/translations/ko/LC_MESSAGES/messages.po" in names
    assert "tracker/translations/en/LC_MESSAGES/messages.po" in names


def test_installed_wheel_migrates_and_serves_pages(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    completed = subprocess.run(
        [sys.executable, "-c", CHECK, str(target), str(tmp_path / "t.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(target), "PATH": ""},
        cwd=tmp_path,
    )
    assert completed.stdout.strip().endswith("ok"), completed.stderr
