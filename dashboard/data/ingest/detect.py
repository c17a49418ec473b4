"""Recognise a file from its headers: its kind, and where each contract column sits.

A file that carries patient identifiers (named by a header, or NHS numbers among its values)
is refused whole here, before anything reads its rows as data.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from dashboard.data.contract import KINDS, Column, columns, normalise_header
from dashboard.data.ingest.mapping import AGE_KEY, header_index
from dashboard.data.ingest.work import Work
from dashboard.data.readers import Refused, Staged

AGE_HEADERS = frozenset({"age", "ageatreferral", "ageyears", "ageinyears", "ageatreferraldate"})

# Headers that name a patient identifier. Short, ambiguous words match only whole headers.
_IDENTIFIER_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # what: (whole headers, parts of headers)
    "an NHS number": (("nhs", "nhsnum", "nhsid"), ("nhsnumber", "nhsno")),
    "a person's name": (
        ("name", "patientname", "personname", "clientname", "middlename", "names"),
        ("surname", "forename", "firstname", "lastname", "fullname", "givenname", "familyname"),
    ),
    "a date of birth": (("dob", "patientdob", "birthday"), ("dateofbirth", "birthdate")),
    "an address": ((), ("address",)),
    "a postcode": ((), ("postcode", "postalcode", "zipcode")),
}
# Organisations have names, addresses and postcodes that identify nobody.
_ORGANISATION_PREFIXES = (
    "practice",
    "pcn",
    "provider",
    "service",
    "organisation",
    "organization",
    "org",
    "site",
    "venue",
    "icb",
    "subicb",
    "ccg",
    "stp",
    "gp",
    "surgery",
    "commregion",
)

# NHS Digital's "Patients Registered at a GP Practice" files (see DESIGN.md).
_GP_MAPPING_HEADERS = frozenset({"practicecode", "pcncode", "pcnname"})
_GP_SIZES_CODE = ("code", "orgcode")

_PSEUDONYMISED = (
    "Extracts must be pseudonymised: remove NHS numbers, names, dates of birth, addresses "
    "and postcodes, and identify people only by a pseudonymised person_id. Nothing was loaded."
)


# ---------------------------------------------------------------------------------------------
# Kinds and column positions


class HeadersRefused(Refused):
    """Refused for its headers alone: a mapping of its columns can make the file loadable."""


_MAP_HINT = (
    "rename the headers (see the data dictionary), or map them once: the Data page's mapping "
    "step, or load --mapping."
)


def _header_names(column: Column) -> set[str]:
    return {normalise_header(column.name), *(normalise_header(a) for a in column.aliases)}


def column_positions(kind: str, headers: Sequence[str]) -> dict[str, int]:
    """Which file column holds each contract column (first match wins)."""
    normalised = [normalise_header(h) for h in headers]
    positions: dict[str, int] = {}
    for column in columns(kind):
        names = _header_names(column)
        for index, header in enumerate(normalised):
            if header in names:
                positions[column.name] = index
                break
    return positions


def age_position(kind: str, headers: Sequence[str], positions: dict[str, int]) -> int | None:
    """The file column of an age in years, banded on load, when referrals carry no age band."""
    if kind != "referrals" or "age_band" in positions:
        return None
    for index, header in enumerate(headers):
        if normalise_header(header) in AGE_HEADERS:
            return index
    return None


def gp_registration_part(headers: Sequence[str]) -> str | None:
    """'mapping' or 'sizes' for NHS Digital's GP registration files, else None."""
    normalised = {normalise_header(h) for h in headers}
    if _GP_MAPPING_HEADERS <= normalised:
        return "mapping"
    if "numberofpatients" in normalised and normalised & set(_GP_SIZES_CODE):
        return "sizes"
    return None


def detect_kind(headers: Sequence[str]) -> str | None:
    """The extract kind whose required columns the headers carry (most columns matched wins)."""
    if gp_registration_part(headers):
        return "pcns"
    best, best_score = None, 0
    for kind in KINDS:
        positions = column_positions(kind, headers)
        required = {c.name for c in columns(kind) if c.required}
        if kind == "referrals" and age_position(kind, headers, positions) is not None:
            required.discard("age_band")
        if required - set(positions):
            continue
        if len(positions) > best_score:
            best, best_score = kind, len(positions)
    return best


def unrecognised(name: str, headers: Sequence[str]) -> str:
    """Why a file of no recognisable kind is refused, naming the nearest kind's missing columns."""
    nearest = max(KINDS, key=lambda kind: len(column_positions(kind, headers)))
    missing = [
        c.name
        for c in columns(nearest)
        if c.required and c.name not in column_positions(nearest, headers)
    ]
    return (
        f"{name} is not recognised as any extract kind from its headers. The nearest is "
        f"{nearest}, which also needs: {', '.join(missing)}. Choose the kind by hand, " + _MAP_HINT
    )


def _holds_ages(con: duckdb.DuckDBPyConnection, staged: Staged, index: int) -> bool:
    """Whether a column holds ages in years (whole numbers) rather than age bands."""
    whole, filled = con.execute(
        f"select count(*) filter (where regexp_full_match(trim(c{index}), '\\d{{1,3}}')), "  # noqa: S608
        f"count(nullif(trim(c{index}), '')) from {staged.table}"
    ).fetchone()
    return filled > 0 and whole >= 0.9 * filled


