"""Background runs of studies; they call the service and are safe to run twice."""
from celery import shared_task

from . import services


@shared_task(name="actuarial.run_study")
def run_study_task(study_id: int, force: bool = False) -> str:
    """Compute a study (progress on the study row); returns its final status."""
    return services.run_study(actor=None, study_id=study_id, force=force).status
