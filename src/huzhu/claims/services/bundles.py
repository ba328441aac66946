"""A claim's archive bundle for audit: its documents in a ZIP with an index."""
from collections.abc import Callable

from huzhu.archives.models import DocumentKind
from huzhu.archives.services import BundleEntry, build_bundle
from huzhu.audit.services import record_event
from huzhu.core.actors import Actor

from ..models import Claim
from .actors import require_claim_in_scope


def build_claim_bundle(*, actor: Actor, claim: Claim, may_open: Callable[[str], bool] = lambda kind: True) -> bytes:
    """The ZIP of a claim's documents with index.csv/index.json; the download is audited.

    Documents of a kind the actor may not open (`may_open(kind)` false) stay out of the ZIP; the
    index names them as withheld, so the bundle still shows the claim's papers were complete.
    """
    require_claim_in_scope(actor, claim)
    documents = claim.documents.select_related("file").order_by("kind", "uploaded_at", "pk")
    entries, withheld = [], []
    for d in documents:
        label = str(DocumentKind(d.kind).label)
        if may_open(d.kind):
            entries.append(BundleEntry(stored=d.file, kind=d.kind, kind_label=label,
                                       uploaded_at=d.uploaded_at.isoformat()))
        else:
            withheld.append({"kind": d.kind, "kind_label": label, "uploaded_at": d.uploaded_at.isoformat()})
    facts = {"claim": claim.pk, "worker": claim.worker.name, "id_number": claim.worker.id_number_masked,
             "type": claim.claim_type, "status": claim.status,
             "benefit": f"{claim.benefit_amount:.2f}" if claim.benefit_amount is not None else None,
             "terms_version": claim.terms_version_id, "withheld": withheld}
    record_event(actor=actor, action="download_claim_bundle", object_type="Claim", object_id=claim.pk,
                 after={"files": len(entries), "withheld": len(withheld)})
    return build_bundle(title=f"claim-{claim.pk}", entries=entries, facts=facts)
