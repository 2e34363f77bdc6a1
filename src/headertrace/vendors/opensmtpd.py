"""OpenSMTPD: its forms for the general reader, with their examples (no direct reader).

    from laptop (dsl.example.net [198.51.100.85]) by mail.example.com (OpenSMTPD)
        with ESMTPSA id 1a2b3c4d (TLSv1.3:AEAD-AES256-GCM-SHA384:256:NO) auth=yes
        user=bob for <x@elsewhere.example>; Mon, 2 Oct 2023 12:00:00 +0000 (UTC)

OpenSMTPD writes whether the client logged in as ``auth=yes`` or ``auth=no``, then the
account as ``user=``, as free words after the id.
"""

from __future__ import annotations

from headertrace.parse.facts import Facts, set_auth

GENERAL_EXAMPLES = (
    "from laptop (dsl.example.net [198.51.100.85]) by mail.example.com (OpenSMTPD)"
    " with ESMTPSA id 1a2b3c4d (TLSv1.3:AEAD-AES256-GCM-SHA384:256:NO) auth=yes"
    " user=bob for <x@elsewhere.example>; Mon, 2 Oct 2023 12:00:00 +0000 (UTC)",
    "from localhost (mail.example.org [local]) by mail.example.org (OpenSMTPD) with ESMTPA"
    " id 3f2a1b4c (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=lena"
    " for <mo@example.net>; Mon, 02 Oct 2023 12:00:00 +0000 (UTC)",
)

AUTH_KEYS = ("auth", "user")
"""The assignments (``key=value``) :func:`auth_assignment` reads."""


def auth_assignment(key: str, value: str, facts: Facts) -> None:
    """``auth=yes``, ``auth=no``, and ``user=bob`` after ``auth=yes``."""
    if key == "auth":
        if value.lower() == "yes":
            set_auth(facts, "auth=yes", None, None)
        elif value.lower() == "no":
            facts.auth_denied = True
    elif key == "user" and facts.auth_evidence == "auth=yes":
        facts.auth_identity = value
