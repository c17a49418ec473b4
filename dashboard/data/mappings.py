"""Saved mappings: one TOML file each, in a folder beside the database they load into.

`<database>.mappings/` beside `<database>.duckdb`, so that every process serving or loading
that database (the dashboard's, the command line's) sees the same mappings. A file is written
whole to a temporary name and renamed into place, so a reader never sees half a mapping.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from dashboard.data.ingest.mapping import Mapping, MappingError, parse, to_toml


def folder(db: Path) -> Path:
    """Where the mappings of the database at `db` are saved."""
    return db.with_name(f"{db.stem}.mappings")


def file_name(name: str) -> str:
    """A file name for a mapping of this name: its name in lower case, words joined by -."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]
    return f"{slug or 'mapping'}.toml"


def saved(db: Path) -> list[Mapping]:
    """The saved mappings, by name; a file that no longer reads as a mapping is skipped."""
    return [mapping for _, mapping, _ in listing(db) if mapping is not None]


def listing(db: Path) -> list[tuple[Path, Mapping | None, str | None]]:
    """Every saved mapping file: its path, the mapping or None, and what is wrong if None."""
    found = []
    for path in sorted(folder(db).glob("*.toml")):
        try:
            found.append((path, parse(path.read_text(encoding="utf-8"), path.name), None))
        except MappingError as error:
            found.append((path, None, str(error)))
        except (OSError, UnicodeDecodeError) as error:
            found.append((path, None, f"{path.name} cannot be read as UTF-8 text: {error}."))
    return sorted(found, key=lambda item: (item[1] is None, item[1].name.lower() if item[1] else ""))


def _saved_as(db: Path, name: str) -> Path | None:
    """The file holding the saved mapping of this name (names match ignoring case)."""
    return next(
        (
            path
            for path, mapping, _ in listing(db)
            if mapping and mapping.name.lower() == name.lower()
        ),
        None,
    )


def save(db: Path, mapping: Mapping) -> Path:
    """Save the mapping under its name, replacing one of the same name (and only that one)."""
    where = folder(db)
    where.mkdir(parents=True, exist_ok=True)
    target = _saved_as(db, mapping.name)
    if target is None:
        # Names that read alike ("GP search: EMIS", "GP search (EMIS)") get files of their own.
        target = where / file_name(mapping.name)
        number = 2
        while target.exists():
            target = where / f"{target.stem.rsplit('~', 1)[0]}~{number}.toml"
            number += 1
    handle, temporary = tempfile.mkstemp(dir=where, prefix=".saving-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(to_toml(mapping))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def delete(db: Path, name: str) -> bool:
    """Delete the saved mapping of this name; whether there was one."""
    target = _saved_as(db, name)
    if target is None:
        return False
    target.unlink()
    return True
