"""The error codes of the portal app (besides core's not_found and forbidden).

Add a code here before raising it; src/huzhu/tests/test_error_catalogues.py checks.
"""

CODES: dict[str, str] = {
    "no_bank_card": "the worker has no bank card on file to confirm for a claim made from data",
}
