"""The command-line interface: arguments -> library -> rendering -> exit status."""

from __future__ import annotations

import click

from headertrace import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="headertrace")
def main() -> None:
    """Email header forensics: where did this message come from, and through whom?"""
