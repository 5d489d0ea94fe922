"""Classes and learners: add, edit, deactivate; CSV import plans, errors by line, never deletes."""

import pytest

from kit import roster
from kit.errors import Conflict, KitError
from kit.models import Classroom, Learner
from kit.pictures import check_picture_password


def snapshot():
    """Everything an import could change, to prove that a refused one changed nothing."""
    return (
        [(c.name, c.active, c.version) for c in Classroom.select().order_by(Classroom.id)],
        [
            (l.display_name, l.classroom_id, l.avatar, l.colour, l.language, l.active, l.version)
            for l in Learner.select().order_by(Learner.id)
        ],
    )


def test_add_edit_and_deactivate_learner(teach_app, ids):
    kofi = roster.add_learner(ids["class"], name="  Kofi   Mensah ", picture_password="star+tree")
    assert kofi.display_name == "Kofi Mensah"
    assert kofi.avatar and kofi.colour  # chosen for the teacher
    assert check_picture_password(kofi.picture_password, ["tree", "star"])
    roster.update_learner(kofi.id, name="Kofi M.", colour="purple")
    roster.update_learner(kofi.id, active=False)
    kofi = Learner.get_by_id(kofi.id)
    assert (kofi.display_name, kofi.colour, kofi.active) == ("Kofi M.", "purple", False)
    assert [l.display_name for l in roster.list_learners(ids["class"])] == ["Ada", "Ben"]


def test_new_learners_get_different_looks(teach_app, ids):
    looks = {
        (l.avatar, l.colour) for l in (roster.add_learner(ids["class"], name=f"L{n}") for n in range(30))
    }
    assert len(looks) == 30


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "the name must not be empty"),
        ({"name": "x" * 61}, "longer than 60"),
        ({"name": "Zed", "avatar": "unicorn"}, "avatar 'unicorn' is not one of"),
        ({"name": "Zed", "colour": "mauve"}, "colour 'mauve' is not one of"),
        ({"name": "Zed", "language": "xx"}, "language 'xx' is not one of"),
        ({"name": "Zed", "picture_password": "sun"}, "two different pictures"),
        ({"name": "Zed", "picture_password": "sun+sun"}, "two different pictures"),
        ({"name": "ada"}, "already in Class A"),
    ],
)
def test_add_learner_refuses_bad_input_and_changes_nothing(teach_app, ids, fields, message):
    before = snapshot()
    with pytest.raises(KitError, match=message):
        roster.add_learner(ids["class"], **fields)
    assert snapshot() == before


def test_classes_rename_deactivate_and_refuse_duplicates(teach_app, ids):
    room = roster.create_class("Morning")
    with pytest.raises(Conflict, match="already exists"):
        roster.create_class("morning")
    with pytest.raises(Conflict, match="already exists"):
        roster.update_class(room.id, name="Class A")
    roster.update_class(room.id, name="Evening", active=False)
    assert [c.name for c in roster.list_classes()] == ["Class A"]
    assert {c.name for c in roster.list_classes(include_inactive=True)} == {"Class A", "Evening"}


def test_class_name_with_like_wildcards_is_matched_exactly(teach_app):
    roster.create_class("A_b")
    roster.create_class("Axb")  # would collide if "_" were a LIKE wildcard
    assert roster.find_class("a_b").name == "A_b"


CSV_GOOD = "name,avatar,colour,picture_password,language\nAda,owl,red,,\nKofi,,,sun+moon,fr\n"


def test_import_plan_changes_nothing_then_apply_adds_and_updates(teach_app, ids):
    before = snapshot()
    plan = roster.plan_import(CSV_GOOD.encode(), "class a")
    assert snapshot() == before
    assert [(r.line, r.action) for r in plan.rows] == [(2, "update"), (3, "add")]
    result = roster.apply_import(plan)
    assert (result["added"], result["updated"]) == (1, 1)
    ada = Learner.get_by_id(ids["ada"])
    assert (ada.avatar, ada.colour) == ("owl", "red")
    kofi = Learner.get(Learner.display_name == "Kofi")
    assert kofi.language == "fr" and check_picture_password(kofi.picture_password, ["sun", "moon"])
    # Ben is not in the file: still there, still active.
    assert Learner.get_by_id(ids["ben"]).active


