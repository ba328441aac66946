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


def test_a_worker_chosen_file_name_goes_into_index_csv_as_text(db):
    import csv

    stored = services.store_file(actor=None, upload=jpeg(), name="\t=HYPERLINK(\"http://x.example/\")\r\n.jpg")
    content = services.build_bundle(title="claim-8", facts={"claim": 8},
                                    entries=[services.BundleEntry(stored, "invoice", "发票", "2026-06-01T10:00:00+08:00")])
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        rows = list(csv.DictReader(io.StringIO(bundle.read("claim-8/index.csv").decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["original_name"] == "'=HYPERLINK(\"http:__x.example_\").jpg"


def test_a_file_name_loses_its_path_separators_and_its_right_to_left_override():
    from ..rules import safe_file_name

    assert safe_file_name("../发票\u202egpj.exe") == ".._发票gpj.exe"
