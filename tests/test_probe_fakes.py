"""Loopback SMTP servers for the probe tests (no tests here, only the fakes).

* :func:`smtp_server` runs a real aiosmtpd server on 127.0.0.1 with a :class:`Policy`
  handler deciding each ``RCPT TO``. The server class notes if ``DATA`` or ``BDAT`` is ever
  reached, so every test can assert that it never was.
* :class:`ScriptedServer` is a raw-socket server for misbehaviour aiosmtpd will not do:
  hanging up, going silent, dribbling bytes, refusing EHLO.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

SERVER_NAME = "mx.relaytest.example"
OUR_DOMAIN = "relaytest.example"
LOCAL_DOMAINS = frozenset({OUR_DOMAIN, SERVER_NAME, "[127.0.0.1]"})
MAILBOXES = frozenset({"postmaster", "alice"})
USER, PASSWORD = "alice", "correct horse"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Policy:
    """An aiosmtpd handler: records the session, ``decide()`` answers each RCPT."""

    def __init__(self) -> None:
        self.data_reached = False
        self.helos: list[str] = []
        self.mail_from: list[str] = []
        self.rcpt_to: list[str] = []

    def decide(self, address: str, session: Any) -> str:
        """Closed: local recipients only, and no routing characters in the local part."""
        local, _, domain = address.rpartition("@")
        if any(c in local for c in '%!@"') or not local:
            return "550 5.7.1 Relaying denied"
        if domain.lower() not in LOCAL_DOMAINS:
            return "550 5.7.1 Relaying denied"
        if local.lower() in MAILBOXES:
            return "250 2.1.5 OK"
        return "550 5.1.1 User unknown"

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.helos.append(hostname)
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mail_from.append(address)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.rcpt_to.append(address)
        reply = self.decide(address, session)
        if reply.startswith("2"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_reached = True
        return "554 5.7.1 the probe must never send a message"


class OpenPolicy(Policy):
    def decide(self, address: str, session: Any) -> str:
        return "250 2.1.5 OK"


class AuthPolicy(Policy):
    """Relays for authenticated sessions only (the way it should be)."""

    def decide(self, address: str, session: Any) -> str:
        if session.authenticated:
            return "250 2.1.5 OK"
        return super().decide(address, session)


class FooledPolicy(Policy):
    """Decides relaying on the last ``@`` (or, without one, the last ``!``), then honours
    ``%`` and ``!`` in a local part as routing (old sendmail with ``loose_relay_check``):
    fooled by % and bangs. Local parts are checked, so there is no catch-all."""

    def decide(self, address: str, session: Any) -> str:
        if "@" in address:
            local, domain = address.rsplit("@", 1)
        elif "!" in address:
            domain, local = address.rsplit("!", 1)
        else:
            local, domain = address, OUR_DOMAIN  # unqualified: "must be ours"
        if domain.lower() not in LOCAL_DOMAINS:
            return "550 5.7.1 Relaying denied"
        if "%" in local or "!" in local or local.lower() in MAILBOXES:
            return "250 2.1.5 OK"  # routed on to wherever the local part points
        return "550 5.1.1 User unknown"


class CatchAllPolicy(Policy):
    """Closed, but every local part of its domains is a mailbox (Exim with a catch-all
    router, the percent hack off): ``t%victim@ours`` is accepted and delivered here."""

    def decide(self, address: str, session: Any) -> str:
        local, _, domain = address.rpartition("@")
        if local and domain.lower() in LOCAL_DOMAINS:
            return "250 2.1.5 OK"
        return "550 5.7.1 Relaying denied"


class GreylistPolicy(Policy):
    def decide(self, address: str, session: Any) -> str:
        return "451 4.7.1 Greylisted, please try again in 300 seconds"


class DeferRelayPolicy(Policy):
    """Postfix's default ``defer_unauth_destination``: relaying refused with a 4xx."""

    def decide(self, address: str, session: Any) -> str:
        reply = super().decide(address, session)
        if reply.startswith("5"):
            return f"454 4.7.1 <{address}>: Relay access denied"
        return reply