def test_import_never_deletes_and_reactivates_named_learners(teach_app, ids):
    roster.update_learner(ids["ada"], active=False)
    other = roster.create_class("Other")
    roster.add_learner(other.id, name="Zoe")
    roster.apply_import(roster.plan_import(b"name\nAda\n", "Class A"))
    assert Learner.get_by_id(ids["ada"]).active
    assert Learner.get_by_id(ids["ben"]).active
    assert Learner.select().where(Learner.display_name == "Zoe").exists()
    assert Classroom.select().count() == 2


def test_import_unchanged_rows_do_not_bump_versions(teach_app, ids):
    before = snapshot()
    plan = roster.plan_import(b"name,avatar,colour\nAda,cat,blue\n", "Class A")
    assert [r.action for r in plan.rows] == ["unchanged"]
    roster.apply_import(plan)
    assert snapshot() == before


def test_import_creates_a_missing_class(teach_app):
    plan = roster.plan_import(b"name\nAmi\n", "New class")
    assert not plan.class_exists
    roster.apply_import(plan)
    assert [l.display_name for l in roster.find_class("New class").learners] == ["Ami"]


def test_import_reads_excel_flavours(teach_app):
    text = "\ufeffNom;Couleur;Avatar\r\nÉlodie;blue;frog\r\n\r\nYao;;\r\n"
    plan = roster.plan_import(text.encode("utf-8"), "Class A")
    assert plan.errors == []
    assert [(r.line, r.fields["name"]) for r in plan.rows] == [(2, "Élodie"), (4, "Yao")]


def test_import_bad_lines_are_named_and_skipped(teach_app, ids):
    before = snapshot()
    text = (
        "name,avatar,picture_password\n"
        "Kofi,cat,\n"  # 2 good
        "Esi,unicorn,\n"  # 3 bad avatar
        ",dog,\n"  # 4 empty name
        "kofi,dog,\n"  # 5 duplicate of line 2
        "Yaw,dog,sun\n"  # 6 one picture
        "Abena,dog,,extra\n"  # 7 too many values
        "Kwame,bee,moon+star\n"
    )  # 8 good
    plan = roster.plan_import(text.encode(), "Class A")
    assert snapshot() == before
    lines = dict(plan.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "avatar 'unicorn'" in lines[3]
    assert "name must not be empty" in lines[4]
    assert "already on line 2" in lines[5]
    assert "two different pictures" in lines[6]
    assert "4 values but only 3 columns" in lines[7]
    result = roster.apply_import(plan)
    assert result["skipped_lines"] == [3, 4, 5, 6, 7]
    names = {l.display_name for l in roster.list_learners(ids["class"])}
    assert names == {"Ada", "Ben", "Kofi", "Kwame"}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"name\n", "names no learners"),
        (b"first,last\nA,B\n", "line 1: unknown column 'first'"),
        (b"avatar\ncat\n", "at least 'name'"),
        ("name\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"name\n" + b"x" * (600 * 1024), "larger than 512 KB"),
        ("name\n" + "x" * (600 * 1024), "larger than 512 KB"),  # the preview's text field
    ],
)
def test_import_refuses_bad_files_and_changes_nothing(teach_app, data, message):
    before = snapshot()
    with pytest.raises(KitError, match=message):
        roster.plan_import(data, "Class A")
    assert snapshot() == before


def test_import_page_previews_then_imports_good_lines(teacher, ids):
    import io

    from .helpers import csrf_token

    url = f"/teach/classes/{ids['class']}/import"
    token = csrf_token(teacher, f"/teach/classes/{ids['class']}/roster")
    csv_text = "name,avatar\nKofi,cat\nEsi,unicorn\n"
    preview = teacher.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Line 3: avatar &#39;unicorn&#39; is not one of" in page
    assert not Learner.select().where(Learner.display_name == "Kofi").exists()
    done = teacher.post(url, data={"csrf_token": token, "confirm": "yes", "csv_text": csv_text})
    assert done.status_code == 302
    assert Learner.select().where(Learner.display_name == "Kofi").exists()
    assert not Learner.select().where(Learner.display_name == "Esi").exists()
    roster_page = teacher.get(done.location).get_data(as_text=True)
    assert "1 added, 0 updated" in roster_page and "Lines not imported: 3." in roster_page


