"""Every column of the events service's tables that refers to a person, and what erasure does to it
(services.common.datasubject; tests/contracts/test_person_data_coverage.py checks that none is missing)."""
from brobygger.events.v1 import events_facts_pb2, registration_facts_pb2
from services.common.datasubject import Erase, PersonColumn, PersonData

PERSON_DATA = PersonData("events", (
    # Erased, a named attendance becomes an anonymous one (a head count of one in its gender and age band):
    # the session still had that participant, and nobody can tell who.
    PersonColumn("attendances", "person_id", Erase.CLEAR, "attendance at sessions, with gender and age band"),
    # Erased, a volunteer's hours stay as hours given at the activity, by nobody named, without the task.
    PersonColumn("hours_entries", "person_id", Erase.CLEAR, "volunteer hours with activity, session, date, "
                 "minutes and task", clears=("task",)),
    # Erased, a registration keeps its place (and the waiting list its order) under an unlinkable token.
    PersonColumn("registrations", "person_id", Erase.PSEUDONYMISE, "registrations for activities and sessions, "
                 "with their state and household"),
), outbox_facts=(events_facts_pb2.AttendanceRecorded, events_facts_pb2.VolunteerHoursLogged,
                 events_facts_pb2.VolunteerHoursCorrected, events_facts_pb2.VolunteerHoursWithdrawn,
                 registration_facts_pb2.RegistrationChanged))
