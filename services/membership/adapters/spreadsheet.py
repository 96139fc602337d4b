"""A spreadsheet file's cells as text: CSV (UTF-8 with or without a byte order mark, or Windows-1252 as
Excel writes it; ';', ',' or tab between cells) and XLSX (the first sheet, read with openpyxl).

No I/O beyond the bytes given: the file is never written anywhere by this module. What the cells mean
is decided in services.membership.domain.person_import.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from services.common.errors import FieldViolation, InvalidArgument

MAX_FILE_BYTES = 3 * 1024 * 1024  # within gRPC's 4 MiB message
MAX_ROWS = 20_000
MAX_COLUMNS = 60
XLSX_MAGIC = b"PK\x03\x04"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Sheet:
    """The header cells, and the data rows with their row numbers as the spreadsheet shows them (the header
    is row 1). Empty rows are left out; their numbers are skipped."""

    format: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "utf-8-sig", "cp1252"; "" for xlsx
    delimiter: str  # "", ";", ",", "\t"
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _refuse(message: str, hint: str, reason: str = "INVALID_FILE") -> InvalidArgument:
    return InvalidArgument(message, reason=reason, violations=[FieldViolation("content", hint)])


def detect_format(content: bytes, filename: str = "") -> str:
    """'xlsx' for a zip container (or a name ending .xlsx), else 'csv'."""
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without a byte order mark) when the bytes
    are valid UTF-8, otherwise Windows-1252 (what Excel on Windows writes as 'CSV (semicolon separated)')."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content.decode("utf-8-sig"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(header_line: str) -> str:
    """The separator the header line uses most: ';' (Norwegian Excel), ',' or a tab."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _finish(fmt: str, encoding: str, delimiter: str, lines: list[list[str]]) -> Sheet:
    numbered = [(i + 1, [c.strip() for c in row]) for i, row in enumerate(lines)]
    numbered = [(n, row) for n, row in numbered if any(row)]
    if not numbered:
        raise _refuse("The file is empty: it needs a header row (e.g. Fornavn;Etternavn;Fødselsår) and one row "
                      "per member.", "a header row and at least one row", "EMPTY_FILE")
    (_, headers), data = numbered[0], numbered[1:]
    if len(headers) > MAX_COLUMNS:
        raise _refuse(f"The file has {len(headers)} columns; at most {MAX_COLUMNS} are read. Remove the columns "
                      "that are not needed.", f"at most {MAX_COLUMNS} columns", "TOO_MANY_COLUMNS")
    if len(data) > MAX_ROWS:
        raise _refuse(f"The file has {len(data)} rows; at most {MAX_ROWS} are imported at once. Split it into "
                      "several files.", f"at most {MAX_ROWS} rows", "TOO_MANY_ROWS")
    width = len(headers)
    rows = [(n, (row + [""] * width)[:max(width, len(row))]) for n, row in data]
    return Sheet(fmt, encoding, delimiter, headers, rows)


def read_csv(content: bytes) -> Sheet:
    text, encoding = decode_csv(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _delimiter(first)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _refuse("The file is not readable as CSV (a quote is not closed). Save it again from the "
                      "spreadsheet as CSV.", "a CSV file", "INVALID_CSV") from None
    return _finish("csv", encoding, delimiter, lines)


def read_xlsx(content: bytes) -> Sheet:
    import openpyxl  # only when an XLSX file comes

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise _refuse("The file is not a readable XLSX workbook. Save it again from the spreadsheet as Excel "
                      "workbook (.xlsx) or as CSV.", "an .xlsx workbook or a CSV file", "INVALID_XLSX") from None
    try:
        sheet = book.worksheets[0]
        lines = []
        for row in sheet.iter_rows(values_only=True):
            lines.append([_cell(v) for v in row])
            if len(lines) > MAX_ROWS + 2:
                break
    finally:
        book.close()
    return _finish("xlsx", "", "", lines)


def read(content: bytes, filename: str = "") -> Sheet:
    """The file's sheet; InvalidArgument (field 'content') saying what is wrong with the file and how to fix it."""
    if not content:
        raise _refuse("The file is empty; choose the exported spreadsheet (CSV or XLSX).",
                      "a CSV or XLSX file", "EMPTY_FILE")
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; split it into several files.",
                      f"at most {MAX_FILE_BYTES // (1024 * 1024)} MiB", "FILE_TOO_LARGE")
    return read_xlsx(content) if detect_format(content, filename) == "xlsx" else read_csv(content)
