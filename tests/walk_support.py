"""Walking the console under AppTest: what a person sees on each page and tab, and what is wrong
with it.

``collect`` reads every node of the rendered tree and returns each piece of visible text with
where it is (page, tab, element) and whether Streamlit renders it as Markdown. Dataframe cells
are written as the grid writes them: a Styler's display values, else the cell's own value (a
date as ISO, a missing value as "None"). ``problems_of_presentation`` and ``active_markup``
turn those pieces into readable offences.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard import labels
from db import models
from tests.app_support import rendered


@dataclass(frozen=True)
class Seen:
    page: str
    tab: str
    where: str          # the element and the part of it: "caption", "dataframe[Status]"…
    text: str           # what shows (Markdown resolved to its characters)
    source: str         # what was sent: the Markdown itself, or the same plain text
    markdown: bool      # Streamlit renders ``source`` as Markdown
    column: str = ""    # a dataframe cell's column
    people: bool = False  # text people typed shown as such (st.text, input values)

    def __str__(self) -> str:
        return f"{self.page} › {self.tab} › {self.where}: {self.text[:160]!r}"


@dataclass
class Walk:
    """Everything seen on a walk, and the offences found in it."""

    seen: list[Seen] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visits: int = 0

    def look(self, at: AppTest, page: str, tab: str = "") -> AppTest:
        self.visits += 1
        for exc in at.exception:
            self.errors.append(f"{page} › {tab}: exception {exc.value[:300]}")
        self.seen.extend(collect(at, page, tab))
        return at


# --------------------------------------------------------------------------- collecting

def collect(at: AppTest, page: str, tab: str = "") -> list[Seen]:
    out: list[Seen] = []
    for node in _nodes(at):
        out.extend(_texts_of(node, page, tab))
    return out


def _nodes(at: AppTest) -> Iterator[Any]:
    tree = at._tree
    yield from iter(tree)


def _md(page: str, tab: str, where: str, source: str) -> Seen:
    return Seen(page, tab, where, rendered(source), source, True)


def _plain(page: str, tab: str, where: str, value: str, people: bool = False) -> Seen:
    return Seen(page, tab, where, value, value, False, people=people)


def _texts_of(node: Any, page: str, tab: str) -> list[Seen]:
    proto = getattr(node, "proto", None)
    if proto is None or not hasattr(proto, "DESCRIPTOR"):
        return []
    name = proto.DESCRIPTOR.name
    kind = getattr(node, "type", name)
    out: list[Seen] = []

    def md(where: str, value: str) -> None:
        if value:
            out.append(_md(page, tab, where, value))

    def plain(where: str, value: str, people: bool = False) -> None:
        if value:
            out.append(_plain(page, tab, where, value, people))

    label = getattr(proto, "label", "") if name not in ("Block",) else ""
    if name in ("Markdown", "Heading", "Alert", "Toast"):
        md(kind, proto.body)
    elif name == "Metric":
        md("metric label", proto.label)
        plain(f"metric {proto.label!r} value", proto.body)
        plain(f"metric {proto.label!r} delta", proto.delta)
    elif name == "Text":
        plain("text", proto.body, people=True)
    elif name == "Code":
        plain("code", proto.code_text, people=True)
    elif name in ("Selectbox", "MultiSelect", "Radio"):
        md(f"{kind} label", label)
        for option in proto.options:
            (md if name == "Radio" else plain)(f"{kind} {label!r} option", option)
        plain(f"{kind} {label!r} placeholder", getattr(proto, "placeholder", ""))
    elif name == "ButtonGroup":
        md(f"{kind} label", label)
        for option in proto.options:
            md(f"{kind} {label!r} option", option.content)
    elif name in ("TextInput", "TextArea"):
        md(f"{kind} label", label)
        plain(f"{kind} {label!r} placeholder", proto.placeholder)
        value = node.value
        plain(f"{kind} {label!r} value", value if isinstance(value, str) else "", people=True)
    elif name == "DateInput":
        md(f"{kind} label", label)
        if proto.format != "DD/MM/YYYY":
            out.append(Seen(page, tab, f"date_input {label!r} format", proto.format,
                            proto.format, False))
    elif name == "Dataframe":
        out.extend(_cells(proto, page, tab))
    elif name == "PlotlyChart":
        out.extend(_chart_texts(proto, page, tab))
    elif name == "Block":
        which = proto.WhichOneof("type")
        if which == "expandable":
            md("expander", proto.expandable.label)
        elif which == "tab":
            md("tab", proto.tab.label)
        elif which == "dialog":
            md("dialog title", proto.dialog.title)
        elif which == "popover":
            md("popover", proto.popover.label)
    elif name in ("Html", "IFrame", "Json", "Exception", "Empty", "Skeleton", "Space",
                  "ComponentInstance", "Pdf", "BidiComponent", "Progress", "ImageList"):
        pass
    else:  # buttons, checkboxes, number inputs and anything new: their label
        md(kind, label)
    help_text = getattr(proto, "help", "") if name != "Block" else ""
    if isinstance(help_text, str):
        md(f"{kind} {label!r} help", help_text)
    return out


def _cells(proto: Any, page: str, tab: str) -> list[Seen]:
    data = proto.arrow_data.data or (proto.lazy_data.initial_chunk.data
                                     if proto.HasField("lazy_data") else b"")
    frame = dataframe_util.convert_arrow_bytes_to_pandas_df(data)
    display = (dataframe_util.convert_arrow_bytes_to_pandas_df(
        proto.arrow_data.styler.display_values)
        if proto.arrow_data.HasField("styler") and proto.arrow_data.styler.display_values
        else None)
    config = json.loads(proto.columns) if proto.columns else {}
    out: list[Seen] = []
    for position, column in enumerate(frame.columns):
        settings = config.get(str(column)) or config.get(f"_pos:{position}") or {}
        if settings.get("hidden"):
            continue
        name = str(column)
        if name:
            out.append(Seen(page, tab, "dataframe header", name, name, False))
        kind = (settings.get("type_config") or {}).get("type")
        number_format = (settings.get("type_config") or {}).get("format")
        if number_format:
            out.append(Seen(page, tab, f"dataframe[{name}] column format", str(number_format),
                            str(number_format), False, column=name))
        if kind == "checkbox" or pd.api.types.is_bool_dtype(frame[column]):
            continue
        values = display[column] if display is not None else frame[column]
        for row, value in enumerate(values):
            shown = _as_grid_shows(value)
            out.append(Seen(page, tab, f"dataframe[{name}] row {row}", shown, shown, False,
                            column=name))
    return out


def _as_grid_shows(value: object) -> str:
    """A cell as the grid writes it without a column format."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "None"
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Chart text: titles, names, templates, and the data that serve as category labels.
_CHART_TEXT_KEYS = ("text", "title", "name", "hovertemplate", "texttemplate", "ticktext",
                    "x", "y", "labels", "customdata")


