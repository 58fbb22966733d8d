"""The code's shape holds: the web layer is the only one that reads views, the session is
committed at the edges only, and a migration that has landed is never edited again."""

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKER = ROOT / "tracker"
LANDED = ROOT / "migrations" / "landed.sha256"
# Modules of the web layer: they may read other views (the app factory registers them).
WEB = re.compile(r"(^tracker/__init__\.py$|/views\.py$|/views/)")


def _modules() -> list[Path]:
    return sorted(TRACKER.rglob("*.py"))


def test_no_module_outside_the_web_layer_imports_a_views_module():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if not WEB.search(str(path.relative_to(ROOT)))
        and re.search(r"^\s*(from|import) tracker\.[a-z_.]*views", path.read_text(), re.M)
    ]
    assert offenders == []


def test_the_session_is_committed_and_rolled_back_at_the_edges_only():
    """A request, a command and a job commit once, at their edge (tracker/unit_of_work.py);
    nothing else commits or rolls back a caller's session (savepoints are their own)."""
    committing = {
        str(path.relative_to(ROOT))
        for path in _modules()
        if re.search(r"session\.(commit|rollback)\(\)", path.read_text())
    }
    assert committing == {"tracker/unit_of_work.py"}
    assert len(committing) <= 3


def _landed() -> dict[str, str]:
    found = {}
    for line in LANDED.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            found[name] = digest
    return found


def test_a_landed_migration_is_never_edited():
    edited = [
        name
        for name, digest in _landed().items()
        if hashlib.sha256((ROOT / name).read_bytes()).hexdigest() != digest
    ]
    assert edited == [], (
        "these migrations changed after they landed; add a new migration instead: "
        + ", ".join(edited)
    )


def test_every_migration_is_recorded_when_it_lands():
    on_disk = {
        str(path.relative_to(ROOT)) for path in (ROOT / "migrations" / "versions").glob("*.py")
    }
    missing = sorted(on_disk - set(_landed()))
    assert missing == [], (
        "record each new migration as it lands (`sha256sum FILE >> migrations/landed.sha256`): "
        + ", ".join(missing)
    )
