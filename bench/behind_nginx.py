"""The load generator against N app servers behind nginx, all started here, on one database.

    python -m bench.behind_nginx --servers 2 --database-url postgresql+psycopg://…/DB \\
        -- --users 25,50,100 --duration 90

Starts ``--servers`` copies of ``streamlit run dashboard/app.py`` (the shipped config, demo
mode off, one cookie key for all), nginx in front of them with the site snippets of
``deploy/nginx`` (the upstream of ``csol.conf`` with these ports), then runs ``bench.load``
through nginx with every server's pid, so CPU and memory are summed over them. Arguments
after ``--`` go to ``bench.load``. ``--servers 1`` measures one server the same way, nginx
included, for a fair comparison. The flows write: run it on a copy of a database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests.browser_support import ROOT, nginx_in_front, streamlit_server


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--servers", type=int, default=2)
    p.add_argument("--database-url", required=True)
    p.add_argument("rest", nargs=argparse.REMAINDER, help="-- then bench.load's options")
    args = p.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx is needed: apt-get install -y nginx")
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    with tempfile.TemporaryDirectory(prefix="behind-nginx-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        env = dict(os.environ, DATABASE_URL=args.database_url, CSOL_DEMO_MODE="false",
                   CSOL_COOKIE_KEY="bench-cookie-key-" + "x" * 32,
                   CSOL_SECRETS_FILE=str(work / "no-secrets.toml"), PYTHONUNBUFFERED="1")
        apps = [stack.enter_context(streamlit_server(env, work / f"app-{n}.log"))
                for n in range(args.servers)]
        proxy = stack.enter_context(nginx_in_front(nginx, [a.port for a in apps], work))
        pids = ",".join(str(a.process.pid) for a in apps)
        print(f"{args.servers} app server(s) on ports {', '.join(str(a.port) for a in apps)} "
              f"behind nginx at {proxy.url}", flush=True)
        command = [sys.executable, "-m", "bench.load", "--database-url", args.database_url,
                   "--url", proxy.url, "--server-pid", pids, *rest]
        sys.exit(subprocess.call(command, cwd=ROOT))


if __name__ == "__main__":
    main()
