"""Names that read as a staff member's are reserved, however they are spelled."""

import pytest

from comments_service.services.names import is_reserved, skeleton

STAFF = ["Ana Lima", "Émile Ørsted", "李小龍"]


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
    ],
)
def test_lookalikes_of_staff_names_are_reserved(name):
    assert is_reserved(name, STAFF)


def test_accents_tell_names_apart_as_they_do_on_the_page():
    assert not is_reserved("Emile Orsted", STAFF)
    assert not is_reserved("Jose", ["José"])


@pytest.mark.parametrize(
    "name", ["Anna Lima", "Ana Limas", "Ana", "Lima", "José", "Zoë", "李小龙", "Jo Reader", "Émile"]
)
def test_other_names_are_not_reserved(name):
    assert not is_reserved(name, STAFF)


def test_a_name_of_only_punctuation_reserves_nothing():
    assert not is_reserved("...", STAFF + ["---"])


def test_a_skeleton_keeps_letters_of_every_script():
    assert skeleton("李小龍") == "李小龍"
    assert skeleton("Zoë") != skeleton("Zoe")


def test_no_staff_means_no_reserved_names():
    assert not is_reserved("Ana Lima", [])
