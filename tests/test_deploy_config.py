"""The files of deploy/ as they are installed: nginx accepts the site (``nginx -t``, with a
throw-away certificate in place of the real one), the units name commands that exist, and
the command line waits for the schema lock like the app does."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.__main__ import main as cli_main
from db.engine import make_engine
from db.locks import database_lock
from tests.browser_support import under_ci

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        if under_ci():
            raise RuntimeError("CI=true but nginx is missing: apt-get install -y nginx")
        pytest.skip("nginx not found (apt-get install -y nginx)")
    return found


def test_nginx_accepts_the_site_as_installed(tmp_path: Path) -> None:
    nginx = _nginx()
    if not shutil.which("openssl"):
        pytest.skip("openssl is missing")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=support.example.be", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "csol.conf").read_text()
    site = site.replace("/etc/nginx/snippets/", f"{DEPLOY / 'nginx'}/")
    site = site.replace("/etc/letsencrypt/live/support.example.be/fullchain.pem",
                        str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/support.example.be/privkey.pem",
                        str(tmp_path / "key.pem"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "csol.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/csol.conf;
}}
""")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                           "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "[warn]" not in done.stderr and "[emerg]" not in done.stderr, done.stderr


def _unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text().replace("\\\n", " "))
    return unit


def test_each_unit_runs_a_real_command() -> None:
    """Every ExecStart is the virtualenv's python or streamlit with a command line this
    version has; every timer has its service."""
    services = sorted(UNITS.glob("*.service"))
    assert {p.name for p in services} >= {"csol-app@.service", "csol-intake.service",
                                          "csol-outbox.service", "csol-notify.service",
                                          "csol-close.service"}
    for path in services:
        # configparser keeps the last of repeated keys: read the ExecStart lines directly.
        starts = [line.split("=", 1)[1].strip() for line in
                  path.read_text().replace("\\\n", " ").splitlines()
                  if line.startswith("ExecStart=")]
        assert starts, path.name
        for start in starts:
            words = start.split()
            if words[0].endswith("/streamlit"):
                assert "dashboard/app.py" in words and "%i" in words, start
                continue
            assert words[0] == "/opt/csol/.venv/bin/python" and words[1:3] == ["-m", "dashboard"]
            # --help of the exact subcommand: exits 0 only if it exists.
            args = [w for w in words[3:] if not w.startswith("-")][:2]
            with pytest.raises(SystemExit) as exited:
                cli_main([*args, "--help"])
            assert exited.value.code == 0, start
        unit = _unit(path)
        assert unit["Service"]["User"] == "csol"
        assert unit["Service"]["EnvironmentFile"] == "/etc/csol/csol.env"
    for timer in UNITS.glob("*.timer"):
        assert (UNITS / timer.name.replace(".timer", ".service")).exists(), timer.name
        assert _unit(timer)["Timer"]["OnCalendar"]


def test_the_command_line_upgrade_waits_for_the_schema_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'csol.db'}"
    holder = make_engine(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        with database_lock(holder):
            proc = subprocess.Popen([sys.executable, "-m", "dashboard", "--database-url", url,
                                     "db", "upgrade"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(4)  # long enough to import and to migrate an empty file, were it free
            assert proc.poll() is None, proc.communicate()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Database at revision head." in out
    finally:
        holder.dispose()
