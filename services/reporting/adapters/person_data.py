"""Every column of reporting's tables that refers to a person, and what erasure does to it
(services.common.datasubject; tests/contracts/test_person_data_coverage.py checks that none is missing).

Reporting keeps an erased person's records with the id replaced by a token (domain/cellkey.erased_token)
that no table links to anyone, so that every figure already published stays exactly as it was."""
from services.common.datasubject import Erase, PersonColumn, PersonData

PERSON_DATA = PersonData("reporting", (
    PersonColumn("fact_persons", "person_id", Erase.PSEUDONYMISE, "gender, birth year and registration date"),
    PersonColumn("fact_membership_years", "person_id", Erase.PSEUDONYMISE, "membership years with payment state"),
    PersonColumn("fact_attendances", "person_id", Erase.PSEUDONYMISE, "attendances with date, gender and age band"),
    PersonColumn("fact_volunteer_hours", "person_id", Erase.PSEUDONYMISE, "volunteer hours with activity, date "
                 "and minutes"),
    PersonColumn("fact_role_assignments", "person_id", Erase.PSEUDONYMISE, "roles with their periods"),
    PersonColumn("fact_statistics_consents", "person_id", Erase.PSEUDONYMISE, "the dates the consent for "
                 "statistics was given or withdrawn"),
))
