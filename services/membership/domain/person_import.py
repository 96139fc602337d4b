"""Importing members from a spreadsheet: what its columns mean, what each row holds, what is wrong with it
and what importing it would do. Plain Python, no I/O: the cells come from
services.membership.adapters.spreadsheet, the register's people from the repository.

- **Columns** are recognised by their header, in Norwegian or English as Hypersys, StyreWeb and Excel
  write them (case, accents, spaces and punctuation do not count: "E-post", "epost" and "E-mail" are
  one column). A header that is not recognised is reported, and its column is not read.
- **Rows** are read into a person and, when the row has a year, fee or payment, a membership year.
  A birth date keeps only its year. Each problem names the row, the column as the file spells it, a
  code (the web app words it in the reader's language) and, in English, what is wrong and how to fix
  it. A problem never quotes the cell: the report holds no personal data beyond row numbers.
- **What would happen** to a valid row (:func:`plan`): *new*; *update* of a registered person with the
  same name, birth year and phone; *unchanged* when exactly this row was imported before (its key,
  :func:`row_key`, a digest of the row's content); or *duplicate suspected*, when a registered person or
  an earlier row of the file has the same name and the same birth year or phone but not all three.
  Duplicates suspected are not imported: the coordinator decides. Two rows of one person (all three
  equal) for different years are one person with two membership years.
"""
from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import re
from dataclasses import dataclass, field

from services.common.vocabulary import CHAPTER_RE, LANGUAGE_RE, Gender, PaymentState
from services.membership.domain.model import (
    EMAIL_RE, MAX_FEE_NOK, PHONE_RE, POSTAL_RE, MembershipYear, Person,
)
from services.membership.domain.search import fold
from services.common.text import hidden_character

# field -> the headers that name it, folded (see header_key)
COLUMNS: dict[str, tuple[str, ...]] = {
    "given_name": ("fornavn", "givenname", "firstname", "forename", "fornavnogmellomnavn"),
    "family_name": ("etternavn", "familyname", "lastname", "surname"),
    "birth": ("fodselsar", "fodselsaar", "fodt", "fodselsdato", "fdato", "fodselsdag", "birthyear", "yearofbirth",
              "birthdate", "dateofbirth", "dob", "born"),
    "gender": ("kjonn", "gender", "sex"),
    "phone": ("mobil", "mobilnummer", "mobiltelefon", "telefon", "telefonnummer", "tlf", "mobile", "mobilephone",
              "phone", "phonenumber", "cellphone"),
    "email": ("epost", "epostadresse", "email", "emailaddress", "mail"),
    "postal_code": ("postnummer", "postnr", "postalcode", "postcode", "zip", "zipcode"),
    "municipality": ("poststed", "kommune", "bydel", "sted", "municipality", "city", "town", "posttown"),
    "chapter": ("avdeling", "lokallag", "lag", "gruppe", "chapter", "branch", "localchapter", "group"),
    "fee": ("kontingent", "belop", "medlemskontingent", "fee", "amount", "membershipfee"),
    "paid": ("betalt", "betalingsstatus", "betaling", "status", "paid", "paymentstatus", "payment"),
    "year": ("ar", "aar", "medlemsar", "kontingentar", "year", "membershipyear"),
    "languages": ("sprak", "sprak1", "foretrukketsprak", "morsmal", "language", "languages", "preferredlanguage",
                  "preferredlanguages"),
}
_HEADER_FIELD = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
# How the report names a column the file does not have.
COLUMN_LABEL = {"given_name": "Fornavn", "family_name": "Etternavn", "birth": "Fødselsår", "gender": "Kjønn",
                "phone": "Mobil", "email": "E-post", "postal_code": "Postnummer", "municipality": "Poststed",
                "chapter": "Avdeling", "fee": "Kontingent", "paid": "Betalt", "year": "År", "languages": "Språk"}

