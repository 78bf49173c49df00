"""Text that people typed, made safe to show: the one helper every render site uses.

Streamlit renders Markdown in titles, headers, markdown, captions, toasts, alerts, metric
labels and widget labels: an image there is fetched by the browser at once, ``:red[…]``
colours text, ``$…$`` becomes maths, a bare URL becomes a link. ``plain`` turns any string
into Markdown that shows exactly those characters and nothing else:

- every ASCII punctuation mark is backslash-escaped (CommonMark allows it for all of them),
  which disarms images, links, emphasis, code, headings, HTML, maths and colour, emoji and
  icon directives;
- GFM's bare-link detection runs after escapes are resolved, so a WORD JOINER (U+2060, which
  shows as nothing) goes inside ``://`` and ``www.``. E-mail addresses are left exact, for
  people copy them; GFM shows one as a mailto link, which fetches nothing.

Dataframe cells, ``st.text``, ``st.code`` and input values are not Markdown and need none of
this; chart text goes through ``plotly_text``.
"""

from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WORD_JOINER = "\u2060"
_LINKS = re.compile(r"(?i)(://|www\.)")


def plain(value: object) -> str:
    """``value`` as Markdown that renders as the literal text (None shows as "—")."""
    if value is None:
        return "—"
    text = str(value).replace("\x00", "")
    text = _LINKS.sub(lambda m: _break(m.group(1)), text)
    return _PUNCTUATION.sub(r"\\\1", text)


def _break(found: str) -> str:
    if found == "://":
        return ":" + _WORD_JOINER + "//"
    return found[:3] + _WORD_JOINER + found[3:]


def plotly_text(value: object) -> str:
    """Text for chart titles, labels and hovers: plotly reads a little HTML there."""
    return html.escape("—" if value is None else str(value), quote=False)