def _chart_texts(proto: Any, page: str, tab: str) -> list[Seen]:
    spec = json.loads(proto.spec) if proto.spec else {}
    layout = spec.get("layout", {})
    out = [Seen(page, tab, "chart separators", str(layout.get("separators", "(default .,)")),
                str(layout.get("separators", "")), False, column="separators")]
    for where, value in _walk_json(spec, "chart"):
        if isinstance(value, str):
            out.append(Seen(page, tab, where, value, value, False, column="chart"))
    return out


def _walk_json(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _CHART_TEXT_KEYS or key in ("tickformat", "hoverformat"):
                if isinstance(inner, list):
                    for item in inner:
                        yield f"{where}.{key}", item
                else:
                    yield f"{where}.{key}", inner
            if isinstance(inner, dict | list):
                yield from _walk_json(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_json(inner, where)


# --------------------------------------------------------------------------- codes and formats

def stored_codes() -> set[str]:
    """Every stored value of a fixed set: the model's value tuples and the label tables' keys."""
    codes: set[str] = set()
    for name, value in vars(models).items():
        if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            codes.update(value)
    for table in labels.TABLES.values():
        codes.update(table)
    return codes


CODES = stored_codes()
# Codes that are ordinary English words spelt the same as their label are not caught by a
# case-sensitive match; these segments split composed text ("a · b — c: d").
_SEGMENTS = re.compile(r"\s*(?:·|—|–|→|\(|\)|\n|\*\*|\||\[|\])\s*")
_SHORT_SEGMENTS = re.compile(r"\s*(?:·|—|–|→|,|;|:|\(|\)|\n|\*\*|\||\[|\])\s*")
# "— none —" is how an empty choice reads; "none" is a code only as a whole text.
_WORDS_AS_SUCH = {"none"}
# Cells whose values are people's user names (which may equal role codes: "rep", "admin"),
# and regular expressions an admin typed (the fax gateway patterns).
IDENTIFIER_COLUMNS = {"Username", "User", "Sender pattern", "Subject pattern",
                      "Body pattern (optional)"}

_EURO_FIRST = re.compile(r"€\s?[-+−]?\d")
_DOLLAR = re.compile(r"\$\s?\d")
_THOUSANDS_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
_DECIMAL_POINT = re.compile(r"(?<![\w.,/])\d+\.\d+(?![\w.])")
_BELGIAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PERCENT_GLUED = re.compile(r"\d%")
_ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?!\d)")
_SHORT_YEAR = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?![\d/])")
_ENGLISH_DATE = re.compile(r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|"
                           r"July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|"
                           r"Dec(?:ember)?)\.? \d{1,2}, \d{4}")  # not "Grote Markt 47, 2300"
