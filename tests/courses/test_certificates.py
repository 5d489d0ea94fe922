"""Certificates: issued once when the pass rule is met, signed by the kit's own key;
every forgery (changed score, changed name, another kit's key, unknown or revoked code)
is shown as not valid."""

import json
import stat

import pytest

from kit.courses import certificates, codes, signing
from kit.db import database, write
from kit.models import Certificate, Event

from .conftest import take_quiz


def _certificate(learner_id):
    return Certificate.get_or_none(Certificate.learner == learner_id)


def test_no_certificate_until_the_rule_is_met_then_exactly_one(course_app):
    amina = course_app.config["TEST_IDS"]["amina"]
    take_quiz(amina, "02-shapes")  # the final first: lesson 01 is not mastered yet
    assert _certificate(amina) is None
    take_quiz(amina, "01-count", right=False)  # 2 of 4: not mastered
    assert _certificate(amina) is None
    take_quiz(amina, "01-count", attempt=2)
    cert = _certificate(amina)
    assert cert is not None and cert.score_pct == 100 and cert.pack_id == "mini"
    take_quiz(amina, "02-shapes", attempt=2)
    assert Certificate.select().where(Certificate.learner == amina).count() == 1
    events = Event.select().where(Event.kind == "certificate_issued")
    assert [e.learner_id for e in events] == [amina]


def test_final_failed_beyond_the_allowed_attempts_earns_nothing(course_app):
    ben = course_app.config["TEST_IDS"]["ben"]
    take_quiz(ben, "01-count")
    take_quiz(ben, "02-shapes", attempt=1, right=False)
    take_quiz(ben, "02-shapes", attempt=2, right=False)
    take_quiz(ben, "02-shapes", attempt=3)  # course allows two attempts at the final
    assert _certificate(ben) is None


def test_the_certificate_is_signed_by_the_kits_key_and_names_the_learner_by_initials(course_app, course_kit):
    amina = course_app.config["TEST_IDS"]["amina"]
    take_quiz(amina, "01-count")
    take_quiz(amina, "02-shapes")
    cert = _certificate(amina)
    doc = cert.document
    assert doc["site"] == "Mopti Truck 3" and doc["holder_initials"] == "A. D."
    assert "Amina" not in json.dumps(doc)
    assert doc["title"] == "Certificate in counting and shapes" and doc["credit_hours"] == "1.5"
    assert codes.normalise(doc["code"]) == doc["code"] == cert.code
    assert signing.verify(doc, cert.signature, signing.public_key_text(course_kit))
    key = course_kit / "signing_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert certificates.check(cert.code.lower().replace("-", " ")).status == "valid"


def _issue(course_app):
    amina = course_app.config["TEST_IDS"]["amina"]
    take_quiz(amina, "01-count")
    take_quiz(amina, "02-shapes")
    return _certificate(amina)


def _tamper(cert, **changes):
    with write():
        Certificate.update(**changes).where(Certificate.id == cert.id).execute()


def test_a_changed_score_is_not_valid(course_app):
    cert = _issue(course_app)
    _tamper(cert, document={**cert.document, "score_pct": 100 if cert.score_pct != 100 else 99})
    verdict = certificates.check(cert.code)
    assert verdict.status == "invalid" and "signature" in verdict.reason


def test_a_changed_name_is_not_valid(course_app):
    cert = _issue(course_app)
    _tamper(cert, holder_name="Someone Else")
    assert certificates.check(cert.code).status == "invalid"


def test_a_certificate_replayed_from_another_kit_is_not_valid(course_app, tmp_path):
    cert = _issue(course_app)
    other = tmp_path / "other-kit"
    other.mkdir()
    doc = {**cert.document, "kit": "another-kit-uuid"}
    _tamper(cert, document=doc, signature=signing.sign(doc, other))
    assert certificates.check(cert.code).status == "invalid"
    # …and signed by this kit's key but naming another kit: still not this kit's certificate.
    _tamper(cert, signature=signing.sign(doc, certificates.data_dir()))
    verdict = certificates.check(cert.code)
    assert verdict.status == "invalid" and verdict.reason == "issued by another kit"


def test_an_unknown_code_is_unknown_and_a_typo_is_named(course_app):
    _issue(course_app)
    code = codes.new_code()
    assert certificates.check(code).status == "unknown"
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    with pytest.raises(codes.BadCode, match="typo"):
        certificates.check(typo)
    with pytest.raises(codes.BadCode, match="O, U never appear"):
        certificates.check("OUAA-AAAA-AAAA")


def test_a_revoked_code_shows_revoked_with_its_reason(course_app):
    cert = _issue(course_app)
    with write():
        database.execute_sql(
            "INSERT INTO certificate_revocation (code, reason, revoked_at) VALUES (?, ?, ?)",
            (cert.code, "issued in error", "2026-12-07T10:00:00Z"),
        )
    verdict = certificates.check(cert.code)
    assert verdict.status == "revoked" and verdict.reason == "issued in error"


def test_progress_rebuild_remakes_the_certificates_without_issuing_new_ones(course_app, kit, course_kit):
    cert = _issue(course_app)
    before = [(c.code, c.signature, c.event_seq) for c in Certificate.select()]
    events = Event.select().count()
    database.close()
    kit("progress", "rebuild", env={"KIT_DATA": str(course_kit)})
    database.connect(reuse_if_open=True)
    assert [(c.code, c.signature, c.event_seq) for c in Certificate.select()] == before
    assert Event.select().count() == events
    assert certificates.check(cert.code).status == "valid"


def test_the_signing_key_is_made_once(tmp_path):
    first = signing.public_key_text(tmp_path)
    signing._keys.clear()
    assert signing.public_key_text(tmp_path) == first
    assert signing.verify({"a": 1}, signing.sign({"a": 1}, tmp_path), first)
    assert not signing.verify({"a": 2}, signing.sign({"a": 1}, tmp_path), first)
    assert not signing.verify({"a": 1}, "not-a-signature", first)
    with pytest.raises(signing.BadKey):
        signing.load_public_key("short")


def test_codes_are_unambiguous_and_check_themselves():
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000
    for code in list(seen)[:200]:
        assert len(code) == 14 and code.count("-") == 2
        assert not set(code) & set("01OILU")
        assert codes.normalise(code.lower()) == code


def test_a_tablet_cannot_post_a_certificate(course_app):
    """Only the kit issues certificates: the kind is unknown to the events API."""
    from kit.event_schema import BadEvent
    from kit.events import record
    from tests.learn.conftest import make_event

    amina = course_app.config["TEST_IDS"]["amina"]
    forged = make_event("certificate_issued", {"document": {}, "signature": "x"}, lesson="02-shapes")
    with pytest.raises(BadEvent, match="unknown kind 'certificate_issued'"):
        record([forged], amina)
    assert Certificate.select().count() == 0 and Event.select().count() == 0


def test_backup_and_restore_keep_the_signing_key(course_app, course_kit, tmp_path):
    """A restored kit signs with the same key, so the hub still knows its certificates."""
    from tests.conftest import run_kit

    cert = _issue(course_app)
    key = signing.public_key_text(course_kit)
    database.close()
    run_kit(course_kit, "backup", "--out", tmp_path / "kit.tar")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run_kit(fresh, "restore", tmp_path / "kit.tar")
    assert (fresh / "signing_key").read_text() == (course_kit / "signing_key").read_text()
    assert signing.public_key_text(fresh) == key
    verified = run_kit(fresh, "certificates", "verify", cert.code)
    assert f"{cert.code}: valid" in verified.stdout
