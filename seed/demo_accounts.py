"""The demo accounts, shown on the login page while the app runs in demo mode."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    full_name: str
    email: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("rep", "demo-rep-2026", "rep", "Sofie Peeters", "sofie.peeters@csol.example"),
    DemoAccount("lead", "demo-lead-2026", "lead", "Marc Dubois", "marc.dubois@csol.example"),
    DemoAccount("admin", "demo-admin-2026", "admin", "Claire Weber", "claire.weber@csol.example"),
)
