"""The README's examples run, and print what the README shows.

- The quick start is exactly ``make demo`` and ``make test``, and ``make demo`` runs the
  command the README names.
- That command, run through the CLI from the repository root, prints the output the README
  shows. In the shown output ``...`` stands for text left out; any run of blanks matches
  any run of blanks (the README and the terminal wrap long lines in different places).
- The Python examples (README, and the offline ones of ``docs/``) run from the repository
  root and print what their comments say.
- Every option the README's command table names exists on that command.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from headertrace.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``text`` written in ``language`` ("" for none), in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def _shown(text: str) -> re.Pattern[str]:
    """A pattern for output shown as ``text``: ``...`` is anything, blanks are blanks."""
    pieces = [r"\s+".join(map(re.escape, piece.split())) for piece in text.split("...")]
    return re.compile(r"\s*" + r"[\s\S]*?".join(pieces) + r"[\s\S]*", flags=re.DOTALL)


def _run_python(code: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run ``code`` from the repository root; the lines it prints."""
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})
    return out.getvalue().splitlines()


DEMO = re.search(r"`make demo` runs `(headertrace [^`]+)`", README)


def test_the_quick_start_is_make_demo_and_make_test() -> None:
    first = re.search(r"^```(\w*)\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(2).splitlines()]
    assert commands == ["make demo", "make test"]


def test_make_demo_runs_the_command_the_readme_names() -> None:
    assert DEMO is not None, "the README no longer says what `make demo` runs"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^demo:.*\n\t(.+)$", makefile, flags=re.MULTILINE)
    assert recipe is not None
    assert recipe.group(1) == f"$(BIN)/{DEMO.group(1)}"


def test_the_demo_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DEMO is not None
    shown = README[DEMO.end() :]
    shown = _blocks(shown, "")[0]
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(DEMO.group(1))[1:])
    assert result.exit_code == 0, result.output
    assert _shown(shown).fullmatch(result.output), (shown, result.output)
    # "then the hop table (oldest hop first) and the findings"
    rest = result.output[result.output.index("Evidence:") :]
    assert rest.index("Received chain (oldest first)") < rest.index("Findings:")


def test_the_library_example_prints_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = _blocks(README, "python")
    lines = _run_python(code, monkeypatch)
    # print(hop.client.ip, hop.auth.evidence)   # 192.0.2.7 ESMTPSA
    said = re.search(r"print\(hop\.client\.ip, hop\.auth\.evidence\)\s+# (.+)$", code, re.M)
    assert said is not None
    assert lines[-1] == said.group(1).strip()
    # print(t.verdict.kind, t.verdict.summary)  # open_relay, authenticated_relay, ...
    kinds = re.search(r"print\(t\.verdict\.kind, t\.verdict\.summary\)\s+# (.+)$", code, re.M)
    assert kinds is not None
    verdict = next(line for line in lines if line.split(" ", 1)[0].endswith("_relay"))
    kind, summary = verdict.split(" ", 1)
    assert kind in kinds.group(1).split(", ")
    # the same answer the demo prints first, for the same complaint and domain
    assert DEMO is not None
    headline = _blocks(README[DEMO.end() :], "")[0].split("\n")
    assert " ".join(summary.split()) in " ".join(" ".join(headline[:2]).split())
    # print(t.to_json())  # the stable schema
    start = next(k for k, line in enumerate(lines) if line == "{")
    end = max(k for k, line in enumerate(lines) if line == "}")
    assert json.loads("\n".join(lines[start : end + 1]))["schema"] == "headertrace.trace/1"


@pytest.mark.parametrize(
    ("doc", "files"),
    [
        (
            "docs/verdicts.md",
            {'"org.toml"': '"examples/org.toml"', '"complaint.eml"': '"examples/complaint.eml"'},
        ),
        ("docs/intake.md", {'"report.eml"': '"examples/complaint.eml"'}),
        (
            "docs/logs.md",
            {
                '"org.toml"': '"tests/fixtures/logs/org.toml"',
                '"pickup.eml"': '"tests/fixtures/logs/pickup.eml"',
                '"maillog"': '"tests/fixtures/logs/maillog"',
                '"passwd"': '"tests/fixtures/logs/passwd"',
            },
        ),
    ],
)
def test_the_offline_python_examples_of_the_docs_run(
    doc: str, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The docs' examples name a reader's files; they run on the bundled complaint (the
    other examples of docs/ reach the network, or are signatures, not code)."""
    (code,) = _blocks((ROOT / doc).read_text(encoding="utf-8"), "python")
    for name, bundled in files.items():
        assert name in code, f"{doc} no longer opens {name}"
        code = code.replace(name, bundled)
    _run_python(code, monkeypatch)


def _table_commands() -> list[tuple[str, list[str]]]:
    rows = re.findall(r"^\| `headertrace (\w+) ([^`]*)` \|", README, flags=re.MULTILINE)
    return [(command, re.findall(r"--[a-z][a-z-]*", synopsis)) for command, synopsis in rows]


def test_the_command_table_names_options_that_exist() -> None:
    commands = _table_commands()
    assert [c for c, _ in commands] == ["trace", "log", "lookup", "blocklist", "probe", "report"]
    for command, options in commands:
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
        for option in options:
            assert option in result.output, f"headertrace {command} has no {option}"
