"""`huzhu reading-accuracy`: how often a field read from a document was kept as read when the claim was filed.

Per field, over every document the desk form was filled from (claims' ClaimReading): proposed, kept, and the share
kept, as JSON. A field the clerk changed counts as misread (or as a document that disagreed: the risk check shows
those amounts to the reviewer).
"""
import json

from django.core.management.base import BaseCommand

from huzhu.claims.queries import reading_accuracy


class Command(BaseCommand):
    help = "材料识别准确率：各字段识别后被采用（未更正）的比例"

    def handle(self, *args, **options):
        figures = {name: {**row, "share_kept": round(row["kept"] / row["proposed"], 4) if row["proposed"] else None}
                   for name, row in reading_accuracy().items()}
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
