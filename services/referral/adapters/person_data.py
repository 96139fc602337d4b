"""Every column of the referral service's tables that refers to a person, and what erasure does to it
(services.common.datasubject; tests/contracts/test_person_data_coverage.py checks that none is missing)."""
from services.common.datasubject import Dependent, Erase, Holds, PersonColumn, PersonData

PERSON_DATA = PersonData("referral", (
    # Erased, a referral stays as a case without a person (the partner's answer and the counts need it):
    # the reference and the contact details that travelled with consent are emptied.
    PersonColumn("referrals", "person", Erase.CLEAR, "referrals of the person to partners and other nodes",
                 holds=Holds.NAME, clears=("contact_given_name", "contact_phone", "contact_language")),
), dependents=(
    Dependent("deliveries", "referral_id", "referrals", "id", "node-to-node calls owed for those referrals",
              omit=("payload",)),
))
