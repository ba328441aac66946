"""A claim's archive bundle for audit: its documents in a ZIP with an index."""
from huzhu.archives.models import DocumentKind
from huzhu.archives.services import BundleEntry, build_bundle
from huzhu.audit.services import record_event

from ..models import Claim
from .actors import require_claim_in_scope


def build_claim_bundle(*, actor, claim: Claim) -> bytes:
    """The ZIP of a claim's documents with index.csv/index.json; the download is audited."""
    require_claim_in_scope(actor, claim)
    documents = claim.documents.select_related("file").order_by("kind", "uploaded_at", "pk")
    entries = [BundleEntry(stored=d.file, kind=d.kind, kind_label=str(DocumentKind(d.kind).label),
                           uploaded_at=d.uploaded_at.isoformat()) for d in documents]
    facts = {"claim": claim.pk, "worker": claim.worker.name, "id_number": claim.worker.id_number_masked,
             "type": claim.claim_type, "status": claim.status,
             "benefit": f"{claim.benefit_amount:.2f}" if claim.benefit_amount is not None else None,
             "terms_version": claim.terms_version_id}
    record_event(actor=actor, action="download_claim_bundle", object_type="Claim", object_id=claim.pk,
                 after={"files": len(entries)})
    return build_bundle(title=f"claim-{claim.pk}", entries=entries, facts=facts)
