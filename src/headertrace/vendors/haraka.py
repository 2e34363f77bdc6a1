"""Haraka: its forms for the general reader, with their examples (no direct reader).

    from mail.example.org (mail.example.org [198.51.100.61]) by mx.example.com
        (Haraka/3.0.3) with ESMTPS id 5E1C2D3A-0B4F-4C6D-9E8F-1A2B3C4D5E6F.1
        envelope-from <alice@example.org> (cipher=TLS_AES_256_GCM_SHA384);
        Tue, 03 Mar 2026 08:25:00 +0000

Haraka writes the envelope sender as a clause of its own after the id, not as a comment.
"""

from __future__ import annotations

from headertrace.parse.lexer import Kind, Token

GENERAL_EXAMPLES = (
    "from mail.example.org (mail.example.org [198.51.100.61]) by mx.example.com"
    " (Haraka/3.0.3) with ESMTPS id 5E1C2D3A-0B4F-4C6D-9E8F-1A2B3C4D5E6F.1"
    " envelope-from <alice@example.org> (cipher=TLS_AES_256_GCM_SHA384);"
    " Tue, 03 Mar 2026 08:25:00 +0000",
)


def envelope_from(parts: dict[str, list[Token]]) -> str | None:
    """The address after a bare ``envelope-from`` word in the ``id``, ``with`` or ``for``
    clause (``parts``: the header's tokens by the keyword of their clause)."""
    for key in ("id", "with", "for"):
        part = parts.get(key) or []
        for k, tok in enumerate(part[:-1]):
            if tok.kind is Kind.WORD and tok.text.lower() == "envelope-from":
                nxt = part[k + 1]
                if nxt.kind is Kind.ANGLE and "@" in nxt.text:
                    return nxt.text.strip().strip("<>") or None
    return None
