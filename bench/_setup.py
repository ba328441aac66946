"""Shared start-up for benchmarks: a throw-away database unless DATABASE_URL names one."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_for_bench(name: str) -> None:
    """Point Django at var/bench/<name>.sqlite3 (fresh) unless DATABASE_URL is set, then set it up."""
    sys.path.insert(0, str(ROOT / "src"))
    if "DATABASE_URL" not in os.environ:
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
