"""A teacher takes courses with their own account: "My training" on the teacher pages
makes (once) their learner profile in the "Teacher training" class and opens it on this
browser; nobody else can open it from the tablets' names; leaving it goes back to the
teacher's sign-in; a deactivated account's training sign-ins end with it."""

from kit.assignments import assign
from kit.models import Assignment, Certificate, Classroom, Learner, WebSession
from kit.roster import add_learner, create_class, update_learner
from kit.users import create_user
from tests.teach.helpers import post, sign_in

from .conftest import take_quiz

TINA = ("tina", "tina-password-2")


def _teacher(course_app, who=TINA, name="Tina Teacher"):
    create_user("boss", "admin", "boss-password-1", "The Boss")
    create_user(who[0], "teacher", who[1], name)
    client = course_app.test_client()
    assert sign_in(client, who).status_code == 302
    return client


def _open_training(client):
    return post(client, "/teach/training", page="/teach/training")


def test_my_training_makes_the_profile_once_and_opens_it_as_a_learner(course_app):
    client = _teacher(course_app)
    page = client.get("/teach/training").get_data(as_text=True)
    assert "Open my training" in page and "teachers trained" in page
    assert (
        Classroom.select().where(Classroom.name == "Teacher training").count() == 0
    )  # nothing made by looking

    opened = _open_training(client)
    assert opened.status_code == 302 and opened.headers["Location"] == "/lessons"
    profile = Learner.get(Learner.teacher.is_null(False))
    assert profile.display_name == "Tina Teacher" and profile.classroom.name == "Teacher training"
    assert client.get("/teach/").status_code == 302  # the teacher pages closed on this browser
    lessons = client.get("/lessons").get_data(as_text=True)
    assert "My lessons" in lessons and "Sign out of my training (Tina Teacher)" in lessons

    assign(profile.classroom_id, "mini")
    take_quiz(profile.id, "01-count")
    take_quiz(profile.id, "02-shapes")
    cert = Certificate.get(Certificate.learner == profile.id)
    assert "You earned a certificate!" in client.get("/lessons").get_data(as_text=True)

    left = post(client, "/signout", page="/lessons")
    assert left.status_code == 302 and left.headers["Location"] == "/teach/login"
    assert client.get("/lessons").status_code == 302
    assert sign_in(client, TINA).status_code == 302
    mine = client.get("/teach/training").get_data(as_text=True)
    assert f"certificate {cert.code}" in mine
    _open_training(client)
    assert Learner.select().where(Learner.teacher.is_null(False)).count() == 1  # the same profile again


def test_nobody_else_opens_a_teachers_training_from_the_tablets(course_app):
    teacher = _teacher(course_app)
    _open_training(teacher)
    profile = Learner.get(Learner.teacher.is_null(False))
    tablet = course_app.test_client()
    names = tablet.get(f"/class/{profile.classroom_id}").get_data(as_text=True)
    assert "Tina Teacher" not in names
    from tests.learn.test_pages import csrf

    form = tablet.get(f"/class/{course_app.config['TEST_IDS']['class']}").get_data(as_text=True)
    refused = tablet.post("/signin", data={"learner_id": profile.id, "csrf_token": csrf(form)})
    assert refused.status_code == 403
    assert "This page is not for you" in refused.get_data(as_text=True)
    assert tablet.get("/lessons").status_code == 302  # not signed in
    assert tablet.get(f"/signin/{profile.id}").status_code == 403


def test_deactivating_the_account_or_a_new_password_ends_its_training_sign_in(course_app):
    from kit.users import set_password

    client = _teacher(course_app)
    _open_training(client)
    profile = Learner.get(Learner.teacher.is_null(False))
    assert WebSession.select().where(WebSession.learner == profile.id).count() == 1
    set_password(profile.teacher_id, "tina-password-3")
    assert WebSession.select().where(WebSession.learner == profile.id).count() == 0
    assert client.get("/lessons").status_code == 302


def test_a_learner_already_in_the_class_under_the_teachers_name_becomes_theirs(course_app):
    room = create_class("Teacher Training")  # another case: still the one class
    by_hand = add_learner(room.id, name="Tina Teacher", avatar="owl", colour="red")
    assign(room.id, "mini")
    take_quiz(by_hand.id, "01-count")
    client = _teacher(course_app)
    _open_training(client)
    assert Learner.get_by_id(by_hand.id).teacher_id is not None
    assert Classroom.select().count() == 2  # the fixture's class and this one, no new one
    assert Assignment.select().where(Assignment.classroom == room).count() == 1  # left as the teacher set it
    assert "Done" in client.get("/lessons").get_data(as_text=True)  # the progress came with it


def test_a_second_teacher_with_the_same_name_gets_their_own_profile(course_app):
    first = _teacher(course_app)
    _open_training(first)
    create_user("tina2", "teacher", "tina-password-9", "Tina Teacher")
    second = course_app.test_client()
    assert sign_in(second, ("tina2", "tina-password-9")).status_code == 302
    _open_training(second)
    names = sorted(learner.display_name for learner in Learner.select().where(Learner.teacher.is_null(False)))
    assert names == ["Tina Teacher", "Tina Teacher (tina2)"]


def test_a_deactivated_learner_of_the_teachers_name_is_not_taken_over(course_app):
    room = create_class("Teacher training")
    gone = add_learner(room.id, name="Tina Teacher", avatar="owl", colour="red")
    update_learner(gone.id, active=False)
    client = _teacher(course_app)
    assert _open_training(client).headers["Location"] == "/lessons"
    profile = Learner.get(Learner.teacher.is_null(False))
    assert profile.id != gone.id and profile.display_name == "Tina Teacher (tina)"


def test_a_deactivated_profile_is_said_and_nothing_changes(course_app):
    client = _teacher(course_app)
    _open_training(client)
    profile = Learner.get(Learner.teacher.is_null(False))
    assert sign_in(client, TINA).status_code == 302
    update_learner(profile.id, active=False)
    refused = _open_training(client)
    assert refused.status_code == 302 and refused.headers["Location"] == "/teach/training"
    page = client.get("/teach/training").get_data(as_text=True)
    assert "has been deactivated" in page
    assert client.get("/teach/").status_code == 200  # still the teacher on this browser
    assert Learner.select().where(Learner.teacher.is_null(False)).count() == 1


def test_a_new_training_class_gets_the_teacher_training_course_in_the_teachers_language(course_app, tmp_path):
    import yaml

    from kit.models import User
    from kit.packs.archive import build
    from kit.packs.install import import_pack

    from .helpers import course_pack

    for pack_id, language in (("teaching-with-tablets", "en"), ("teaching-with-tablets-fr", "fr")):
        src = course_pack(tmp_path / pack_id, pack_id=pack_id)
        meta = yaml.safe_load((src / "pack.yaml").read_text())
        (src / "pack.yaml").write_text(yaml.safe_dump({**meta, "language": language}, allow_unicode=True))
        import_pack(
            build(src, tmp_path / f"{pack_id}.kitpack") and tmp_path / f"{pack_id}.kitpack",
            course_app.config["KIT"],
        )
    client = _teacher(course_app)
    User.update(language="fr").where(User.username == TINA[0]).execute()
    _open_training(client)
    room = Classroom.get(Classroom.name == "Teacher training")
    assert [a.pack_id for a in Assignment.select().where(Assignment.classroom == room)] == [
        "teaching-with-tablets-fr"
    ]
    assert Learner.get(Learner.teacher.is_null(False)).language == "fr"
