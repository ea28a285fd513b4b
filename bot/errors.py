"""Errors that members may read.

Feature rules raise :class:`UserFacingError` with an English source string; the command tree's
error handler translates it into the member's language and answers ephemerally. Nothing here
imports discord, so rules stay plain Python.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Something the member can fix; ``message`` is an English catalog string with {fields}."""

    def __init__(self, message: str, /, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        self.notes: list[tuple[str, dict[str, object]]] = []

    def add_note(self, message: str, /, **params: object) -> None:
        """A further line for the member (a catalog string), shown after the message."""
        self.notes.append((message, params))

    def __str__(self) -> str:
        return self.message.format(**self.params) if self.params else self.message
