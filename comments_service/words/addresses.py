"""Email addresses as mail will take them, checked by email-validator (syntax only).

An address that passes a home-made pattern can still be one mail refuses, or one
that smuggles a header (``a%0aBcc:x@example.org``). email-validator knows the rules
of RFC 5321/5322 and of international domains. No DNS is asked (the check must not
wait on the network); the local part must be ASCII, as every mail server takes it
(no SMTPUTF8 needed); names under ``.test`` are allowed: RFC 6761 keeps them for
tests, where they cannot reach anyone (Porch's tests and sample data use them).
"""

from email_validator import EmailNotValidError, validate_email


class AddressError(ValueError):
    """Not an address mail can be sent to; the message says why, for a person."""


def mail_address(text: str) -> str:
    """The address as it is stored and mailed: ASCII, an international domain in its
    IDNA form (``xn--``). Raises AddressError."""
    try:
        valid = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, test_environment=True
        )
    except EmailNotValidError as error:
        raise AddressError(str(error)) from None
    return valid.ascii_email
