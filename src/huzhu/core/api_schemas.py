"""JSON shapes more than one app's API answers with."""
from ninja import Schema


class BackgroundJobOut(Schema):
    """A background job's status, in its code and in words, and whether it still runs: poll until `running` is false."""

    status: str
    status_label: str
    running: bool

    @staticmethod
    def resolve_status_label(job) -> str:
        return job.get_status_display()

    @staticmethod
    def resolve_running(job) -> bool:
        return job.is_running
