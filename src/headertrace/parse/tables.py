"""Protocols, authentication markers and server software, as data.

Adding a marker is adding a row; the parser code never names a vendor string itself.
"""

from __future__ import annotations

import re

# RFC 3848 (and its successors) `with` types. The trailing "A" means the client authenticated.
AUTH_PROTOCOLS = frozenset(
    (
        "esmtpa",
        "esmtpsa",
        "lmtpa",
        "lmtpsa",
        "utf8smtpa",
        "utf8smtpsa",
        "utf8lmtpa",
        "utf8lmtpsa",
        "smtpsa",
        "asmtp",  # asmtp: Exim 3's name for authenticated SMTP
        "esmtpa+tls",
        "esmtpsa+tls",
    )
)
PLAIN_PROTOCOLS = frozenset(
    (
        "smtp",
        "esmtp",
        "esmtps",
        "smtps",
        "lmtp",
        "lmtps",
        "utf8smtp",
        "utf8smtps",
        "utf8lmtp",
        "utf8lmtps",
        "esmtp+tls",
    )
)
TLS_PROTOCOLS = frozenset(
    (
        "esmtps",
        "esmtpsa",
        "smtps",
        "smtpsa",
        "lmtps",
        "lmtpsa",
        "utf8smtps",
        "utf8smtpsa",
        "utf8lmtps",
        "utf8lmtpsa",
        "esmtpa+tls",
        "esmtpsa+tls",
        "esmtp+tls",
        # CommuniGate Pro "with ESMTP-TLS" (4.x): ESMTP over a TLS session.
        "esmtp-tls",
    )
)
FETCH_PROTOCOLS = frozenset(("pop3", "pop", "imap", "imap4", "pop3s", "imaps", "odmr", "etrn"))
# Exim names local submissions `local`, `local-smtp`, `local-esmtp`, `local-bsmtp`.
LOCAL_PROTOCOL_PREFIX = "local"
# Where a message came from when no network client handed it over, written after the
# via link: smail "by mx via smail from stdin" (read from a local program or UUCP rmail).
LOCAL_SOURCES = frozenset(("stdin",))
# Submissions that do not come in over SMTP: webmail/API and Outlook's MAPI. "httprest":
# the Gmail API ("from 123456789012 named unknown by gmailapi.google.com with HTTPREST").
CLIENT_PROTOCOLS = frozenset(("http", "https", "mapi", "webmail", "httprest"))

# What servers write after "for" when the message has several recipients and they name
# none: Gmail "by smtp.gmail.com with ESMTPSA id x for <multiple recipients>". Not an
# address, so no recipient.
NO_RECIPIENT = frozenset(("multiple recipients",))

# What servers write where the client's reverse DNS name would stand when they have none:
# Postfix "unknown [192.0.2.7]", Courier "softdnserr [::ffff:192.0.2.7]" (the lookup
# soft-failed), "unverified [192.0.2.7]", TIS/Sidewinder "nodnsquery", Sun smtpd
# "from no.name.available", "<unknown.domain>".
NO_NAME = frozenset(
    ("unknown", "softdnserr", "unverified", "nodnsquery", "no.name.available", "unknown.domain")
)
# The ones no client sends as its HELO: where one stands alone after "from" (firewalls'
# "from no.name.available by fw via smtpd"), it is the server's missing rDNS, not a HELO.
# ("unknown" is left out: a client can say HELO unknown.)
NO_NAME_NOT_HELO = NO_NAME - {"unknown"}

# Fixed phrases some servers write as the whole from part: they name no client, so they
# give no HELO, rDNS or local user. Exchange's pickup folder "from mail pickup service by
# EXCH01 with Microsoft SMTPSVC"; Debian Exim's received_header_text for a logged-in
# client "from authenticated user by mail.example.org with esmtpsa".
CLIENTLESS_FROM = frozenset((("mail", "pickup", "service"), ("authenticated", "user")))

# SASL mechanisms (IANA registry, the ones seen in mail), as servers write them after
# "with": Yahoo/qmail "(bob@192.0.2.7 with plain)", "with login".
SASL_MECHANISMS = frozenset(
    (
        "plain",
        "login",
        "cram-md5",
        "digest-md5",
        "ntlm",
        "gssapi",
        "xoauth2",
        "oauthbearer",
        "external",
        "scram-sha-1",
        "scram-sha-256",
        "anonymous",
    )
)