_GENDERS = {
    Gender.FEMALE: ("k", "kv", "kvinne", "kvinnelig", "jente", "f", "female", "woman", "girl", "w"),
    Gender.MALE: ("m", "mann", "mannlig", "gutt", "male", "man", "boy"),
    Gender.OTHER: ("annet", "annen", "a", "x", "other", "ikkebinaer", "nonbinary"),
    Gender.UNDISCLOSED: ("", "ukjent", "vilikkeoppgi", "ikkeoppgitt", "u", "unknown", "undisclosed",
                         "prefernottosay"),
}
_GENDER_OF = {word: g for g, words in _GENDERS.items() for word in words}
_PAID = {
    PaymentState.PAID: ("ja", "j", "betalt", "yes", "y", "paid", "true", "1", "x"),
    PaymentState.UNPAID: ("nei", "n", "ikkebetalt", "ubetalt", "no", "unpaid", "notpaid", "false", "0", "apen",
                          "purret"),
    PaymentState.WAIVED: ("fritatt", "fritak", "waived", "exempt", "friplass"),
}
_PAID_OF = {word: s for s, words in _PAID.items() for word in words}
# Language names as coordinators write them, to BCP 47 tags.
_LANGUAGES = {
    "norsk": "nb", "bokmal": "nb", "nynorsk": "nn", "norwegian": "nb", "engelsk": "en", "english": "en",
    "urdu": "ur", "somali": "so", "somalisk": "so", "arabisk": "ar", "arabic": "ar", "punjabi": "pa",
    "panjabi": "pa", "tyrkisk": "tr", "turkish": "tr", "persisk": "fa", "farsi": "fa", "persian": "fa",
    "dari": "prs", "pashto": "ps", "polsk": "pl", "polish": "pl", "tigrinja": "ti", "tigrinya": "ti",
    "kurdisk": "ku", "kurdish": "ku", "tamil": "ta", "vietnamesisk": "vi", "vietnamese": "vi",
    "fransk": "fr", "french": "fr", "spansk": "es", "spanish": "es", "russisk": "ru", "russian": "ru",
    "ukrainsk": "uk", "ukrainian": "uk", "litauisk": "lt", "thai": "th", "amharisk": "am", "amharic": "am",
    "bosnisk": "bs", "hindi": "hi", "bengali": "bn", "tagalog": "tl", "swahili": "sw",
}

_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y.%m.%d", "%d.%m.%Y %H:%M:%S",
                 "%Y-%m-%d %H:%M:%S")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_FEE_RE = re.compile(r"^(?:kr\.?|nok)?\s*(\d{1,3}(?:[ \u00a0.]\d{3})+|\d+)(?:[,.](\d{1,2}))?\s*(?:kr\.?|,-|nok)?$",
                     re.IGNORECASE)


class Plan(enum.IntEnum):
    """What importing a row would do (the numbers of the proto's ImportRow.Plan)."""

    NEW = 1
    UPDATE = 2
    UNCHANGED = 3
    DUPLICATE_SUSPECTED = 4
    INVALID = 5


class Result(enum.IntEnum):
    """What importing a row did (the numbers of the proto's ImportRow.Result)."""

    CREATED = 1
    UPDATED = 2
    UNCHANGED = 3
    SKIPPED = 4  # invalid or duplicate suspected, and the import skips such rows
    NOT_IMPORTED = 5  # the import stopped before or at this row


@dataclass(frozen=True)
class Problem:
    """What is wrong with a row: the column as the file names it, a code, and in English what to do."""

    column: str
    code: str
    message: str
    other_row: int = 0  # for DUPLICATE_IN_FILE: the earlier row


# code -> how to fix it (English; the web app has its own words for each code)
PROBLEMS = {
    "GIVEN_NAME_REQUIRED": "the given name is required: fill it in",
    "TOO_LONG": "is too long: at most 100 characters",
    "HIDDEN_CHARACTER": "holds a control, zero-width or direction-override character: retype the cell",
    "BIRTH_INVALID": "is not a year or a date: write a year like 1984 or a date like 12.03.1984",
    "BIRTH_OUT_OF_RANGE": "must be a year from 1900 to this year",
    "GENDER_INVALID": "write K (kvinne), M (mann), annet, or leave it empty",
    "PHONE_INVALID": "must be a phone number like +47 912 34 567 or 91234567",
    "EMAIL_INVALID": "must be an e-mail address like navn@example.no",
    "POSTAL_CODE_INVALID": "must be four digits, e.g. 0957",
    "CHAPTER_INVALID": "must be a chapter's name or id like linderud or mir-ung",
    "CHAPTER_NOT_FOUND": "names no chapter of the organisation: create the chapter under Groups first, or write "
                         "one that exists",
    "LANGUAGE_INVALID": "write languages by name (urdu, somali, norsk) or tag (ur, so, nb), separated by commas",
    "FEE_INVALID": f"must be whole kroner from 0 to {MAX_FEE_NOK}, like 300",
    "PAID_INVALID": "write ja or nei, betalt or ikke betalt, or fritatt",
    "PAID_NEEDS_FEE": "a paid membership needs the fee that was paid in the fee column",
    "YEAR_INVALID": "must be a year from 2000 to next year, like 2026",
    "DUPLICATE_IN_FILE": "an earlier row has the same name and the same birth year or phone: remove one of them "
                         "or correct it",
    "DUPLICATE_IN_REGISTER": "a registered person has the same name and the same birth year or phone: check the "
                             "person in the register, then correct the row or register them by hand",
}


