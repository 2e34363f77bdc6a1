"""Bytes in: read what the caller hands over and find the reported message(s) inside."""

from headertrace.intake.reader import read_source

__all__ = ["read_source"]
