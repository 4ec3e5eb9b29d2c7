"""Checks of a folder of gettext catalogs: complete, faithful to the source, compiled.

``invoke translations --check`` and the tests run them over every catalog. A folder holds
``messages.pot`` (the English source, extracted) and ``<lang>/LC_MESSAGES/messages.po``
with its compiled ``messages.mo`` beside it (docs/translating.md).
"""

import os
import re
from io import BytesIO

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# The number a plural message is said for: a language may leave it out of a form ("one
# comment" as a word, Arabic's zero, one and two).
COUNT = "num"


def languages(folder: str) -> list[str]:
    """The languages the folder has a catalog for, in name order."""
    return sorted(
        name
        for name in os.listdir(folder)
        if os.path.isfile(os.path.join(folder, name, "LC_MESSAGES", f"{DOMAIN}.po"))
    )


def read_catalog(path: str, locale=None):
    with open(path, "rb") as file:
        return read_po(file, locale=locale)


def check_catalogs(folder: str) -> list[str]:
    """Every problem of every catalog in the folder, as a line a translator can act on."""
    source = read_catalog(os.path.join(folder, f"{DOMAIN}.pot"))
    problems = []
    for language in languages(folder):
        po = os.path.join(folder, language, "LC_MESSAGES", f"{DOMAIN}.po")
        catalog = read_catalog(po, locale=language)
        problems += [f"{po}: {problem}" for problem in catalog_problems(source, catalog)]
        problems += [f"{po}: {problem}" for problem in compiled_problems(po, catalog)]
    return problems


def catalog_problems(source, catalog) -> list[str]:
    """Messages missing, fuzzy, empty or with placeholders not the source's."""
    problems = []
    for message in source:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        label = message.id if isinstance(message.id, str) else message.id[0]
        if translated is None:
            problems.append(f"{label!r} is not in the catalog (run invoke translations)")
        elif translated.fuzzy:
            problems.append(f"{label!r} is marked fuzzy")
        else:
            problems += placeholder_problems(label, message.id, translated.string)
    if catalog.fuzzy:
        problems.append("the catalog's header is marked fuzzy")
    return problems


def placeholder_problems(label: str, source_id, strings) -> list[str]:
    """A translation must say every placeholder of its source and no other; a plural form
    may leave out the count."""
    if isinstance(source_id, str):
        forms, wanted, optional = [strings], set(PLACEHOLDER.findall(source_id)), set()
    else:
        forms = list(strings)
        wanted = set(PLACEHOLDER.findall(source_id[1])) | set(PLACEHOLDER.findall(source_id[0]))
        optional = {COUNT}
    problems = []
    for number, form in enumerate(forms):
        if not form:
            problems.append(f"{label!r} has no translation (form {number})")
            continue
        said = set(PLACEHOLDER.findall(form))
        if said - wanted or (wanted - optional) - said:
            problems.append(
                f"{label!r} form {number} says {sorted(said)}, the source {sorted(wanted)}"
            )
    return problems


def compiled_problems(po: str, catalog) -> list[str]:
    """The compiled messages.mo beside the catalog must hold what the catalog holds."""
    mo = os.path.splitext(po)[0] + ".mo"
    if not os.path.isfile(mo):
        return ["messages.mo is missing (run invoke translations)"]
    with open(mo, "rb") as file:
        compiled = read_mo(file)
    if messages_of(compiled) != messages_of(recompiled(catalog)):
        return ["messages.mo is older than messages.po (run invoke translations)"]
    return []


def recompiled(catalog):
    """The catalog as ``pybabel compile`` would write it, read back."""
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return read_mo(buffer)


def messages_of(catalog) -> dict:
    return {as_key(message.id): as_key(message.string) for message in catalog if message.id}


def as_key(text):
    """A message's id or string, a plural's forms as a tuple (a compiled catalog gives lists)."""
    return tuple(text) if isinstance(text, list | tuple) else text
