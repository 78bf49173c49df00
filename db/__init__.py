"""Database layer: models, engine factory and migrations. Knows nothing of the UI."""
