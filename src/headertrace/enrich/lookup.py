"""Online attribution, only when asked: Team Cymru ASN data, RDAP, FCrDNS and DNS blocklists.

Everything goes through the resolver and RDAP endpoint in :class:`LookupConfig`, so callers
(and the tests) decide exactly which servers are contacted. Every lookup runs under one time
budget, each query under its own timeout, at most ``concurrency`` at a time; a failure is
recorded as a :class:`LookupIssue` and never raised out of :meth:`Enricher.enrich_trace`.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import ipaddress
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
import dns.reversename

from headertrace.addresses import (
    IPAddress,
    classify_ip,
    normalise_host,
    parse_ip,
    registered_domain,
)
from headertrace.enrich import dnsbl, rdap, registries
from headertrace.enrich.cache import Cache
from headertrace.enrich.config import LookupConfig
from headertrace.enrich.offline import (
    ExternalPredicate,
    attribute_offline,
    enrich_offline,
    merge_findings,
)
from headertrace.enrich.records import BlocklistResult, HostInfo, IpInfo, LookupIssue
from headertrace.enrich.standing import (
    AddressStanding,
    Note,
    OwnAddress,
    Standing,
    Targets,
    merge_addresses,
)
from headertrace.errors import LookupFailed
from headertrace.models import Evidence, Finding, Hop, Owner, Trace, notes, received

CYMRU_V4: Final = "origin.asn.cymru.com"
CYMRU_V6: Final = "origin6.asn.cymru.com"
CYMRU_AS: Final = "asn.cymru.com"
MAX_PTR_NAMES: Final = 3
MAX_HOST_ADDRESSES: Final = 4


_StepResult = tuple[dict[str, Any], list[LookupIssue]]


class Deadline:
    """A monotonic point in time after which no new query starts."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())


