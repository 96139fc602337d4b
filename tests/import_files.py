"""Spreadsheets of members as Hypersys, StyreWeb and Excel export them, made in the tests (no binaries in the
repository): CSV in any encoding and separator, and XLSX written with openpyxl."""
from __future__ import annotations

import io
import pathlib

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "services" / "devstack" / "samples" / "medlemmer-hypersys.csv"
HEADERS = ["Fornavn", "Etternavn", "Fødselsår", "Kjønn", "Mobil", "E-post", "Postnummer", "Poststed", "Lokallag",
           "Kontingent", "Betalt", "År"]
GIVEN = ["Amina", "Fatima", "Hodan", "Samira", "Leyla", "Nadia", "Ali", "Omar", "Abdi", "Yusuf", "Tariq", "Piotr"]
FAMILY = ["Hussain", "Warsame", "Khan", "Yilmaz", "Ahmadi", "Mohamud", "Rahman", "Nowak", "Osman", "Chaudhry"]


def member(i: int, year: int = 2026, **overrides) -> dict[str, str]:
    """The i-th invented member, all valid: a unique phone, so that no two are suspected duplicates."""
    row = {"Fornavn": GIVEN[i % len(GIVEN)], "Etternavn": FAMILY[(i // len(GIVEN)) % len(FAMILY)] + ("" if i < 120 else str(i)),
           "Fødselsår": str(1950 + i % 60), "Kjønn": "KM"[i % 2], "Mobil": f"9{i:07d}",
           "E-post": f"medlem{i}@example.no", "Postnummer": "0957", "Poststed": "Oslo", "Lokallag": "Linderud",
           "Kontingent": "200", "Betalt": "Ja" if i % 3 else "Nei", "År": str(year)}
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], *, headers: list[str] | None = None, delimiter: str = ";",
              encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    headers = headers or HEADERS
    lines = [delimiter.join(headers)] + [delimiter.join(r.get(h, "") for h in headers) for r in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows: list[dict], *, headers: list[str] | None = None) -> bytes:
    import openpyxl

    headers = headers or HEADERS
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h, None) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def members(n: int, **overrides) -> list[dict[str, str]]:
    return [member(i, **overrides) for i in range(n)]

