"""Who may see what: the access file, its roles, and what each role may do.

When sign-in is configured (`[auth]` in `.streamlit/secrets.toml`), a signed-in person's email
is looked up in the access file named by $SP_DASHBOARD_ACCESS (default `access.toml` beside
the project, never committed with real names). Nobody outside the file sees any data: the
check fails closed, and a file that cannot be read gives nobody access.

Roles, each with everything the one before has except where said:
- `commissioner`: every PCN, every page.
- `pcn`: the PCNs named in `pcns` by name; every other PCN only inside ICB figures or as an
  unnamed peer (dashboard.measures.scope); their filter cannot leave their PCNs.
- `analyst`: the commissioner's view, plus loading, mappings and rollback.
- `admin`: the analyst's, plus the audit trail.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ROOT = Path(__file__).resolve().parents[1]
ACCESS_ENV = "SP_DASHBOARD_ACCESS"
DEFAULT_ACCESS = ROOT / "access.toml"
DEFAULT_CONTACT = "the ICB's business intelligence team"

Role = Literal["commissioner", "pcn", "analyst", "admin"]
LOADERS = ("analyst", "admin")


class AccessError(ValueError):
    """The access file is missing or malformed: nobody is given access until it is fixed."""


class Person(BaseModel):
    """One entry of the access file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(min_length=3)
    role: Role
    pcns: tuple[str, ...] = ()
    name: str | None = None

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", value.strip()):
            raise ValueError(f"{value!r} is not an email address")
        return value.strip().lower()

    @field_validator("pcns")
    @classmethod
    def _pcn_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        codes = tuple(code.strip().upper() for code in value)
        wrong = [code for code in codes if not re.fullmatch(r"U\d{5}", code)]
        if wrong:
            raise ValueError(f"a PCN code is U and five digits, not {', '.join(wrong)}")
        return codes

    @model_validator(mode="after")
    def _pcns_only_for_pcn_role(self) -> Person:
        if self.role == "pcn" and not self.pcns:
            raise ValueError("a pcn user needs `pcns`, the codes of the PCNs they may see")
        if self.role != "pcn" and self.pcns:
            raise ValueError(f"`pcns` limits only the pcn role; a {self.role} sees every PCN")
        return self

    @property
    def can_load(self) -> bool:
        """Loading, mappings and rollback on the Data page."""
        return self.role in LOADERS

    @property
    def can_audit(self) -> bool:
        return self.role == "admin"

    @property
    def named_pcns(self) -> frozenset[str] | None:
        """The PCNs this person sees by name; None for every PCN."""
        return frozenset(self.pcns) if self.role == "pcn" else None

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class AccessList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    contact: str = DEFAULT_CONTACT
    users: tuple[Person, ...] = ()

    @model_validator(mode="after")
    def _each_email_once(self) -> AccessList:
        seen: set[str] = set()
        twice = {p.email for p in self.users if p.email in seen or seen.add(p.email)}
        if twice:
            raise ValueError(f"each email appears once; these appear twice: {sorted(twice)}")
        return self

    def find(self, email: str | None) -> Person | None:
        """The entry for a signed-in email (case does not matter), or None."""
        wanted = (email or "").strip().lower()
        return next((person for person in self.users if person.email == wanted), None)


# Everything, for the dashboard run open on one machine (no `[auth]`): the local user.
OPEN = Person(email="local@localhost", role="admin", name="Open for local use (no sign-in)")


def access_path() -> Path:
    return Path(os.environ.get(ACCESS_ENV) or DEFAULT_ACCESS).expanduser().resolve()


def read_access(path: Path | None = None) -> AccessList:
    """The access file, validated; AccessError says what is wrong and where."""
    path = path or access_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccessError(
            f"There is no access file at {path}, so nobody can be given access. Create it "
            f"(see the README's Security section) or set {ACCESS_ENV}."
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AccessError(f"The access file {path} is not valid TOML: {error}.") from None
    try:
        return AccessList.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(_where(problem) for problem in error.errors())
        raise AccessError(f"The access file {path} is not right: {problems}.") from None


def _where(problem: dict) -> str:
    place = problem["loc"]
    if len(place) >= 2 and place[0] == "users" and isinstance(place[1], int):
        field = ".".join(str(part) for part in place[2:])
        where = f"user {place[1] + 1}" + (f", {field}" if field else "")
    else:
        where = ".".join(str(part) for part in place) or "the file"
    return f"{where}: {problem['msg'].removeprefix('Value error, ')}"
