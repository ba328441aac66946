"""Each app declares its error codes in one place (`<app>/errors.py`, CODES); docs/api.md lists them all.

A raise site whose code is not in its app's catalogue (or core's) fails here, and so does docs/api.md when its
"Error codes" section is not the one these catalogues give (the failure prints the section to paste).
"""
import ast
import importlib
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[1]
DOCS = SRC.parents[1] / "docs" / "api.md"
# the calls whose first argument is an error code: DomainError and its subclasses, and the helpers that build one
CODE_CALLS = {"DomainError", "ValidationFailed", "Conflict", "Unauthenticated", "RotationRefused", "Problem",
              "_refused"}
APPS = sorted(p.parent.name for p in SRC.glob("*/apps.py"))


def catalogue(app: str) -> dict[str, str]:
    return importlib.import_module(f"huzhu.{app}.errors").CODES


def raised_codes(app: str) -> dict[str, str]:
    """Every literal code a module of the app passes to an error, with where."""
    found = {}
    for path in sorted((SRC / app).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in CODE_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def docs_section() -> str:
    lines = ["## Error codes", "",
             "The `code` of an error body, per app (declared in `src/huzhu/<app>/errors.py`; this section is checked",
             "by `src/huzhu/tests/test_error_catalogues.py`). Codes never change; the message is for people and",
             "follows the chosen language.", ""]
    for app in APPS:
        codes = catalogue(app)
        if not codes:
            continue
        lines += [f"### {app}", "", "| code | meaning |", "| --- | --- |"]
        lines += [f"| `{code}` | {meaning} |" for code, meaning in sorted(codes.items())]
        lines.append("")
    return "\n".join(lines)


def test_every_app_declares_its_error_codes():
    assert [app for app in APPS if not isinstance(catalogue(app), dict)] == []


def test_every_code_raised_is_in_its_apps_catalogue():
    core = catalogue("core")
    undeclared = [f"{where}: {code}" for app in APPS for code, where in raised_codes(app).items() if code not in catalogue(app) and code not in core]
    assert undeclared == []


def test_docs_api_lists_every_catalogue():
    expected = docs_section()
    assert expected in DOCS.read_text(), "docs/api.md should hold this section:\n\n" + expected