class DnsFailure(Exception):
    """A DNS question gave no answer records; ``status`` says how."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class _Budget(Exception):
    """The time budget was spent before a query could start."""


class Enricher:
    """Online lookups with one configuration: resolver, RDAP endpoint, zones, limits, cache.

    ``Enricher(LookupConfig(nameservers=(("127.0.0.1", 5353),), rdap_url="http://..."))``.
    """

    def __init__(self, config: LookupConfig | None = None) -> None:
        self.config = config or LookupConfig()
        self.cache: Cache | None = (
            Cache(self.config.resolved_cache_path) if self.config.use_cache else None
        )
        self._system_lock = threading.Lock()
        self._system: list[str | dns.nameserver.Nameserver] | None = None
        self._system_error: str | None = None

    # --- DNS ------------------------------------------------------------------------------

    def _nameservers(self) -> list[str | dns.nameserver.Nameserver]:
        if self.config.nameservers:
            return [
                dns.nameserver.Do53Nameserver(host, port) for host, port in self.config.nameservers
            ]
        with self._system_lock:
            if self._system is None and self._system_error is None:
                try:
                    system = dns.resolver.Resolver(configure=True)
                    self._system = list(system.nameservers)
                except (dns.exception.DNSException, OSError) as exc:
                    self._system_error = f"no resolver configured ({exc}); use --nameserver"
            if self._system_error is not None:
                raise DnsFailure("error", self._system_error)
            assert self._system is not None
            return list(self._system)

    def _query(self, name: str, rdtype: str, deadline: Deadline) -> list[str]:
        """Ask one question; returns the answers as text (TXT strings joined)."""
        lifetime = min(self.config.timeout, deadline.remaining())
        if lifetime < 0.01:
            raise _Budget
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = self._nameservers()
        resolver.timeout = lifetime
        resolver.lifetime = lifetime
        resolver.retry_servfail = False
        resolver.use_search_by_default = False
        try:
            answer = resolver.resolve(
                dns.name.from_text(name), rdtype, lifetime=lifetime, search=False
            )
        except dns.resolver.NXDOMAIN as exc:
            raise DnsFailure("nxdomain", f"{name}: no such name") from exc
        except dns.resolver.NoAnswer as exc:
            raise DnsFailure("no-answer", f"{name}: no {rdtype} record") from exc
        except dns.exception.Timeout as exc:
            raise DnsFailure("timeout", f"{name} {rdtype}: no answer in {lifetime:.1f}s") from exc
        except dns.resolver.NoNameservers as exc:
            raise DnsFailure("error", f"{name} {rdtype}: {_first_line(exc)}") from exc
        except (dns.exception.DNSException, OSError, ValueError) as exc:
            raise DnsFailure("error", f"{name} {rdtype}: {_first_line(exc)}") from exc
        out: list[str] = []
        for rdata in answer:
            if rdata.rdtype == dns.rdatatype.TXT:
                out.append(b"".join(rdata.strings).decode("utf-8", "replace"))
            elif rdata.rdtype == dns.rdatatype.PTR:
                out.append(rdata.target.to_text(omit_final_dot=True).lower())
            else:
                out.append(rdata.to_text())
        return out

    def _cached(self, kind: str, key: str) -> Any | None:
        return self.cache.get(kind, key) if self.cache else None

    def _store(self, kind: str, key: str, value: Any, ttl: float | None = None) -> None:
        if self.cache:
            self.cache.put(kind, key, value, self.config.cache_ttl if ttl is None else ttl)

    # --- the individual lookups -------------------------------------------------------------

    def _asn(self, address: IPAddress, deadline: Deadline) -> _StepResult:
        """Team Cymru: origin ASN, prefix, country, registry and date, then the AS name."""
        issues: list[LookupIssue] = []
        key = str(address)
        origin = self._cached("cymru-origin", key)
        if origin is None:
            zone = CYMRU_V4 if address.version == 4 else CYMRU_V6
            name = f"{dnsbl.reversed_name(address)}.{zone}"
            try:
                records = self._query(name, "TXT", deadline)
            except DnsFailure as exc:
                return {}, [LookupIssue("asn", exc.status, exc.detail)]
            origin = _parse_cymru_origin(records)
            if origin is None:
                return {}, [
                    LookupIssue("asn", "malformed", f"{name}: unreadable answer {records!r}"[:200])
                ]
            self._store("cymru-origin", key, origin)
        result = dict(origin)
        asn = result.get("asn")
        if isinstance(asn, int):
            as_name = self._cached("cymru-as", str(asn))
            if as_name is None:
                name = f"AS{asn}.{CYMRU_AS}"
                try:
                    as_name = _parse_cymru_as(self._query(name, "TXT", deadline))
                except DnsFailure as exc:
                    issues.append(LookupIssue("as-name", exc.status, exc.detail))
                except _Budget:
                    issues.append(LookupIssue("as-name", "budget", "time budget spent"))
                else:
                    if as_name is None:
                        issues.append(LookupIssue("as-name", "malformed", f"{name}: unreadable"))
                    else:
                        self._store("cymru-as", str(asn), as_name)
            result["as_name"] = as_name
        return result, issues

    def _rdap(self, address: IPAddress, deadline: Deadline) -> _StepResult:
        key = f"{self.config.rdap_url}|{address}"
        cached = self._cached("rdap", key)
        if cached is not None:
            return cached, []
        timeout = min(self.config.timeout, deadline.remaining())
        if timeout < 0.01:
            raise _Budget
        url = rdap.ip_url(self.config.rdap_url, str(address))
        try:
            data, final = rdap.fetch(
                url, timeout=timeout, user_agent=self.config.user_agent, deadline=deadline.end
            )
            network = rdap.parse_network(data, final).to_json()
        except rdap.RdapError as exc:
            return {}, [exc.issue]
        self._store("rdap", key, network)
        return network, []

    def _forward(self, name: str, version: int, deadline: Deadline) -> list[str]:
        rdtype = "A" if version == 4 else "AAAA"
        key = f"{name}|{rdtype}"
        cached = self._cached("forward", key)
        if isinstance(cached, list):
            return [str(x) for x in cached]
        try:
            found = self._query(name, rdtype, deadline)
        except DnsFailure as exc:
            if exc.status not in ("nxdomain", "no-answer"):
                raise
            found = []
        self._store("forward", key, found)
        return found

    def _fcrdns(self, address: IPAddress, deadline: Deadline) -> _StepResult:
        """Reverse DNS, then forward confirmation of each name (at most three)."""
        key = str(address)
        names = self._cached("ptr", key)
        if not isinstance(names, list):
            reverse = dns.reversename.from_address(key).to_text(omit_final_dot=True)
            try:
                names = self._query(reverse, "PTR", deadline)
            except DnsFailure as exc:
                if exc.status in ("nxdomain", "no-answer"):
                    names = []
                else:
                    return {}, [LookupIssue("ptr", exc.status, exc.detail)]
            self._store("ptr", key, names)
        result: dict[str, Any] = {"ptr": names, "fcrdns": False if not names else None}
        issues: list[LookupIssue] = []
        undecided = False
        for name in names[:MAX_PTR_NAMES]:
            try:
                forward = self._forward(name, address.version, deadline)
            except DnsFailure as exc:
                issues.append(LookupIssue("forward", exc.status, exc.detail))
                undecided = True
                continue
            except _Budget:
                issues.append(LookupIssue("forward", "budget", "time budget spent"))
                undecided = True
                break
            if any(parse_ip(a) == address for a in forward):
                result["fcrdns"] = True
                result["confirmed_name"] = name
                return result, []
        if names and not undecided:
            result["fcrdns"] = False
        return result, issues

    def _blocklist(
        self, address: IPAddress, zone_name: str, deadline: Deadline, fresh: bool = False
    ) -> BlocklistResult:
        zone = dnsbl.zone_for(zone_name)
        ip = str(address)
        if address.version == 6 and not zone.ipv6:
            return BlocklistResult(zone.name, ip, "skipped", detail="the zone lists IPv4 only")
        query = dnsbl.query_name(address, zone)
        key = f"{zone.name}|{ip}"
        cached = None if fresh else self._cached("dnsbl", key)
        if isinstance(cached, dict):
            return _blocklist_from_json(cached)
        try:
            codes = self._query(query, "A", deadline)
        except DnsFailure as exc:
            if exc.status == "nxdomain":
                result = BlocklistResult(zone.name, ip, "not_listed", query=query)
                self._store("dnsbl", key, result.to_dict(), self.config.blocklist_ttl)
                return result
            status: Any = "timeout" if exc.status == "timeout" else "error"
            return BlocklistResult(zone.name, ip, status, query=query, detail=exc.detail)
        status, meanings, detail = dnsbl.decode(zone, codes)
        txt: tuple[str, ...] = ()
        if status == "listed":
            try:
                txt = tuple(self._query(query, "TXT", deadline))
            except DnsFailure as exc:
                if exc.status not in ("nxdomain", "no-answer"):
                    detail = f"TXT reason unavailable: {exc.detail}"
            except _Budget:
                detail = "TXT reason unavailable: time budget spent"
        result = BlocklistResult(
            zone.name,
            ip,
            status,
            query=query,
            codes=tuple(codes),
            meanings=meanings,
            txt=txt,
            detail=detail,
        )
        if status == "listed":
            self._store("dnsbl", key, result.to_dict(), self.config.blocklist_ttl)
        return result

    # --- running many lookups under one budget ----------------------------------------------

    def _run(self, jobs: dict[str, Callable[[], Any]], deadline: Deadline) -> dict[str, Any]:
        """Run the jobs concurrently; a job's value, or the exception it raised, or
        :class:`_Budget` when the deadline came first."""
        results: dict[str, Any] = {}
        if not jobs:
            return results
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=min(self.config.concurrency, len(jobs)),
            thread_name_prefix="headertrace-lookup",
        )
        try:
            futures = {pool.submit(job): key for key, job in jobs.items()}
            done, pending = concurrent.futures.wait(futures, timeout=deadline.remaining() + 0.25)
            for future in done:
                exc = future.exception()
                results[futures[future]] = exc if exc is not None else future.result()
            for future in pending:
                future.cancel()
                results[futures[future]] = _Budget()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return results

    def _ip_jobs(self, address: IPAddress, deadline: Deadline) -> dict[str, Callable[[], Any]]:
        ip = str(address)
        return {
            f"asn|{ip}": lambda: self._asn(address, deadline),
            f"rdap|{ip}": lambda: self._rdap(address, deadline),
            f"fcrdns|{ip}": lambda: self._fcrdns(address, deadline),
        }

    def _zone_jobs(
        self, address: IPAddress, zones: Iterable[str], deadline: Deadline, fresh: bool = False
    ) -> dict[str, Callable[[], Any]]:
        ip = str(address)
        jobs: dict[str, Callable[[], Any]] = {}
        for zone in zones:
            jobs[f"dnsbl|{zone}|{ip}"] = (
                lambda z=zone: self._blocklist(address, z, deadline, fresh)  # type: ignore[misc]
            )
        return jobs

    def _assemble_ip(self, address: IPAddress, results: dict[str, Any]) -> IpInfo:
        ip = str(address)
        fields: dict[str, Any] = {}
        issues: list[LookupIssue] = []
        for step in ("asn", "rdap", "fcrdns"):
            value = results.get(f"{step}|{ip}")
            if isinstance(value, _Budget):
                issues.append(LookupIssue(step, "budget", "time budget spent before an answer"))
            elif isinstance(value, BaseException):
                issues.append(LookupIssue(step, "error", _first_line(value)))
            elif isinstance(value, tuple):
                data, step_issues = value
                issues.extend(step_issues)
                if step == "rdap" and data:
                    fields.update(_rdap_fields(data))
                elif data:
                    fields.update(data)
        return IpInfo(
            ip=ip,
            ip_class=classify_ip(ip),
            asn=fields.get("asn"),
            as_name=fields.get("as_name"),
            prefix=fields.get("prefix"),
            country=fields.get("country") or fields.get("rdap_country"),
            registry=fields.get("registry"),
            allocated=fields.get("allocated"),
            network_name=fields.get("network_name"),
            network_handle=fields.get("network_handle"),
            network_range=fields.get("network_range"),
            registrant=fields.get("registrant"),
            abuse_emails=tuple(fields.get("abuse_emails", ())),
            abuse_phones=tuple(fields.get("abuse_phones", ())),
            contacts=tuple(fields.get("contacts", ())),
            rdap_source=fields.get("rdap_source"),
            abuse_source="rdap" if fields.get("abuse_emails") else None,
            ptr=tuple(fields.get("ptr", ())),
            fcrdns=fields.get("fcrdns"),
            confirmed_name=fields.get("confirmed_name"),
            errors=tuple(issues),
        )

    def _second_step(self, info: IpInfo, deadline: Deadline) -> IpInfo:
        """Ask the national registry or the registry's whois (through ipwhois) when RDAP
        gave no abuse contact, or only the registry's own; see :mod:`.registries`."""
        if not self.config.second_step or info.ip_class != "global":
            return info
        registry = info.registry or _registry_from_url(info.rdap_source)
        step = registries.plan(
            info.abuse_emails, (info.network_name, info.network_handle, info.registrant), registry
        )
        if step is None:
            return info
        nir_urls = dict(self.config.nir_urls)
        key = f"{step}|{nir_urls}|{self.config.whois_server}|{info.ip}"
        cached = self._cached("second-step", key)
        if isinstance(cached, dict):
            found = registries.SecondStep.from_json(cached)
        else:
            if deadline.remaining() < 0.01:
                issue = LookupIssue(step, "budget", "time budget spent before the second step")
                return dataclasses.replace(info, errors=(*info.errors, issue))
            try:
                found = registries.second_step(
                    info.ip,
                    step,
                    timeout=self.config.timeout,
                    deadline=deadline.end,
                    user_agent=self.config.user_agent,
                    nir_urls=nir_urls,
                    whois_server=self._whois_server(step, deadline),
                )
            except registries.StepFailed as exc:
                return dataclasses.replace(info, errors=(*info.errors, exc.issue))
            self._store("second-step", key, found.to_json())
        if not found.emails:
            issue = LookupIssue(step, "no-contact", f"{found.source} named no contact")
            return dataclasses.replace(info, errors=(*info.errors, issue))
        return dataclasses.replace(
            info,
            abuse_emails=found.emails,
            abuse_phones=found.phones,
            abuse_source=found.source,
        )

    def _whois_server(self, step: str, deadline: Deadline) -> tuple[str, int] | None:
        """The configured whois server, else the registry's own, resolved through our
        resolver (never the system's). Raises :class:`registries.StepFailed`."""
        kind, _, registry = step.partition(":")
        if kind != "whois" or self.config.whois_server is not None:
            return self.config.whois_server
        host = registries.whois_host(registry)
        if host is None:
            raise registries.StepFailed(
                LookupIssue(step, "error", f"no whois server for {registry}")
            )
        try:
            found = self._forward(host, 4, deadline) or self._forward(host, 6, deadline)
        except DnsFailure as exc:
            raise registries.StepFailed(LookupIssue(step, exc.status, exc.detail)) from exc
        except _Budget as exc:
            raise registries.StepFailed(LookupIssue(step, "budget", "time budget spent")) from exc
        if not found:
            raise registries.StepFailed(LookupIssue(step, "nxdomain", f"{host}: no address"))
        return (found[0], registries.WHOIS_PORT)

    @staticmethod
    def _assemble_blocklists(
        address: IPAddress, zones: Sequence[str], results: dict[str, Any]
    ) -> list[BlocklistResult]:
        ip = str(address)
        out: list[BlocklistResult] = []
        for zone in zones:
            value = results.get(f"dnsbl|{zone}|{ip}")
            name = dnsbl.zone_for(zone).name
            if isinstance(value, BlocklistResult):
                out.append(value)
            elif isinstance(value, _Budget):
                out.append(BlocklistResult(name, ip, "timeout", detail="time budget spent"))
            else:
                detail = _first_line(value) if isinstance(value, BaseException) else "no result"
                out.append(BlocklistResult(name, ip, "error", detail=detail))
        return out

    # --- public API ------------------------------------------------------------------------

    def lookup_ip(self, ip: str) -> IpInfo:
        """ASN, prefix, registry, country (Team Cymru), network name, registrant and abuse
        contacts (RDAP), reverse DNS with forward confirmation. Failures are in ``errors``.

        Raises :class:`LookupFailed` only when ``ip`` is not an address.
        """
        address = _require_ip(ip)
        cls = classify_ip(str(address))
        if cls != "global":
            return IpInfo(
                ip=str(address),
                ip_class=cls,
                errors=(
                    LookupIssue("lookup", "skipped", f"{cls} address: no public owner to ask"),
                ),
            )
        deadline = Deadline(self.config.budget)
        info = self._assemble_ip(address, self._run(self._ip_jobs(address, deadline), deadline))
        return self._second_step(info, deadline)

    def blocklists(self, ip: str, zones: Sequence[str] | None = None) -> list[BlocklistResult]:
        """Check one address against DNS blocklists (default: ``config.zones``)."""
        address = _require_ip(ip)
        names = list(zones if zones is not None else self.config.zones)
        cls = classify_ip(str(address))
        if cls != "global":
            return [
                BlocklistResult(
                    dnsbl.zone_for(z).name,
                    str(address),
                    "skipped",
                    detail=f"{cls} address: blocklists list only global addresses",
                )
                for z in names
            ]
        deadline = Deadline(self.config.budget)
        results = self._run(self._zone_jobs(address, names, deadline), deadline)
        return self._assemble_blocklists(address, names, results)

    def standing(
        self, targets: Targets, zones: Sequence[str] | None = None, *, fresh: bool = False
    ) -> Standing:
        """Check all our addresses against the zones in one run, under one budget: the
        server names in ``targets`` are resolved (A and AAAA) first, then every address is
        asked of every zone. ``fresh`` skips cached blocklist answers (the watch loop).
        Failures are results and notes; nothing is raised."""
        names = list(zones if zones is not None else self.config.zones)
        deadline = Deadline(self.config.budget)
        notes = list(targets.notes)
        resolved: list[OwnAddress] = []
        jobs: dict[str, Callable[[], Any]] = {}
        for host in targets.servers:
            for version in (4, 6):
                jobs[f"{host}|{version}"] = (
                    lambda h=host, v=version: self._forward(h, v, deadline)  # type: ignore[misc]
                )
        answers = self._run(jobs, deadline)
        for host in targets.servers:
            found: list[str] = []
            for version, rdtype in ((4, "A"), (6, "AAAA")):
                value = answers.get(f"{host}|{version}")
                if isinstance(value, list):
                    found.extend(value)
                elif isinstance(value, DnsFailure):
                    notes.append(Note(host, f"servers: {rdtype} lookup failed: {value.detail}"))
                elif isinstance(value, _Budget):
                    notes.append(Note(host, f"servers: {rdtype} lookup: time budget spent"))
                elif isinstance(value, BaseException):
                    notes.append(Note(host, f"servers: {rdtype} lookup: {_first_line(value)}"))
            for text in found:
                address = parse_ip(text)
                if address is None:
                    continue
                cls = classify_ip(str(address))
                rdtype = "A" if address.version == 4 else "AAAA"
                if cls != "global":
                    notes.append(
                        Note(
                            str(address),
                            f"servers: {host} ({rdtype}) is a {cls} address; blocklists list "
                            "only global addresses",
                        )
                    )
                    continue
                resolved.append(OwnAddress(str(address), (f"servers: {host} ({rdtype})",)))
            if not found and not any(n.subject == host for n in notes):
                notes.append(Note(host, "servers: the name has no A or AAAA record"))
        addresses = merge_addresses(targets.addresses, resolved)
        checks: dict[str, Callable[[], Any]] = {}
        parsed = [(own, _require_ip(own.ip)) for own in addresses]
        for _own, address in parsed:
            checks.update(self._zone_jobs(address, names, deadline, fresh))
        results = self._run(checks, deadline)
        return Standing(
            addresses=tuple(
                AddressStanding(own, tuple(self._assemble_blocklists(address, names, results)))
                for own, address in parsed
            ),
            notes=tuple(notes),
            zones=tuple(dnsbl.zone_for(z).name for z in names),
        )

    def lookup_host(self, name: str) -> HostInfo:
        """Resolve a host name (A and AAAA) and look up each of its addresses."""
        host = normalise_host(name)
        if host is None:
            raise LookupFailed("cannot look up an empty host name")
        if parse_ip(host) is not None:
            info = self.lookup_ip(host)
            return HostInfo(name=host, registered_domain=None, addresses=(info.ip,), ips=(info,))
        deadline = Deadline(self.config.budget)
        jobs: dict[str, Callable[[], Any]] = {
            rdtype: (lambda t=rdtype: self._query(host, t, deadline))  # type: ignore[misc]
            for rdtype in ("A", "AAAA")
        }
        resolved = self._run(jobs, deadline)
        addresses: list[str] = []
        issues: list[LookupIssue] = []
        for rdtype in ("A", "AAAA"):
            value = resolved.get(rdtype)
            if isinstance(value, list):
                addresses.extend(str(v) for v in value if str(v) not in addresses)
            elif isinstance(value, DnsFailure):
                if value.status != "no-answer":
                    issues.append(LookupIssue(f"resolve-{rdtype}", value.status, value.detail))
            elif isinstance(value, _Budget):
                issues.append(LookupIssue(f"resolve-{rdtype}", "budget", "time budget spent"))
            elif isinstance(value, BaseException):
                issues.append(LookupIssue(f"resolve-{rdtype}", "error", _first_line(value)))
        targets = [a for a in (parse_ip(x) for x in addresses[:MAX_HOST_ADDRESSES]) if a]
        global_targets = [a for a in targets if classify_ip(str(a)) == "global"]
        ip_jobs: dict[str, Callable[[], Any]] = {}
        for address in global_targets:
            ip_jobs.update(self._ip_jobs(address, deadline))
        results = self._run(ip_jobs, deadline)
        infos = []
        for address in targets:
            if address in global_targets:
                infos.append(self._second_step(self._assemble_ip(address, results), deadline))
            else:
                infos.append(IpInfo(ip=str(address), ip_class=classify_ip(str(address))))
        return HostInfo(
            name=host,
            registered_domain=registered_domain(
                host, include_private=self.config.include_private_suffixes
            ),
            addresses=tuple(addresses),
            ips=tuple(infos),
            errors=tuple(issues),
        )

    def enrich_trace(
        self,
        trace: Trace,
        our_ips: Iterable[str] = (),
        *,
        external: ExternalPredicate | None = None,
    ) -> Trace:
        """The trace with every hop's attribution filled: offline parts for every hop; the
        network owner, abuse contacts, FCrDNS and blocklist results for the origin (on every
        hop whose client is the origin address); blocklist results for ``our_ips`` (our own
        servers' addresses). Adds ``origin-listed``, ``own-server-listed``,
        ``rdns-not-confirmed`` and ``lookup-incomplete`` findings and, when the trace has a
        verdict, the owner and abuse contact in ``verdict.sender``. Never raises for a
        network failure and never runs past ``config.budget`` (plus a small grace)."""
        enriched = enrich_offline(
            trace, external=external, include_private=self.config.include_private_suffixes
        )
        try:
            return self._enrich_online(enriched, our_ips)
        except Exception as exc:  # a bug must not lose the offline result
            finding = Finding(
                code="lookup-incomplete",
                severity="info",
                message=f"online attribution failed: {_first_line(exc)}",
            )
            return dataclasses.replace(
                enriched, findings=merge_findings(enriched.findings, [finding])
            )

    def _enrich_online(self, trace: Trace, our_ips: Iterable[str]) -> Trace:
        origin_ip = _origin_address(trace)
        ours: list[IPAddress] = []
        for text in our_ips:
            address = parse_ip(text)
            if (
                address is not None
                and address not in ours
                and classify_ip(str(address)) == "global"
            ):
                ours.append(address)
        zones = list(self.config.zones)
        deadline = Deadline(self.config.budget)
        jobs: dict[str, Callable[[], Any]] = {}
        if origin_ip is not None:
            jobs.update(self._ip_jobs(origin_ip, deadline))
            jobs.update(self._zone_jobs(origin_ip, zones, deadline))
        for address in ours:
            jobs.update(self._zone_jobs(address, zones, deadline))
        if not jobs:
            return trace
        results = self._run(jobs, deadline)

        hops = list(trace.hops)
        findings: list[Finding] = []
        info: IpInfo | None = None
        if origin_ip is not None:
            info = self._second_step(self._assemble_ip(origin_ip, results), deadline)
            listings = self._assemble_blocklists(origin_ip, zones, results)
            origin_hops = [i for i, h in enumerate(hops) if parse_ip(h.client.ip) == origin_ip]
            for i in origin_hops:
                hops[i] = _with_online(hops[i], info, listings)
            first = hops[origin_hops[0]] if origin_hops else None
            findings.extend(_origin_findings(origin_ip, info, listings, first))
        for address in ours:
            listings = self._assemble_blocklists(address, zones, results)
            related = [
                i
                for i, h in enumerate(hops)
                if parse_ip(h.client.ip) == address or parse_ip(h.server.ip) == address
            ]
            for i in related:
                if parse_ip(hops[i].client.ip) == address:
                    hops[i] = _with_online(hops[i], None, listings)
            first = hops[related[0]] if related else None
            findings.extend(_own_findings(address, listings, first))
        verdict = trace.verdict
        if verdict is not None and info is not None:
            sender = dataclasses.replace(verdict.sender, owner=owner_of(info))
            verdict = dataclasses.replace(verdict, sender=sender)
        return dataclasses.replace(
            trace,
            hops=tuple(hops),
            verdict=verdict,
            findings=merge_findings(trace.findings, findings),
        )


