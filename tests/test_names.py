"""Names that read as a staff member's are reserved, however they are spelled.

Asked of the database as the API asks it: one lookup of the name's skeleton among the
skeletons stored with the staff names.
"""

import pytest

from comments_service.extensions import db
from comments_service.models import Staff
from comments_service.services.seldom_changed import reads_as_staff
from comments_service.words.names import skeleton

STAFF = ["Ana Lima", "Émile Ørsted", "李小龍", "Morgan Reyes"]


@pytest.fixture
def is_reserved(app, make_staff):
    """Store the given staff once, then ask whether a name reads as one of them."""
    stored = set()

    def ask(name: str, staff_names) -> bool:
        for n, staff_name in enumerate(staff_names):
            if staff_name not in stored:
                make_staff(staff_name, email=f"staff{len(stored)}-{n}@porch.test")
                stored.add(staff_name)
        with app.app_context():
            return reads_as_staff(name)

    return ask


@pytest.mark.parametrize(
    "name",
    [
        "Ana\u200b Lima",  # zero-width space
        "Ana\u00a0Lima",  # no-break space
        "\u0410na Lima",  # Cyrillic capital A
        "Ana Lima.",  # trailing punctuation
        "ana lima",
        "ANA LIMA",
        "  Ana   Lima ",
        "Ana-Lima",
        "Ana L\u0456ma",  # Cyrillic small i
        "Ana Iima",  # capital I for small l
        "Ana \U0001d40bima",  # mathematical bold L
        "\uff21na Lima",  # fullwidth A
        "Ana\u034fLima",  # combining grapheme joiner
        "Ana Lima\ufe0f",  # variation selector
        "ÉMILE ØRSTED",
        "E\u0301mile Ørsted",  # decomposed é
        "Ana Li\u0307ma",  # a combining dot above the i, which has one already
        "Ana Lirna",  # rn for m
        "Morgan Reyes (admin)",
        "Morgan Reyes [Staff]",
        "Morgan Reyes (site admin)",
        "Morgan Reyes, the author",
        "Morgan Reyes | team",
        "Admin Morgan Reyes",
        "[author] Ana Lima",
        "Morgan Reyes (\u0430dmin)",  # Cyrillic а in the role
    ],
)
def test_lookalikes_of_staff_names_are_reserved(is_reserved, name):
    assert is_reserved(name, STAFF)


def test_accents_tell_names_apart_as_they_do_on_the_page(is_reserved):
    assert not is_reserved("Emile Orsted", STAFF)
    assert not is_reserved("Jose", ["José"])


@pytest.mark.parametrize(
    "name",
    [
        "Anna Lima",
        "Ana Limas",
        "Ana",
        "Lima",
        "José",
        "Zoë",
        "李小龙",
        "Jo Reader",
        "Émile",
        "Ana Lima-Souza",  # a double surname is another person
        "Ana Lima Souza",
        "Ana Lina",
        "Morgan",
        "Morgan Reyes (reader)",  # says who it is not
        "Admin",
        "(staff)",
    ],
)
def test_other_names_are_not_reserved(is_reserved, name):
    assert not is_reserved(name, STAFF)


def test_rn_and_m_read_alike_both_ways(is_reserved):
    assert is_reserved("Bjøm Berg", ["Bjørn Berg"])
    assert is_reserved("Bjørn Berg", ["Bjørn Berg"])
    assert not is_reserved("Bjarne Berg", ["Bjørn Berg"])


def test_a_staff_name_with_a_loose_mark_is_still_reserved_as_written(is_reserved):
    """Staff skeletons are stored as they always were; a reader's reading as written stays."""
    assert is_reserved("İlkay Şahin", ["İlkay Şahin"])
    assert is_reserved("Ilkay Şahin", ["İlkay Şahin"]) is False


def test_a_name_of_only_punctuation_reserves_nothing(is_reserved):
    assert not is_reserved("...", STAFF + ["---"])


def test_a_skeleton_keeps_letters_of_every_script():
    assert skeleton("李小龍") == "李小龍"
    assert skeleton("Zoë") != skeleton("Zoe")


def test_no_staff_means_no_reserved_names(is_reserved):
    assert not is_reserved("Ana Lima", [])


def test_a_renamed_staff_member_reserves_the_new_name(app, is_reserved):
    assert is_reserved("Ana Lima", STAFF)
    with app.app_context():
        ana = db.session.scalar(db.select(Staff).where(Staff.name == "Ana Lima"))
        ana.name = "Ana Souza"
        db.session.commit()
    assert not is_reserved("Ana Lima", [])
    assert is_reserved("ana souza", [])


def test_a_reader_cannot_post_under_a_staff_name(client, make_post, make_staff):
    make_post("hello")
    make_staff("Ana Lima")
    answer = client.post(
        "/api/posts/hello/comments",
        json={"author_name": "Аna Lima", "body": "Hi"},
        headers={"Origin": "http://blog.test"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {
        "author_name": "That name belongs to a member of staff; please use your own."
    }
