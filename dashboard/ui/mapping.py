"""The mapping step of the Data page: a source system's columns and codes, mapped once.

For a file whose headers are a source system's own, the analyst picks the file's column for
each contract column and the contract value for each code found in the file, every choice
preselected with the best guess (`ingest.guess`). The preview beneath follows each change;
nothing loads until Load is clicked. A mapping saved by name is applied to the next file
with the same headers, and can be downloaded (the README's format) or deleted.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st
from pydantic import ValidationError

from dashboard.data import ingest, mappings
from dashboard.data.contract import KINDS, PRSB_ITEMS, Column, columns
from dashboard.data.ingest import guess
from dashboard.data.ingest.mapping import Mapping, date_example, to_toml, value_key
from dashboard.data.readers import stage
from dashboard.settings import load_settings
from dashboard.ui import access

_PROFILES = "mapping_profiles"
_SAVED = "mapping_saved"
_GUESSES = "mapping_guesses"
NOT_IN_FILE = "(not in the file)"
UNMAPPED = "(not mapped: rows rejected)"
BLANK = "(blank)"
_ISO_OR_UK = "ISO or UK (yyyy-mm-dd or dd/mm/yyyy)"


def _profile(digest: str, path: Path, name: str) -> guess.Profile:
    # Read once per file: every choice in the step reruns the page.
    profiles = st.session_state.setdefault(_PROFILES, {})
    if digest not in profiles:
        with duckdb.connect() as con:
            staged = stage(con, path, name, "_profile", load_settings().load.max_bytes)
            profiles[digest] = guess.profile(con, staged)
    return profiles[digest]


def _guessed(digest: str, what: str, make):
    # Guesses only preselect: made once per file (and kind), not on every rerun.
    guesses = st.session_state.setdefault(_GUESSES, {})
    if (digest, what) not in guesses:
        guesses[digest, what] = make()
    return guesses[digest, what]


def _label(key: str, column: Column | None) -> str:
    if column is None:
        return "age in years (banded on load)"
    if column.name == "age_band":
        return "age_band (or an age in years, above)"
    return f"{key} (required)" if column.required else key


def _help(kind: str, key: str, column: Column | None) -> str:
    if column is None:
        return "Whole years, 0 to 120; only the band is kept."
    items = PRSB_ITEMS.get(kind, {}).get(key)
    prsb = f" PRSB Social Prescribing Information Standard: {', '.join(items)}." if items else ""
    return f"{column.description[:1].upper()}{column.description[1:]}.{prsb}"


def _column_choices(
    digest: str, kind: str, found: guess.Profile, start: dict[str, str], date_format: str | None
) -> dict[str, str]:
    st.markdown("**Columns**: the file's column for each contract column")
    suggested = start or _guessed(
        digest, (kind, date_format), lambda: guess.guess_columns(kind, found, date_format)
    )
    chosen: dict[str, str] = {}
    options = [NOT_IN_FILE, *found.headers]
    grid = st.columns(3)
    for position, (key, column) in enumerate(guess.targets(kind)):
        preselected = suggested.get(key)
        header = grid[position % 3].selectbox(
            _label(key, column),
            options,
            index=options.index(preselected) if preselected in options else 0,
            key=f"mapcol_{digest}_{kind}_{key}",
            help=_help(kind, key, column),
        )
        if header != NOT_IN_FILE:
            chosen[key] = header
    return chosen


def _rows(count: int) -> str:
    # The analyst's own file, exactly: the counts they need to judge a code (like the preview).
    return f"{count:,} row" + ("" if count == 1 else "s")


def _code_choices(
    digest: str,
    kind: str,
    found: guess.Profile,
    chosen: dict[str, str],
    start: dict[str, dict[str, str]],
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The contract value for each code of each coded column; and the codes left unmapped.

    Codes of the mapping being edited that this file does not have are kept: last month's
    code may come back next month.
    """
    values = {column: dict(codes) for column, codes in start.items()}
    unmapped: list[str] = []
    coded = [c for c in columns(kind) if c.allowed and c.name in chosen]
    if coded:
        st.markdown("**Codes**: the contract value each of the file's values means")
    for column in coded:
        index = found.headers.index(chosen[column.name])
        codes = found.codes[index]
        before = {value_key(k): v for k, v in start.get(column.name, {}).items()}
        options = [UNMAPPED, *column.allowed, BLANK]
        listed = {value_key(code) for code, _ in codes}
        picks = {k: v for k, v in start.get(column.name, {}).items() if value_key(k) not in listed}
        guessed = _guessed(
            digest,
            ("codes", column.name, chosen[column.name]),
            lambda c=column, cs=codes: {code: guess.guess_value(c, code) for code, _ in cs},
        )
        missing = [code for code, _ in codes if before.get(value_key(code), guessed[code]) is None]
        with st.expander(
            f"{column.name}: {len(codes)} value{'s' if len(codes) != 1 else ''} in "
            f"'{chosen[column.name]}'" + (f", {len(missing)} not mapped" if missing else ""),
            expanded=bool(missing),
        ):
            grid = st.columns(2)
            for position, (code, rows) in enumerate(codes):
                meant = before.get(value_key(code), guessed[code])
                default = BLANK if meant == "" else (meant or UNMAPPED)
                pick = grid[position % 2].selectbox(
                    f"'{code}' ({_rows(rows)})",
                    options,
                    index=options.index(default),
                    key=f"mapval_{digest}_{kind}_{column.name}_{position}",
                )
                if pick == UNMAPPED:
                    unmapped.append(f"{column.name} '{code}' ({_rows(rows)})")
                else:
                    picks[code] = "" if pick == BLANK else pick
            if found.distinct[index] > len(codes):
                st.caption(
                    f"The {len(codes)} commonest of {found.distinct[index]:,} different values "
                    "are listed; the others are read as written."
                )
        values[column.name] = picks
    return values, unmapped


