"""Comment HTML comes out of the renderer in shapes the HTML standard allows, whatever
broken HTML (an imported WordPress comment, say) went in: the blog's pages stay valid."""

import re

import pytest

from comments_service.words.rendering import render_comment, sanitise


def test_blocks_leave_the_inline_elements_a_browser_kept_open_around_them():
    html = render_comment("<p><strong>Unclosed <em>nesting</p> <li>an item</li> <p>after")
    assert "<p><strong>Unclosed <em>nesting</em></strong></p>" in html
    assert re.search(r"<ul><li>an item</li>\s*</ul>", html), html
    assert not re.search(r"<(em|strong)>\s*<(li|p|ul)", html), html


@pytest.mark.parametrize(
    ("broken", "valid"),
    [
        ("<ul>text<li>a</li><hr></ul>", "<ul><li>text</li><li>a</li><li><hr></li></ul>"),
        ("<em><a href='https://x.example/'><p>p</p></a></em>", '<a href="https://x.example/"'),
        ("<p><button><ul><li>x</li></ul></button></p>", "<ul><li>x</li></ul>"),
        ("<blockquote><li>one</li> <li>two</li></blockquote>", "<ul><li>one</li> <li>two</li>"),
    ],
)
def test_what_a_list_or_an_inline_element_may_not_hold_is_moved(broken, valid):
    assert valid in sanitise(broken)


def test_valid_html_is_left_byte_for_byte():
    html = "<p>a &amp; b&nbsp;c <em>d</em></p>\n<ul>\n<li><strong>e</strong></li>\n</ul>"
    assert sanitise(html) == html


@pytest.mark.parametrize(
    ("href", "written"),
    [
        ('https://x.example/a" onmouseover="b', "https://x.example/a%22%20onmouseover=%22b"),
        ("https://x.example/{a|b}^`<c>", "https://x.example/%7Ba%7Cb%7D%5E%60%3Cc%3E"),
        ("http://[::1]:8080/a[1]", "http://[::1]:8080/a%5B1%5D"),
        ("  https://x.example/trimmed\n", "https://x.example/trimmed"),
    ],
)
def test_what_an_address_may_not_hold_is_percent_encoded(href, written):
    html = sanitise(f'<a href="{href.replace(chr(34), "&quot;")}">link</a>')
    assert f'href="{written}"' in html


def test_an_address_split_by_a_tab_is_no_script_link():
    html = sanitise('<a href="java&#9;script:alert(1)">words</a>')
    assert html == "words"


def test_a_link_without_words_is_dropped():
    nested = '<a href="https://x.example/"><a href="https://x.example/in">in</a></a>'
    html = sanitise(f'{nested} <a href="https://x.example/"> </a>')
    assert html == '<a href="https://x.example/in" rel="nofollow ugc">in</a>  '
