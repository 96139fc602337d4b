"""An in-memory ConsentRepository for the membership service's fake unit of work."""
from __future__ import annotations

import dataclasses

from services.common.pagination import memory_page
from services.membership.adapters.consent_repository import ConsentRepository


class FakeConsents(ConsentRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def add(self, consent):
        assert consent.id not in self.rows
        if consent.withdraw_date is None and self.in_force(consent.person_id, consent.purpose) is not None:
            return False
        self.rows[consent.id] = dataclasses.replace(consent)
        return True

    def get(self, consent_id, *, for_update=False):
        held = self.rows.get(consent_id)
        return dataclasses.replace(held) if held else None

    def save_withdrawal(self, consent):
        held = self.rows[consent.id]
        if held.withdraw_date is None:
            self.rows[consent.id] = dataclasses.replace(
                held, withdraw_date=consent.withdraw_date, withdraw_source=consent.withdraw_source,
                withdrawn_recorded_by=consent.withdrawn_recorded_by, update_time=consent.update_time)

    def in_force(self, person_id, purpose):
        return self.in_force_for([person_id], purpose).get(person_id)

    def in_force_for(self, person_ids, purpose):
        return {c.person_id: dataclasses.replace(c) for c in self.rows.values()
                if c.person_id in person_ids and c.purpose == purpose and c.withdraw_date is None}

    def page(self, person_id, after, limit):
        mine = [dataclasses.replace(c) for c in self.rows.values() if c.person_id == person_id]
        return memory_page(mine, lambda c: (c.create_time, c.id), after, limit, descending=True)
