"""The error codes of webhooks: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "invalid_url": "the callback URL does not start with https:// or http://, or is over 300 characters",
    "name_required": "a name is required",
}
