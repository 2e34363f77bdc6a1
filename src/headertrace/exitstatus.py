"""The exit status of every ``headertrace`` command, one meaning per number.

=====  ===========  ==============================================================
0      OK           done, and nothing to act on: every input was traced; no zone
                    lists the address; the server refused every relay test
                    (closed); the owner was looked up
1      PROBLEM      done, and something needs you: an input could not be read
                    (``trace``: the other inputs were traced); a zone lists an
                    address (``blocklist``); the server relays for strangers
                    (``probe``: open)
2      NO_ANSWER    no answer could be given: a usage or configuration error
                    (any command, click's own usage errors included); every
                    blocklist check failed; the probe was inconclusive or could
                    not run
=====  ===========  ==============================================================

docs/index.md ("Exit statuses") lists them per command.
"""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """What ``headertrace``'s commands exit with (see the module docstring)."""

    OK = 0
    """Done, and nothing to act on."""
    PROBLEM = 1
    """Done, and something needs you: an unreadable input, a listing, an open relay."""
    NO_ANSWER = 2
    """No answer: a usage or configuration error, every check failed, or inconclusive."""
