"""The error codes of hospitals: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (hospital systems rely on them): never rename one. docs/api.md and
docs/hospital-api.md list them.
"""

CODES = {
    "batch_status": "the reimbursement batch cannot take this step in its status",
    "cancel_window_passed": "a settlement at discharge is cancelled the same day only",
    "certificate_mismatch": "the client certificate is not the one the token is bound to",
    "date_in_future": "a discharge, settlement or payment date is after today",
    "discharge_before_admission": "the discharge date is before the admission date",
    "file_too_large": "the statement file is larger than 20 MB",
    "bad_file": "the statement cannot be read, or its header or a row is not the contract's",
    "hospital_exists": "a hospital with this 定点机构编码 is registered already",
    "hospital_mismatch": "hospital_code is not the hospital the token belongs to",
    "in_batch": "the settlement is in a reimbursement batch and cannot be cancelled",
    "invalid_bank_account": "the hospital's bank account is not 8 to 30 digits",
    "invalid_code": "the 定点机构编码 is not 1 to 15 letters or digits",
    "invalid_county": "the county is not in the chosen league",
    "invalid_field": "a name field is empty or too long",
    "invalid_fingerprint": "the client certificate fingerprint is not 64 hex digits",
    "invalid_id_number": "the patient's ID number is not a valid resident ID",
    "invalid_league": "no league was chosen",
    "invalid_name": "the patient's name is empty or not a name",
    "invalid_serial": "the serial is not 1 to 40 letters, digits, '-' or '_'",
    "invalid_status": "the partnership status is not one of the registry's",
    "name_required": "the token needs a name saying what it is for",
    "negative_amount": "an amount is negative",
    "no_file": "no statement file was given",
    "not_disputed": "the line is not in dispute",
    "not_settled": "the stay was not settled at discharge, so there is nothing to cancel",
    "nothing_agreed": "no line of the batch agreed with the statement",
    "nothing_to_reimburse": "the hospital has no settled benefit waiting for reimbursement up to the day",
    "note_required": "resolving a dispute needs a note",
    "patient_authorization_required": "patient_authorized must be true (the patient signed the authorisation)",
    "reason_required": "a cancellation, a returned transfer or a cancelled batch needs a reason",
    "serial_of_another_hospital": "another hospital settled this serial",
    "serial_reused": "the serial was settled before with other facts",
    "through_not_past": "a batch's last day must be before today",
    "token_invalid": "the hospital token is not valid",
    "token_revoked": "the hospital token was revoked",
}
