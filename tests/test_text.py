"""Text people typed is shown as text: ``plain`` leaves no Markdown active."""

from __future__ import annotations

import re

import pytest

from dashboard.ui.text import plain, plotly_text

PAYLOADS = [
    "![x](http://127.0.0.1:9/pixel.png)", "[click](javascript:alert(1))", ":red[alarm]",
    ":rainbow[wow] :smile: :material/home:", "$x^2$ and $$\\int$$", "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` ~~gone~~", "# heading", "> quote", "- item", "1. item",
    "http://internal.example/admin", "www.example.com", "a | b |\n|---|---|", "&lt;b&gt;",
    "\\*not escaped\\*", "line\x00with nul",
]
PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_punctuation_is_left_unescaped(payload: str) -> None:
    shown = plain(payload)
    # Every punctuation mark is one escaped pair: nothing is left for Markdown to act on.
    assert not PUNCTUATION.search(ESCAPED.sub("", shown)), shown
    assert "\x00" not in shown


def test_urls_cannot_become_links_and_read_the_same() -> None:
    shown = plain("see http://example.com and www.example.com")
    assert "://" not in shown and "www." not in shown
    assert shown.replace("\u2060", "").replace("\\", "") == "see http://example.com and " \
        "www.example.com"


def test_email_addresses_stay_exact_for_copying() -> None:
    assert plain("anne.dupre@dupre.be").replace("\\", "") == "anne.dupre@dupre.be"


def test_none_is_a_dash_and_charts_get_escaped_html() -> None:
    assert plain(None) == "—"
    assert plotly_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
