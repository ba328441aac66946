"""The error codes of units and workers: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "declaration_required": "a unit's consent declaration needs its text ticked",
    "duplicate_unit": "a unit with this credit code is registered",
    "duplicate_worker": "a worker with this ID number is registered",
    "invalid_bank_account": "the bank card number is missing or not 12-19 digits",
    "invalid_bank_name": "the bank is missing",
    "invalid_consent_source": "not a consent source this caller may use (roster, unit, worker, desk)",
    "invalid_contact_name": "the contact's name is not valid",
    "invalid_contact_phone": "the contact's phone is not a mobile number",
    "invalid_county": "unknown county code",
    "invalid_credit_code": "not a valid unified social credit code",
    "invalid_ended_on": "the leaving date is before the starting date",
    "invalid_female_headcount": "more women than workers",
    "invalid_id_number": "not a valid resident ID number",
    "invalid_name": "the name is not valid",
    "invalid_phone": "not a mobile number",
    "no_workers_chosen": "no worker was chosen to consent",
    "not_employed": "the worker has no current employment",
    "reason_required": "a reason is required",
}