def test_roster_pages_add_edit_deactivate(teacher, ids):
    from .helpers import post

    page = f"/teach/classes/{ids['class']}/roster"
    post(
        teacher,
        f"/teach/classes/{ids['class']}/learners",
        {"name": "Kofi", "avatar": "owl", "picture": ["sun", "moon"]},
        page=page,
    )
    kofi = Learner.get(Learner.display_name == "Kofi")
    assert kofi.avatar == "owl" and kofi.picture_password
    refused = post(teacher, f"/teach/classes/{ids['class']}/learners", {"name": "Kofi"}, page=page)
    assert "already in Class A" in teacher.get(refused.location).get_data(as_text=True)
    edit = f"/teach/learners/{kofi.id}/edit"
    post(
        teacher,
        edit,
        {"name": "Kofi B", "avatar": "owl", "colour": "red", "language": "fr", "clear_pictures": "1"},
        page=edit,
    )
    kofi = Learner.get_by_id(kofi.id)
    assert (kofi.display_name, kofi.colour, kofi.language, kofi.picture_password) == (
        "Kofi B",
        "red",
        "fr",
        "",
    )
    post(teacher, edit, {"action": "deactivate"}, page=edit)
    assert not Learner.get_by_id(kofi.id).active


def test_teacher_sets_sign_language_first_on_the_roster(teacher, ids):
    from .helpers import post

    edit = f"/teach/learners/{ids['ada']}/edit"
    fields = {"name": "Ada", "sign_first_shown": "1"}
    assert 'name="sign_first" value="1">' in teacher.get(edit).get_data(as_text=True)  # not ticked yet
    post(teacher, edit, {**fields, "sign_first": "1"}, page=edit)
    ada = Learner.get_by_id(ids["ada"])
    assert ada.sign_first and ada.version == 2
    roster_page = teacher.get(f"/teach/classes/{ids['class']}/roster").get_data(as_text=True)
    assert "Sign language first" in roster_page
    assert 'name="sign_first" value="1" checked>' in teacher.get(edit).get_data(as_text=True)
    post(teacher, edit, {"name": "Ada", "colour": "red"}, page=edit)  # a form without the box: unchanged
    assert Learner.get_by_id(ids["ada"]).sign_first
    post(teacher, edit, fields, page=edit)  # the box shown and left unticked: off
    assert not Learner.get_by_id(ids["ada"]).sign_first


def test_import_sets_sign_language_first_and_an_empty_cell_keeps_it(teach_app, ids):
    roster.set_sign_first(ids["ben"], True)
    text = "name,Sign language first\nAda,yes\nBen,\nKofi,non\nEsi,1\n"
    plan = roster.plan_import(text.encode(), "Class A")
    assert plan.errors == []
    assert [(r.fields["name"], r.action) for r in plan.rows] == [
        ("Ada", "update"),
        ("Ben", "unchanged"),
        ("Kofi", "add"),
        ("Esi", "add"),
    ]
    roster.apply_import(plan)
    first = {l.display_name: l.sign_first for l in roster.list_learners(ids["class"])}
    assert first == {"Ada": True, "Ben": True, "Kofi": False, "Esi": True}
    off = roster.plan_import(b"name,sign_first\nBen,no\n", "Class A")
    assert [r.action for r in off.rows] == ["update"]
    roster.apply_import(off)
    assert not Learner.get_by_id(ids["ben"]).sign_first


def test_import_names_a_sign_first_cell_it_cannot_read(teach_app, ids):
    before = snapshot()
    plan = roster.plan_import(b"name,sign_first\nKofi,maybe\nEsi,yes\n", "Class A")
    assert snapshot() == before
    assert plan.errors == [(2, "sign_first is 'maybe': write yes or no (or leave it empty)")]
    assert [r.fields["name"] for r in plan.rows] == ["Esi"]