# --- helpers ---------------------------------------------------------------------------------


def _first_line(exc: object) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _require_ip(ip: str) -> IPAddress:
    address = parse_ip(ip)
    if address is None:
        raise LookupFailed(f"cannot look up {ip!r}: not an IP address")
    return address


def _parse_cymru_origin(records: list[str]) -> dict[str, Any] | None:
    """``"15169 | 8.8.8.0/24 | US | arin | 1992-12-01"``; the longest prefix wins."""
    best: dict[str, Any] | None = None
    best_len = -1
    for record in records:
        parts = [p.strip() for p in record.split("|")]
        if len(parts) < 4:
            continue
        asns = [int(a) for a in parts[0].split() if a.isdigit()]
        try:
            network = ipaddress.ip_network(parts[1], strict=False)
        except ValueError:
            continue
        if not asns:
            continue
        if network.prefixlen > best_len:
            best_len = network.prefixlen
            best = {
                "asn": asns[0],
                "asns": asns,
                "prefix": str(network),
                "country": parts[2].upper() or None,
                "registry": parts[3].lower() or None,
                "allocated": (parts[4] if len(parts) > 4 else "") or None,
            }
    return best


def _parse_cymru_as(records: list[str]) -> str | None:
    """``"15169 | US | arin | 2000-03-30 | GOOGLE, US"`` -> ``"GOOGLE, US"``."""
    for record in records:
        parts = [p.strip() for p in record.split("|")]
        if len(parts) >= 5 and parts[0].isdigit() and parts[4]:
            return parts[4]
    return None


