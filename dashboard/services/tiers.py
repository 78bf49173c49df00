"""What each kind of customer user sees: the one rule table.

The portal shows a signed-in contact the areas of their tier, and the representative's caller
panel tells what may be disclosed to a caller of that tier from the same table, so the two
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

# The areas of a customer's account, in the order they are told.
AREAS = ("order_status", "orders", "invoices", "statement", "contracts", "inventory")
AREA_WORDS = {
    "order_status": "basic order status",
    "orders": "the company's orders with search, their status and delivery tracking",
    "invoices": "invoices and credit notes (view, print, route, download)",
    "statement": "the statement of account and payments",
    "contracts": "contracts",
    "inventory": "installed inventory and changes to it",
}
# Areas with money in them: told only to the tiers that see invoices.
MONEY_AREAS = ("invoices", "statement", "contracts")


@dataclass(frozen=True)
class TierRule:
    tier: str
    title: str
    sees: frozenset[str]
    portal_sign_in: bool  # whether the tier has a portal account to sign in with


RULES: dict[str, TierRule] = {
    "unknown": TierRule("unknown", "Unknown caller", frozenset(), False),
    "guest": TierRule("guest", "Guest", frozenset({"order_status"}), False),
    "registered": TierRule("registered", "Registered",
                           frozenset({"order_status", "orders"}), True),
    "entitled": TierRule("entitled", "Entitled", frozenset(AREAS), True),
}


def sees(tier: str, area: str) -> bool:
    """Whether a customer user of ``tier`` may see ``area``; unknown tiers see nothing."""
    if area not in AREAS:
        raise ValueError(f"Unknown area {area!r}.")
    rule = RULES.get(tier)
    return rule is not None and area in rule.sees


def tiers_seeing(area: str) -> tuple[str, ...]:
    return tuple(t for t, rule in RULES.items() if area in rule.sees)


def disclosure(tier: str) -> str:
    """The caller panel's words for ``tier``, made from the table."""
    rule = RULES[tier]
    if not rule.sees:
        return (f"{rule.title}: nothing about this account may be disclosed. Offer to call "
                "back a contact on file, or the public order tracking (order number and "
                "customer number).")
    told = "; ".join(AREA_WORDS[a] for a in AREAS if a in rule.sees)
    if rule.sees == frozenset(AREAS):
        return f"{rule.title}: everything for the company — {told}."
    only = (" only — for an order they name, its status, carrier and expected delivery, as "
            "the public tracking page shows" if rule.sees == {"order_status"} else "")
    money = not any(a in rule.sees for a in MONEY_AREAS)
    withheld = [a for a in AREAS if a not in rule.sees]
    refused = "; ".join(AREA_WORDS[a] for a in withheld)
    return (f"{rule.title}: {told}{only}. "
            + ("No money: " if money else "")
            + f"may not be told {refused}.")
