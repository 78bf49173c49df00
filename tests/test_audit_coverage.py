"""Every service function that writes leaves an audit row.

``write_functions`` reads the source of the service, intake and mail modules and lists each
public function that writes to the database: directly (``session.add``, ``add_all``,
``delete``, an ``insert``/``update``/``delete`` statement, a versioned write, an audit row)
or through a helper of its module or a writing function of another module. The test checks
that this list is exactly ``RUNS`` plus ``NOT_AUDITED`` (with the reason each of those is
bookkeeping rather than a change), then runs each function of ``RUNS`` on a small world and
checks that the audit log has grown. A new writing function fails the first check until it
is listed here, and the second until it is audited.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("dashboard/services", "dashboard/intake", "dashboard/mail")
SESSION_WRITES = {"add", "add_all", "delete", "merge", "bulk_save_objects",
                  "bulk_insert_mappings", "bulk_update_mappings"}
STATEMENTS = {"insert", "update", "delete"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _imports(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Names bound to dashboard modules or functions (alias -> qualified name), and the
    names bound to SQLAlchemy's insert/update/delete."""
    bound: dict[str, str] = {}
    statements: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                name = alias.asname or alias.name
                if node.module.startswith("dashboard"):
                    bound[name] = f"{node.module}.{alias.name}"
                elif node.module.startswith("sqlalchemy") and alias.name in STATEMENTS:
                    statements.add(name)
    return bound, statements


LOADS = {"get", "get_one", "scalar", "scalars", "execute", "merge"}


def _row_names(fn: ast.FunctionDef, models: set[str]) -> set[str]:
    """Names in ``fn`` that hold mapped rows: parameters typed with a model, and names bound
    from the session (``session.get(...)``, ``session.scalars(...)``…), loops over them too."""
    rows = {a.arg for a in [*fn.args.args, *fn.args.kwonlyargs]
            if isinstance(a.annotation, ast.Name) and a.annotation.id in models}

    def loaded(value: ast.AST) -> bool:
        return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                   and c.func.attr in LOADS and "session" in _receiver(c.func.value)
                   for c in ast.walk(value))

    def from_rows(value: ast.AST) -> bool:
        return loaded(value) or (isinstance(value, ast.Name) and value.id in rows)

    size = -1
    while size != len(rows):  # ``found = session.execute(…).first(); row, … = found``
        size = len(rows)
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and from_rows(node.value):
                rows |= {t.id for target in node.targets for t in ast.walk(target)
                         if isinstance(t, ast.Name)}
            elif isinstance(node, ast.For) and (loaded(node.iter) or any(
                    isinstance(n, ast.Name) and n.id in rows for n in ast.walk(node.iter))):
                rows |= {t.id for t in ast.walk(node.target) if isinstance(t, ast.Name)}
    return rows


def _facts(path: Path) -> dict[str, tuple[bool, set[str]]]:
    """Per top-level function: whether it writes itself, and what it calls (qualified)."""
    tree = ast.parse(path.read_text())
    module = _module_name(path)
    bound, statements = _imports(tree)
    models = {alias.asname or alias.name for node in tree.body
              if isinstance(node, ast.ImportFrom) and node.module == "db.models"
              for alias in node.names}
    local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    facts: dict[str, tuple[bool, set[str]]] = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        writes, calls = False, set()
        rows = _row_names(fn, models)
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign | ast.AugAssign):  # a loaded row's attribute set
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for part in ast.walk(target):
                        if (isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                                and part.value.id in rows):
                            writes = True
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = _receiver(func.value)
                if func.attr in SESSION_WRITES and ("session" in owner or owner == "s"):
                    writes = True
                elif owner in bound:
                    calls.add(f"{bound[owner]}.{func.attr}")
            elif isinstance(func, ast.Name):
                if func.id in statements:
                    writes = True
                elif func.id in local:
                    calls.add(f"{module}.{func.id}")
                elif func.id in bound:
                    calls.add(bound[func.id])
        facts[f"{module}.{fn.name}"] = (writes, calls)
    return facts


def write_functions() -> set[str]:
    facts: dict[str, tuple[bool, set[str]]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).glob("*.py")):
            facts.update(_facts(path))
    writing = {name for name, (writes, _) in facts.items() if writes}
    changed = True
    while changed:  # a function that calls a writing one writes
        changed = False
        for name, (_, calls) in facts.items():
            if name not in writing and calls & writing:
                writing.add(name)
                changed = True
    return {name for name in writing if not name.rsplit(".", 1)[1].startswith("_")}
