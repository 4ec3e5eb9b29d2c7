"""Reading an author's reply by email: the new words without the quote, who sent it, to whom.

The fixtures in fixtures/mail are replies in the shapes Gmail, Outlook, Apple Mail and
Thunderbird send, each quoting the reader's comment below the answer. The quote must never
reach the published answer, and neither must the signature.
"""

import email
import email.policy
import random
from dataclasses import dataclass
from pathlib import Path

import dkim
import pytest
from dkim import dknewkey

from comments_service.services.inbound.message import (
    Incoming,
    dkim_passes,
    message_key,
    read_message,
)

MAIL = Path(__file__).parent / "fixtures" / "mail"
QUESTION = "Does the lantern work in the rain?"


@dataclass(frozen=True)
class Answer:
    reply: str
    sender: str
    recipients: tuple[str, ...]
    signature: str | None = None  # text below the answer that must not be published


ANSWERS = {
    "thunderbird_plain_de.eml": Answer(
        "Ja, die Laterne ist nach IPX4 geschützt: Regen und Spritzwasser machen\nihr nichts aus.",
        "anna@porch.example",
        ("reply+c42.k7f3@porch.example",),
        signature="Leuchten für draußen",
    ),
    "gmail_alternative_en.eml": Answer(
        "Good question! Yes, it does:\n\n- the housing is sealed\n"
        "- the switch sits under a rubber cap\n\nCheers, Ben",
        "ben.okafor@gmail.example",
        ("reply+c42.k7f3@porch.example", "anna@porch.example", "ben.okafor@gmail.example"),
        signature="Porch field team",
    ),
    "gmail_html_only_es.eml": Answer(
        "Sí, funciona bajo la lluvia. Más detalles en el [manual](https://porch.example/manual).",
        "lucia@correo.example",
        ("reply+c43.p2q9@porch.example",),
    ),
    "gmail_plain_text_mode_es.eml": Answer(
        "Sí, la linterna aguanta la lluvia sin problema.",
        "lucia@correo.example",
        ("reply+c53.w9x0@porch.example",),
        signature="escribió",
    ),
    "outlook_desktop_en.eml": Answer(
        "Thanks for asking \u2013 yes, it\u2019s rated for outdoor use.",
        "chris@porch.example",
        ("reply+c44.z8x1@porch.example",),
        signature="Chris Hale",
    ),
    "outlook_original_message.eml": Answer(
        "Yes. We tested it under a garden hose for an hour.",
        "dana@porch.example",
        ("reply+c45.m3n4@porch.example",),
    ),
    "outlook_web_html_fr.eml": Answer(
        "Oui, elle résiste à la pluie : le boîtier est étanche.",
        "zoe@porch.example",
        ("reply+c46.f5g6@porch.example",),
    ),
    "apple_mail_de_iphone.eml": Answer(
        "Ja, sie ist wasserdicht. Ich habe sie selbst drei Winter lang draußen gehabt.",
        "juergen@porch.example",
        ("reply+c47.h7j8@porch.example",),
        signature="Von meinem iPhone gesendet",
    ),
    "apple_mail_fr_alternative.eml": Answer(
        "Oui, aucun souci sous la pluie.",
        "camille@porch.example",
        ("reply+c48.k9l0@porch.example",),
        signature="Envoyé de mon iPhone",
    ),
    "apple_mail_es_iphone.eml": Answer(
        "Sí, sin problema con la lluvia.",
        "mateo@porch.example",
        ("reply+c49.n1p2@porch.example",),
        signature="Enviado desde mi iPhone",
    ),
    "thunderbird_alternative_en.eml": Answer(
        "Yes, it works in the rain. See https://porch.example/lantern for the rating.",
        "erik@porch.example",
        ("reply+c50.q3r4@porch.example",),
        signature="Erik Lund",
    ),
    "forwarded_chain.eml": Answer(
        "Our engineer confirmed it: the lantern is fine in the rain, even in a storm.",
        "farah@porch.example",
        ("reply+c51.s5t6@porch.example",),
    ),
    "with_attachment.eml": Answer(
        "Yes, the test report is attached.",
        "gus@porch.example",
        ("reply+c52.u7v8@porch.example",),
    ),
}

