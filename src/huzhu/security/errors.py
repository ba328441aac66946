"""The error codes of accounts, tokens and keys: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "ciphertext_too_long": "a re-encrypted value no longer fits its column",
    "code_attempts_exceeded": "too many wrong codes; get a new one (401)",
    "code_invalid": "the code is wrong or expired (401)",
    "field_invalid": "only the ID number, bank card or phone number can be revealed",
    "invalid_batch": "the rotation batch size is below 1",
    "name_required": "a name is required",
    "no_phone": "no mobile number is registered",
    "reason_required": "a reason is required",
    "retention_too_short": "audit records are kept at least 6 months (183 days)",
    "same_data_key": "the previous and current data keys are the same",
    "token_expired": "the token has expired (401)",
    "token_invalid": "the token is not valid (401)",
    "token_revoked": "the token is revoked (401)",
    "too_many_requests": "a rate limit was passed (429)",
    "totp_already_enabled": "two-factor is already enabled",
    "totp_code_invalid": "the two-factor code is wrong",
    "totp_not_started": "two-factor set-up was not started",
    "unknown_data_key": "a stored value names a key that is not configured",
    "user_inactive": "the account is disabled",
}
