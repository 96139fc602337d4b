"""Reading a spreadsheet of members: headers, encodings, separators, dates, each row's problems, and what
importing each row would do (new, update, unchanged, duplicate suspected). No I/O."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import InvalidArgument
from services.common.vocabulary import Gender, PaymentState
from services.membership.adapters import spreadsheet
from services.membership.domain import person_import as rules
from services.membership.domain.model import Person
from services.membership.domain.person_import import Plan
from services.membership.service_layer.person_import import parse
from tests.import_files import SAMPLE, csv_bytes, member, members, xlsx_bytes

TODAY = dt.date(2026, 12, 4)


def rows_of(content: bytes, filename: str = "") -> list[rules.Row]:
    return list(parse(content, filename, on=TODAY).rows.values())


def plans(content: bytes, register: list[Person] = (), imported: dict | None = None) -> list[rules.Planned]:
    return rules.plan("mir", rows_of(content), rules.Register(list(register)), imported or {})


@pytest.mark.parametrize("headers,field", [
    (["Fornavn", "First name", "FIRST NAME", " fornavn "], "given_name"),
    (["Etternavn", "Last name", "Surname"], "family_name"),
    (["Fødselsår", "Fødselsdato", "Født", "Birth year", "Date of birth"], "birth"),
    (["Kjønn", "Gender"], "gender"),
    (["Mobil", "Telefon", "Mobiltelefon", "Phone", "Tlf."], "phone"),
    (["E-post", "Epost", "E-mail", "Email"], "email"),
    (["Postnummer", "Postnr.", "Postal code"], "postal_code"),
    (["Poststed", "Kommune", "City"], "municipality"),
    (["Avdeling", "Lokallag", "Chapter"], "chapter"),
    (["Kontingent", "Beløp", "Fee", "Amount"], "fee"),
    (["Betalt", "Betalingsstatus", "Paid", "Payment status"], "paid"),
    (["År", "Medlemsår", "Year"], "year"),
    (["Språk", "Language", "Languages"], "languages"),
])
def test_norwegian_and_english_headers_are_recognised(headers, field):
    for header in headers:
        assert rules.recognise([header]).index == {field: 0}, header


def test_headers_not_recognised_are_reported_and_a_second_column_of_a_field_too():
    cols = rules.recognise(["Fornavn", "Merknad", "Medlemsnummer", "Telefon", "Mobil", ""])
    assert cols.index == {"given_name": 0, "phone": 3}
    assert cols.unrecognised == ["Merknad", "Medlemsnummer", "Mobil"]


def test_a_file_without_a_given_name_column_is_refused_without_quoting_its_first_row():
    with pytest.raises(InvalidArgument) as err:
        parse(csv_bytes([{"Navn": "Amina Hussain"}], headers=["Navn", "Telefon"]))
    assert err.value.reason == "MISSING_COLUMNS" and "Fornavn" in err.value.message
    assert "2 cells, 1 of them a header this import knows" in err.value.message
    # A file without a header row: its first member's cells are not repeated in the message.
    with pytest.raises(InvalidArgument) as err:
        parse(b"Amina;Hussain;1984;91234567\r\nHodan;Warsame;1986;92245118\r\n")
    assert not any(v in err.value.message for v in ("Amina", "Hussain", "91234567"))


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_encodings_and_separators_as_excel_and_exports_write_them(encoding, bom, delimiter):
    content = csv_bytes([member(0, Etternavn="Bjørnstad-Ærø", Poststed="Bærum")], delimiter=delimiter,
                        encoding=encoding)
    if bom:
        content = b"\xef\xbb\xbf" + content
    sheet = spreadsheet.read(content)
    assert sheet.delimiter == delimiter and sheet.headers[2] == "Fødselsår"
    assert sheet.encoding == ("utf-8-sig" if bom else encoding)
    [row] = rows_of(content)
    assert row.valid, row.problems
    assert (row.person.family_name, row.person.municipality) == ("Bjørnstad-Ærø", "Bærum")


def test_quoted_cells_with_the_separator_inside():
    content = 'Fornavn,Etternavn,Poststed\r\n"Amina","Hussain","Oslo, Linderud"\r\n'.encode()
    [row] = rows_of(content)
    assert row.person.municipality == "Oslo, Linderud"


def test_xlsx_with_dates_and_numbers_as_excel_stores_them():
    content = xlsx_bytes([member(0, **{"Fødselsår": dt.datetime(1984, 3, 12), "Mobil": 91234567, "Postnummer": 957,
                                       "Kontingent": 300.0, "År": 2026})])
    assert spreadsheet.detect_format(content) == "xlsx"
    [row] = rows_of(content, "medlemmer.xlsx")
    assert row.valid, row.problems
    assert (row.person.birth_year, row.person.phone, row.person.postal_code) == (1984, "+47 912 34 567", "0957")
    assert (row.year.year, row.year.fee_nok) == (2026, 300)


def test_a_broken_xlsx_or_an_empty_file_is_refused_with_how_to_fix_it():
    with pytest.raises(InvalidArgument) as err:
        spreadsheet.read(b"PK\x03\x04 not really a zip")
    assert err.value.reason == "INVALID_XLSX" and "Save it again" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        spreadsheet.read(b"")
    assert err.value.reason == "EMPTY_FILE"
    with pytest.raises(InvalidArgument) as err:
        spreadsheet.read(b"\r\n;;\r\n")
    assert err.value.reason == "EMPTY_FILE"


def test_too_many_rows_is_refused_before_reading_them():
    content = b"Fornavn\n" + b"Amina\n" * (spreadsheet.MAX_ROWS + 1)
    with pytest.raises(InvalidArgument) as err:
        spreadsheet.read(content)
    assert err.value.reason == "TOO_MANY_ROWS" and "Split it" in err.value.message


@pytest.mark.parametrize("text,year", [("1984", 1984), ("12.03.1984", 1984), ("1984-03-12", 1984),
                                       ("12/03/1984", 1984), ("12.03.84", 1984), ("", 0), ("12.03.1984 00:00:00", 1984)])
def test_a_birth_date_keeps_only_its_year(text, year):
    assert rules.parse_birth_year(text) == year


@pytest.mark.parametrize("text", ["19xx", "31.02.1984", "21.13.1990", "ukjent"])
def test_a_birth_date_that_is_no_date_is_none(text):
    assert rules.parse_birth_year(text) is None


@pytest.mark.parametrize("text,phone", [("91234567", "+47 912 34 567"), ("912 34 567", "+47 912 34 567"),
                                        ("0047 912 34 567", "+47 912 34 567"), ("+4791234567", "+47 912 34 567"),
                                        ("4791234567", "+47 912 34 567"), ("+46 70 123 45 67", "+46701234567"),
                                        ("", ""), ("123", None), ("ring meg", None)])
def test_phone_numbers_as_people_write_them(text, phone):
    assert rules.parse_phone(text) == phone


@pytest.mark.parametrize("text,fee", [("300", 300), ("300,00", 300), ("kr 300", 300), ("300 kr", 300),
                                      ("1 200", 1200), ("1.200,-", 1200), ("", 0), ("300,50", None), ("gratis", None)])
def test_fees_as_spreadsheets_write_them(text, fee):
    assert rules.parse_fee(text) == fee


def test_gender_payment_languages_chapter_and_a_postal_code_a_spreadsheet_shortened():
    [row] = rows_of(csv_bytes([member(0, Kjønn="kvinne", Betalt="fritatt", Postnummer="957", Lokallag="MiR-Ung")],
                              headers=[*member(0).keys(), "Språk"]))
    assert row.valid
    assert (row.person.gender, row.year.payment_state) == (Gender.FEMALE, PaymentState.WAIVED)
    assert (row.person.postal_code, row.person.chapter) == ("0957", "mir-ung")
    [row] = rows_of(csv_bytes([{**member(0), "Språk": "urdu, norsk og engelsk", "Kjønn": ""}],
                              headers=[*member(0).keys(), "Språk"]))
    assert row.person.preferred_languages == ["ur", "nb", "en"] and row.person.gender == Gender.UNDISCLOSED


def test_each_problem_names_its_row_and_column_as_the_file_spells_them_and_never_the_value():
    content = csv_bytes([member(0), member(1, **{"Fornavn": "", "Fødselsår": "19xx", "Kjønn": "Q", "Mobil": "123",
                                                 "E-post": "hodan(at)example", "Postnummer": "99999",
                                                 "Kontingent": "mye", "Betalt": "kanskje", "År": "1999"})])
    first, second = rows_of(content)
    assert first.valid and first.number == 2
    assert second.number == 3
    assert [(p.column, p.code) for p in second.problems] == [
        ("Fornavn", "GIVEN_NAME_REQUIRED"), ("Fødselsår", "BIRTH_INVALID"), ("Kjønn", "GENDER_INVALID"),
        ("Mobil", "PHONE_INVALID"), ("E-post", "EMAIL_INVALID"), ("Postnummer", "POSTAL_CODE_INVALID"),
        ("Kontingent", "FEE_INVALID"), ("Betalt", "PAID_INVALID"), ("År", "YEAR_INVALID")]
    for p in second.problems:
        assert p.message and not any(v in p.message for v in ("19xx", "hodan", "99999", "kanskje", "mye"))


def test_a_paid_membership_needs_its_fee_and_hidden_characters_are_refused():
    [paid, hidden] = rows_of(csv_bytes([member(0, Kontingent="", Betalt="Ja"), member(1, Fornavn="Am\u202eina")]))
    assert [p.code for p in paid.problems] == ["PAID_NEEDS_FEE"]
    assert [(p.column, p.code) for p in hidden.problems] == [("Fornavn", "HIDDEN_CHARACTER")]


def test_empty_rows_are_left_out_and_row_numbers_stay_those_of_the_spreadsheet():
    content = b"Fornavn;Etternavn\r\nAmina;Hussain\r\n;\r\n\r\nHodan;Warsame\r\n"
    assert [r.number for r in rows_of(content)] == [2, 5]


def test_new_rows_and_a_duplicate_in_the_file_naming_the_earlier_row():
    same = member(0)
    planned = plans(csv_bytes([same, member(1), dict(same, **{"E-post": "annen@example.no"}),
                               dict(same, Mobil="", **{"E-post": ""})]))
    assert [(p.number, p.plan) for p in planned] == [(2, Plan.NEW), (3, Plan.NEW), (4, Plan.DUPLICATE_SUSPECTED),
                                                     (5, Plan.DUPLICATE_SUSPECTED)]
    assert [(p.code, p.other_row) for p in planned[2].problems] == [("DUPLICATE_IN_FILE", 2)]


def test_the_same_person_for_two_years_is_one_person_with_two_years():
    planned = plans(csv_bytes([member(0, År="2025"), member(0, År="2026")]))
    assert [(p.plan, p.same_as_row) for p in planned] == [(Plan.NEW, 0), (Plan.UPDATE, 2)]


def _registered(pid: str, given: str, family: str, birth_year: int, phone: str) -> Person:
    return Person(id=pid, given_name=given, family_name=family, birth_year=birth_year, gender=1, phone=phone)


def test_against_the_register_update_when_name_year_and_phone_match_else_duplicate_suspected():
    m = member(0)  # Amina Hussain, 1950, 90000000
    register = [_registered("p1", "AMINA", "Hussain", 1950, "+47 900 00 000"),
                _registered("p2", "Hodan", "Hussain", 1951, "+47 911 11 111")]
    assert [(p.plan, p.person_id) for p in plans(csv_bytes([m]), register)] == [(Plan.UPDATE, "p1")]
    other_phone = [_registered("p3", "Amina", "Hussain", 1950, "+47 955 55 555")]
    [p] = plans(csv_bytes([m]), other_phone)
    assert (p.plan, p.person_id, p.problems[0].code) == (Plan.DUPLICATE_SUSPECTED, "p3", "DUPLICATE_IN_REGISTER")
    other_year = [_registered("p4", "Amina", "Hussain", 1970, "+47 900 00 000")]
    assert plans(csv_bytes([m]), other_year)[0].plan == Plan.DUPLICATE_SUSPECTED
    namesake = [_registered("p5", "Amina", "Hussain", 1970, "+47 955 55 555")]
    assert plans(csv_bytes([m]), namesake)[0].plan == Plan.NEW
    typed_by_hand = [_registered("p6", "Amina", "Hussain", 1950, "900 00 000")]  # no country code
    assert [(p.plan, p.person_id) for p in plans(csv_bytes([m]), typed_by_hand)] == [(Plan.UPDATE, "p6")]


def test_a_row_imported_before_is_unchanged_with_the_person_it_made():
    content = csv_bytes([member(0), member(1)])
    [first, _] = rows_of(content)
    planned = plans(content, imported={rules.row_key("mir", first): "p9"})
    assert [(p.plan, p.person_id) for p in planned] == [(Plan.UNCHANGED, "p9"), (Plan.NEW, "")]
    assert rules.row_key("mir", first) != rules.row_key("mira", first)


def test_what_an_update_changes_leaves_cells_the_row_does_not_fill():
    registered = Person(id="p1", given_name="Amina", family_name="Hussain", birth_year=1950, gender=1,
                        phone="+47 900 00 000", email="gammel@example.no", municipality="Oslo", chapter="furuset")
    [row] = rows_of(csv_bytes([member(0, **{"E-post": "", "Kjønn": ""})]))
    assert rules.update_paths(registered, row) == ["postal_code", "chapter"]


def test_the_sample_export_reads_as_documented():
    parsed = parse(SAMPLE.read_bytes(), on=TODAY)
    assert parsed.sheet.encoding == "cp1252" and parsed.columns.unrecognised == ["Merknad"]
    planned = rules.plan("mir", list(parsed.rows.values()), rules.Register([]), {})
    assert [p.plan.name for p in planned] == ["NEW", "NEW", "NEW", "INVALID", "INVALID", "NEW",
                                              "DUPLICATE_SUSPECTED", "NEW"]


def test_ten_thousand_rows_read_and_judged():
    content = csv_bytes(members(10_000))
    planned = plans(content)
    assert len(planned) == 10_000 and {p.plan for p in planned} == {Plan.NEW}


def test_a_row_without_problems_passes_the_services_own_rules():
    from services.membership.domain.model import validate_membership_year, validate_person

    odd = [member(i, **over) for i, over in enumerate([
        {}, {"Kjønn": ""}, {"Mobil": "+46 70 123 45 67"}, {"Postnummer": "957"}, {"Lokallag": "MiR Ung"},
        {"Betalt": "fritatt", "Kontingent": ""}, {"Fødselsår": ""}, {"Etternavn": "Al-Hassan"},
        {"Fornavn": "عليّ"}, {"Poststed": "Bærum"}, {"År": ""}])]
    content = csv_bytes(odd, headers=[*member(0).keys(), "Språk"])
    for row in rows_of(content):
        assert row.valid, (row.number, row.problems)
        validate_person(row.person, TODAY)
        if row.year is not None:
            validate_membership_year(row.year, TODAY)
