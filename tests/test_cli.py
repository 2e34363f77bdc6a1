"""The CLI, in process."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from headertrace.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "complaint.eml"


def test_trace_json() -> None:
    result = CliRunner().invoke(main, ["trace", "--json", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "headertrace.trace/1"
    assert data["hops"][1]["from"]["ip"] == "198.51.100.7"


def test_trace_table_leads_with_the_answer() -> None:
    result = CliRunner().invoke(main, ["trace", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Origin: 203.0.113.25")
    judged = CliRunner().invoke(main, ["trace", str(EXAMPLE), "--our-domain", "example.com"])
    assert judged.exit_code == 0, judged.output
    assert judged.output.startswith("OPEN RELAY: exchange.example.com accepted this from ")
    assert judged.output.index("Evidence:") < judged.output.index("Received chain")


def test_trace_stdin() -> None:
    result = CliRunner().invoke(main, ["trace", "--json", "-"], input=EXAMPLE.read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.output)["message"]["subject"].startswith("You have won")


def test_missing_file_exit_status(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["trace", str(tmp_path / "nope.eml")])
    assert result.exit_code == 1
    assert "headertrace:" in result.output


def test_several_files_give_a_list(tmp_path: Path) -> None:
    other = tmp_path / "b.eml"
    other.write_bytes(EXAMPLE.read_bytes())
    result = CliRunner().invoke(main, ["trace", "--json", str(EXAMPLE), str(other)])
    assert result.exit_code == 0
    assert len(json.loads(result.output)) == 2


def test_trace_without_online_opens_no_socket() -> None:
    import socket

    import pytest

    mp = pytest.MonkeyPatch()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trace opened a socket without --online")

    mp.setattr(socket, "socket", refuse)
    mp.setattr(socket, "create_connection", refuse)
    mp.setattr(socket, "getaddrinfo", refuse)
    try:
        result = CliRunner().invoke(main, ["trace", "--json", str(EXAMPLE)])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["hops"][0]["attribution"] is not None
