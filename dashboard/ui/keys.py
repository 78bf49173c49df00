"""Keyboard shortcuts, in one table: what each does, and the element it presses.

Alt with a letter, chosen among those a browser leaves free (Alt+D, E and F belong to it).
Written here rather than taken from streamlit-shortcuts, which builds on
``components.html``, an API Streamlit has deprecated and warns about on every rerun.
"""

from __future__ import annotations

import json

import streamlit as st

# (element key, keys, what it does). The key is a widget's or a container's `key`.
SHORTCUTS = (
    ("find", "alt+k", "Go to the search box (every page)"),
    ("claim_next", "alt+n", "Claim next (queue)"),
    ("back_to_queue", "alt+b", "Back to queue (enquiry)"),
    ("next_in_queue", "alt+j", "Next in queue (enquiry)"),
)
FIND = "find"


# Each frame listens on the app's document for its own shortcuts, and stops when the page
# that drew it goes (a listener from a removed frame would no longer run). It presses the
# button, or focuses the input, inside the element with class ``st-key-<key>``.
LISTENER = """<script>
const app = window.parent.document;
const shortcuts = %s;
function press(e) {
  for (const [key, combo] of Object.entries(shortcuts)) {
    const parts = combo.split("+");
    const main = parts[parts.length - 1];
    if (e.altKey === parts.includes("alt") && e.ctrlKey === parts.includes("ctrl")
        && e.shiftKey === parts.includes("shift") && e.metaKey === parts.includes("meta")
        && (e.key.toLowerCase() === main || e.code === "Key" + main.toUpperCase())) {
      const root = app.querySelector(".st-key-" + key);
      if (!root) continue;
      e.preventDefault();
      const input = root.querySelector("input, textarea");
      const button = root.querySelector("button");
      if (input) { input.focus(); } else if (button && !button.disabled) { button.click(); }
      return;
    }
  }
}
app.addEventListener("keydown", press);
window.addEventListener("pagehide", () => app.removeEventListener("keydown", press));
</script>"""


def bind(*keys: str) -> None:
    """Make the shortcuts of ``keys`` work on this page."""
    shortcuts = {key: combo for key, combo, _ in SHORTCUTS if key in keys}
    st.iframe(LISTENER % json.dumps(shortcuts), height=1, width=1)


def hint(key: str) -> str:
    combo = next(combo for k, combo, _ in SHORTCUTS if k == key)
    return "+".join(part.capitalize() for part in combo.split("+"))


def focus(key: str) -> None:
    """Put the cursor in the input of container ``key`` when the page opens (once: the
    script is not run again while the page stays)."""
    selector = json.dumps(f".st-key-{key} input")
    st.iframe(f"""<script>
const input = window.parent.document.querySelector({selector});
if (input) input.focus();
</script>""", height=1, width=1)


def help_expander() -> None:
    with st.expander("Keyboard shortcuts"):
        st.markdown("\n".join(f"- **{hint(key)}** — {what}" for key, _, what in SHORTCUTS))
