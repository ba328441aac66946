"""Cross-app scenarios share the personas of src/huzhu/conftest.py.

That file is a conftest only for tests under src/huzhu, and registering it again as a plugin
(`pytest_plugins`) clashes when both trees run together, so its fixtures are imported here.
"""
from huzhu.conftest import (  # noqa: F401 - fixtures are found by name
    _audit_checkpoints_per_test,
    _jobs_inline,
    _migrated_rows_after_flush,
    association_approver,
    auditor,
    county_clerk,
    home_unit,
    league_reviewer,
    other_unit,
    unit_contact,
)
