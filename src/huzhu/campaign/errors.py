"""The error codes of renewal campaign: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "already_taken": "someone else already follows up this unit",
    "future_date": "the date lies in the future",
    "invalid_channel": "unknown contact channel",
    "invalid_contact": "the contact record is incomplete or inconsistent",
    "invalid_date": "the date is not YYYY-MM-DD",
    "invalid_kind": "unknown outreach kind",
    "invalid_number": "a count is not a whole number of at least 0",
    "invalid_outcome": "unknown contact outcome",
    "invalid_target": "the target is negative or has more units than people",
    "negative_count": "a count is negative",
    "not_last_years_unit": "the unit was not enrolled last year",
    "not_taken": "the unit must be taken before a contact is logged",
    "place_required": "the event needs a place",
    "unit_out_of_scope": "the unit lies outside the caller's area",
    "unknown_division": "unknown region code",
    "unknown_league": "unknown league code",
}