_MISSING = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|<NA>|null|undefined)(?![\w-])")
_CHART_MONEY_FIRST = re.compile(r"€\s*%\{")


# Customer documents and e-mails are written in the customer's language: Dutch and German
# put the euro sign first ("€ 1.530,65"), still with Belgian separators.
_EURO_FIRST_LOCALE = re.compile(r"€[\s\u00a0][-−]?\d{1,3}(?:\.\d{3})*,\d{2}(?!\d)")


def format_problems(text: str, customer_language: bool = False) -> list[str]:
    found: list[str] = []
    if customer_language:
        text = _EURO_FIRST_LOCALE.sub("", text)
    if _EURO_FIRST.search(text):
        found.append("euro sign before the amount (Belgian: 1.234,56 €)")
    if _DOLLAR.search(text):
        found.append("dollar amount")
    if m := _THOUSANDS_COMMA.search(text):
        found.append(f"English thousands separator {m.group()!r}")
    for m in _DECIMAL_POINT.finditer(text):
        if not _BELGIAN_THOUSANDS.fullmatch(m.group()):
            found.append(f"decimal point {m.group()!r} (Belgian: decimal comma)")
            break
    if _PERCENT_GLUED.search(text):
        found.append("percent sign without a space (Belgian: 92,6 %)")
    if m := _ISO_DATE.search(text):
        found.append(f"ISO date {m.group()!r} (dd/mm/yyyy)")
    if m := _SHORT_YEAR.search(text):
        found.append(f"two-digit year {m.group()!r}")
    if m := _ENGLISH_DATE.search(text):
        found.append(f"English date {m.group()!r}")
    if m := _MISSING.search(text):
        found.append(f"missing value shown as {m.group()!r}")
    return found


def code_problems(item: Seen) -> list[str]:
    """A stored code shown as a whole text, or as one part of composed text.

    Multi-word codes (``pending_customer``, or ``pending customer`` in lower case) are never
    words a sentence uses. One-word codes spelt as English words ("open", "phone") count when
    they are the whole text, or a part set off by ·, —, →, brackets or bold; in a cell or an
    option, a part between commas too. Prose (captions, help) uses such words freely.
    """
    if item.people or item.column in IDENTIFIER_COLUMNS or item.column == "chart":
        return []
    text = item.text.strip()
    if text.startswith("<style>"):  # a stylesheet, not text
        return []
    if text in CODES:
        return [f"raw stored value {text!r} where a label belongs"]
    short = not item.markdown or item.where.startswith("dataframe")
    for segment in (_SHORT_SEGMENTS if short else _SEGMENTS).split(text):
        word = segment.strip(" .*_\u00a0")
        if "_" in word and word in CODES:
            return [f"raw stored value {word!r} in the text"]
        if " " in word and word == word.lower() and word.replace(" ", "_") in CODES:
            return [f"raw stored value {word!r} (a code with spaces) in the text"]
        if word in CODES and word not in _WORDS_AS_SUCH:
            return [f"raw stored value {word!r} in the text"]
    return []


def chart_problems(item: Seen) -> list[str]:
    if item.where == "chart separators":
        return [] if item.source == ",." else [
            f"chart number separators {item.text!r} (Belgian: ',.')"]
    if item.column != "chart" or item.where.endswith((".x", ".y", ".labels", ".customdata")):
        return []  # data: dates and numbers there are written by the axis formats
    found = []
    if item.where.endswith(("tickformat", "hoverformat")):
        return ([f"chart date format {item.text!r} (dd/mm/yyyy)"]
                if re.search(r"%Y-%m|%m/%d|%x|\$", item.text) else [])
    if _CHART_MONEY_FIRST.search(item.text):
        found.append("euro sign before the amount in a chart template")
    # A placeholder and the unit after it ("%{y:,.0f} €") are formatted by the chart itself.
    return found + format_problems(re.sub(r"%\{[^}]*\}(\s*€)?", "", item.text))


