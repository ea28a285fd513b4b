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
* **Always within Discord's limits.** :func:`reply` and :func:`update` pass what they send
  through :func:`fit`: content to 2,000 characters, embeds to Discord's per-field limits and
  6,000 characters in all, at most 10 embeds. Discord refuses a message past any of these
  outright, and the member would hear nothing.
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
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000  # every embed of a message together
# Each embed's text fields: (where in its dict, Discord's cap).
EMBED_TEXTS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("title",), 256),
    (("description",), 4096),
    (("footer", "text"), 2048),
    (("author", "name"), 256),
)
FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 25, 256, 1024
_LOCK = "s3cop.answer_lock"
_DEFERRED = "s3cop.deferred_by_runtime"
_GUARDED = (
    discord.InteractionType.application_command,
    discord.InteractionType.component,
    discord.InteractionType.modal_submit,
)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when something was cut
    (nothing at all for a limit under 1)."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if limit > 0 else ""


def _embed_size(embed: dict[str, Any]) -> int:
    """What Discord counts towards the 6,000: title, description, fields, footer, author."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])


def _fit_embed(embed: discord.Embed, budget: int) -> discord.Embed | None:
    """``embed`` within Discord's limits and ``budget`` characters (None when no budget is
    left for it); the same object when it already fits, the usual case, at the cost of a few
    length checks."""
    data: dict[str, Any] = dict(embed.to_dict())
    fields = data.get("fields") or []
    fits = _embed_size(data) <= budget and len(fields) <= FIELDS_MAX
    fits = fits and all(
        len(f["name"]) <= FIELD_NAME_MAX and len(f["value"]) <= FIELD_VALUE_MAX for f in fields
    )
    fits = fits and all(len(_text(data, path)) <= limit for path, limit in EMBED_TEXTS)
    if fits:
        return embed
    for path, limit in EMBED_TEXTS:
        _set_text(data, path, clip(_text(data, path), limit))
    data["fields"] = [
        {**f, "name": clip(f["name"], FIELD_NAME_MAX), "value": clip(f["value"], FIELD_VALUE_MAX)}
        for f in fields[:FIELDS_MAX]
    ]
    # Over the budget: the description gives way first, then the last fields, then footer,
    # author and title.
    over = _embed_size(data) - budget
    if over > 0:
        description = _text(data, ("description",))
        _set_text(data, ("description",), clip(description, len(description) - over))
    while _embed_size(data) > budget and data["fields"]:
        data["fields"].pop()
    for path in (("footer", "text"), ("author", "name"), ("title",)):
        over = _embed_size(data) - budget
        if over > 0:
            _set_text(data, path, clip(_text(data, path), len(_text(data, path)) - over))
    if _embed_size(data) > budget:
        return None
    return discord.Embed.from_dict(data)


def _text(data: dict[str, Any], path: tuple[str, ...]) -> str:
    node = data
    for key in path[:-1]:
        node = node.get(key) or {}
    return str(node.get(path[-1]) or "")


def _set_text(data: dict[str, Any], path: tuple[str, ...], text: str) -> None:
    """Set a text of the embed's dict; an empty one is left out, as Discord wants."""
    node = data
    for key in path[:-1]:
        node = node.get(key) or {}
    if text:
        node[path[-1]] = text
    else:
        node.pop(path[-1], None)


def fit(fields: dict[str, Any]) -> dict[str, Any]:
    """A message's ``content``, ``embed`` and ``embeds`` (as discord.py's send and edit take
    them) cut to Discord's limits; every answer path sends through here."""
    content = fields.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        fields["content"] = clip(content, CONTENT_MAX)
    budget = EMBED_TOTAL_MAX
    for key in ("embed", "embeds"):
        given = fields.get(key)
        if not isinstance(given, discord.Embed | list):
            continue
        fitted = []
        for embed in [given] if isinstance(given, discord.Embed) else given[:EMBEDS_MAX]:
            kept = _fit_embed(embed, budget)
            if kept is None:  # no room left: the embeds after it are left out too
                break
            budget -= _embed_size(dict(kept.to_dict()))
            fitted.append(kept)
        if isinstance(given, discord.Embed):
            fields[key] = fitted[0] if fitted else None
        else:
            fields[key] = fitted
    return fields


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
    kwargs = fit({"content": content, **kwargs})
    content = kwargs.pop("content")
    view = kwargs.get("view")
    if isinstance(view, discord.ui.View) and _persistent(view):
        view.stop()  # a stopped view is rendered but not stored
    async with _lock(interaction):
        if interaction.response.is_done():
            text = discord.utils.MISSING if content is None else content
            await interaction.followup.send(text, ephemeral=ephemeral, **kwargs)
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
    fields = fit(fields)
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