def _rdap_fields(data: dict[str, Any]) -> dict[str, Any]:
    network = rdap.RdapNetwork.from_json(data)
    return {
        "network_name": network.name,
        "network_handle": network.handle,
        "network_range": network.range,
        "rdap_country": network.country,
        "registrant": network.registrant,
        "abuse_emails": network.abuse_emails,
        "abuse_phones": network.abuse_phones,
        "contacts": network.contacts,
        "rdap_source": network.source,
    }


def _registry_from_url(url: str | None) -> str | None:
    """The regional registry an RDAP answer came from (``rdap.arin.net`` -> ``arin``)."""
    host = urllib.parse.urlsplit(url or "").hostname or ""
    for word, registry in (
        ("arin", "arin"),
        ("ripe", "ripencc"),
        ("apnic", "apnic"),
        ("lacnic", "lacnic"),
        ("afrinic", "afrinic"),
    ):
        if word in host.split("."):
            return registry
    return None


def _blocklist_from_json(data: dict[str, Any]) -> BlocklistResult:
    return BlocklistResult(
        zone=str(data["zone"]),
        ip=str(data["ip"]),
        status=data["status"],
        query=data.get("query"),
        codes=tuple(data.get("codes", ())),
        meanings=tuple(data.get("meanings", ())),
        txt=tuple(data.get("txt", ())),
        detail=str(data.get("detail", "")),
    )


