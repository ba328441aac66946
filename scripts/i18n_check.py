#!/usr/bin/env python3
"""List msgids a translation catalogue leaves untranslated (or fuzzy, or with broken placeholders).

    python scripts/i18n_check.py                 # every src/huzhu/locale/*/LC_MESSAGES/django.po
    python scripts/i18n_check.py path/to/django.po

Exit status 1 when something needs a translator. Standard library only.

After merging branches that add pages, refresh the catalogue and fill what this lists:

    cd src/huzhu && ../../.venv/bin/huzhu makemessages -l en --ignore "*/tests/*" --ignore "tests/*"
    python ../../scripts/i18n_check.py           # then edit locale/en/LC_MESSAGES/django.po
    ../../.venv/bin/huzhu compilemessages        # and commit django.po and django.mo
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOB = "src/huzhu/locale/*/LC_MESSAGES/django.po"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_PYTHON_FORMAT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
_BRACE_FORMAT = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}(?!\})")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(not text for text in self.msgstr.values())


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The catalogue's entries, header (msgid "") and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: tuple[str, int] | None = None

    def finish():
        nonlocal current, key
        if current is not None and current.msgid:
            entries.append(current)
        current, key = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and key is not None:
                finish()  # a comment after a msgstr opens the next entry
            current = current or Entry(number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                current.references.extend(line[2:].split())
            continue
        if line.startswith('"'):
            if current is None or key is None:
                raise ValueError(f"{path}:{number}: string outside an entry")
            name, index = key
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and current is not None and key is not None and key[0] == "msgstr":
            finish()
        current = current or Entry(number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", word)
        if match:
            key = ("msgstr", int(match.group(1)))
            current.msgstr[key[1]] = _unquote(rest)
        elif word == "msgstr":
            key = ("msgstr", 0)
            current.msgstr[0] = _unquote(rest)
        elif word in ("msgid", "msgid_plural", "msgctxt"):
            key = (word, 0)
            setattr(current, word, _unquote(rest))
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def _placeholders(text: str, flags: set[str]) -> set[str]:
    found = set()
    if "python-format" in flags:
        found |= {m.group(0) for m in _PYTHON_FORMAT.finditer(text) if m.group(0) != "%%"}
    if "python-brace-format" in flags:
        found |= {m.group(1) for m in _BRACE_FORMAT.finditer(text)}
    return found


def problems(path: Path) -> list[str]:
    """One line per entry a translator must look at."""
    found = []
    for entry in parse_po(path):
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{entry.line}"
        label = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt} | {entry.msgid}"
        if entry.untranslated:
            found.append(f"{where}: untranslated: {label!r}")
        elif "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy: {label!r}")
        else:
            wanted = _placeholders(entry.msgid, entry.flags)
            for text in entry.msgstr.values():
                if _placeholders(text, entry.flags) - wanted:
                    found.append(f"{where}: placeholders differ: {label!r} -> {text!r}")
                    break
    return found


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(ROOT.glob(DEFAULT_GLOB))
    if not paths:
        print(f"no catalogue matches {DEFAULT_GLOB}", file=sys.stderr)
        return 1
    failed = False
    for path in paths:
        found = problems(path)
        total = len(parse_po(path))
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{total} msgids, {len(found)} need a translator")
        for line in found:
            print("  " + line)
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