def problem(column: str, code: str, other_row: int = 0) -> Problem:
    return Problem(column, code, PROBLEMS[code], other_row)


@functools.lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """A header (or a short cell of a small vocabulary: a gender, a payment, a language) folded: 'E-post' ->
    'epost', 'Fødselsår' -> 'fodselsar', 'First name' -> 'firstname'."""
    return _NON_ALNUM.sub("", fold(header).replace("å", "a"))


def _hidden(value: str) -> bool:
    # Printable text holds no control or format character (the quick answer for almost every cell).
    return not value.isprintable() and hidden_character(value) is not None


@dataclass(frozen=True)
class Columns:
    """Which column holds which field (by index), and the headers not recognised (ignored)."""

    index: dict[str, int]
    headers: list[str]
    unrecognised: list[str]

    def label(self, name: str) -> str:
        """The column of field name as the file spells it, or the usual Norwegian header when it has none."""
        i = self.index.get(name)
        return self.headers[i] if i is not None else COLUMN_LABEL[name]


def recognise(headers: list[str]) -> Columns:
    index: dict[str, int] = {}
    unrecognised = []
    for i, header in enumerate(headers):
        name = _HEADER_FIELD.get(header_key(header))
        if name is None or name in index:  # a second column of a field is not read either
            if header.strip():
                unrecognised.append(header.strip())
            continue
        index[name] = i
    return Columns(index, list(headers), unrecognised)


def missing_columns(columns: Columns) -> list[str]:
    """The fields a file must have a column for: a given name."""
    return [COLUMN_LABEL[f] for f in ("given_name",) if f not in columns.index]


@dataclass
class Row:
    """One row read: the person (id "") and membership year (person_id "") it holds, or its problems."""

    number: int
    person: Person
    year: MembershipYear | None
    problems: list[Problem] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # the fields the row has a value for

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_birth_year(text: str) -> int | None:
    """1984 from '1984', '12.03.1984', '1984-03-12', '12/03/1984'; 0 from ''; None when unreadable."""
    value = text.strip()
    if not value:
        return 0
    if re.fullmatch(r"\d{4}", value):
        return int(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).year
        except ValueError:
            continue
    return None


def parse_phone(text: str) -> str | None:
    """'+47 912 34 567' from '91234567', '912 34 567', '0047 91234567', '+4791234567', '4791234567'; other
    countries' numbers with their + kept as written; '' from ''; None when it is not a number."""
    value = re.sub(r"[\s\-().]", "", text)
    if not value:
        return ""
    if value.startswith("00"):
        value = "+" + value[2:]
    if re.fullmatch(r"47\d{8}", value):
        value = "+" + value
    if re.fullmatch(r"\d{8}", value):
        value = "+47" + value
    if re.fullmatch(r"\+47\d{8}", value):
        d = value[3:]
        return f"+47 {d[:3]} {d[3:5]} {d[5:]}"
    return value if PHONE_RE.match(value) else None


def parse_fee(text: str) -> int | None:
    """300 from '300', '300,00', 'kr 300', '300 kr', '1 200', '1.200,-'; None when unreadable."""
    value = text.strip()
    if not value:
        return 0
    match = _FEE_RE.match(value)
    if not match or (match.group(2) and int(match.group(2)) != 0):
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def parse_languages(text: str) -> list[str] | None:
    tags = []
    for part in re.split(r"[,;/]|\bog\b|\band\b", text):
        word = part.strip()
        if not word:
            continue
        tag = _LANGUAGES.get(header_key(word)) or (word if LANGUAGE_RE.match(word) else None)
        if tag is None:
            return None
        if tag not in tags:
            tags.append(tag)
    return tags


