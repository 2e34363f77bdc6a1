"""The SMTP client side of the probe, written over a plain socket.

``smtplib`` is not used on purpose: it validates and re-quotes addresses (the probe must send
``<@a,@b:user@c>`` and ``<"user@host">`` byte for byte), it has no per-reply deadline, and it
keeps no transcript. This module sends exactly the line it is given, reads one reply within
a deadline, and records both.

Two rules are enforced here, at the lowest level, whatever the caller asks for:

* a command is one line: CR and LF are refused, so no template or option can smuggle a
  second command into the session;
* ``DATA`` and ``BDAT`` are never sent: the probe's answer is the reply to ``RCPT TO``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

from headertrace.probe.report import Exchange

MAX_LINE = 4096
"""Longest reply line accepted (RFC 5321 says 512; servers exceed it, attackers more so)."""
MAX_LINES = 200
"""Most lines in one reply; a server sending more is not speaking SMTP."""
FORBIDDEN_VERBS = frozenset({"DATA", "BDAT"})


class DialogueError(Exception):
    """The conversation broke: the connection is unusable after this."""


class ConnectionLost(DialogueError):
    """The server closed the connection, or the network failed."""


class ReplyTimeout(DialogueError):
    """No complete reply arrived within the timeout."""


class ProtocolViolation(DialogueError):
    """The server's bytes are not an SMTP reply."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One SMTP reply; a multi-line reply keeps its lines (without codes) in order."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The reply's lines joined with newlines, without the codes."""
        return "\n".join(self.lines)

    @property
    def positive(self) -> bool:
        return 200 <= self.code < 400


def address_literal(ip: str) -> str:
    """The RFC 5321 address literal of an IP: ``[192.0.2.1]`` or ``[IPv6:2001:db8::1]``."""
    addr = ipaddress.ip_address(ip.split("%", maxsplit=1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if isinstance(addr, ipaddress.IPv6Address):
        return f"[IPv6:{addr.compressed}]"
    return f"[{addr}]"


def check_command(line: str) -> None:
    """Refuse a command that is not a single line, or that would start a message."""
    if "\r" in line or "\n" in line or "\0" in line:
        raise ValueError(f"SMTP command contains a line break or NUL: {line!r}")
    verb = line.split(" ", 1)[0].upper()
    if verb in FORBIDDEN_VERBS:
        raise ValueError(f"the probe never sends {verb}")


class Dialogue:
    """One SMTP connection: send a line, read the reply within the timeout, log both.

    Every exchange is appended to ``transcript`` (shared with the caller, so one log covers
    reconnections). After any :class:`DialogueError` the connection must be closed.
    """

    def __init__(self, sock: socket.socket, timeout: float, transcript: list[Exchange]) -> None:
        self._sock: socket.socket = sock
        self._timeout = timeout
        self._buffer = b""
        self.transcript = transcript
        self.tls: dict[str, str | None] | None = None

    @classmethod
    def connect(
        cls, host: str, port: int, timeout: float, transcript: list[Exchange]
    ) -> tuple[Dialogue, Reply]:
        """Open the connection and read the banner (raises :class:`DialogueError`)."""
        # Failures are logged too: a report of a run that never started shows where it broke.
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError as exc:
            error: DialogueError = ReplyTimeout(
                f"connect to {host} port {port} timed out after {timeout:g}s"
            )
            transcript.append(Exchange("(connect)", None, str(error)))
            raise error from exc
        except OSError as exc:
            error = ConnectionLost(f"cannot connect to {host} port {port}: {exc}")
            transcript.append(Exchange("(connect)", None, str(error)))
            raise error from exc
        dialogue = cls(sock, timeout, transcript)
        try:
            banner = dialogue.read_reply()
        except DialogueError as exc:
            transcript.append(Exchange("(banner)", None, str(exc)))
            dialogue.close()
            raise
        transcript.append(Exchange("(banner)", banner.code, banner.text))
        return dialogue, banner

    @property
    def peer_ip(self) -> str:
        return str(self._sock.getpeername()[0])

    @property
    def local_ip(self) -> str:
        return str(self._sock.getsockname()[0])

    def command(self, line: str, *, shown: str | None = None) -> Reply:
        """Send one command line and return its reply.

        ``shown`` replaces the line in the transcript (for credentials).
        """
        check_command(line)
        shown = line if shown is None else shown
        try:
            self._sock.settimeout(self._timeout)
            self._sock.sendall(line.encode("utf-8") + b"\r\n")
            reply = self.read_reply()
        except DialogueError as exc:
            self.transcript.append(Exchange(shown, None, str(exc)))
            raise
        except OSError as exc:  # sendall on a reset connection
            self.transcript.append(Exchange(shown, None, str(exc)))
            raise ConnectionLost(f"connection lost sending {shown.split(' ')[0]}: {exc}") from exc
        self.transcript.append(Exchange(shown, reply.code, reply.text))
        return reply

    def read_reply(self) -> Reply:
        """Read one (possibly multi-line) reply; the whole reply must arrive in time.

        The deadline covers the reply, not each ``recv``: a server dribbling a byte at a
        time cannot hold the probe past its timeout.
        """
        deadline = time.monotonic() + self._timeout
        lines: list[str] = []
        code: int | None = None
        while len(lines) < MAX_LINES:
            raw = self._read_line(deadline)
            if len(raw) < 3 or not raw[:3].isdigit() or raw[3:4] not in ("", " ", "-"):
                raise ProtocolViolation(f"not an SMTP reply: {raw[:80]!r}")
            code = int(raw[:3])
            lines.append(raw[4:])
            if raw[3:4] != "-":
                return Reply(code, tuple(lines))
        raise ProtocolViolation(f"reply longer than {MAX_LINES} lines")

    def _read_line(self, deadline: float) -> str:
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_LINE:
                raise ProtocolViolation(f"reply line longer than {MAX_LINE} bytes")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReplyTimeout(f"no reply within {self._timeout:g}s")
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(4096)
            except TimeoutError as exc:
                raise ReplyTimeout(f"no reply within {self._timeout:g}s") from exc
            except OSError as exc:
                raise ConnectionLost(f"connection lost: {exc}") from exc
            if not chunk:
                raise ConnectionLost("server closed the connection")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", errors="replace")

    def starttls(self, server_hostname: str | None) -> None:
        """Wrap the socket in TLS after a positive STARTTLS reply.

        The certificate is not verified: the probe asks whether the server relays, and
        many MX hosts present self-signed or mismatched certificates.
        """
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        # Bytes read past the STARTTLS reply would be a plaintext injection (CVE-2011-0411).
        if self._buffer:
            raise ProtocolViolation("server sent data after its STARTTLS reply")
        try:
            self._sock.settimeout(self._timeout)
            wrapped = context.wrap_socket(self._sock, server_hostname=server_hostname)
        except (ssl.SSLError, OSError) as exc:
            raise ConnectionLost(f"TLS handshake failed: {exc}") from exc
        self._sock = wrapped
        cipher: Any = wrapped.cipher()
        self.tls = {"version": wrapped.version(), "cipher": cipher[0] if cipher else None}

    def close(self) -> None:
        """Close the socket without another word (used after errors)."""
        with contextlib.suppress(OSError):
            self._sock.close()

    def quit(self) -> None:
        """Say QUIT politely; a server that has gone away is not an error here."""
        try:
            self.command("QUIT")
        except DialogueError:
            pass
        finally:
            self.close()