def _mapped_positions(con: duckdb.DuckDBPyConnection, work: Work) -> None:
    """Positions as the work's mapping names them; the columns it leaves out by their names."""
    mapping, headers, file = work.mapping, work.staged.headers, work.report.file
    named: dict[str, int] = {}
    for key, header in mapping.columns.items():
        index = header_index(headers, header)
        if index is None:
            shown = ", ".join(f"'{h}'" for h in headers)
            raise HeadersRefused(
                f"{file}: the mapping '{mapping.name}' reads {key} from the column '{header}', "
                f"but the file has no such column. Its columns are: {shown}. Change the "
                "mapping's [columns], or choose another mapping."
            )
        named[key] = index
    by_name = column_positions(work.kind, headers)
    # A header the mapping gives to one column is not also read as another by its name.
    work.positions = {c: i for c, i in by_name.items() if i not in named.values() or c in named}
    work.positions.update({c: i for c, i in named.items() if c != AGE_KEY})
    work.age_position = named.get(AGE_KEY)
    if "age_band" in named and _holds_ages(con, work.staged, named["age_band"]):
        work.age_position = work.positions.pop("age_band")
    if work.age_position is not None:
        work.positions.pop("age_band", None)
    elif "age_band" not in work.positions:
        work.age_position = age_position(work.kind, headers, work.positions)


def map_columns(work: Work, con: duckdb.DuckDBPyConnection) -> None:
    """Find each contract column among the file's headers (or by its mapping), or raise Refused.

    Columns outside the contract are ignored, and said so on the report.
    """
    headers = work.staged.headers
    if work.mapping:
        _mapped_positions(con, work)
    else:
        work.positions = column_positions(work.kind, headers)
        work.age_position = age_position(work.kind, headers, work.positions)
    if not work.positions and work.age_position is None:
        shown = ", ".join(f"'{h}'" for h in headers[:5]) + (", ..." if len(headers) > 5 else "")
        raise HeadersRefused(
            f"{work.report.file} is not a table of {work.kind}: none of its headers ({shown}) "
            "names a column of the extract. The first row must be the header row; then " + _MAP_HINT
        )
    missing = [
        c.name
        for c in columns(work.kind)
        if c.required
        and c.name not in work.positions
        and not (c.name == "age_band" and work.age_position is not None)
    ]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        if work.mapping:
            hint = (
                f"The mapping '{work.mapping.name}' does not name {'them' if plural else 'it'} "
                "and no header is one of its names: add it to the mapping's [columns]."
            )
        else:
            hint = "Headers may be the canonical names or their aliases: " + _MAP_HINT
        raise HeadersRefused(
            f"{work.report.file} has no {', '.join(missing)} column{plural}, required for "
            f"{work.kind}. {hint}"
        )
    used = set(work.positions.values()) | {work.age_position}
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    if ignored:
        work.report.notices.append(
            f"{work.report.file}: columns not in the {work.kind} contract were ignored: "
            + ", ".join(ignored)
        )
    if work.age_position is not None:
        work.report.notices.append(
            f"{work.report.file}: '{headers[work.age_position]}' was banded into age_band; "
            "the age itself is not stored."
        )


# ---------------------------------------------------------------------------------------------
# Patient identifiers


def _identifier_headers(headers: Sequence[str], gp_file: bool) -> list[tuple[str, str]]:
    found = []
    for header in headers:
        normalised = normalise_header(header)
        if not normalised or normalised.startswith(_ORGANISATION_PREFIXES):
            continue
        if gp_file and normalised == "postcode":  # the practice's postcode
            continue
        for what, (whole, parts) in _IDENTIFIER_WORDS.items():
            if normalised in whole or any(part in normalised for part in parts):
                found.append((header, what))
                break
    return found


def create_nhs_number_macros(con: duckdb.DuckDBPyConnection) -> None:
    """`_nhs_number(v)`: whether a text value is a valid NHS number (for `refuse_identifiers`)."""
    # The NHS number check digit (modulus 11): weights 10..2 on the first nine digits.
    # An NHS number is ASCII, so its length in bytes (strlen, no scan of the text) is its length.
    con.execute(
        """
        create or replace temp macro _nhs_check_digit(d) as (
            (11 - list_sum([(ascii(d[i]) - 48) * (11 - i) for i in range(1, 10)]) % 11) % 11
        )
        """
    )
    con.execute(
        r"""
        create or replace temp macro _nhs_number(v) as (
            case
                when strlen(v) between 10 and 12
                    and regexp_full_match(v, '\d{3}[ -]?\d{3}[ -]?\d{4}')
                then _nhs_check_digit(replace(replace(v, ' ', ''), '-', ''))
                    = ascii(replace(replace(v, ' ', ''), '-', '')[10]) - 48
                else false
            end
        )
        """
    )


def refuse_identifiers(
    con: duckdb.DuckDBPyConnection, staged: Staged, file: str, gp_file: bool
) -> None:
    """Raise Refused when a header names a patient identifier or a column holds NHS numbers."""
    named = _identifier_headers(staged.headers, gp_file)
    if named:
        listed = "; ".join(f"'{header}' names {what}" for header, what in named)
        raise Refused(f"{file} holds patient identifiers ({listed}). {_PSEUDONYMISED}")
    checked = ", ".join(
        f"count(c{i}) filter (where _nhs_number(c{i})), count(c{i})"
        for i in range(len(staged.headers))
    )
    counts = con.execute(f"select {checked} from {staged.table}").fetchall()[0]  # noqa: S608
    for index, header in enumerate(staged.headers):
        numbers, filled = counts[2 * index], counts[2 * index + 1]
        # Random 10-digit numbers pass the checksum about one time in eleven.
        if numbers and numbers * 2 >= filled:
            raise Refused(
                f"{file} holds patient identifiers: {numbers:,} values in the "
                f"column '{header}' are valid NHS numbers. {_PSEUDONYMISED}"
            )
