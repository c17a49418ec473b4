"""Mappings: a source system's headers, codes and dates, said once in the contract's terms.

A case-management system or a GP search exports its own headers (`Client Ref`), its own codes
(`Doctor`, `Closed - goals met`) and sometimes its own date format (`14-Apr-2025`). A mapping
says, for one extract kind, which of the file's headers holds each contract column, what each
code means among the contract's values, and how dates are written. Everything it does not
cover is read as usual: a contract column it does not name is found by its names and aliases,
and a code it does not map is checked against the contract's values, so a new code in next
month's extract rejects its rows with the usual reason rather than vanishing.

The file format (TOML, documented in the README, written by the Data page's download):

    name = "Case system referrals"
    kind = "referrals"
    headers = ["Client Ref", ...]   # optional: the headers it was made for, to recognise them
    [columns]                       # contract column = the file's header
    referral_id = "Client Ref"
    age = "Age"                     # an age in years, banded into age_band on load
    [dates]                         # optional: when dates are neither ISO nor UK
    format = "%d-%b-%Y"
    [values.status]                 # the file's value = the contract value ("" for blank)
    "Closed - goals met" = "completed"
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dashboard.data.contract import KINDS, columns, normalise_header

# The key `age` names an age in years, banded into age_band as the load does for `Age`.
AGE_KEY = "age"
_DAY_MARKS = ("%d", "%j")
_MONTH_MARKS = ("%m", "%b", "%B", "%j")
_YEAR_MARKS = ("%Y", "%y")
_SAMPLE_DATE = date(2025, 4, 14)


def value_key(value: str) -> str:
    """How a file's value is matched: case, surrounding and repeated spaces ignored."""
    return " ".join(str(value).split()).lower()


# Dates as people write their shape, for a [dates] format without strftime codes.
_NAMED_FORMATS = {"uk": "%d/%m/%Y", "iso": "%Y-%m-%d"}
# Longest first; minutes are the mm after hh.
_WRITTEN_PARTS = {
    "hh:mm": "%H:%M",
    "ss": "%S",
    "yyyy": "%Y",
    "yy": "%y",
    "mmmm": "%B",
    "mmm": "%b",
    "mm": "%m",
    "dd": "%d",
}


def _strftime(pattern: str) -> str:
    """`UK`, `ISO` or a shape such as `dd-mmm-yyyy` as strftime codes; codes as they are."""
    if "%" in pattern:
        return pattern
    if pattern.lower() in _NAMED_FORMATS:
        return _NAMED_FORMATS[pattern.lower()]
    return re.sub(
        "|".join(_WRITTEN_PARTS), lambda m: _WRITTEN_PARTS[m.group(0)], pattern.lower()
    )


def check_date_format(pattern: str) -> str:
    """The pattern if it reads whole dates (day, month and year), else ValueError saying why."""
    pattern = _strftime(pattern.strip())
    missing = [
        what
        for what, marks in (("day", _DAY_MARKS), ("month", _MONTH_MARKS), ("year", _YEAR_MARKS))
        if not any(mark in pattern for mark in marks)
    ]
    if missing:
        raise ValueError(
            f"the date format {pattern!r} has no {' or '.join(missing)}: write it with "
            "strftime codes, for example %d-%b-%Y for 14-Apr-2025 or %d/%m/%y for 14/04/25"
        )
    try:
        written = _SAMPLE_DATE.strftime(pattern)
        if datetime.strptime(written, pattern).date() != _SAMPLE_DATE:
            raise ValueError
    except Exception:  # strptime raises re.error for a code given twice
        raise ValueError(
            f"the date format {pattern!r} does not read back the dates it writes: use each of "
            "the strftime codes %d, %m (or %b), %Y (or %y), %H, %M once"
        ) from None
    return pattern


def date_example(pattern: str) -> str:
    """14 April 2025 as the pattern writes it, for messages."""
    return _SAMPLE_DATE.strftime(pattern)


class Dates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str

    @field_validator("format")
    @classmethod
    def _readable(cls, pattern: str) -> str:
        return check_date_format(pattern)


