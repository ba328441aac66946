"""Reading documents: field accuracy per field and per source, and seconds per page, on a labelled set built here.

    .venv/bin/python bench/documents.py [--papers N] [--seed S]

Draws N medical e-invoices and N settlement sheets (huzhu.demo.papers: Noto CJK, random facts) and reads each as
a PDF e-invoice (text layer), an OFD e-invoice, and as phone photos: straight, turned a quarter or half turn,
blurred, a low JPEG quality, tilted in perspective; the invoices' photos also carry the QR code. A field is right
when it equals the drawn value exactly (money to the fen, codes character for character). Prints, per source, the
share of fields exact (money and codes apart) and the seconds a page takes; the baseline is the text layer's time
measured in the same run (the ratio OCR / text layer). Offline: the OCR models are in the rapidocr wheel.
"""
import argparse
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE_FIELDS = ("invoice_code", "invoice_number", "check_code", "issued_on", "admitted_on", "discharged_on")
TARGETS = {"text": 0.98, "photo": 0.95}  # the issue's: money and codes on PDF/OFD/QR, and on photos


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def variants(paper, rng):
    from huzhu.demo import papers

    page = papers.page_image(paper, with_qr=paper.kind == "invoice")
    plain = papers.page_image(paper)
    yield "pdf", papers.pdf(paper)
    yield "ofd", papers.ofd(paper)
    yield "photo", papers.photo(plain, rng, quality=85)
    if paper.kind == "invoice":
        yield "photo+qr", papers.photo(page, rng, quality=85)
    yield "photo turned", papers.photo(plain, rng, rotation=rng.choice((90, 180, 270)), quality=85)
    yield "photo blurred", papers.photo(plain, rng, blur=1.2, quality=85)
    yield "photo jpeg 40", papers.photo(plain, rng, quality=40)
    yield "photo tilted", papers.photo(plain, rng, tilt=0.06, rotation=rng.uniform(-4, 4), quality=75)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=int(os.environ.get("BENCH_DOCUMENTS_PAPERS", 10)))
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    setup()
    from huzhu.archives.reading import read_document
    from huzhu.archives.reading.fields import MONEY_FIELDS
    from huzhu.demo import papers

    rng = random.Random(options.seed)
    read_document(papers.photo(papers.page_image(papers.invoice(rng)), rng))  # load the models once, untimed
    right: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (variant, field) -> [right, seen]
    seconds: dict[str, list[float]] = defaultdict(list)
    for make in (papers.invoice, papers.settlement_sheet):
        for _ in range(options.papers):
            paper = make(rng)
            for variant, content in variants(paper, rng):
                began = time.perf_counter()
                reading = read_document(content)
                seconds[variant].append(time.perf_counter() - began)
                for name, value in paper.facts.items():
                    tally = right[(variant, name)]
                    tally[0] += reading.proposal.fields.get(name) == value
                    tally[1] += 1

    def share(variant: str, names) -> float:
        hits = [right[(variant, n)] for n in names if (variant, n) in right]
        return sum(h[0] for h in hits) / max(1, sum(h[1] for h in hits))

    names = sorted({name for _variant, name in right})
    money = [n for n in names if n in MONEY_FIELDS]
    codes = [n for n in names if n in CODE_FIELDS]
    text_page = sum(seconds["pdf"] + seconds["ofd"]) / max(1, len(seconds["pdf"] + seconds["ofd"]))
    print(f"documents: {options.papers} invoices and {options.papers} settlement sheets, each in "
          f"{len(seconds)} forms; {sum(len(v) for v in seconds.values())} pages read")
    print(f"{'source':<15}{'money':>8}{'codes':>8}{'all':>8}{'s/page':>9}{'vs text':>10}")
    failing = []
    for variant, times in seconds.items():
        per_page = sum(times) / len(times)
        target = TARGETS["text" if variant in ("pdf", "ofd") else "photo"]
        m, c, a = share(variant, money), share(variant, codes), share(variant, names)
        print(f"{variant:<15}{m:>8.1%}{c:>8.1%}{a:>8.1%}{per_page:>9.2f}{per_page / text_page:>9.0f}x")
        if min(m, c) < target:
            failing.append(f"{variant} (money {m:.1%}, codes {c:.1%}; target {target:.0%})")
        if variant.startswith("photo") and per_page >= 3:
            failing.append(f"{variant} ({per_page:.2f} s a page; target under 3 s)")
    print("per field, over the photos:")
    photos = [v for v in seconds if v.startswith("photo")]
    for name in names:
        hits = [right[(v, name)] for v in photos if (v, name) in right]
        print(f"  {name:<26}{sum(h[0] for h in hits) / max(1, sum(h[1] for h in hits)):>8.1%}")
    print("targets: " + ("all met" if not failing else "not met: " + "; ".join(failing)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
