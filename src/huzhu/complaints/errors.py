"""The error codes of complaints and questions: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "caller_required": "an anonymous call needs the caller's phone to answer",
    "complaint_changed": "someone else moved the complaint first",
    "invalid_category": "unknown category",
    "invalid_channel": "unknown channel",
    "invalid_county": "unknown county, or outside the caller's area",
    "invalid_kind": "neither a complaint nor a question",
    "invalid_phone": "the phone number is not a mainland mobile or a landline with its area code",
    "invalid_caller_name": "the caller's name is not a person's name",
    "not_at_your_level": "the complaint sits at a level above the caller's",
    "reply_required": "the reply is empty",
    "text_required": "the complaint's text is empty",
    "text_too_long": "the text is longer than 2000 characters",
    "transition_not_allowed": "the complaint's status does not allow this",
    "unknown_claim": "the related claim is not the worker's or not in the caller's area",
}
