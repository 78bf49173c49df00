"""House rules that a machine can check: lint, types, and the one-way imports."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_db_and_services() -> None:
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(folder: str) -> list[tuple[Path, str]]:
    pattern = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.MULTILINE)
    return [(path, module) for path in (ROOT / folder).rglob("*.py")
            for module in pattern.findall(path.read_text())]


def test_imports_run_one_way() -> None:
    bad = [(p, m) for p, m in _imports("db") if m.split(".")[0] in ("streamlit", "dashboard")]
    bad += [(p, m) for p, m in _imports("dashboard/services") if m.split(".")[0] == "streamlit"]
    bad += [(p, m) for p, m in _imports("pages") if m.split(".")[0] in ("sqlalchemy", "db")]
    assert bad == []
