"""Backup and restore (等保 level 3, 数据备份恢复): the database and the archive files, with a manifest.

A backup folder holds `database.sqlite3` (SQLite's online backup API: a consistent copy while the
app runs) or `database.dump` (`pg_dump --format=custom` in one snapshot), the archive files under
`archive/` (content-addressed, never changed, so copying them after the database snapshot is
consistent: every file the snapshot names already exists), and `manifest.json` with the SHA-256
and size of every file, the row count of every table, and the migrations applied.
`verify` recomputes all of it; `restore` verifies first and refuses a database that has tables.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = "huzhu-backup/1"


class BackupProblem(Exception):
    """A backup that cannot be made, read or restored; the message says why, in Chinese."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    files: int
    tables: int
    rows: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment() -> tuple[list[str], dict]:
    conf = connection.settings_dict
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    args = ["--host", conf.get("HOST") or "127.0.0.1", "--port", str(conf.get("PORT") or 5432),
            "--username", conf.get("USER") or "postgres"]
    return args, env


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the database (what a restore must give back)."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _dump_database(folder: Path) -> str:
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # one consistent snapshot, online
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            destination.close()
        return target.name
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_environment()
        result = subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(target),
                                 connection.settings_dict["NAME"]], env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupProblem(f"pg_dump 失败：{result.stderr.strip()}")
        return target.name
    raise BackupProblem(f"不支持的数据库：{connection.vendor}")


def make_backup(folder: Path, *, progress=lambda text: None) -> BackupSummary:
    """Write a full backup into `folder` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupProblem(f"备份目录不为空：{folder}")
    folder.mkdir(parents=True, exist_ok=True)
    counts = table_row_counts()  # read before the dump: the dump holds at least these rows
    progress("数据库快照…")
    database = _dump_database(folder)
    progress("档案文件…")
    archive_root, copied = Path(settings.ARCHIVE_ROOT), folder / "archive"
    files = {}
    if archive_root.exists():
        for source in sorted(p for p in archive_root.rglob("*") if p.is_file()):
            relative = source.relative_to(archive_root)
            target = copied / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            files[f"archive/{relative.as_posix()}"] = {"sha256": _sha256(target), "size": target.stat().st_size}
    files[database] = {"sha256": _sha256(folder / database), "size": (folder / database).stat().st_size}
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "engine": connection.vendor,
                "database": database, "migrations": _applied_migrations(), "tables": counts, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupSummary(folder, len(files), len(counts), sum(counts.values()))


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupProblem(f"没有清单文件：{path}") from None
    except ValueError as exc:
        raise BackupProblem(f"清单文件无法读取：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupProblem(f"不认识的备份格式：{manifest.get('format')}")
    return manifest


def verify_backup(folder: Path) -> list[str]:
    """Every problem with the backup (missing, changed or extra files; a damaged database), or []."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            problems.append(f"缺少文件：{name}")
        elif path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            problems.append(f"文件已被改动（校验和不符）：{name}")
    listed = set(manifest["files"]) | {MANIFEST}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.relative_to(folder).as_posix() not in listed:
            problems.append(f"清单外的文件：{path.relative_to(folder).as_posix()}")
    database = folder / manifest["database"]
    if database.is_file() and not problems:
        problems += _check_database_file(manifest["engine"], database)
    return problems


def _check_database_file(engine: str, path: Path) -> list[str]:
    if engine == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as copy:
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return [f"数据库文件损坏：{exc}"]
        return [] if verdict == "ok" else [f"数据库文件损坏：{verdict}"]
    result = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    return [] if result.returncode == 0 else [f"数据库转储无法读取：{result.stderr.strip()}"]


def restore_backup(folder: Path, *, progress=lambda text: None) -> BackupSummary:
    """Restore a verified backup into the configured, empty database and the archive root."""
    folder = Path(folder)
    problems = verify_backup(folder)
    if problems:
        raise BackupProblem("备份校验未通过：" + "；".join(problems[:5]))
    manifest = read_manifest(folder)
    if manifest["engine"] != connection.vendor:
        raise BackupProblem(f"备份来自 {manifest['engine']}，当前数据库是 {connection.vendor}")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupProblem(f"目标数据库不是空的（已有 {len(existing)} 张表）：请恢复到新建的空数据库")
    progress("恢复数据库…")
    database = folder / manifest["database"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = _pg_environment()
        result = subprocess.run(["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname",
                                 connection.settings_dict["NAME"], str(database)], env=env, capture_output=True,
                                text=True)
        if result.returncode:
            raise BackupProblem(f"pg_restore 失败：{result.stderr.strip()}")
    progress("恢复档案文件…")
    archive_root = Path(settings.ARCHIVE_ROOT)
    for name in manifest["files"]:
        if name.startswith("archive/"):
            target = archive_root / name.removeprefix("archive/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copy2(folder / name, target)
    counts = table_row_counts()
    short = {t: n for t, n in manifest["tables"].items() if counts.get(t, 0) < n}
    if short:
        raise BackupProblem(f"恢复后行数少于备份时：{', '.join(sorted(short)[:5])}")
    return BackupSummary(folder, len(manifest["files"]), len(counts), sum(counts.values()))
