"""The error codes of the audit app: none of its own today (it answers with core's not_found and forbidden).

Add a code here before raising it; src/huzhu/tests/test_error_catalogues.py checks.
"""

CODES: dict[str, str] = {}
