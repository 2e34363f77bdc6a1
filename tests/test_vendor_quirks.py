"""The general reader's per-family quirks, held by the family modules of
``headertrace.vendors`` and gathered by ``headertrace.vendors._general``: the tables are
whole, every example reads, and the layering has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from headertrace import parse_received
from headertrace.parse import comments
from headertrace.parse.received import parse_received_general
from headertrace.parse.vendors import DEFAULT_STYLE, FROM_STYLES
from headertrace.vendors import _general

VENDORS = Path(_general.__file__).parent
PARSE = VENDORS.parent / "parse"
EXAMPLES = [example for family in _general.FAMILIES for example in family.GENERAL_EXAMPLES]


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports at module level or in a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_family_modules_never_import_the_general_reader() -> None:
    """The general reader imports the family modules when it loads; a family module that
    imported it back (or the registry) would make a cycle."""
    general = {
        "headertrace.parse.received",
        "headertrace.parse.comments",
        "headertrace.vendors._general",
    }
    for path in VENDORS.glob("*.py"):
        if path.name != "_general.py":
            assert not _imports(path) & general, path.name


def test_the_leaves_family_modules_import_never_import_the_vendors() -> None:
    for name in ("facts", "lexer", "literals", "tables", "vendors", "software", "headers"):
        imported = _imports(PARSE / f"{name}.py")
        assert not any(m.startswith("headertrace.vendors") for m in imported), name


def test_every_family_module_with_a_quirk_is_gathered() -> None:
    gathered = {family.__name__.rsplit(".", 1)[1] for family in _general.FAMILIES}
    for path in VENDORS.glob("*.py"):
        if path.name == "_general.py":
            continue
        names = {
            target.id
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        if names & {"GENERAL_EXAMPLES", "STYLES", "COMMENT_MARKERS"}:
            assert path.stem in gathered, path.name
            assert "GENERAL_EXAMPLES" in names, path.name


def test_the_tables_are_whole() -> None:
    """The same layouts and comment markers as when they lived in parse/."""
    assert list(FROM_STYLES) == [
        "sendmail", "Postfix", "Exim", "Exim 3", "firewall", "SquirrelMail", "qmail",
        "qmail-ldap", "Zimbra", "Microsoft SMTP Server", "Microsoft SMTPSVC",
        "Microsoft Exchange IMS", "Lotus Domino", "MDaemon", "Kerio", "CommuniGate Pro",
    ]  # fmt: skip
    assert set(comments._MARKERS) == {
        "proxying", "helo", "ehlo", "lhlo", "verified", "may", "authenticated", "auth:",
        "tls:", "ssl:", "account", "using", "envelope-from", "envelope-sender", "invoked",
        "from", "cn",
    }  # fmt: skip
    markers = [
        word for family in _general.FAMILIES for word in getattr(family, "COMMENT_MARKERS", {})
    ]
    assert len(markers) == len(set(markers)) == len(_general.COMMENT_MARKERS)
    assert not set(markers) & {"helo", "ehlo", "lhlo", "authenticated", "from"}


def test_each_layout_is_its_family_s_own() -> None:
    for family in _general.FAMILIES:
        for software, style in getattr(family, "STYLES", {}).items():
            assert _general.style_for(software) is style is FROM_STYLES[software]
    assert _general.style_for(None) is DEFAULT_STYLE
    assert _general.style_for("Postfix", qmail_shape=True) is FROM_STYLES["Postfix"]
    assert _general.style_for(None, qmail_shape=True) is FROM_STYLES["qmail"]


@pytest.mark.parametrize("header", EXAMPLES)
def test_each_family_example_reads(header: str) -> None:
    hop = parse_received_general(header)
    assert hop.status != "unparsed", header
    assert not any(d.startswith("internal-error") for d in hop.defects), header
    assert parse_received(header) == hop
