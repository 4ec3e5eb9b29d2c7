"""The JSON Schemas of the files the blog and the service hand each other, and their
errors in words a person can act on: which field, what it must be, and why not.

Each schema sits beside this module as package data. Its descriptions say what a value
must be; a message quotes the description nearest to the failing keyword.

Two implementations of the same draft read each schema: jsonschema-rs recognises a
valid document (an export holds every comment of the blog: 20,000 comments take it
30 ms, where jsonschema takes seconds, as long as the rest of a Porch build), and
jsonschema explains an invalid one (its best match, and the path to it in the schema,
which finds the description to quote).
"""

import json
from importlib.resources import files

import jsonschema
import jsonschema_rs


class ContractError(ValueError):
    """A document the other side wrote cannot be used; the message says what to fix.

    ``location`` is the path to the wrong value (keys and list indexes), empty when
    the document as a whole is wrong.
    """

    def __init__(self, message: str, location: tuple = ()):
        super().__init__(message)
        self.location = location


class Schema:
    """One of porch_contract's schema files, ready to check documents against."""

    def __init__(self, filename: str):
        text = files(__package__).joinpath(filename).read_text(encoding="utf-8")
        self.document = json.loads(text)
        self.recognise = jsonschema_rs.Draft202012Validator(self.document)
        self.explain = jsonschema.Draft202012Validator(self.document)

    def check(self, instance, where: str) -> None:
        """Raise ContractError naming the first wrong field; ``where`` names the document."""
        if self.recognise.is_valid(instance):
            return
        error = jsonschema.exceptions.best_match(self.explain.iter_errors(instance))
        if error is not None:
            location = tuple(error.absolute_path)
            message = f"{located(where, location)} must be {self._description(error)}"
            raise ContractError(f"{message} ({_why(error)}).", location)

    def _description(self, error: jsonschema.ValidationError) -> str:
        """The description nearest to the failing keyword, on the way to it from the root."""
        node = self.document
        description = node["description"]
        for part in error.absolute_schema_path:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
            if isinstance(node, dict):
                description = node.get("description", description)
        return description


def located(where: str, location: tuple) -> str:
    """``where`` and the path to a value in it, as ``posts[1].slug``."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)
    return f"{where}: {path.lstrip('.')}" if path else where


def _why(error: jsonschema.ValidationError) -> str:
    """jsonschema's reason, without its regular expressions or overlong values."""
    if error.validator == "pattern":
        shown = error.instance if len(error.instance) <= 60 else error.instance[:60] + "…"
        return f"not {shown!r}"
    if error.validator == "maxLength":
        return f"not {len(error.instance)} characters"
    return error.message
