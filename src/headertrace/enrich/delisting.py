"""Where to ask for removal from a DNS blocklist: a table kept as data.

Each row names the operator's own page for looking up and removing a listing, how removal
works there, and where the row came from. The pages were taken from the operators' published
sites (the URL in ``page`` is itself the source, ``source`` says what page of theirs describes
the process); headertrace never fetches them. A zone that is not in the table has no row: the
report says so instead of guessing.

``{ip}`` in a page is replaced by the listed address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CHECKED: Final = "2024"
"""When the rows were last compared with the operators' pages."""


@dataclass(frozen=True, slots=True)
class Delisting:
    """How to get off one zone."""

    zone: str
    operator: str
    page: str
    """The operator's lookup or removal page (``{ip}`` stands for the address)."""
    how: str
    """What the operator asks for, in one sentence."""
    source: str
    """Where this row was taken from."""

    def page_for(self, ip: str) -> str:
        return self.page.replace("{ip}", ip)

    def to_dict(self, ip: str | None = None) -> dict[str, str]:
        return {
            "zone": self.zone,
            "operator": self.operator,
            "page": self.page_for(ip) if ip else self.page,
            "how": self.how,
            "source": self.source,
        }


_SPAMHAUS_HOW: Final = (
    "look the address up on the Spamhaus checker; each listing (SBL, CSS, XBL, PBL) links its "
    "own removal form once the cause is fixed"
)
_SPAMHAUS_SOURCE: Final = "Spamhaus IP and Domain Reputation Checker, check.spamhaus.org"


def _spamhaus(zone: str, operator: str = "Spamhaus") -> Delisting:
    return Delisting(zone, operator, "https://check.spamhaus.org/", _SPAMHAUS_HOW, _SPAMHAUS_SOURCE)


DELISTING: Final[tuple[Delisting, ...]] = (
    # the default zones
    _spamhaus("zen.spamhaus.org"),
    Delisting(
        "bl.spamcop.net",
        "SpamCop",
        "https://www.spamcop.net/bl.shtml?{ip}",
        "no removal form: a listing expires on its own about 24 hours after the reports stop; "
        "the lookup page shows the listing and its expiry",
        "SpamCop Blocking List FAQ, www.spamcop.net/bl.shtml",
    ),
    Delisting(
        "b.barracudacentral.org",
        "Barracuda Networks",
        "https://www.barracudacentral.org/rbl/removal-request",
        "removal request form (address, contact e-mail and phone, what was fixed)",
        "Barracuda Central removal request page",
    ),
    Delisting(
        "psbl.surriel.com",
        "PSBL (Passive Spam Block List)",
        "https://psbl.org/listing?ip={ip}",
        "the listing page has a self-service removal button; listings also expire when the "
        "spam-trap hits stop",
        "PSBL home page, psbl.org",
    ),
    Delisting(
        "dnsbl.dronebl.org",
        "DroneBL",
        "https://dronebl.org/lookup?ip={ip}",
        "look the address up and file a removal request for each listing",
        "DroneBL lookup page, dronebl.org",
    ),
    # well-known others
    _spamhaus("sbl.spamhaus.org"),
    _spamhaus("xbl.spamhaus.org"),
    _spamhaus("pbl.spamhaus.org"),
    _spamhaus("sbl-xbl.spamhaus.org"),
    _spamhaus("cbl.abuseat.org", "Spamhaus (the CBL is now part of the XBL)"),
    Delisting(
        "bb.barracudacentral.org",
        "Barracuda Networks",
        "https://www.barracudacentral.org/rbl/removal-request",
        "removal request form (address, contact e-mail and phone, what was fixed)",
        "Barracuda Central removal request page",
    ),
    Delisting(
        "ix.dnsbl.manitu.net",
        "NiX Spam (heise / manitu)",
        "https://www.dnsbl.manitu.net/",
        "look the address up on the home page; it offers removal once the spam has stopped",
        "NiX Spam DNSBL home page, www.dnsbl.manitu.net",
    ),
    Delisting(
        "dnsbl-1.uceprotect.net",
        "UCEPROTECT",
        "https://www.uceprotect.net/en/rblcheck.php",
        "level 1 listings expire on their own after seven days without new spam; express "
        "delisting is a paid service",
        "UCEPROTECT removal policy, www.uceprotect.net",
    ),
    Delisting(
        "bl.blocklist.de",
        "blocklist.de",
        "https://www.blocklist.de/en/delist.html",
        "delisting form for the address",
        "blocklist.de delist page",
    ),
)

_BY_ZONE: Final = {d.zone: d for d in DELISTING}


def delisting_for(zone: str) -> Delisting | None:
    """The row for a zone (case and a trailing dot ignored), or ``None`` when the table has
    none."""
    return _BY_ZONE.get(zone.strip().rstrip(".").lower())