@functools.lru_cache(maxsize=1024)
def chapter_id(text: str) -> str:
    """'linderud' from 'Linderud' or 'MiR Linderud' stays 'mir-linderud': the name folded into an id."""
    return _NON_ALNUM.sub("-", fold(text).replace("å", "a")).strip("-")[:41]


def parse_row(number: int, cells: list[str], columns: Columns, today: dt.date) -> Row:
    """The row's person and membership year, and its problems. A row without problems passes the service's
    own rules (validate_person, validate_membership_year): every rule they have is checked here, per column."""
    width = len(cells)
    values = {name: cells[i].strip() for name, i in columns.index.items() if i < width}

    def cell(name: str) -> str:
        return values.get(name, "")

    problems: list[Problem] = []

    def bad(name: str, code: str) -> None:
        problems.append(problem(columns.label(name), code))

    present = frozenset(name for name in columns.index if cell(name))
    for name in ("given_name", "family_name", "municipality", "email", "chapter"):
        if _hidden(cell(name)):
            bad(name, "HIDDEN_CHARACTER")
    given, family = cell("given_name"), cell("family_name")
    if not given:
        bad("given_name", "GIVEN_NAME_REQUIRED")
    for name, value in (("given_name", given), ("family_name", family), ("municipality", cell("municipality"))):
        if len(value) > 100:
            bad(name, "TOO_LONG")
    birth_year = parse_birth_year(cell("birth"))
    if birth_year is None:
        bad("birth", "BIRTH_INVALID")
        birth_year = 0
    elif birth_year and not 1900 <= birth_year <= today.year:
        bad("birth", "BIRTH_OUT_OF_RANGE")
    gender = _GENDER_OF.get(header_key(cell("gender")))
    if gender is None:
        bad("gender", "GENDER_INVALID")
        gender = Gender.UNDISCLOSED
    phone = parse_phone(cell("phone"))
    if phone is None:
        bad("phone", "PHONE_INVALID")
        phone = ""
    email = cell("email").lower()
    if email and not EMAIL_RE.match(email):
        bad("email", "EMAIL_INVALID")
    postal = cell("postal_code")
    if re.fullmatch(r"\d{3}", postal):  # a spreadsheet took 0957 for a number and wrote 957
        postal = "0" + postal
    if postal and not POSTAL_RE.match(postal):
        bad("postal_code", "POSTAL_CODE_INVALID")
    chapter = chapter_id(cell("chapter")) if cell("chapter") else ""
    if cell("chapter") and not CHAPTER_RE.match(chapter):
        bad("chapter", "CHAPTER_INVALID")
    languages = parse_languages(cell("languages"))
    if languages is None or len(languages or []) > 10:
        bad("languages", "LANGUAGE_INVALID")
        languages = []
    person = Person(id="", given_name=given, family_name=family, birth_year=birth_year, gender=int(gender),
                    preferred_languages=languages, email=email, phone=phone, postal_code=postal,
                    municipality=cell("municipality"), chapter=chapter)

    year = None
    if present & {"fee", "paid", "year"}:
        fee = parse_fee(cell("fee"))
        if fee is None or fee > MAX_FEE_NOK:
            bad("fee", "FEE_INVALID")
            fee = 0
        state = _PAID_OF.get(header_key(cell("paid"))) if cell("paid") else PaymentState.UNPAID
        if state is None:
            bad("paid", "PAID_INVALID")
            state = PaymentState.UNPAID
        elif state == PaymentState.PAID and not fee and "fee" not in [p.code for p in problems]:
            bad("paid" if "paid" in columns.index else "fee", "PAID_NEEDS_FEE")
        raw_year = cell("year")
        number_year = int(raw_year) if re.fullmatch(r"\d{4}", raw_year) else (today.year if not raw_year else 0)
        if not 2000 <= number_year <= today.year + 1:
            bad("year", "YEAR_INVALID")
        year = MembershipYear(person_id="", year=number_year, fee_nok=fee, payment_state=int(state))
    return Row(number, person, year, problems, present)


# ---------------------------------------------------------------------------- what would happen


@functools.lru_cache(maxsize=65536)
def _name(text: str) -> str:
    """A name folded as search folds it (services.membership.domain.search.fold), its spaces made single;
    plain ASCII, the common case, only lower-cased (which is all fold does to it)."""
    folded = text.lower() if text.isascii() else fold(text)
    return " ".join(folded.split())


