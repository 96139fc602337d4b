"""The check-in page marks who must not be photographed (no consent for photos in force), and photographs
nobody when membership cannot say; on Flask's test client over fake channels."""
from __future__ import annotations

import re

from brobygger.events.v1 import events_pb2
from brobygger.membership.v1 import consent_pb2
from tests.gateway.test_web_checkin import ORG, PAGE, attendance, calls, checkin  # noqa: F401
from tests.gateway.web_support import VOLUNTEER_TOKEN, login

CONSENT = "/brobygger.membership.v1.ConsentService/"


def present_items(text: str) -> list[str]:
    section = text.split('id="present"')[1].split("</section>")[0]
    return [re.sub(r"\s+", " ", li) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_people_without_photo_consent_are_marked(web, channels, checkin):
    this = checkin["session"]
    channels["events"].on("/brobygger.events.v1.EventsService/ListAttendances",
                          lambda r: events_pb2.ListAttendancesResponse(attendances=[
                              attendance(this.name, "t1", "p1"), attendance(this.name, "t2", "p2")]
                              if r.parent == this.name else []))
    channels["membership"].on(CONSENT + "BatchCheckConsents", lambda r: consent_pb2.BatchCheckConsentsResponse(
        consent_checks=[consent_pb2.ConsentCheck(person=n, consent_purpose=r.consent_purpose,
                                                 in_force=n.endswith("/p1")) for n in r.names]))
    login(web, VOLUNTEER_TOKEN)
    text = web.get(PAGE).get_data(as_text=True)
    items = present_items(text)
    [amina] = [i for i in items if "Amina" in i]
    [hodan] = [i for i in items if "Hodan" in i]
    assert "Ikke fotografer" not in amina and "Ikke fotografer" in hodan
    assert "Skal ikke fotograferes: 1 av de som er her" in text
    [asked] = calls(channels["membership"], "BatchCheckConsents")
    assert (list(asked.names), asked.consent_purpose, asked.parent) == (
        [f"{ORG}/persons/p1", f"{ORG}/persons/p2"], consent_pb2.CONSENT_PURPOSE_PHOTOS, ORG)
    assert asked.purpose.startswith("oppmøte på Leksehjelp Linderud")


def test_when_photo_consents_cannot_be_read_nobody_is_photographed(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)  # no answer for BatchCheckConsents: membership cannot be asked
    text = web.get(PAGE).get_data(as_text=True)
    assert "Samtykkene til bilder kunne ikke leses akkurat nå: ikke fotografer noen." in text
    assert all("Ikke fotografer" in i for i in present_items(text))
