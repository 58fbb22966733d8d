"""Vocabularies are data: an admin adds, renames and retires terms on a page or with
`tracker vocab`; forms, the importer and the API take a term by code, name or other name; a
retired term stays on the records that hold it."""

from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.places.models import Facility
from tracker.places.services import facilities
from tracker.vocab.models import VocabularyTerm


def _term(vocabulary, code):
    db.session.expire_all()
    return db.session.execute(
        select(VocabularyTerm).where(
            VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code
        )
    ).scalar_one_or_none()


def test_an_admin_adds_a_term_that_forms_and_files_then_accept(client, login_as, tmp_path):
    login_as("admin")
    page = client.get("/admin/vocabularies?vocabulary=facility_kind")
    assert page.status_code == 200 and "detention_centre" in page.get_data(as_text=True)
    token = csrf_token(client, "/admin/vocabularies?vocabulary=facility_kind")
    added = client.post(
        "/admin/vocabularies/facility_kind",
        data={
            "csrf_token": token,
            "code": "igsa",
            "label_en": "IGSA facility",
            "label_ko": "IGSA 시설",
            "aliases": "intergovernmental service agreement; IGSA",
        },
        follow_redirects=True,
    )
    assert "The term igsa was added." in added.get_data(as_text=True)
    assert _term("facility_kind", "igsa").aliases == ["intergovernmental service agreement", "IGSA"]
    assert db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "vocabulary.add")
    ).scalar_one()

    researcher = factories.make_user("researcher")
    # By its code, its name in either language, or another name: the same term.
    for written in ("igsa", "IGSA facility", "IGSA 시설", "Intergovernmental Service Agreement"):
        assert facilities.create(researcher, {"name": written, "kind": written}).kind == "igsa"
    db.session.commit()
    form = client.get("/facilities/new").get_data(as_text=True)
    assert '<option value="igsa">IGSA facility</option>' in form


def test_a_retired_term_stays_on_its_records_and_leaves_the_forms(client, login_as):
    admin = login_as("admin")
    facility = facilities.create(admin, {"name": "Tumen", "kind": "labour_camp"})
    db.session.commit()
    token = csrf_token(client, "/admin/vocabularies?vocabulary=facility_kind")
    client.post(
        "/admin/vocabularies/facility_kind/labour_camp",
        data={"csrf_token": token, "action": "retire"},
    )
    assert _term("facility_kind", "labour_camp").active is False
    assert db.session.get(Facility, facility.id).kind == "labour_camp"
    form = client.get("/facilities/new").get_data(as_text=True)
    assert 'value="labour_camp"' not in form
    edit = client.get(f"/facilities/{facility.id}/edit").get_data(as_text=True)
    assert 'selected value="labour_camp">Labour camp (no longer listed)' in edit  # kept
    saved = client.post(
        f"/facilities/{facility.id}/edit",
        data={
            "csrf_token": csrf_token(client, f"/facilities/{facility.id}/edit"),
            "version": str(facility.version),
            "name": "Tumen camp",
            "kind": "labour_camp",
        },
    )
    assert saved.status_code == 302  # saving the form never drops the retired term
    page = client.get(f"/facilities/{facility.id}").get_data(as_text=True)
    assert "Labour camp" in page  # its name stays
    refused = client.post(
        "/facilities/new",
        data={
            "csrf_token": csrf_token(client, "/facilities/new"),
            "name": "X",
            "kind": "labour_camp",
        },
    )
    assert refused.status_code == 422


def test_renaming_keeps_the_code_and_a_name_cannot_mean_two_terms(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/vocabularies?vocabulary=status")
    client.post(
        "/admin/vocabularies/status/vanished",
        data={
            "csrf_token": token,
            "label_en": "Disappeared",
            "label_ko": "실종",
            "aliases": "vanished",
        },
    )
    term = _term("status", "vanished")
    assert (term.label_en, term.label_ko) == ("Disappeared", "실종")
    clash = client.post(
        "/admin/vocabularies/status/released",
        data={"csrf_token": token, "label_en": "Disappeared", "label_ko": "석방"},
        follow_redirects=True,
    )
    assert "already has this name" in clash.get_data(as_text=True)
    assert _term("status", "released").label_en == "Released"
    protected = client.post(
        "/admin/vocabularies/status/vanished",
        data={"csrf_token": token, "action": "retire"},
        follow_redirects=True,
    )
    assert "rename it, but keep it" in protected.get_data(as_text=True)
    assert _term("status", "vanished").active


def test_only_admins_keep_the_vocabularies(client, login_as):
    login_as("researcher")
    assert client.get("/admin/vocabularies").status_code == 403


def test_the_command_line_adds_renames_and_retires(runner):
    added = runner.invoke(
        args=["vocab", "add", "facility_kind", "contract", "--en", "Contract", "--ko", "계약 시설"]
    )
    assert added.exit_code == 0, added.output
    renamed = runner.invoke(
        args=["vocab", "rename", "facility_kind", "contract", "--en", "Contract facility"]
    )
    assert renamed.exit_code == 0, renamed.output
    assert _term("facility_kind", "contract").label_en == "Contract facility"
    assert _term("facility_kind", "contract").label_ko == "계약 시설"
    retired = runner.invoke(args=["vocab", "retire", "facility_kind", "contract"])
    assert retired.exit_code == 0 and _term("facility_kind", "contract").active is False
    listed = runner.invoke(args=["vocab", "list", "facility_kind"])
    assert (
        "contract\tContract facility\t계약 시설" in listed.output and "(retired)" in listed.output
    )
    bad = runner.invoke(
        args=["vocab", "add", "facility_kind", "Bad Code", "--en", "x", "--ko", "y"]
    )
    assert bad.exit_code == 1 and "lower-case" in bad.output
    missing = runner.invoke(args=["vocab", "retire", "nonsense", "x"])
    assert missing.exit_code == 1 and "no such vocabulary" in missing.output
