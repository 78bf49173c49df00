"""Deterministic demo data: ``python -m seed --size demo|large`` or ``seed.generate``."""
