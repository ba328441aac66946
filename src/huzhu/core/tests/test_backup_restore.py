"""`huzhu backup DIR` → `huzhu restore DIR` into an empty database gives every row and file back."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from huzhu.archives.services import store_file
from huzhu.conftest import make_worker
from huzhu.core.backup import table_row_counts

ROOT = Path(__file__).resolve().parents[4]
COUNT_SCRIPT = ("import json, django; django.setup(); from huzhu.core.backup import table_row_counts; "
                "from huzhu.members.models import Worker; "
                "print(json.dumps({'counts': table_row_counts(), "
                "'ids': sorted(w.reveal_id_number() for w in Worker.objects.all())}))")


def _empty_database(tmp_path) -> str:
    """A database URL for a new, empty database of the same engine."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conf = connection.settings_dict
    return f"postgres://{conf['USER'] or 'postgres'}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def _run(args, database_url, archive_root):
    env = {**os.environ, "DATABASE_URL": database_url, "HUZHU_ARCHIVE_ROOT": str(archive_root),
           "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "huzhu.settings"}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(home_unit, settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    workers = [make_worker(home_unit, name=f"职工{n}") for n in range(3)]
    stored = store_file(actor=None, upload=b"%PDF-1.4 settlement sheet", name="sheet.pdf")
    call_command("backup", str(tmp_path / "backup"))
    call_command("backup", "verify", str(tmp_path / "backup"))
    expected = table_row_counts()

    url, restored_archive = _empty_database(tmp_path), tmp_path / "restored-archive"
    restored = _run(["-m", "huzhu.manage", "restore", str(tmp_path / "backup")], url, restored_archive)
    assert restored.returncode == 0, restored.stderr
    seen = json.loads(_run(["-c", COUNT_SCRIPT], url, restored_archive).stdout)
    assert seen["counts"] == expected
    assert seen["ids"] == sorted(w.reveal_id_number() for w in workers)
    assert (restored_archive / stored.relative_path).read_bytes() == b"%PDF-1.4 settlement sheet"

    again = _run(["-m", "huzhu.manage", "restore", str(tmp_path / "backup")], url, restored_archive)
    assert again.returncode != 0 and "不是空的" in again.stderr  # never over a live database


@pytest.mark.django_db(transaction=True)
def test_verify_names_a_changed_or_missing_file_and_fails(home_unit, settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    stored = store_file(actor=None, upload=b"%PDF-1.4 invoice", name="invoice.pdf")
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    copy = folder / "archive" / stored.relative_path
    copy.write_bytes(b"%PDF-1.4 forged")
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("backup", "verify", str(folder))
    copy.unlink()
    with pytest.raises(CommandError):
        call_command("backup", "verify", str(folder))


def test_a_backup_never_writes_into_a_folder_that_holds_files(tmp_path, db):
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(CommandError, match="不为空"):
        call_command("backup", str(tmp_path))