class WatchfulSMTP(SMTP):
    """aiosmtpd's server, noting DATA/BDAT the moment the command arrives."""

    async def smtp_DATA(self, arg: str) -> None:
        self.event_handler.data_reached = True
        await self.push("554 5.7.1 the probe must never send DATA")

    async def smtp_BDAT(self, arg: str) -> None:
        self.event_handler.data_reached = True
        await self.push("554 5.7.1 the probe must never send BDAT")


class WatchfulController(Controller):
    def factory(self) -> SMTP:
        return WatchfulSMTP(self.handler, **self.SMTP_kwargs)


def check_credentials(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@contextlib.contextmanager
def smtp_server(policy: Policy, **kwargs: Any) -> Iterator[int]:
    """Run an aiosmtpd server with ``policy`` on 127.0.0.1; yields its port."""
    port = free_port()
    kwargs.setdefault("server_hostname", SERVER_NAME)
    if "authenticator" in kwargs:
        kwargs.setdefault("auth_require_tls", False)
    controller = WatchfulController(policy, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def tls_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate (needs openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        import pytest

        pytest.skip("openssl is not installed")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"),
            *("-subj", f"/CN={SERVER_NAME}"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class Conn:
    """One accepted connection of a :class:`ScriptedServer`."""

    def __init__(self, sock: socket.socket, server: ScriptedServer) -> None:
        self.sock = sock
        self.server = server
        self._reader = sock.makefile("rb")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\r\n")

    def readline(self) -> str | None:
        """The next command, or ``None`` when the client has gone."""
        try:
            raw = self._reader.readline()
        except OSError:
            return None
        if not raw:
            return None
        line = raw.decode(errors="replace").rstrip("\r\n")
        self.server.received.append(line)
        return line


Script = Callable[[Conn], None]


class ScriptedServer:
    """A raw TCP server on 127.0.0.1 running ``script`` for each connection."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.received: list[str] = []
        self.connections = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []

    def __enter__(self) -> ScriptedServer:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            sock.settimeout(5)
            self.connections += 1
            self._socks.append(sock)
            thread = threading.Thread(target=self._run, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.script(Conn(sock, self))
        with contextlib.suppress(OSError):
            sock.close()

    @property
    def data_reached(self) -> bool:
        return any(line.upper().startswith(("DATA", "BDAT")) for line in self.received)


def serve_until(conn: Conn, answer: Callable[[str], str | None]) -> None:
    """Answer each command with ``answer(line)``; ``None`` hangs up."""
    while (line := conn.readline()) is not None:
        reply = answer(line)
        if reply is None:
            return
        conn.send(reply)
        if line.upper() == "QUIT":
            return


def polite(line: str) -> str | None:
    """A closed server in a few lines: local postmaster yes, anything else no."""
    verb = line.split(" ", 1)[0].upper()
    if verb == "RCPT":
        local = line.lower() == f"rcpt to:<postmaster@{OUR_DOMAIN}>"
        return "250 OK" if local else "550 5.7.1 Relaying denied"
    return {"QUIT": "221 bye"}.get(verb, "250 OK")


class EximSyntaxLimitPolicy(Policy):
    """Exim's ``smtp_max_synprot_errors``: a malformed recipient gets a 501, and the one past
    the limit gets ``501 Too many syntax or protocol errors`` before Exim hangs up."""

    def __init__(self, limit: int = 3) -> None:
        super().__init__()
        self.limit = limit
        self.errors: dict[int, int] = {}
        self.hangups = 0

    def decide(self, address: str, session: Any) -> str:
        local, _, domain = address.rpartition("@")
        if local and domain and not any(c in address for c in '%!"'):
            return super().decide(address, session)
        count = self.errors.get(id(session), 0) + 1
        self.errors[id(session)] = count
        reply = f"501 5.1.3 <{address}>: malformed address"
        if count <= self.limit:
            return reply
        self.hangups += 1
        return reply.replace("501 ", "501-", 1) + "\r\n501 Too many syntax or protocol errors"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = await super().handle_RCPT(server, session, envelope, address, options)
        if "Too many" in reply:
            # Hang up once the reply is written, as Exim does.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply


class SubmissionPolicy(AuthPolicy):
    """A submission port: nothing without AUTH (run with aiosmtpd's ``auth_required``)."""
