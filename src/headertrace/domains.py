"""Registered domains from the public-suffix list, always offline.

``tldextract`` is built once with no suffix-list URLs and no cache directory, so it uses
the snapshot shipped inside the package and never touches the network or the disk.
(The module-level ``tldextract.extract`` would fetch the list over HTTP: never use it.)
"""

from __future__ import annotations

from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_EXTRACT_PRIVATE = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


@lru_cache(maxsize=8192)
def registered_domain(host: str, *, include_private: bool = False) -> str | None:
    """``mail.example.co.uk`` -> ``example.co.uk``; ``None`` for bare names and literals.

    ``include_private`` uses the private section of the list too (``myapp.herokuapp.com``
    is then its own registered domain).
    """
    name = host.strip().rstrip(".").lower()
    if not name or "." not in name or name.startswith("[") or ":" in name:
        return None
    if name.replace(".", "").isdigit():
        return None
    extract = _EXTRACT_PRIVATE if include_private else _EXTRACT
    result = extract(name)
    if not result.domain or not result.suffix:
        return None
    return f"{result.domain}.{result.suffix}"
