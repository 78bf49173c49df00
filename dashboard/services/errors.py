"""Errors that services raise for the pages to show as they are."""

from __future__ import annotations


class ValidationError(ValueError):
    """Input that cannot be saved; ``problems`` lists each thing to fix, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class StaleEditError(RuntimeError):
    """Someone saved a change after this form was opened; nothing was overwritten."""