# The same answers read from the HTML alternative alone, as if the client sent no plain text.
HTML_ANSWERS = {
    "gmail_alternative_en.eml": "Good question! Yes, it does:\n\n* the housing is sealed\n"
    "* the switch sits under a rubber cap\n\nCheers, Ben",
    "outlook_desktop_en.eml": "Thanks for asking \u2013 yes, it\u2019s rated for outdoor use.",
    "apple_mail_fr_alternative.eml": "Oui, aucun souci sous la pluie.",
    "thunderbird_alternative_en.eml": "Yes, it works in the rain. See "
    "<https://porch.example/lantern> for the rating.",
    "with_attachment.eml": "Yes, the test report is attached.",
}

MACHINE_MAIL = {
    "auto_reply_en.eml": "Auto-Submitted: auto-replied",
    "out_of_office_de.eml": "out-of-office subject",
    "bounce.eml": "delivery report",
}


def fixture(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def simple_message(headers: str = "", body: str = "Yes, it does.\n") -> bytes:
    """A plain reply with the given extra header lines."""
    base = "From: Anna Berg <anna@porch.example>\nTo: reply+c1.x@porch.example\n"
    base += "Subject: Re: New comment\nMessage-ID: <one@porch.example>\n"
    return f"{base}{headers}\n{body}".encode()


def html_alternative_only(raw: bytes) -> bytes:
    """The message as it would be if the client had sent its HTML part alone."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    message.clear_content()
    message.set_content(html, subtype="html")
    return message.as_bytes()


def test_every_fixture_is_checked():
    assert {path.name for path in MAIL.glob("*.eml")} == set(ANSWERS) | set(MACHINE_MAIL)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_the_reply_is_the_answer_without_quote_or_signature(name):
    expected = ANSWERS[name]
    incoming = read_message(fixture(name))
    assert incoming.reply == expected.reply
    assert QUESTION not in incoming.reply
    assert QUESTION in incoming.received_text  # the quote was there, and was left out
    if expected.signature:
        assert expected.signature not in incoming.reply
        assert expected.signature in incoming.received_text
    assert incoming.automatic is None


@pytest.mark.parametrize("name", sorted(HTML_ANSWERS))
def test_html_only_replies_read_the_same(name):
    incoming = read_message(html_alternative_only(fixture(name)))
    assert incoming.reply == HTML_ANSWERS[name]
    assert QUESTION in incoming.received_text


@pytest.mark.parametrize(
    "html",
    [
        # Gmail, quoting a forward: the quote is no blockquote, its header in Portuguese.
        '<div dir="ltr">Yes, it does.</div><div class="gmail_quote"><div class="gmail_attr">'
        "Em seg., 7 de dez. de 2026 às 10:00, Porch escreveu:</div>"
        f"<div>{QUESTION}</div></div>",
        # Thunderbird with the "-- " line turned off, its signature below the quote.
        "<p>Yes, it does.</p>"
        '<div class="moz-cite-prefix">Em 07/12/2026 10:00, Porch escreveu:<br></div>'
        f'<blockquote type="cite">{QUESTION}</blockquote>'
        '<div class="moz-signature">Erik Lund<br>Porch</div>',
        # Outlook on the web: the quote follows the marker, outside any container.
        '<div>Yes, it does.</div><div id="appendonsend"></div><hr>'
        f'<div id="divRplyFwdMsg"><b>De:</b> Porch</div><div>{QUESTION}</div>',
    ],
)
def test_html_quote_containers_are_left_out(html):
    raw = simple_message("Content-Type: text/html; charset=utf-8\n", html)
    incoming = read_message(raw)
    assert incoming.reply == "Yes, it does."
    assert QUESTION in incoming.received_text


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_sender_and_recipients(name):
    expected = ANSWERS[name]
    incoming = read_message(fixture(name))
    assert incoming.sender == expected.sender
    assert incoming.sender_domain == expected.sender.partition("@")[2]
    assert incoming.recipients == expected.recipients


def test_recipients_keep_header_order_without_repeats():
    raw = simple_message(
        "Delivered-To: reply+c1.x@porch.example\nX-Original-To: Alias@Porch.example\n"
        "Cc: anna@porch.example, REPLY+c1.x@porch.example\n"
    )
    assert read_message(raw).recipients == (
        "reply+c1.x@porch.example",
        "alias@porch.example",
        "anna@porch.example",
    )


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("apple_mail_de_iphone.eml", "Re: Neuer Kommentar zu \u201eDie Laterne\u201c"),
        ("outlook_web_html_fr.eml", "RE: Nouveau commentaire sur « La lanterne »"),
        ("thunderbird_plain_de.eml", 'Re: New comment on "The porch lantern"'),
    ],
)
def test_subjects_are_decoded(name, subject):
    assert read_message(fixture(name)).subject == subject


def test_an_encoded_sender_name_leaves_the_address():
    incoming = read_message(fixture("outlook_web_html_fr.eml"))
    assert (incoming.sender, incoming.sender_domain) == ("zoe@porch.example", "porch.example")


def test_attachments_are_ignored():
    incoming = read_message(fixture("with_attachment.eml"))
    assert "SPRAY TEST REPORT" not in incoming.received_text
    assert "PDF" not in incoming.received_text


def test_markdown_lists_survive():
    """A line starting with "- " is a list item, not a signature."""
    reply = read_message(simple_message(body="Two things:\n\n- sealed\n- tested\n")).reply
    assert reply == "Two things:\n\n- sealed\n- tested"


@pytest.mark.parametrize(
    ("body", "reply"),
    [
        (
            "Good point.\nThanks, I will check the seal tomorrow.\n",
            "Good point.\nThanks, I will check the seal tomorrow.",
        ),
        ("Good point.\n\nThanks,\nAna\n", "Good point."),
        ("Good point.\n\nBest regards,\nAna Lima\nHead of Support\n", "Good point."),
    ],
    ids=["a-sentence-starting-with-thanks", "thanks-and-a-name", "regards-and-a-title"],
)
def test_a_sentence_that_starts_like_a_sign_off_is_kept(body, reply):
    """Only a short sign-off line starts a signature; a sentence is part of the answer."""
    assert read_message(simple_message(body=body)).reply == reply


def test_a_quote_with_no_line_introducing_it_is_dropped():
    body = f"Yes, it does.\n\n> {QUESTION}\n"
    assert read_message(simple_message(body=body)).reply == "Yes, it does."


def test_outlook_headers_with_no_break_spaces_start_the_quote():
    body = (
        "Oui, elle est étanche.\n\nDe\xa0: Porch <reply+c1.x@porch.example>\n"
        "Envoyé\xa0: lundi 7 décembre 2026 10:00\nÀ\xa0: Zoé\nObjet\xa0: Nouveau commentaire\n\n"
        f"{QUESTION}\n"
    )
    raw = simple_message("Content-Type: text/plain; charset=utf-8\n", body)
    assert read_message(raw).reply == "Oui, elle est étanche."


def test_a_message_with_no_text_reads_empty():
    raw = simple_message("Content-Type: image/png\nContent-Transfer-Encoding: base64\n", "iVBO\n")
    incoming = read_message(raw)
    assert (incoming.reply, incoming.received_text) == ("", "")


@pytest.mark.parametrize(("name", "why"), sorted(MACHINE_MAIL.items()))
def test_machine_mail_says_why(name, why):
    assert read_message(fixture(name)).automatic == why


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ("Auto-Submitted: auto-generated\n", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes\n", "X-Autoreply header"),
        ("X-Autorespond: Out of office\n", "X-Autorespond header"),
        ("Precedence: bulk\n", "Precedence: bulk"),
        ("Precedence: auto_reply\n", "Precedence: auto_reply"),
        ("Precedence: junk\n", "Precedence: junk"),
        ("Precedence: List\n", "Precedence: list"),
        ("Return-Path: <>\n", "empty Return-Path"),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n", None),
    ],
)
def test_machine_headers(headers, why):
    raw = simple_message(headers)
    if why is None:  # a report with its parts
        raw += b"--b\nContent-Type: text/plain\n\nFailed.\n--b--\n"
        why = "delivery report"
    assert read_message(raw).automatic == why


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.net", "postmaster@example.net"])
def test_bounce_senders(sender):
    raw = f"From: Mail Delivery System <{sender}>\nSubject: Failure\n\nGone.\n".encode()
    assert read_message(raw).automatic == f"From {sender.lower()}"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: New comment",
        "Automatic reply: New comment",
        "Auto: New comment",
        "AutoReply: New comment",
        "=?utf-8?q?Automatische_Antwort=3A_Neuer_Kommentar?=",
        "=?utf-8?q?R=C3=A9ponse_automatique_=3A_Nouveau_commentaire?=",
        "Absence du bureau",
        "=?utf-8?q?Respuesta_autom=C3=A1tica=3A_Nuevo_comentario?=",
        "Fuera de la oficina",
    ],
)
def test_out_of_office_subjects(subject):
    raw = f"From: anna@porch.example\nSubject: {subject}\n\nAway.\n".encode()
    assert read_message(raw).automatic == "out-of-office subject"


@pytest.mark.parametrize(
    "headers",
    ["", "Auto-Submitted: no\n", "Precedence: first-class\n", "Subject: Re: Out of office?\n"],
)
def test_people_are_not_machines(headers):
    assert read_message(simple_message(headers)).automatic is None


@pytest.mark.parametrize(
    "from_lines",
    [
        "",
        "From: undisclosed-recipients\n",
        "From: <>\n",
        "From: alice@example.org)<bob@example.com>\n",
        "From: a@porch.example, b@porch.example\n",
        "From: a@porch.example\nFrom: b@evil.example\n",
    ],
)
def test_no_single_clean_from_address_is_no_sender(from_lines):
    incoming = read_message(f"{from_lines}Subject: hi\n\nHello.\n".encode())
    assert (incoming.sender, incoming.sender_domain) == ("", "")


def test_the_message_id_loses_its_brackets():
    assert read_message(fixture("forwarded_chain.eml")).message_id == (
        "CAM9x-Fwd-Chain-42@mail.gmail.example"
    )
    assert read_message(b"Subject: none\n\nHi.\n").message_id is None


def test_message_key_is_stable_and_follows_the_message_id():
    raw = fixture("gmail_alternative_en.eml")
    assert message_key(raw, read_message(raw)) == message_key(raw, read_message(raw))
    relayed = b"Received: from relay.example\n" + raw  # the same message by another route
    assert message_key(relayed, read_message(relayed)) == message_key(raw, read_message(raw))
    other = raw.replace(b"CAFx3k9+Zq2bA-7yQ", b"CAFx3k9+Zq2bA-7yR")
    assert message_key(other, read_message(other)) != message_key(raw, read_message(raw))


def test_without_a_message_id_the_key_is_the_bytes():
    first, second = b"Subject: a\n\nOne.\n", b"Subject: a\n\nTwo.\n"
    assert message_key(first, read_message(first)) == message_key(first, read_message(first))
    assert message_key(first, read_message(first)) != message_key(second, read_message(second))


MALFORMED = [
    b"",
    b"\x00\xff\xfe garbage",
    b"no headers at all, just words",
    b" folded line before any header\n\nbody",
    b"From: a@b@c\nTo: ,,,@\nSubject: =?x-unknown?q?abc?=\n\nbody",
    b"Content-Type: text/plain; charset=x-no-such-charset\n\nbody \xe9",
    b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!",
    b"Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<div",
    b"Content-Type: multipart/mixed\n\nno boundary",
    b"Message-ID: <<>>\nReturn-Path:\nAuto-Submitted:\n\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_mail_never_raises(raw):
    assert isinstance(read_message(raw), Incoming)


def test_random_bytes_and_cut_messages_never_raise():
    rng = random.Random(19)
    samples = [rng.randbytes(rng.randrange(1, 400)) for _ in range(200)]
    for path in sorted(MAIL.glob("*.eml")):
        raw = path.read_bytes()
        samples += [raw[:cut] for cut in range(0, len(raw), max(len(raw) // 7, 1))]
    for raw in samples:
        incoming = read_message(raw)
        assert isinstance(message_key(raw, incoming), str)


def test_garbage_reads_as_empty():
    incoming = read_message(b"\x00\xff\xfe garbage")
    assert incoming.sender == incoming.subject == incoming.reply == ""
    assert incoming.recipients == ()


# DKIM: messages signed with a key made by dkimpy's own key tool, verified through
# dkimpy's DNS hook, which answers from the records below instead of the network.

SELECTOR = b"porch2026"


@pytest.fixture(scope="module")
def dkim_keys(tmp_path_factory):
    """Two RSA keys and the TXT records publishing them: one for each signing domain."""
    folder = tmp_path_factory.mktemp("dkim")
    keys, records = {}, {}
    for domain in ("porch.example", "evil.example"):
        private, public = folder / f"{domain}.key", folder / f"{domain}.txt"
        dknewkey.GenRSAKeys(str(private), verbose=False)
        dknewkey.ExtractRSADnsPublicKey(str(private), str(public), verbose=False)
        keys[domain] = private.read_bytes()
        records[b"%s._domainkey.%s." % (SELECTOR, domain.encode())] = public.read_bytes()
    return keys, records


def signed(raw: bytes, domain: str, keys) -> bytes:
    signature = dkim.sign(raw, SELECTOR, domain.encode(), keys[domain])
    return signature + raw


def lookup_in(records):
    def lookup(name, timeout=5):
        return records.get(name)

    return lookup


def test_a_signature_by_the_from_domain_passes(dkim_keys):
    keys, records = dkim_keys
    raw = signed(fixture("thunderbird_plain_de.eml"), "porch.example", keys)
    assert dkim_passes(raw, "porch.example", dnsfunc=lookup_in(records))
    assert dkim_passes(raw, "Porch.EXAMPLE", dnsfunc=lookup_in(records))


def test_only_the_exact_domain_counts(dkim_keys):
    keys, records = dkim_keys
    raw = signed(fixture("thunderbird_plain_de.eml"), "porch.example", keys)
    assert not dkim_passes(raw, "example", dnsfunc=lookup_in(records))
    assert not dkim_passes(raw, "mail.porch.example", dnsfunc=lookup_in(records))
    assert not dkim_passes(raw, "", dnsfunc=lookup_in(records))


def test_a_changed_body_fails(dkim_keys):
    keys, records = dkim_keys
    raw = signed(fixture("thunderbird_plain_de.eml"), "porch.example", keys)
    tampered = raw.replace(b"nichts aus", b"alles aus")
    assert tampered != raw
    assert not dkim_passes(tampered, "porch.example", dnsfunc=lookup_in(records))


def test_a_signature_by_another_domain_does_not_count(dkim_keys):
    keys, records = dkim_keys
    raw = signed(fixture("thunderbird_plain_de.eml"), "evil.example", keys)
    assert dkim_passes(raw, "evil.example", dnsfunc=lookup_in(records))  # valid, for evil
    assert not dkim_passes(raw, "porch.example", dnsfunc=lookup_in(records))


def test_the_matching_signature_is_found_among_several(dkim_keys):
    keys, records = dkim_keys
    once = signed(fixture("thunderbird_plain_de.eml"), "porch.example", keys)
    twice = signed(once, "evil.example", keys)  # the other domain's signature comes first
    assert dkim_passes(twice, "porch.example", dnsfunc=lookup_in(records))


def test_no_signature_or_no_key_fails(dkim_keys):
    keys, records = dkim_keys
    assert not dkim_passes(fixture("thunderbird_plain_de.eml"), "porch.example", lookup_in(records))
    raw = signed(fixture("thunderbird_plain_de.eml"), "porch.example", keys)
    assert not dkim_passes(raw, "porch.example", dnsfunc=lookup_in({}))


def test_dkim_on_garbage_fails():
    assert not dkim_passes(b" folded first\n\nbody", "porch.example", dnsfunc=lookup_in({}))
    assert not dkim_passes(b"DKIM-Signature: d=porch.example; junk\n\nbody", "porch.example")
