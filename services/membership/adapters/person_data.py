"""Every column of membership's tables that refers to a person, and what erasure does to it
(services.common.datasubject; tests/contracts/test_person_data_coverage.py checks that none is missing).
In the order they are erased: rows that point at a person before the person."""
from services.common.datasubject import Erase, PersonColumn, PersonData

PERSON_DATA = PersonData("membership", (
    PersonColumn("membership_years", "person_id", Erase.DELETE, "membership years with fee and payment state"),
    PersonColumn("household_members", "person_id", Erase.DELETE, "the person's household and role in it"),
    PersonColumn("persons", "id", Erase.DELETE, "the person's record: name, birth year, gender, languages, contact "
                 "details, postal code, municipality, chapter"),
    PersonColumn("erasures", "person_id", Erase.UNTIL_COMPLETE, "the erasure log: whom an erasure in progress "
                 "erases, cleared when every service has confirmed"),
))
