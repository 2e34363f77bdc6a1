"""Process time of ``headertrace.trace`` on hostile inputs (docs/speed.md, Hostile input).

    python benchmarks/bench_hostile.py

Never used as a timed assertion in tests.
"""

from __future__ import annotations

import time

import headertrace
from headertrace.parse.received import parse_received

_REST = b"From: a@example.org\nSubject: x\n\nbody\n"
_POSTFIX = (
    b"Received: from a.example.org (a.example.org [192.0.2.7]) by mx.example.com (Postfix)"
    b" with ESMTP id %d; Mon, 1 Jan 2024 10:00:00 +0000\n"
)
_GENERAL = (
    b"Received: from a.example.org (HELO x) (192.0.2.7) (foo) by mx.example.com (bar)"
    b" with ESMTP id %d; Mon, 1 Jan 2024 10:00:00 +0000\n"
)
_DATE = b"; Mon, 1 Jan 2024 10:00:00 +0000"
_POSTFIX_OPEN = b"Received: from a (b [192.0.2.7]) by c (Postfix) with ESMTP id Q; "

INPUTS = {
    "10,000 Received headers (Postfix shape)": b"".join(_POSTFIX % i for i in range(10_000)),
    "10,000 Received headers (general shape)": b"".join(_GENERAL % i for i in range(10_000)),
    "one 1 MB Received header": b"Received: from " + b"a" * 1_000_000 + b"\n",
    "one 1 MB header opening as Postfix's": _POSTFIX_OPEN + b"(" * 1_000_000 + b"\n",
    "200,000 nested (": b"Received: from a " + b"(" * 200_000 + b"\n",
    "60 headers of 16 KB of '((( )'": b"Received: from a " + b"((( )" * 3300 + b"\n",
    "60 headers of 16 KB of '(x) '": b"Received: from a " + b"(x) " * 4000 + b"\n",
}
# Thousands of tokens that are no comments (the token cap), each line ending in a date.
for _name, _filler in (
    ("words 'x '", b"x "),
    ("literals '[1] '", b"[1] "),
    ("angle addresses '<a> '", b"<a> "),
    ("quoted strings '\"a\" '", b'"a" '),
):
    INPUTS[f"60 headers of 16 KB of {_name}"] = (
        b"Received: from a " + _filler * (16_000 // len(_filler)) + _DATE + b"\n"
    )
for _name in INPUTS:
    if _name.startswith("60 headers"):
        INPUTS[_name] *= 60


def _distinct(word: bytes) -> bytes:
    """60 headers of 16 KB of words each read afresh (``auth=N``: a comment form; all
    different, so no cache helps), each header ending in a date."""
    headers = []
    for i in range(60):
        words = b" ".join(word % (i * 10_000 + k) for k in range(2_000))[:16_000]
        headers.append(b"Received: from a.example (a.example [192.0.2.1]) by b " + words + _DATE)
    return b"\n".join(headers) + b"\n"


INPUTS["60 headers of 16 KB of distinct 'auth=N'"] = _distinct(b"auth=%d")
INPUTS["60 headers of 16 KB of distinct 'user=N'"] = _distinct(b"user=%d")
INPUTS["60 headers of 16 KB of distinct '[10.N]'"] = _distinct(b"[10.%d]")
PREFIXES = (
    "from a (b [",
    "from a ([",
    "from [",
    "by a (Postfix, from userid ",
    "(qmail 1 invoked by uid ",
    "(from a@",
)


def main() -> None:
    for name, head in INPUTS.items():
        start = time.process_time()
        hops = headertrace.trace(head + _REST).hops
        print(f"{name:48} {time.process_time() - start:7.3f} s  {len(hops)} hops")
    for prefix in PREFIXES:
        start = time.process_time()
        parse_received(prefix + "1" * 1_000_000)
        print(
            f"{'parse_received(' + repr(prefix) + ' + 1 MB)':48} "
            f"{time.process_time() - start:7.3f} s"
        )


if __name__ == "__main__":
    main()
