"""The demo database: built part by part, it holds what one upsert of the whole ICB would give;
the default build holds the data that tests and published figures are pinned to."""

from __future__ import annotations

import pytest

from dashboard.data import store
from dashboard.devtools import demo, synthetic

# Small enough to run in seconds, in ten parts of three PCNs.
REFERRALS, SEED, PART_PCNS = 3_000, 5, 3

# md5 of every row of each canonical table of the default build (seed 2024), in text. Figures
# in the docs and the tests come from this data: change it only on purpose.
DEFAULT_DIGESTS = {
    "pcns": "05a6aa220c53690c474b1529c55d0b5b",
    "referrals": "2c7e5b99672c9437105b78814fd99abd",
    "outcomes": "5e697af0d4e6e6822d6260fd01ab3e6f",
    "utilisation": "3ca9ca1c56a63b1c0166651358d9d386",
    "services": "125f98b0bb2a1720013b9e246d2034f5",
    "onward_referrals": "881882fd067c4391f7050e151f5538a6",
}


def digest(con, table: str) -> str:
    return con.execute(
        f"select md5(string_agg(t::varchar, '|' order by t::varchar)) from {table} t"
    ).fetchone()[0]


def tables(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "order by 1"
        ).fetchall()
    ]


def columns(con) -> list[tuple]:
    return con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position"
    ).fetchall()


def rows(con, table: str) -> list[tuple]:
    return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory):
    path = tmp_path_factory.mktemp("parts") / "demo.duckdb"
    demo.build(path, referrals=REFERRALS, seed=SEED, part_pcns=PART_PCNS)
    return path


@pytest.fixture(scope="module")
def upserted_whole(tmp_path_factory):
    """The same ICB upserted in one transaction, a kind at a time, as a load would."""
    path = tmp_path_factory.mktemp("whole") / "demo.duckdb"
    icb = synthetic.generate(referrals=REFERRALS, seed=SEED, part_pcns=PART_PCNS)
    with store.open_db(path) as con:
        con.execute("begin transaction")
        for kind, frame in icb.tables().items():
            store.upsert(con, kind, frame)
        con.execute("commit")
    return path


def test_a_build_in_parts_holds_what_one_upsert_of_the_whole_icb_gives(in_parts, upserted_whole):
    with (
        store.open_db(in_parts, read_only=True) as built,
        store.open_db(upserted_whole, read_only=True) as whole,
    ):
        assert columns(built) == columns(whole)
        assert store.table_counts(built)["referrals"] == REFERRALS
        for table in tables(whole):
            if table != "load_history":
                assert rows(built, table) == rows(whole, table), table


def test_a_build_in_parts_records_one_load_per_kind_with_its_rows_and_dates(in_parts):
    with store.open_db(in_parts, read_only=True) as con:
        loads = con.execute(
            "select kind, rows_read, accepted, rejected, date_from, date_to from load_history"
        ).fetchall()
        counts = store.table_counts(con)
        first, last = con.execute(
            "select min(referral_date), max(referral_date) from referrals"
        ).fetchone()
    assert {kind: (read, accepted) for kind, read, accepted, *_ in loads} == {
        kind: (rows, rows) for kind, rows in counts.items()
    }
    assert ("referrals", REFERRALS, REFERRALS, 0, first, last) in loads


def test_an_interrupted_build_leaves_no_database_and_no_partial_file(tmp_path, monkeypatch):
    parts = synthetic.parts

    def parts_then_failure(*args):
        yield next(parts(*args))
        raise KeyboardInterrupt

    monkeypatch.setattr(synthetic, "parts", parts_then_failure)
    path = tmp_path / "demo.duckdb"
    with pytest.raises(KeyboardInterrupt):
        demo.build(path, referrals=REFERRALS, seed=SEED, part_pcns=PART_PCNS)
    assert list(tmp_path.iterdir()) == []


def test_the_default_build_holds_the_pinned_data(synthetic_db):
    with store.open_db(synthetic_db, read_only=True) as con:
        assert {kind: digest(con, kind) for kind in DEFAULT_DIGESTS} == DEFAULT_DIGESTS
