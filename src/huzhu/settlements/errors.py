"""The error codes of settlements: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them.
"""

CODES = {
    "agreement_ambiguous": "more than one data-sharing agreement is in force: name one",
    "agreement_invalid": "the agreement's period or retention is not valid",
    "agreement_not_active": "the data-sharing agreement is not in force today",
    "bad_file": "the settlement file cannot be read, or its header is not the contract's",
    "invalid_mode": "the import mode is neither all nor valid",
    "job_moved": "another run moved the import job first",
    "job_not_ready": "the import job cannot take this step in its status",
    "no_agreement": "no data-sharing agreement is in force",
    "no_file": "no settlement file was given",
}
