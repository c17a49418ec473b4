"""Scale-out: two dashboard processes behind nginx (Debian's, sticky sessions, websockets), on
one snapshot folder. A load published while browsers read reaches every process within the
stated time, with no error box. Loopback only; bounded in time."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.__main__ import main
from dashboard.devtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, serve
from tests.conftest import _browser_missing
from tests.extracts import rows, write_csv

pytestmark = pytest.mark.browser
SWITCH_SECONDS = 10  # the README's promise: an open dashboard shows a new load within 10 s
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    upstream dashboards {{
        ip_hash;  # sticky: a browser's websocket stays with the process that holds its session
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://dashboards;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1h;
        }}
    }}
}}
"""


def _requirements() -> None:
    reason = _browser_missing()
    if reason is None and not Path(NGINX).exists():
        reason = "nginx is not installed (apt-get install -y nginx)"
    if reason:
        if os.environ.get("SP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


def _nginx(home: Path, upstreams: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    servers = "\n".join(f"        server {url.removeprefix('http://')};" for url in upstreams)
    conf = home / "nginx.conf"
    conf.write_text(NGINX_CONF.format(home=home, servers=servers, port=port))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(home), "-e", str(home / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {(home / 'error.log').read_text()}")
            time.sleep(0.25)


def _referrals(prefix: str, count: int) -> list[dict]:
    return rows("referrals", *({"referral_id": f"{prefix}{i}"} for i in range(count)))


PERIOD = "from=2025-04-01&to=2026-03-31"


def _referrals_tile(page):
    """The Overview's referrals tile (its value, rounded to 5 like every count shown)."""
    return page.get_by_test_id("stMetricValue").first


def test_two_processes_behind_nginx_serve_a_new_load_within_seconds(tmp_path):
    _requirements()
    from playwright.sync_api import expect, sync_playwright

    db = tmp_path / "dashboard.duckdb"
    pcns = write_csv(tmp_path / "pcns.csv", rows("pcns", {}))
    first = write_csv(tmp_path / "a.csv", _referrals("A", 40))
    assert main(["load", "auto", str(pcns), str(first), "--db", str(db)]) == 0
    processes = []
    try:
        upstreams = []
        for number in range(2):
            process, url = serve(db, tmp_path / f"streamlit{number}.log")
            processes.append(process)
            upstreams.append(url)
        proxy, front = _nginx(tmp_path, upstreams)
        processes.append(proxy)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for url in (front, *upstreams):  # through the proxy, and each process directly
                page = browser.new_page()
                page.goto(f"{url}/?{PERIOD}")
                expect(_referrals_tile(page)).to_have_text("40", timeout=60_000)
                pages.append(page)
            more = write_csv(tmp_path / "b.csv", _referrals("B", 60))
            published = time.monotonic()
            assert main(["load", "referrals", str(more), "--db", str(db)]) == 0
            for page in pages:
                # 40 + 60 = 100 referrals, on every process, with no reload of the page.
                expect(_referrals_tile(page)).to_have_text("100", timeout=SWITCH_SECONDS * 1000)
                assert page.get_by_test_id("stException").count() == 0
            assert time.monotonic() - published < SWITCH_SECONDS + 5
            browser.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