# Products that write an address after their name in a comment. After any other name a
# dotted number is a version ("(NAVGW 2.5.2.12)", "(SAVSMTP 3.1.0.29)").
ADDRESS_AFTER_NAME = frozenset(
    (
        "ofmipd",  # "(ofmipd 192.0.2.7); date": the client
        "kumomta",  # "by mx (KumoMTA 192.0.2.8)": the server's own address
    )
)

# Server software, recognised from the comments of the `by` and `with` parts.
# (needle in the lower-cased comment text, normalised name). First match wins, so more
# specific needles come first.
SOFTWARE_MARKERS: tuple[tuple[str, str], ...] = (
    ("microsoft smtp server", "Microsoft SMTP Server"),
    ("microsoft smtpsvc", "Microsoft SMTPSVC"),
    ("internet mail service", "Microsoft Exchange IMS"),
    ("postfix", "Postfix"),
    ("exim", "Exim"),
    ("qmail-scanner", "qmail-scanner"),
    ("qmail-ldap", "qmail-ldap"),
    ("qmail", "qmail"),
    ("domino", "Lotus Domino"),
    ("mdaemon", "MDaemon"),
    ("kerio", "Kerio"),
    ("communigate", "CommuniGate Pro"),
    ("cyrus", "Cyrus"),
    ("opensmtpd", "OpenSMTPD"),
    ("powermta", "PowerMTA"),
    ("kumomta", "KumoMTA"),
    ("zimbra", "Zimbra"),
    ("courier", "Courier"),
    ("messaging server", "Sun Messaging Server"),
    ("intermail", "InterMail"),
    ("mailenable", "MailEnable"),
    ("merak", "Merak"),
    ("icewarp", "IceWarp"),
    ("hmailserver", "hMailServer"),
    ("smartermail", "SmarterMail"),
    ("axigen", "Axigen"),
    ("haraka", "Haraka"),
    ("halon", "Halon"),  # "by mx.example.net (Halon) with ESMTPS id 0b1c2d3e-...": ISP MTAs
    ("imail", "IMail"),
    ("smail", "Smail"),
    ("xmail", "XMail"),
    ("groupwise", "GroupWise"),
    ("simpleemailservice", "Amazon SES"),
    ("fetchmail", "fetchmail"),
    ("getmail", "getmail"),
    ("dovecot", "Dovecot"),
    ("amavis", "amavisd"),
    ("mailscanner", "MailScanner"),
    ("mimedefang", "MIMEDefang"),
    ("spamassassin", "SpamAssassin"),
    # Pegasus Mail's server: "(Mercury 1.44)" on NetWare, "(Mercury/32 v3.21c)" on Windows
    # (the "/32" names the port, the version follows).
    ("mercury/32", "Mercury/32"),
    ("mercury", "Mercury"),
)

# All needles in one alternation of literals: one scan of a text in C finds every candidate;
# the table order (priority) then picks the most specific.
SOFTWARE_SEARCH = re.compile("|".join(re.escape(needle) for needle, _ in SOFTWARE_MARKERS))
SOFTWARE_PRIORITY = {needle: (k, name) for k, (needle, name) in enumerate(SOFTWARE_MARKERS)}

# Services recognised by the `by` host's domain when no comment names the software.
SOFTWARE_BY_HOST: tuple[tuple[str, str], ...] = (
    (".google.com", "Google"),
    (".googlemail.com", "Google"),
    (".yahoo.com", "Yahoo"),
    (".yahoo.net", "Yahoo"),
    (".outlook.com", "Microsoft SMTP Server"),
    (".sendgrid.net", "SendGrid"),
    (".amazonses.com", "Amazon SES"),
    (".amazonaws.com", "Amazon SES"),
    (".mimecast.com", "Mimecast"),
    (".mimecast.co.za", "Mimecast"),
    (".pphosted.com", "Proofpoint"),
    (".ppe-hosted.com", "Proofpoint"),
    (".iphmx.com", "Cisco IronPort"),
    (".messagelabs.com", "Symantec MessageLabs"),
    (".mailgun.net", "Mailgun"),
    (".mcsv.net", "Mailchimp"),
    (".mandrillapp.com", "Mandrill"),
)

# Comments that name the software in a word too short to search for inside other text.
SOFTWARE_EXACT_COMMENTS = {
    "sg": "SendGrid",  # "by geopod-ismtpd-4 (SG) with ESMTP"
    "zonemta": "ZoneMTA",
}