class Mapping(BaseModel):
    """How one source system's export of one extract kind reads in the contract's terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    kind: str
    # The headers of the file it was made for: a file with the same headers is recognised.
    headers: tuple[str, ...] = ()
    columns: dict[str, str] = Field(default_factory=dict)
    dates: Dates | None = None
    values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _named(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("the mapping needs a name, for example \"Case system referrals\"")
        return name

    @field_validator("kind")
    @classmethod
    def _a_kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not an extract kind: use one of {', '.join(KINDS)}")
        return kind

    @model_validator(mode="before")
    @classmethod
    def _contract_spelling(cls, data: Any) -> Any:
        """Codes meant as contract values in another case or spacing (`GP`, `Not contactable`)
        are the contract's values."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            return data
        if not isinstance(data.get("values"), dict):
            return data
        allowed = {c.name: c.allowed for c in columns(data["kind"]) if c.allowed}
        values = {}
        for column, codes in data["values"].items():
            spelled = {normalise_header(v): v for v in allowed.get(column) or ()}
            if isinstance(codes, dict):
                codes = {
                    written: spelled.get(normalise_header(meant), meant)
                    if isinstance(meant, str)
                    else meant
                    for written, meant in codes.items()
                }
            values[column] = codes
        return {**data, "values": values}

    @model_validator(mode="after")
    def _contract_terms(self) -> Mapping:
        contract = {column.name: column for column in columns(self.kind)}
        names = list(contract) + ([AGE_KEY] if self.kind == "referrals" else [])
        for key, header in self.columns.items():
            if key not in names:
                raise ValueError(
                    f"[columns] {key} is not a column of {self.kind}; its columns are "
                    f"{', '.join(names)}"
                )
            if not header.strip():
                raise ValueError(f"[columns] {key} names no header: give the file's header")
        if AGE_KEY in self.columns and "age_band" in self.columns:
            raise ValueError("[columns] names both age and age_band: give one of them")
        for key, codes in self.values.items():
            column = contract.get(key)
            if column is None:
                raise ValueError(
                    f"[values.{key}] {key} is not a column of {self.kind}; its columns are "
                    f"{', '.join(contract)}"
                )
            seen: dict[str, str] = {}
            for written, meant in codes.items():
                if column.allowed and meant and meant not in column.allowed:
                    raise ValueError(
                        f"[values.{key}] {json.dumps(written)} = {json.dumps(meant)}: "
                        f"{meant!r} is not a {key} value; use one of "
                        f"{', '.join(column.allowed)}, or \"\" for blank"
                    )
                if seen.setdefault(value_key(written), meant) != meant:
                    raise ValueError(
                        f"[values.{key}] {json.dumps(written)} is mapped twice, to "
                        f"{seen[value_key(written)]!r} and {meant!r} (case and spaces are "
                        "ignored when matching)"
                    )
        return self

    @property
    def date_format(self) -> str | None:
        return self.dates.format if self.dates else None

    def codes(self, column: str) -> tuple[list[str], list[str]]:
        """The column's file values (as matched: `value_key`) and the contract values they mean."""
        codes = self.values.get(column, {})
        return [value_key(v) for v in codes], list(codes.values())

    def recognises(self, headers: Sequence[str]) -> bool:
        """Whether a file with these headers is the export this mapping was made for."""
        return bool(self.headers) and _header_set(self.headers) == _header_set(headers)


def _header_set(headers: Sequence[str]) -> set[str]:
    return {normalise_header(h) for h in headers if normalise_header(h)}


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and what is wrong."""


def _where(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    if len(parts) >= 2 and parts[0] in ("columns", "values", "dates"):
        return f"[{parts[0]}] {'.'.join(parts[1:])}"
    return ".".join(parts)


def parse(text: str, source: str) -> Mapping:
    """The mapping written in `text` (TOML), or MappingError naming `source` and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"{source} is not a valid mapping file (TOML): {error}.") from None
    try:
        return Mapping.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            message = re.sub(r"^Value error, ", "", problem["msg"])
            where = _where(problem["loc"])
            if problem["type"] == "missing":
                message = "is missing"
            elif problem["type"] == "extra_forbidden":
                message = "is not a mapping setting (name, kind, headers, columns, dates, values)"
            problems.append(f"{where}: {message}" if where else message)
        raise MappingError(f"{source} is not a usable mapping: " + "; ".join(problems) + ".") from None


def _string(text: str) -> str:
    # A JSON string is a TOML basic string, once DEL (which TOML wants escaped) is escaped;
    # characters beyond U+FFFF stay as they are (JSON would write surrogates, TOML refuses).
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _string(text)


def to_toml(mapping: Mapping) -> str:
    """The mapping in the documented file format; `parse` reads it back unchanged."""
    lines = [f"name = {_string(mapping.name)}", f"kind = {_string(mapping.kind)}"]
    if mapping.headers:
        lines.append("headers = [" + ", ".join(_string(h) for h in mapping.headers) + "]")
    lines += ["", "[columns]  # contract column = the file's header"]
    lines += [f"{key} = {_string(header)}" for key, header in mapping.columns.items()]
    if mapping.dates:
        lines += ["", "[dates]", f"format = {_string(mapping.dates.format)}"]
    for column, codes in mapping.values.items():
        if codes:
            lines += ["", f"[values.{column}]  # the file's value = the contract value"]
            lines += [f"{_string(written)} = {_string(meant)}" for written, meant in codes.items()]
    return "\n".join(lines) + "\n"


def header_index(headers: Sequence[str], header: str) -> int | None:
    """Where a mapping's header is among the file's: exactly, else ignoring case and spaces."""
    for match in (
        lambda h: h == header,
        lambda h: h.strip().lower() == header.strip().lower(),
        lambda h: normalise_header(h) == normalise_header(header) and normalise_header(h),
    ):
        for index, candidate in enumerate(headers):
            if match(candidate):
                return index
    return None
