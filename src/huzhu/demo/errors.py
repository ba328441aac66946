"""The error codes of the demo app: none of its own (it writes through the other apps' services, whose codes it raises).

Add a code here before raising it; src/huzhu/tests/test_error_catalogues.py checks.
"""

CODES: dict[str, str] = {}
