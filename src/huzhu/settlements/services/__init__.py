"""Settlement services: agreements, imports (staging, matching, acting), the drop folder, the retention purge."""
from . import agreements
from .agreements import save_agreement
from .imports import (
    create_settlement_import,
    error_rows,
    import_dropped_files,
    may_import,
    purge_raw_settlements,
    run_settlement_import,
    stage_settlements,
)

__all__ = ["agreements", "create_settlement_import", "error_rows", "import_dropped_files", "may_import", "purge_raw_settlements",
           "run_settlement_import", "save_agreement", "stage_settlements"]