def _origin_address(trace: Trace) -> IPAddress | None:
    """The origin's client address; without an origin, the oldest global client address."""
    if trace.origin is not None:
        address = parse_ip(trace.origin.ip)
        if address is None and 0 <= trace.origin.hop < len(trace.hops):
            address = parse_ip(trace.hops[trace.origin.hop].client.ip)
        if address is not None and classify_ip(str(address)) == "global":
            return address
        return None
    for hop in sorted(trace.hops, key=lambda h: h.index):
        address = parse_ip(hop.client.ip)
        if address is not None and classify_ip(str(address)) == "global":
            return address
    return None


def _with_online(hop: Hop, info: IpInfo | None, listings: list[BlocklistResult]) -> Hop:
    attribution = hop.attribution
    if attribution is None:  # pragma: no cover - enrich_offline always fills it
        attribution = attribute_offline(hop)
    attribution = dataclasses.replace(
        attribution,
        network=info if info is not None else attribution.network,
        blocklists=tuple(listings),
    )
    return hop.with_attribution(attribution)


def _listing_evidence(listings: list[BlocklistResult]) -> tuple[Evidence, ...]:
    return notes(
        *(
            f"{b.zone}: {', '.join(b.codes)} ({'; '.join(b.meanings)})"
            + (f" - {' '.join(b.txt)}" if b.txt else "")
            for b in listings
            if b.status == "listed"
        )
    )


