"""Published snapshots: loads while the dashboard serves, writers taking turns, rollback, a
killed load, and a clean stop of `serve`. Real processes on loopback, bounded in time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.__main__ import main
from dashboard.data import snapshots, store
from dashboard.devtools.browser import free_port
from dashboard.measures import queries
from tests.extracts import rows, write_csv
from tests.pages import APP

ROOT = Path(__file__).resolve().parents[1]


def referrals_csv(path: Path, count: int, prefix: str = "R") -> Path:
    return write_csv(
        path, rows("referrals", *({"referral_id": f"{prefix}{i}"} for i in range(count)))
    )


def reference_pcn(db: Path, tmp_path: Path) -> None:
    """The PCN the referrals are from, so they count in the figures."""
    csv = write_csv(tmp_path / "pcns.csv", rows("pcns", {}))
    assert main(["load", "pcns", str(csv), "--db", str(db)]) == 0


def load(db: Path, csv: Path, *extra: str) -> int:
    return main(["load", "referrals", str(csv), "--db", str(db), *extra])


def published_counts(db: Path) -> dict[str, int]:
    with store.reading(db) as con:
        return store.table_counts(con)


def summary_total(db: Path, capsys) -> int:
    capsys.readouterr()  # what the loads before printed
    argv = ["summary", "--db", str(db), "--json", "--no-suppression", "--from", "2025-04-01"]
    assert main([*argv, "--to", "2026-03-31"]) == 0
    return json.loads(capsys.readouterr().out)["referrals"]["total"]


def test_a_load_publishes_a_snapshot_that_readers_open_read_only(db_path, tmp_path):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 3)) == 0
    first = snapshots.current(db_path)
    assert first is not None and first.rows["referrals"] == 3
    assert load(db_path, referrals_csv(tmp_path / "b.csv", 2, "S")) == 0
    assert snapshots.current(db_path).id == first.id + 1
    assert published_counts(db_path)["referrals"] == 5
    # The earlier snapshot is still there, untouched, for a rollback.
    with store.open_snapshot(first.path(db_path)) as con:
        assert store.table_counts(con)["referrals"] == 3


def test_rollback_restores_the_exact_previous_counts_and_can_itself_be_undone(
    db_path, tmp_path, capsys
):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 3)) == 0
    before = published_counts(db_path)
    assert load(db_path, referrals_csv(tmp_path / "bad.csv", 4, "BAD")) == 0
    assert published_counts(db_path)["referrals"] == 7
    bad_version = snapshots.current(db_path).data_version
    assert main(["rollback", "--db", str(db_path)]) == 0
    assert published_counts(db_path) == before
    with store.open_db(db_path, read_only=True) as con:  # the working database too
        assert store.table_counts(con) == before
    with store.reading(db_path) as con:  # the load history says what was undone
        history = con.execute(
            "select load_id, kind, file_name from load_history order by load_id"
        ).fetchall()
        quality = con.execute(queries.sql("data_quality")).df()
    assert [kind for _, kind, _ in history] == ["referrals", "rollback"]
    assert history[-1][2] == "rollback to snapshot 1 (undoes bad.csv)"
    assert history[-1][0] > bad_version  # a new data version: no cached result is reused
    assert quality["kind"].tolist() == ["referrals"] and quality["loads"].tolist() == [1]
    assert main(["history", "--db", str(db_path)]) == 0
    listed = capsys.readouterr().out
    assert "rollback to snapshot 1" in listed and "load: bad.csv" in listed
    # The rollback is a snapshot: rolling back to the bad load brings it back.
    bad = next(s for s in snapshots.history(db_path) if "bad.csv" in s.note)
    assert main(["rollback", "--to", str(bad.id), "--db", str(db_path)]) == 0
    assert published_counts(db_path)["referrals"] == 7
    assert main(["rollback", "--to", "999", "--db", str(db_path)]) == 2
    assert "No snapshot 999" in capsys.readouterr().err


def test_a_second_writer_is_told_or_waits_its_turn(db_path, tmp_path, capsys):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 1)) == 0
    csv = referrals_csv(tmp_path / "b.csv", 2, "S")
    capsys.readouterr()
    with snapshots.writer_turn(db_path):
        assert load(db_path, csv) == 2
        assert "Another load" in capsys.readouterr().err
        waiting = threading.Thread(target=lambda: load(db_path, csv, "--wait"))
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive(), "--wait should queue behind the running load"
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert published_counts(db_path)["referrals"] == 3


def test_summary_reads_the_published_data_while_a_load_holds_the_working_database(
    db_path, tmp_path, capsys
):
    reference_pcn(db_path, tmp_path)
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 3)) == 0
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "sys.stdin.read()", str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        assert summary_total(db_path, capsys) == 3
    finally:
        holder.communicate("")


@pytest.mark.parametrize("stage", ["Reading", "Validating", "Writing", "Committed"])
def test_a_load_killed_at_any_moment_leaves_the_published_data_whole(db_path, tmp_path, stage):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 5)) == 0
    before = published_counts(db_path)
    big = referrals_csv(tmp_path / "big.csv", 20_000, "K")
    loader = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "load", "referrals", str(big), "--db", str(db_path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for line in loader.stderr:  # the load's progress, one line a step
            if line.startswith(stage):
                loader.send_signal(signal.SIGKILL)
                break
    finally:
        loader.kill()
        loader.wait(timeout=30)
    assert loader.returncode == -signal.SIGKILL, f"the load finished before {stage!r}"
    after = published_counts(db_path)
    # Either the load had committed (every row, published by the next reader) or the old data
    # stands; never part of it.
    assert after == before or after["referrals"] == before["referrals"] + 20_000
    assert (after == before) == (stage != "Committed")
    assert load(db_path, referrals_csv(tmp_path / "next.csv", 1, "N")) == 0
    assert published_counts(db_path)["referrals"] == after["referrals"] + 1


def test_an_open_dashboard_moves_to_a_new_load_on_its_next_rerun(db_path, tmp_path, monkeypatch):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 12)) == 0
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"from": "2025-04-01", "to": "2026-03-31"})
    at.switch_page("views/data.py").run()
    assert not at.exception
    pinned = at.session_state["_snapshot"]
    assert load(db_path, referrals_csv(tmp_path / "b.csv", 20, "S")) == 0
    at.run()
    assert not at.exception
    assert at.session_state["_snapshot"] != pinned
    with store.open_snapshot(Path(at.session_state["_snapshot"])) as con:
        assert store.table_counts(con)["referrals"] == 32


def test_serve_stops_cleanly_on_sigterm_and_loads_commit_while_it_runs(db_path, tmp_path, capsys):
    reference_pcn(db_path, tmp_path)
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 3)) == 0
    port = free_port()
    env = {
        **os.environ,
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", "--db", str(db_path)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not start"
                assert server.poll() is None, "serve exited early"
                time.sleep(0.5)
        # While it serves: a load commits, and summary reads the new data.
        assert load(db_path, referrals_csv(tmp_path / "b.csv", 4, "S")) == 0
        assert summary_total(db_path, capsys) == 7
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    # Streamlit stopped with it: nothing listens on the port, and a new server can take it
    # (as servers do, with SO_REUSEADDR past the health check's closed connections).
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()


def test_the_data_page_lists_snapshots_and_rolls_back(db_path, tmp_path, monkeypatch):
    assert load(db_path, referrals_csv(tmp_path / "a.csv", 10)) == 0
    assert load(db_path, referrals_csv(tmp_path / "bad.csv", 20, "BAD")) == 0
    monkeypatch.setenv(store.DB_ENV, str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("views/data.py").run()
    assert not at.exception
    listed = next(frame.value for frame in at.dataframe if "What" in frame.value.columns)
    assert listed["What"].tolist() == ["load: bad.csv", "load: a.csv"]
    assert listed["Referrals"].tolist() == ["30", "10"]
    at.selectbox(key="rollback_to").set_value(1)
    at.button(key="rollback").click().run()
    assert not at.exception
    assert any("rollback to snapshot 1" in s.value for s in at.success)
    assert published_counts(db_path)["referrals"] == 10