def _digits(phone: str) -> str:
    """A phone's digits, a Norwegian number without its country code: '+47 912 34 567', '0047 91234567' and
    '912 34 567' are one number."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0047"):
        digits = digits[4:]
    elif phone.strip().startswith("+47") or (len(digits) == 10 and digits.startswith("47")):
        digits = digits[2:]
    return digits


@dataclass(frozen=True)
class Identity:
    """Who a row or a registered person is, as duplicates are judged: name folded, birth year, phone digits."""

    name: tuple[str, str]
    birth_year: int
    phone: str

    @classmethod
    def of(cls, p: Person) -> "Identity":
        return cls((_name(p.given_name), _name(p.family_name)), p.birth_year, _digits(p.phone))

    def same(self, other: "Identity") -> bool:
        """All three equal, and known: the same person."""
        return self == other and bool(self.phone) and bool(self.birth_year)

    def similar(self, other: "Identity") -> bool:
        """The same name and the same birth year or phone: perhaps the same person."""
        return self.name == other.name and (
            (bool(self.birth_year) and self.birth_year == other.birth_year)
            or (bool(self.phone) and self.phone == other.phone))


def row_key(org: str, row: Row) -> str:
    """A digest of the row's content, the same for the same row in any file: importing a row again is a no-op."""
    p, y = row.person, row.year
    parts = [org, p.given_name, p.family_name, str(p.birth_year), str(p.gender), ",".join(p.preferred_languages),
             p.email, p.phone, p.postal_code, p.municipality, p.chapter]
    if y is not None:
        parts += [str(y.year), str(y.fee_nok), str(y.payment_state)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Planned:
    number: int
    plan: Plan
    problems: list[Problem]
    person_id: str = ""  # UPDATE, UNCHANGED: the registered person; DUPLICATE_SUSPECTED: the one it resembles
    same_as_row: int = 0  # a row of the same person earlier in the file (UPDATE of the person it creates)
    key: str = ""


class Register:
    """The register's people by folded name, to find who a row resembles."""

    def __init__(self, people: list[Person]) -> None:
        self.by_name: dict[tuple[str, str], list[tuple[str, Identity]]] = {}
        for p in people:
            ident = Identity.of(p)
            self.by_name.setdefault(ident.name, []).append((p.id, ident))

    def same_and_similar(self, ident: Identity) -> tuple[list[str], list[str]]:
        same, similar = [], []
        for pid, other in self.by_name.get(ident.name, ()):
            if ident.same(other):
                same.append(pid)
            elif ident.similar(other):
                similar.append(pid)
        return same, similar


def plan(org: str, rows: list[Row], register: Register, imported: dict[str, str],
         chapters: frozenset[str] | None = None, chapter_column: str = COLUMN_LABEL["chapter"]) -> list[Planned]:
    """What importing each row would do, in file order. imported: the keys of rows imported before, with the
    person each produced; chapters: the ids of the organisation's chapters (a person's chapter must be one),
    or None not to check them; chapter_column: the chapter's column as the file names it."""
    out: list[Planned] = []
    seen: dict[tuple[str, str], list[tuple[int, Identity, int | None]]] = {}
    for row in rows:
        if not row.valid:
            out.append(Planned(row.number, Plan.INVALID, list(row.problems)))
            continue
        if chapters is not None and row.person.chapter and row.person.chapter not in chapters:
            out.append(Planned(row.number, Plan.INVALID, [problem(chapter_column, "CHAPTER_NOT_FOUND")]))
            continue
        key = row_key(org, row)
        if key in imported:
            out.append(Planned(row.number, Plan.UNCHANGED, [], person_id=imported[key], key=key))
            continue
        ident = Identity.of(row.person)
        year = row.year.year if row.year is not None else None
        earlier = seen.setdefault(ident.name, [])
        same_row = next((n for n, other, y in earlier if ident.same(other) and y != year), 0)
        clash = next((n for n, other, y in earlier
                      if (ident.similar(other) or ident == other) and not (ident.same(other) and y != year)), 0)
        earlier.append((row.number, ident, year))
        if clash:
            out.append(Planned(row.number, Plan.DUPLICATE_SUSPECTED,
                               [problem(COLUMN_LABEL["given_name"], "DUPLICATE_IN_FILE", clash)], key=key))
            continue
        same, similar = register.same_and_similar(ident)
        if len(same) == 1 and not similar:
            out.append(Planned(row.number, Plan.UPDATE, [], person_id=same[0], key=key))
        elif same or similar:
            out.append(Planned(row.number, Plan.DUPLICATE_SUSPECTED,
                               [problem(COLUMN_LABEL["given_name"], "DUPLICATE_IN_REGISTER")],
                               person_id=(same or similar)[0], key=key))
        elif same_row:
            out.append(Planned(row.number, Plan.UPDATE, [], same_as_row=same_row, key=key))
        else:
            out.append(Planned(row.number, Plan.NEW, [], key=key))
    return out


# Fields a row updates on a registered person when it has a value for them (a name, birth year and phone
# matched already; a row's empty cell never clears what the register holds).
UPDATABLE = {"gender": "gender", "email": "email", "postal_code": "postal_code", "municipality": "municipality",
             "chapter": "chapter", "languages": "preferred_languages"}


def update_paths(person: Person, row: Row) -> list[str]:
    """The person's fields the row would change."""
    paths = []
    for column, path in UPDATABLE.items():
        if column not in row.present:
            continue
        if column == "gender" and row.person.gender == Gender.UNDISCLOSED:
            continue
        if getattr(row.person, path) != getattr(person, path):
            paths.append(path)
    return paths


def year_changed(stored: MembershipYear | None, new: MembershipYear) -> bool:
    return stored is None or (stored.fee_nok, stored.payment_state) != (new.fee_nok, new.payment_state)


def blocking(planned) -> bool:
    """Whether the row is one the import cannot apply (skipped, or where an import that stops, stops)."""
    return planned.plan in (Plan.INVALID, Plan.DUPLICATE_SUSPECTED)


# ---------------------------------------------------------------------------- the import itself


class State(enum.IntEnum):
    """An import's state (the numbers of the proto's PersonImport.State)."""

    CHECKED = 1
    RUNNING = 2
    SUCCEEDED = 3
    STOPPED = 4
    EXPIRED = 5


class OnError(enum.IntEnum):
    SKIP = 1
    STOP = 2


# How long a checked file waits to be started before it is removed.
CHECKED_FILE_KEPT = dt.timedelta(hours=1)
PLANNED_KEYS = ("new_rows", "update_rows", "unchanged_rows", "duplicate_rows", "invalid_rows")
DONE_KEYS = ("new_rows", "update_rows", "unchanged_rows", "skipped_rows", "not_imported_rows")
_PLAN_KEY = dict(zip(Plan, PLANNED_KEYS))
_RESULT_KEY = {Result.CREATED: "new_rows", Result.UPDATED: "update_rows", Result.UNCHANGED: "unchanged_rows",
               Result.SKIPPED: "skipped_rows", Result.NOT_IMPORTED: "not_imported_rows"}


@dataclass
class ImportJob:
    id: str
    state: int
    file_format: str
    encoding: str
    delimiter: str
    columns: list[tuple[str, str]]  # (header as written, field)
    unrecognized_columns: list[str]
    total_rows: int
    create_time: dt.datetime
    expire_time: dt.datetime
    processed_rows: int = 0
    planned: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    on_error: int = 0
    stopped_at_row: int = 0
    started_by: str = ""  # who started it and through which client, as the audit log names them
    started_client: str = ""
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.state in (State.SUCCEEDED, State.STOPPED, State.EXPIRED)

    @property
    def starter(self) -> Starter | None:
        return Starter(self.started_by, self.started_by, self.started_client) if self.started_by else None

    def count(self, result: Result, n: int = 1) -> None:
        key = _RESULT_KEY[Result(result)]
        self.done[key] = self.done.get(key, 0) + n


@dataclass(frozen=True)
class Starter:
    """Who started an import, for the audit lines its worker writes (an Actor)."""

    subject: str
    username: str
    client_id: str


@dataclass
class ImportRowRecord:
    """A row as an import keeps it: what the dry run found and what the import did."""

    row_number: int
    plan: int
    result: int = 0
    person_id: str = ""
    same_as_row: int = 0
    problems: list[Problem] = field(default_factory=list)
    row_key: str = ""


def planned_counts(planned: list[Planned]) -> dict[str, int]:
    out = {k: 0 for k in PLANNED_KEYS}
    for x in planned:
        out[_PLAN_KEY[x.plan]] += 1
    return out
