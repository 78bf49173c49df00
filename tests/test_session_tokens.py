"""The remember-me cookie: only our own well-formed, unexpired HS256 token signs anyone in;
the demo key is random per installation and never a constant of the code."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from dashboard import config
from dashboard.config import demo_cookie_key, demo_key_path, load_settings
from dashboard.services.session_tokens import issue, verify

KEY = "k" * 48
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
LATER = (NOW + timedelta(days=7)).timestamp()
SID = "s" * 43


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_our_token_signs_in() -> None:
    token = issue(username="admin", session_id="s" * 43, expires_at=NOW + timedelta(days=1),
                  key=KEY)
    claims = verify(token, KEY, now=NOW)
    assert claims is not None and claims.username == "admin" and claims.session_id == "s" * 43


@pytest.mark.parametrize("token", [
    jwt.encode({"username": "admin", "exp_date": LATER, "sid": SID}, "another-key-" + "x" * 40,
               algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": LATER, "sid": SID}, KEY, algorithm="HS512"),
    _b64({"alg": "none", "typ": "JWT"}) + "."
    + _b64({"username": "admin", "exp_date": LATER, "sid": SID}) + ".",
    jwt.encode({"username": "admin", "exp_date": "2099-01-01", "sid": SID}, KEY,
               algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": True, "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": 1e308 * 10, "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": 10 ** 20, "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": ["admin"], "exp_date": LATER, "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": "", "exp_date": LATER, "sid": SID}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": (NOW - timedelta(seconds=1)).timestamp(),
                "sid": SID}, KEY, algorithm="HS256"),
    # Without a server-side session id (as the sign-in component writes it) or with a bad one.
    jwt.encode({"username": "admin", "exp_date": LATER}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": LATER, "sid": 42}, KEY, algorithm="HS256"),
    jwt.encode({"username": "admin", "exp_date": LATER, "sid": "x" * 65}, KEY,
               algorithm="HS256"),
    "not-a-token", "a.b.c", "", "\x00",
], ids=["wrong-key", "hs512", "alg-none", "string-expiry", "bool-expiry", "infinite-expiry",
        "huge-expiry", "no-expiry", "list-username", "empty-username", "expired",
        "no-session-id", "number-session-id", "long-session-id", "garbage",
        "three-dots", "empty", "nul"])
def test_any_other_token_is_signed_out(token: str) -> None:
    assert verify(token, KEY, now=NOW) is None


def test_the_old_demo_constant_is_gone() -> None:
    source = (Path(config.__file__)).read_text()
    assert "csol-demo-cookie-key-not-for-production" not in source
    assert not hasattr(config, "DEMO_COOKIE_KEY")


def test_demo_key_is_random_private_and_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / ".key", tmp_path / "b" / ".key"
    key = demo_cookie_key(first)
    assert len(key) >= 32
    assert demo_cookie_key.__wrapped__(first) == key            # read back, not made anew
    assert demo_cookie_key(second) != key                       # another installation
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    assert sorted(p.name for p in first.parent.iterdir()) == [".key"]   # no temporary left


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / ".key"
    keys: list[str] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        keys.append(demo_cookie_key.__wrapped__(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and keys[0] == path.read_text().strip()


def test_demo_mode_keeps_the_key_beside_the_sqlite_database(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("CSOL_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("CSOL_DEMO_MODE", "true")
    monkeypatch.delenv("CSOL_COOKIE_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'csol.db'}")
    settings = load_settings()
    assert demo_key_path(settings.database_url) == tmp_path / config.DEMO_KEY_FILE
    assert settings.cookie_key == (tmp_path / config.DEMO_KEY_FILE).read_text().strip()


def test_a_damaged_key_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / ".key"
    path.write_text("short")
    with pytest.raises(config.ConfigError, match="delete the file"):
        demo_cookie_key.__wrapped__(path)