def _date_choice(digest: str, found: guess.Profile, start: Mapping | None, kind: str) -> str | None:
    suggested = (
        start.date_format
        if start
        else _guessed(digest, ("dates", kind), lambda: guess.guess_file_date_format(kind, found))
    )
    options = [None, *guess.DATE_FORMATS]
    if suggested not in options:
        options.append(suggested)
    return st.selectbox(
        "How the file writes dates",
        options,
        index=options.index(suggested),
        format_func=lambda f: _ISO_OR_UK if f is None else f"{f}  (for example {date_example(f)})",
        key=f"mapdates_{digest}",
        help="ISO dates (yyyy-mm-dd) are read whatever the format chosen.",
    )


def _download(where, label: str, mapping: Mapping, key: str) -> None:
    """A download of the mapping in the README's format, which `load --mapping` reads."""
    where.download_button(
        label,
        data=to_toml(mapping),
        file_name=mappings.file_name(mapping.name),
        mime="application/toml",
        key=key,
        icon=":material/download:",
    )


def mapping_step(
    name: str,
    digest: str,
    path: Path,
    report: ingest.Report,
    kind: str | None,
    db: Path,
    saved_mappings: list[Mapping],
) -> Mapping | None:
    """The file's mapping as the analyst has chosen it, or None when they map nothing."""
    saved = {m.name: m for m in saved_mappings}
    start = saved.get(report.mapping) if report.mapping else None
    if report.refused and not report.mappable and not start:
        return None  # patient identifiers, an unreadable file: no mapping can help
    label = (
        f"Edit the saved mapping '{start.name}'" if start else "Map this file's columns and codes"
    )
    if not st.toggle(label, value=report.mappable, key=f"map_{digest}"):
        return None
    found = _profile(digest, path, name)
    with st.container(border=True):
        st.markdown(f"**Mapping for {name}**")
        kinds = list(KINDS)
        preselected = (
            (start.kind if start else None)
            or kind
            or _guessed(digest, "kind", lambda: guess.guess_kind(found))
        )
        chosen_kind = st.selectbox(
            "Extract kind", kinds, index=kinds.index(preselected), key=f"mapkind_{digest}"
        )
        start = start if start and start.kind == chosen_kind else None
        date_format = _date_choice(digest, found, start, chosen_kind)
        chosen = _column_choices(
            digest, chosen_kind, found, start.columns if start else {}, date_format
        )
        values, unmapped = _code_choices(
            digest, chosen_kind, found, chosen, start.values if start else {}
        )
        if unmapped:
            st.warning(
                "Not mapped: these rows will be rejected unless a contract value is chosen for "
                "them: " + "; ".join(unmapped),
                icon=":material/warning:",
            )
        mapping_name = st.text_input(
            "Mapping name",
            value=start.name if start else f"{Path(name).stem} ({chosen_kind})",
            key=f"mapname_{digest}",
            help='For example "Elemental monthly export": the next file with these headers is '
            "read with it.",
        )
        try:
            mapping = Mapping(
                name=mapping_name or f"{Path(name).stem} ({chosen_kind})",
                kind=chosen_kind,
                headers=tuple(found.headers),
                columns=chosen,
                dates={"format": date_format} if date_format else None,
                values={column: codes for column, codes in values.items() if codes},
            )
        except ValidationError as error:
            st.error(
                "This mapping cannot be used: "
                + "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors()),
                icon=":material/block:",
            )
            return None
        save, download = st.columns(2)
        if save.button(
            f"Save mapping '{mapping.name}'", key=f"mapsave_{digest}", icon=":material/save:"
        ):
            replaced = any(m.lower() == mapping.name.lower() for m in saved)
            mappings.save(db, mapping)
            access.record(
                "mapping",
                f"{'replaced' if replaced else 'saved'} mapping '{mapping.name}' for "
                f"{mapping.kind}: {len(mapping.columns)} columns, "
                f"{sum(len(v) for v in mapping.values.values())} codes",
            )
            # Rerun, so that the list of saved mappings above shows it.
            st.session_state[_SAVED] = (
                f"Saved '{mapping.name}': the next file with these headers is read with it."
            )
            st.rerun()
        if message := st.session_state.pop(_SAVED, None):
            st.success(message, icon=":material/check:")
        _download(download, "Download this mapping (TOML)", mapping, f"mapdownload_{digest}")
    return mapping


def saved_mappings_panel(db: Path, listed: list[tuple[Path, Mapping | None, str | None]]) -> None:
    """The saved mappings (`mappings.listing`): what each maps, to download or delete."""
    with st.expander(f"Saved mappings ({len(listed)})", expanded=False):
        if not listed:
            st.caption(
                "None yet. When a file's headers are a source system's own, map them in the "
                "mapping step below the upload and save the mapping by name."
            )
        for position, (_, mapping, problem) in enumerate(listed):
            if mapping is None:
                st.error(f"Cannot be read, so never applied: {problem}", icon=":material/block:")
                continue
            codes = sum(len(v) for v in mapping.values.values())
            text, download, delete = st.columns([3, 1, 1])
            text.markdown(
                f"**{mapping.name}**: {mapping.kind}, {len(mapping.columns)} columns, "
                f"{codes} codes" + (f", dates {mapping.date_format}" if mapping.date_format else "")
            )
            _download(download, "Download", mapping, f"saved_mapping_download_{position}")
            if delete.button(
                "Delete", key=f"saved_mapping_delete_{position}", icon=":material/delete:"
            ):
                mappings.delete(db, mapping.name)
                access.record("mapping", f"deleted mapping '{mapping.name}' for {mapping.kind}")
                st.rerun()
