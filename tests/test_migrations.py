"""One Alembic history builds the schema on both databases, matching the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from db.migrate import downgrade, include_object_for, upgrade
from db.models import Base


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": include_object_for(conn.dialect.name)})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_models(engine: Engine) -> None:
    assert _differences(engine) == []
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert _differences(engine) == []


def test_postgresql_gets_a_pattern_index_for_name_prefixes(engine: Engine) -> None:
    names = {ix["name"] for ix in inspect(engine).get_indexes("customers")}
    assert ("ix_customers_name_search_pattern" in names) == (engine.dialect.name == "postgresql")
