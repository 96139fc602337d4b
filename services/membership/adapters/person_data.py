"""Every column of membership's tables that refers to a person, and what erasure does to it
(services.common.datasubject; tests/contracts/test_person_data_coverage.py checks that none is missing).
In the order they are erased: rows that point at a person before the person."""
from services.common.datasubject import Erase, PersonColumn, PersonData

PERSON_DATA = PersonData("membership", (
    PersonColumn("membership_years", "person_id", Erase.DELETE, "membership years with fee and payment state"),
    PersonColumn("household_members", "person_id", Erase.DELETE, "the person's household and role in it"),
    PersonColumn("group_members", "person_id", Erase.DELETE, "the groups and chapters the person is a member of"),
    PersonColumn("role_assignments", "person_id", Erase.DELETE, "the person's roles (board member, volunteer...) "
                 "with their periods"),
    PersonColumn("consents", "person_id", Erase.DELETE, "the person's consents per purpose, with their text "
                 "version, source, who gave them and any withdrawal"),
    # A child's consent given by the person as guardian: the child's consent stays, the guardian's id goes.
    PersonColumn("consents", "guardian_id", Erase.CLEAR, "consents the person gave as a guardian for a child"),
    PersonColumn("renewal_entries", "person_id", Erase.DELETE, "what renewals of membership years did for the "
                 "person"),
    PersonColumn("person_import_keys", "person_id", Erase.DELETE, "the spreadsheet rows that were imported as "
                 "the person (digests of the rows, not their content)"),
    PersonColumn("person_import_rows", "person_id", Erase.CLEAR, "the rows of spreadsheet imports that matched "
                 "or created the person (row numbers and problems, not the cells)"),
    PersonColumn("persons", "id", Erase.DELETE, "the person's record: name, birth year, gender, languages, contact "
                 "details, postal code, municipality, chapter"),
    PersonColumn("erasures", "person_id", Erase.UNTIL_COMPLETE, "the erasure log: whom an erasure in progress "
                 "erases, cleared when every service has confirmed"),
))
