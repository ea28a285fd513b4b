"""Answer first, then work: every member hears back within Discord's 3 seconds.

Discord fails an interaction the member sees as "This interaction failed" unless its first answer
arrives within 3 s, and an ordinary hiccup costs more than that: discord.py waits 1 s before
retrying a 500 and 3 s before the second retry. So the rule lives here, in the runtime, for
every feature:

* **The guard.** ``S3Bot.on_interaction`` calls :func:`guard` for every command, button, select
  and modal. If the handler has not answered :data:`DEFER_AFTER` seconds after the interaction
  arrived (it is calling Discord, or waiting for anything slow), the runtime defers it: a command
  or a form shows "thinking…" (ephemeral, unless the command is declared with
  ``extras={"public": True}``), a button, select or form on a message gets a deferred update
  (so the handler may still edit that message). The handler's answer
  then goes out as the follow-up. A deferral leaves 2 s, room for one retried 5xx of its own.
* **One way to answer.** :func:`reply` (a message), :func:`update` (edit the message a button
  sits on) and :func:`defer` take the same per-interaction lock as the guard, so an answer and
  a deferral never race, and they switch to follow-ups once the interaction was deferred.
  Features answer only through them (tests/unit/test_layout.py checks), or open a modal, which
  is always immediate.
* **Always within Discord's limits.** :func:`reply` clips its text to Discord's 2,000
  characters: an answer past it is refused outright, and the member would hear nothing.
* **Work after the answer.** :func:`answer_then` answers and then runs each follow-on step (the
  announcement, the mirror, DMs), each even if the answer or an earlier step failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

DEFER_AFTER = 1.0  # seconds after an interaction arrives
CONTENT_MAX = 2000  # Discord's cap on a message's content, in characters
_LOCK = "s3cop.answer_lock"
_DEFERRED = "s3cop.deferred_by_runtime"
_GUARDED = (
    discord.InteractionType.application_command,
    discord.InteractionType.component,
    discord.InteractionType.modal_submit,
)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lock(interaction: discord.Interaction[Any]) -> asyncio.Lock:
    lock = interaction.extras.get(_LOCK)
    if lock is None:
        lock = interaction.extras[_LOCK] = asyncio.Lock()
    return lock


def deferred_by_runtime(interaction: discord.Interaction[Any]) -> bool:
    """Whether the guard had to defer this interaction (the handler was slow to answer)."""
    return bool(interaction.extras.get(_DEFERRED))


def guard(interaction: discord.Interaction[Any], tasks: set[asyncio.Task[None]]) -> None:
    """Defer ``interaction`` if it is still unanswered after :data:`DEFER_AFTER` seconds.

    ``tasks`` keeps the deferral task referenced until it is done (the caller's set).
    """
    if interaction.type not in _GUARDED:
        return

    def fire() -> None:
        if interaction.response.is_done():
            return
        task = asyncio.create_task(_defer(interaction), name="s3cop-answer-guard")
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    asyncio.get_running_loop().call_later(DEFER_AFTER, fire)


async def _defer(interaction: discord.Interaction[Any]) -> None:
    async with _lock(interaction):
        if interaction.response.is_done():
            return
        try:
            if interaction.message is not None:  # a button, a select, or a form on a message
                await interaction.response.defer()  # a deferred update: reply or update next
            else:
                command = interaction.command
                public = bool(command is not None and command.extras.get("public"))
                await interaction.response.defer(ephemeral=not public, thinking=True)
        except discord.HTTPException as exc:
            log.warning("could not defer a slow interaction %s: %s", interaction.id, exc)
            return
        interaction.extras[_DEFERRED] = True
        log.info(
            "interaction %s deferred: its handler took over %.1f s", interaction.id, DEFER_AFTER
        )


def _persistent(view: discord.ui.View) -> bool:
    """Whether every component of ``view`` that can be used is a persistent DynamicItem with
    no timeout: discord.py finds their handlers by custom_id, however the message was sent."""
    return view.timeout is None and all(
        isinstance(item, discord.ui.DynamicItem) or not item.is_dispatchable()
        for item in view.walk_children()
    )


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer with a message, whether or not the interaction was answered or deferred.

    A view of persistent items only (a feature's buttons) is sent as its rendering: discord.py
    would otherwise keep an ephemeral message's view for 15 minutes, with a task and a timer
    each, which in a burst of 1,000 clicks is 1,000 of each for the garbage collector to walk."""
    if content is not None:
        content = clip(content, CONTENT_MAX)
    view = kwargs.get("view")
    if isinstance(view, discord.ui.View) and _persistent(view):
        view.stop()  # a stopped view is rendered but not stored
    async with _lock(interaction):
        if interaction.response.is_done():
            await interaction.followup.send(content or "", ephemeral=ephemeral, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)


async def defer(
    interaction: discord.Interaction[Any], *, ephemeral: bool = True, thinking: bool = True
) -> None:
    """Defer on purpose, first thing, when a handler knows it will be slow (no-op if the guard
    already did)."""
    async with _lock(interaction):
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=ephemeral, thinking=thinking)


async def update(interaction: discord.Interaction[Any], **fields: Any) -> None:
    """Edit the message the button or select sits on (after a deferral too)."""
    async with _lock(interaction):
        if interaction.response.is_done():
            await interaction.edit_original_response(**fields)
        else:
            await interaction.response.edit_message(**fields)


async def answer_then(
    interaction: discord.Interaction[Any],
    answer: Awaitable[Any],
    *steps: Callable[[], Awaitable[Any]],
) -> None:
    """Await ``answer``, then each step in order; each runs even if what came before failed.

    A failed answer is logged (the member may have seen "This interaction failed", but the
    state is already stored and the rest must still happen); a failed step is logged with its
    traceback and the next step runs.
    """
    try:
        await answer
    except discord.HTTPException as exc:
        log.warning("could not answer interaction %s: %s", interaction.id, exc)
    for step in steps:
        try:
            await step()
        except Exception:
            log.exception("a step after answering interaction %s failed", interaction.id)
