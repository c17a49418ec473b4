"""Read an extract file (CSV, XLSX or Parquet) into a DuckDB staging table of text.

Every cell is staged as text, exactly as written (Excel date cells as ISO dates), in columns
named c0, c1, ... by position, beside `_row`: the row number as the user sees it in their file
(the header is row 1). Headers are user text, so they never become SQL identifiers. Typing and
validation happen afterwards, set-wise, in `dashboard.data.ingest`.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_PARQUET_MAGIC = b"PAR1"
# A row with more malformed lines than this is not a table with a consistent shape.
_MAX_MALFORMED = 10_000


class Refused(ValueError):
    """The whole file is refused; the message says why, in plain English."""


@dataclass
class Staged:
    """A file staged as text: where it is, what its header said and what reading noticed.

    `table` is a view over the file's rows as read (`<table>_raw`): copying a million rows of
    text again would cost more than computing their row numbers on each scan.
    """

    table: str
    headers: list[str]
    rows: int
    notices: list[str] = field(default_factory=list)
    # Lines the CSV reader could not split into the header's columns: (row, line, reason).
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, table: str, max_bytes: int
) -> Staged:
    """Stage one file as the temporary table `table`, or raise Refused."""
    if not _TABLE_NAME.match(table):
        raise ValueError(f"staging table name {table!r} is not a plain identifier")
    size = path.stat().st_size
    if size == 0:
        raise Refused(f"{name} is empty.")
    if size > max_bytes:
        raise Refused(
            f"{name} is {size / 1e6:,.0f} MB, over the {max_bytes / 1e6:,.0f} MB limit "
            "(max_file_mb under [load] in settings.toml). Split the extract, or raise the limit."
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower() if path.suffix else Path(name).suffix.lower()
    if head.startswith(_PARQUET_MAGIC) or suffix == ".parquet":
        staged, numbered = _stage_parquet(con, path, name, table)
    elif head.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or suffix in _SPREADSHEET_SUFFIXES:
        staged, numbered = _stage_spreadsheet(con, path, name, table)
    else:
        staged, numbered = _stage_csv(con, path, name, table)
    _blank_rows_filtered(con, staged, numbered)
    if staged.rows == 0 and not staged.malformed:
        raise Refused(f"{name} has a header but no rows of data.")
    return staged


def _blank_rows_filtered(con: duckdb.DuckDBPyConnection, staged: Staged, numbered: str) -> None:
    """Create the staging view: the numbered rows, less rows that are entirely blank.

    The blank rows are counted once; a file without any (the usual case) is staged without
    the filter, which every later scan would otherwise evaluate again.
    """
    blank = " and ".join(_blank(f"c{i}") for i in range(len(staged.headers)))
    skipped = con.execute(
        f"select count(*) from ({numbered}) where {blank}"  # noqa: S608
    ).fetchall()[0][0]
    kept = f"where not ({blank})" if skipped else ""
    con.execute(f"create temp view {staged.table} as select * from ({numbered}) {kept}")  # noqa: S608
    if skipped:
        staged.notices.append(f"{skipped:,} blank row{'' if skipped == 1 else 's'} skipped.")
    staged.rows -= skipped


def _blank(cell: str) -> str:
    """SQL: the cell is empty or only spaces (what `trim` removes)."""
    # Only text starting with a space, or with a character beyond ASCII (some are spaces), can
    # be only spaces: comparing the first byte spares trimming nearly every cell.
    return f"({cell} is null or (not ({cell} >= '!' and {cell} < chr(128)) and trim({cell}) = ''))"


def _check_headers(name: str, headers: list[str]) -> list[str]:
    cleaned = [str(h).strip() if h is not None else "" for h in headers]
    if not any(cleaned):
        raise Refused(f"{name} has no header row: the first row should name the columns.")
    return cleaned


# ---------------------------------------------------------------------------------------------
# CSV and other delimited text


def _is_utf8(path: Path) -> bool:
    # In chunks, so that a UTF-8 file (the usual case) is never held in memory as text.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                # ASCII is UTF-8, and checked many times faster than decoded; unless the
                # chunk before ended inside a character, which the decoder holds.
                if not (chunk.isascii() and decoder.getstate()[0] == b""):
                    decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The file's text and the encoding it was in: UTF-8 (with or without BOM) or Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Five bytes are undefined in Windows-1252; Latin-1 maps every byte.
        return raw.decode("latin-1"), "Latin-1"


def _first_record(text: str) -> str:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end].rstrip("\r")
        if line.strip():
            return line
        start = end + 1
    return ""


def _sniff_delimiter(header_line: str, name: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise Refused(
            f"{name} is not a table: its first line has a single column. Save it as CSV "
            "(comma, semicolon or tab separated), XLSX or Parquet, with a header row."
        )
    return delimiter


def _stage_csv(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, table: str
) -> tuple[Staged, str]:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(f"{name} is not a table: it holds binary data, not text or a spreadsheet.")
    plain_utf8 = not head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if plain_utf8 and _is_utf8(path):
        text, encoding = head.decode("utf-8", errors="ignore"), "UTF-8"
    else:
        text, encoding = _decode(path.read_bytes(), name)
    header_line = _first_record(text)
    if not header_line:
        raise Refused(f"{name} is empty.")
    delimiter = _sniff_delimiter(header_line, name)
    headers = _check_headers(name, next(csv.reader([header_line], delimiter=delimiter)))
    notices = []
    if encoding not in ("UTF-8", "UTF-8 with BOM"):
        notices.append(f"{name} was read as {encoding} text.")
    source = path
    if encoding != "UTF-8":
        # DuckDB reads UTF-8; anything else is rewritten as UTF-8 in a temporary file.
        handle, temporary = tempfile.mkstemp(prefix="sp_dashboard_", suffix=".csv")
        os.close(handle)
        source = Path(temporary)
        source.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    del text
    names = [f"c{i}" for i in range(len(headers))]
    columns = "{" + ", ".join(f"'{n}': 'varchar'" for n in names) + "}"
    rejects = f"{table}_rejects"
    scans = f"{table}_scans"
    try:
        con.execute(
            f"""
            create temp table {table}_raw as
            select * from read_csv(
                $path, delim = $delimiter, header = true, quote = '"', escape = '"',
                columns = {columns}, auto_detect = false, store_rejects = true,
                rejects_table = '{rejects}', rejects_scan = '{scans}'
            )
            """,  # noqa: S608
            {"path": str(source), "delimiter": delimiter},
        )
        malformed = con.execute(
            f"""
            select line, trim(csv_line, e'\\r\\n'), error_type, error_message
            from {rejects} order by line
            """  # noqa: S608
        ).fetchall()
    except duckdb.Error as error:
        raise Refused(f"{name} could not be read as a delimited text table: {error}") from error
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    if len(malformed) > _MAX_MALFORMED:
        raise Refused(
            f"{name} is not a consistent table: {len(malformed):,} lines do not have the "
            f"{len(headers)} columns of its header."
        )
    con.execute(f"drop table if exists {rejects}")
    con.execute(f"drop table if exists {scans}")
    rows = con.execute(f"select count(*) from {table}_raw").fetchall()[0][0]  # noqa: S608
    notices.append(f"{name}: {_DELIMITER_NAMES[delimiter]}-separated, {len(headers)} columns.")
    staged = Staged(
        table=table,
        headers=headers,
        rows=rows,
        notices=notices,
        malformed=[
            (line, text_line, _malformed_reason(kind, message, len(headers)))
            for line, text_line, kind, message in malformed
        ],
    )
    return staged, _numbered_csv_rows(con, table, [line for line, *_ in malformed])


def _numbered_csv_rows(con: duckdb.DuckDBPyConnection, table: str, skipped: list[int]) -> str:
    """SQL giving each read row its row number in the file, around lines the reader skipped.

    The i-th good row (from 0) comes after every skipped line j (from 1, in order) that has
    at most i good rows before it; those good rows number line_j - 1 - j.
    """
    if not skipped:
        return f"select rowid + 2 as _row, * from {table}_raw"  # noqa: S608
    con.execute(f"create temp table {table}_skipped (good_before bigint, skipped bigint)")
    con.executemany(
        f"insert into {table}_skipped values ($good_before, $skipped)",  # noqa: S608
        [{"good_before": line - 1 - j, "skipped": j} for j, line in enumerate(skipped, 1)],
    )
    return f"""
        select (raw.rowid + 2 + coalesce(skipped.skipped, 0)) as _row, raw.* exclude (rowid)
        from (select rowid, * from {table}_raw) as raw
        asof left join {table}_skipped as skipped on raw.rowid >= skipped.good_before
    """  # noqa: S608


def _malformed_reason(kind: str, message: str, expected: int) -> str:
    found = re.search(r"Found:\s*(\d+)", message or "")
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS") and found:
        return (
            f"the row has {found.group(1)} values but the header has {expected} columns "
            "(a stray delimiter or quote?)"
        )
    return f"the row could not be read: {message}"


# ---------------------------------------------------------------------------------------------
# Spreadsheets and Parquet


def _cell_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _stage_spreadsheet(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, table: str
) -> tuple[Staged, str]:
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="calamine")
    except Exception as error:
        raise Refused(
            f"{name} could not be opened as a spreadsheet (is it corrupt, password-protected "
            f"or not really a workbook?): {error}"
        ) from error
    filled = sheet.notna().any(axis=1)
    if sheet.empty or not filled.any():
        raise Refused(f"{name} is empty: its first sheet has no table.")
    header_at = int(filled.idxmax())
    headers = _check_headers(name, [_cell_text(v) or "" for v in sheet.iloc[header_at]])
    body = sheet.iloc[header_at + 1 :]
    text = {f"c{i}": body.iloc[:, i].map(_cell_text).astype(object) for i in range(len(headers))}
    # pandas keeps a sheet's leading empty rows, so the index + 1 is the row Excel shows.
    staged = pd.DataFrame({"_row": body.index.to_numpy() + 1, **text})
    return _register(con, staged, table, headers)


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, table: str
) -> tuple[Staged, str]:
    try:
        data = pq.read_table(path)
    except Exception as error:
        raise Refused(f"{name} could not be read as a Parquet file: {error}") from error
    headers = _check_headers(name, list(data.column_names))
    if not headers:
        raise Refused(f"{name} has no columns.")
    con.register("_parquet_rows", data.rename_columns([f"c{i}" for i in range(len(headers))]))
    try:
        con.execute(
            f"create temp table {table}_raw as select columns(*)::varchar from _parquet_rows"  # noqa: S608
        )
    finally:
        con.unregister("_parquet_rows")
    staged = Staged(table=table, headers=headers, rows=data.num_rows)
    # Parquet has no header row: rows are numbered from 1, as in the file's records.
    return staged, f"select rowid + 1 as _row, * from {table}_raw"  # noqa: S608


def _register(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    table: str,
    headers: list[str],
) -> tuple[Staged, str]:
    con.register("_sheet_rows", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        con.execute(
            f"create temp table {table}_raw as select _row::bigint as _row, "  # noqa: S608
            f"columns(* exclude (_row))::varchar from _sheet_rows"
        )
    finally:
        con.unregister("_sheet_rows")
    staged = Staged(table=table, headers=headers, rows=len(frame))
    return staged, f"select * from {table}_raw"  # noqa: S608