def problems_of_presentation(walk: Walk) -> list[str]:
    """Raw codes, missing values shown as such, and English number or date formats."""
    offences = list(walk.errors)
    done: set[tuple[str, str, str]] = set()
    for item in walk.seen:
        if item.column in ("chart", "separators"):
            found = chart_problems(item)
        elif item.where.endswith("format"):  # a date input's or a column's display format
            found = ["display format is not Belgian"]
        else:
            found = code_problems(item) + format_problems(item.text, item.people)
        for problem in found:
            key = (item.page, item.where.split(" row ")[0], problem)
            if key in done:  # one line per column and kind of problem
                continue
            done.add(key)
            offences.append(f"{item} — {problem}")
    return offences


REPORT_LIMIT = int(os.environ.get("WALK_REPORT_LIMIT", "120"))


def report(offences: Iterable[str], limit: int = REPORT_LIMIT) -> str:
    lines = list(offences)
    shown = "\n".join(f"  {line}" for line in lines[:limit])
    more = f"\n  … and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{len(lines)} offences:\n{shown}{more}"


# --------------------------------------------------------------------------- active markup

# What ``dashboard.ui.text.plain`` guarantees, stated as what must never be found in Markdown
# that Streamlit renders. A character is escaped when an odd number of backslashes precede it;
# ``plain`` escapes every ASCII punctuation mark, and puts a WORD JOINER (U+2060) inside
# ``://`` and after ``www`` so that GFM's bare-link detection finds nothing. Active are:
_ACTIVE = (
    ("image", re.compile(r"(?<!\\)(?:\\\\)*!(?<!\\)\[")),
    ("HTML tag", re.compile(r"(?<!\\)(?:\\\\)*<[A-Za-z/!?]")),
    ("maths", re.compile(r"(?<!\\)(?:\\\\)*\$")),
    ("colour or other directive", re.compile(r"(?<!\\)(?:\\\\)*:[a-z]+(?<!\\)\[")),
    ("icon", re.compile(r"(?<!\\)(?:\\\\)*:material/")),
    ("emoji shortcode", re.compile(r"(?<!\\)(?:\\\\)*:[a-z][a-z0-9_+-]*(?<!\\):")),
    ("bare link", re.compile(r"(?i)\b(?:https?|ftp)\\?:(?!\u2060)\\?/")),
    ("bare www link", re.compile(r"(?i)\bwww(?!\u2060)\\?\.")),
)
# A link of ours: [text](https://…) where the target is not a payload's host. Removed before
# the bare-link checks; a link to a payload's host is active whatever its text.
_OUR_LINK = re.compile(r"(?<!\\)\]\((https?://[^)\s]+)\)")
PAYLOAD_HOSTS = ("127.0.0.2", "evil.example")
# Plotly reads a little HTML in chart text; its own templates use these tags.
_CHART_TAG = re.compile(r"<(?!/?(?:extra|br|b|i|sup|sub)\b)[A-Za-z/!]", re.I)


def markup_problems(item: Seen) -> list[str]:
    if item.column == "chart":
        text = re.sub(r"%\{[^}]*\}", "", item.source)
        return ["HTML in chart text"] if _CHART_TAG.search(text) else []
    if not item.markdown or item.source.startswith("<style>"):
        return []
    source = item.source
    found = []
    for target in _OUR_LINK.findall(source):
        if any(host in target for host in PAYLOAD_HOSTS):
            found.append(f"link to {target}")
    source = _OUR_LINK.sub("]", source)
    for what, pattern in _ACTIVE:
        if m := pattern.search(source):
            found.append(f"active {what} at {source[max(0, m.start() - 20):m.end() + 20]!r}")
    return found


def active_markup(walk: Walk) -> list[str]:
    """One line per place: the same element on another customer or enquiry is not repeated."""
    offences = list(walk.errors)
    done: set[tuple[str, ...]] = set()
    for item in walk.seen:
        problems = markup_problems(item)
        if not problems:
            continue
        kinds = tuple(sorted({p.split(" at ")[0] for p in problems}))
        # The header shows on every tab: the same text in the same element counts once.
        key = (item.where.split(" row ")[0], item.source[:80], *kinds)
        if key not in done:
            done.add(key)
            offences.append(f"{item} — {'; '.join(problems)}")
    return offences