def _origin_findings(
    address: IPAddress, info: IpInfo, listings: list[BlocklistResult], hop: Hop | None
) -> list[Finding]:
    findings: list[Finding] = []
    index = hop.index if hop else None
    raw = received(hop.raw) if hop else ()
    listed = [b for b in listings if b.status == "listed"]
    if listed:
        zones = ", ".join(b.zone for b in listed)
        findings.append(
            Finding(
                code="origin-listed",
                severity="warning",
                message=f"the origin {address} is listed on {zones}",
                hop=index,
                evidence=raw + _listing_evidence(listings),
            )
        )
    if info.fcrdns is False and info.ptr:
        findings.append(
            Finding(
                code="rdns-not-confirmed",
                severity="info",
                message=(
                    f"the origin {address} has reverse DNS {', '.join(info.ptr)} but no name "
                    "resolves back to it (forward-confirmed reverse DNS fails)"
                ),
                hop=index,
                evidence=raw,
            )
        )
    failed = list(info.errors) + [
        LookupIssue(f"dnsbl:{b.zone}", b.status, b.detail) for b in listings if b.failed
    ]
    failed = [e for e in failed if e.status != "skipped"]
    if failed:
        findings.append(
            Finding(
                code="lookup-incomplete",
                severity="info",
                message=(
                    f"some lookups for the origin {address} gave no answer: "
                    + ", ".join(f"{e.step} ({e.status})" for e in failed)
                ),
                hop=index,
                evidence=notes(*(f"{e.step}: {e.status} {e.detail}".strip() for e in failed)),
            )
        )
    return findings


def _own_findings(
    address: IPAddress, listings: list[BlocklistResult], hop: Hop | None
) -> list[Finding]:
    listed = [b for b in listings if b.status == "listed"]
    if not listed:
        return []
    return [
        Finding(
            code="own-server-listed",
            severity="critical",
            message=(
                f"our server {address} is listed on {', '.join(b.zone for b in listed)}: mail "
                "it sends may be refused"
            ),
            hop=hop.index if hop else None,
            evidence=(received(hop.raw) if hop else ()) + _listing_evidence(listings),
        )
    ]


def owner_of(info: IpInfo) -> Owner:
    """The owner and abuse contact of an address, for ``Verdict.sender.owner``."""
    return Owner(
        asn=info.asn,
        as_name=info.as_name,
        network=info.network_name,
        network_owner=info.registrant or info.as_name,
        country=info.country,
        abuse_emails=tuple(info.abuse_emails),
        abuse_phones=tuple(info.abuse_phones),
        abuse_source=info.abuse_source,
        fcrdns=info.fcrdns,
    )
