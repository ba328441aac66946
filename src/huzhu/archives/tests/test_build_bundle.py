"""Archive bundles: a ZIP of the files with index.csv and index.json."""
import io
import json
import zipfile

from .. import services
from .test_store_file import jpeg


def test_a_bundle_holds_every_file_and_an_index(db):
    stored = services.store_file(actor=None, upload=jpeg(), name="结算单.jpg")
    pdf = services.store_file(actor=None, upload=b"%PDF-1.4\n%%EOF\n", name="小结.pdf")
    entries = [services.BundleEntry(stored, "settlement_sheet", "住院结算单", "2026-06-01T10:00:00+08:00"),
               services.BundleEntry(pdf, "discharge_summary", "出院小结", "2026-06-01T10:01:00+08:00")]
    content = services.build_bundle(title="claim-7", entries=entries, facts={"claim": 7})
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        names = bundle.namelist()
        assert "claim-7/01-settlement_sheet.jpg" in names and "claim-7/02-discharge_summary.pdf" in names
        index = json.loads(bundle.read("claim-7/index.json"))
        assert index["claim"] == 7
        assert [f["sha256"] for f in index["files"]] == [stored.sha256, pdf.sha256]
        assert "住院结算单" in bundle.read("claim-7/index.csv").decode("utf-8-sig")
        assert bundle.read("claim-7/01-settlement_sheet.jpg") == services.path_of(stored).read_bytes()
