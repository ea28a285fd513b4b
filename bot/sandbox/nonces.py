"""Message nonces as Discord documents them for ``POST /channels/{cid}/messages``.

A nonce is an integer or a string of at most 25 characters. With ``enforce_nonce: true``, "it
will be checked for uniqueness in the past few minutes. If another message was created by the
same author with the same nonce, that message will be returned and no new message will be
created." The docs scope it to the author, not the channel, and do not say how many minutes:
the sandbox keeps :data:`WINDOW` (the short end of "a few"), so a bot that relies on a longer
window fails here before it fails on Discord.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.sandbox.limits import Form

WINDOW = timedelta(minutes=2)
NONCE_MAX = 25


def check_nonce(payload: dict[str, Any]) -> str | None:
    """The payload's nonce as a key (``None`` if absent); 50035 if it is not a valid nonce."""
    nonce = payload.get("nonce")
    if nonce is None:
        return None
    form = Form()
    if isinstance(nonce, bool) or not isinstance(nonce, int | str):
        form.add(("nonce",), "BASE_TYPE_BAD_NONCE", "Must be an integer or a string.")
    else:
        form.length(("nonce",), str(nonce) if isinstance(nonce, str) else None, 0, NONCE_MAX)
    form.raise_if_any()
    return str(nonce)


class NonceLedger:
    """Which message each (author, nonce) created, for as long as Discord remembers it."""

    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self.repeats = 0  # sends answered with the message an earlier one made
        self._seen: dict[tuple[int, str], tuple[int, datetime]] = {}

    def existing(self, author_id: int, nonce: str, now: datetime) -> int | None:
        """The id of the message this author created with this nonce within the window."""
        found = self._seen.get((author_id, nonce))
        if found is None or now - found[1] > self.window:
            return None
        self.repeats += 1
        return found[0]

    def remember(self, author_id: int, nonce: str, message_id: int, now: datetime) -> None:
        """Note a created message's nonce; forget entries past the window (bounded memory)."""
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if now - v[1] <= self.window}
        self._seen[(author_id, nonce)] = (message_id, now)
