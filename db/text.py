"""How searchable text is stored: the one definition shared by writers and search."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: 'Société Générale' -> 'societe generale'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def contact_search_name(first_name: str, last_name: str) -> str:
    """How a contact's name is searched: surname first, folded ('dupre anne')."""
    return fold(f"{last_name} {first_name}")


def email_domain(email: str | None) -> str | None:
    """'anne.dupre@Dupre.be' -> 'dupre.be' (None without an address)."""
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None
