"""The README is kept true by tests: what it documents is read from the code it documents.

Each check reads its facts from the source (the CLI's argparse parser, the app's
st.navigation, settings.toml, the queries' header comments), never from a list kept here.
"""

from __future__ import annotations

import argparse
import ast
import re
import tomllib
from pathlib import Path

import pytest

from dashboard.data import derived
from dashboard.measures import queries

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_spans(markdown: str) -> set[str]:
    """Every name in the README's `code spans`, a span split at commas and spaces, with
    TOML table brackets dropped: `[unit_costs.gp_appointment]` names unit_costs.gp_appointment."""
    names = set()
    for span in re.findall(r"`([^`\n]+)`", markdown):
        names.update(part.strip("[]") for part in re.split(r"[\s,]+", span) if part)
    return names


def table_rows(markdown: str, header: str) -> list[str]:
    """The first column of the markdown table whose header row is `header`."""
    lines = markdown.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    return rows


# (a) the command line


def subcommands() -> list[str]:
    from dashboard.__main__ import build_parser

    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(commands.choices)


def test_every_cli_subcommand_is_in_the_readme():
    commands = subcommands()
    assert commands, "the parser has no subcommands"
    missing = [c for c in commands if not re.search(rf"-m dashboard {c}\b", README)]
    assert not missing, f"README's command line section lacks `python -m dashboard {missing}`"


# (b) the pages


def page_titles() -> list[str]:
    """The titles of the st.Page calls inside app.py's st.navigation call, in order."""
    tree = ast.parse((ROOT / "dashboard" / "app.py").read_text(encoding="utf-8"))
    (navigation,) = (
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "navigation"
    )
    titles = []
    for node in ast.walk(navigation):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            (title,) = (k.value for k in node.keywords if k.arg == "title")
            titles.append(ast.literal_eval(title))
    return titles


def test_the_readme_pages_table_lists_exactly_the_apps_pages():
    titles = page_titles()
    assert titles, "found no st.Page in app.py's st.navigation"
    rows = table_rows(README, "| page | what it shows |")
    assert sorted(rows) == sorted(titles), (
        f"pages missing from README's table: {sorted(set(titles) - set(rows))}; "
        f"rows that are no page: {sorted(set(rows) - set(titles))}"
    )


# (c) settings.toml


def settings_paths() -> list[tuple[str, ...]]:
    """Every table and key of settings.toml, as a path of names."""
    with open(ROOT / "settings.toml", "rb") as file:
        settings = tomllib.load(file)
    paths = []

    def walk(table: dict, prefix: tuple[str, ...]) -> None:
        for key, value in table.items():
            paths.append((*prefix, key))
            if isinstance(value, dict):
                walk(value, (*prefix, key))

    walk(settings, ())
    return paths


def named(path: tuple[str, ...], spans: set[str]) -> bool:
    """A table or key is named by its dotted path (or a longer path inside it); a key of a
    nested table (unit_costs.gp_appointment.value) also by its table's path and its own name."""
    dotted = ".".join(path)
    if any(span == dotted or span.startswith(f"{dotted}.") for span in spans):
        return True
    return len(path) > 2 and named(path[:-1], spans) and path[-1] in spans


def test_every_setting_is_named_in_the_readme():
    paths = settings_paths()
    assert paths
    spans = code_spans(README)
    missing = [".".join(path) for path in paths if not named(path, spans)]
    assert not missing, f"README does not name these settings.toml keys: {missing}"


# (d) the queries' header comments


SQL_DEFINITIONS = {
    **{f"queries/{name}.sql": queries.sql(name) for name in queries.names()},
    **{f"queries/derived/{t}.sql": derived.definition(t) for t in derived.TABLES},
}


@pytest.mark.parametrize("path", sorted(SQL_DEFINITIONS))
def test_a_query_header_names_exactly_the_parameters_its_body_uses(path):
    text = SQL_DEFINITIONS[path]
    header = queries.header(text)
    assert header and header[0].startswith(f"-- {Path(path).stem}: "), "no '-- <name>:' line"
    assert sum(line.startswith("-- grain: ") for line in header) == 1, "no '-- grain:' line"
    assert queries.header_parameters(text) == queries.body_parameters(text)


# (e) the mapping format


def test_the_readme_mapping_example_is_a_usable_mapping_of_the_documented_export(
    tmp_path: Path,
):
    from dashboard.data import ingest, store
    from dashboard.data.ingest.mapping import parse

    (example,) = re.findall(r"```toml\n(name = .*?)```", README, re.S)
    mapping = parse(example, "the README's example")
    export = tmp_path / "export.csv"
    export.write_text(
        ",".join(mapping.headers)
        + "\nC1,14/04/2025,A81001,U12345,Doctor,Loneliness,47,Female,White,3,22/04/2025,"
        "Closed - goals met\n",
        encoding="utf-8",
    )
    with store.connect(tmp_path / "db.duckdb") as con:
        (report,) = ingest.load(con, [ingest.Extract("export.csv", export, None, mapping)])
        assert (report.accepted, report.rejected, report.loaded) == (1, 0, True)
        assert con.execute(
            "select referral_source, status, age_band from referrals"
        ).fetchone() == (
            "gp",
            "completed",
            "45-54",
        )
