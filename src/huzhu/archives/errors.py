"""The error codes of stored files: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "broken_image": "the image is corrupt or cut off",
    "image_too_large": "the image claims more than 50,000,000 pixels",
    "invalid_file": "the file is empty, too large or of a type not accepted",
    "storage_full": "the archive's disk is full; nothing was stored (507)",
}
