"""What support tells people: the triage card, posts in the requester's thread, nudges, and the
admin log when an admin must act; and what it reads back from Discord, the thread's messages
and files copied into the transcript (the service stores them). The requester's courtesy DMs
are notices the service stores with each change (bot/notices.py), sent once by the scheduler.

The thread is where the requester learns everything (DMs are a courtesy: closed DMs are
skipped); the card is the secretariat's view. Card and thread are repaired, not lost: a card an
admin deleted is posted again, and the admin log says so.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import _, translate
from cogs.support._display import request_embed, title, ts
from cogs.support._rules import Nudge, NudgeTarget
from cogs.support._views import card_view, reopen_view
from db.support import KeptMessage, SupportRequest

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)

TRANSCRIPT_LIMIT = 5000  # messages copied per resolve

REOPEN_HINT = _("Not what you needed? Press Reopen within {days} days.")


class Announcer:
    """Posts for support requests, and the nudge's DM to the claimer."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot

    @property
    def staff_language(self) -> str:
        """The card and nudges speak the community's language."""
        return self.bot.default_language

    def channel(self, guild: discord.Guild, ref: str | int) -> discord.TextChannel | None:
        return self.bot.find_channel(guild, ref)

    def triage(self, guild: discord.Guild) -> discord.TextChannel | None:
        return self.channel(guild, self.bot.settings.support.triage_channel)

    async def admin(self, guild: discord.Guild, key: str, text: str, /, **params: object) -> None:
        """Tell the admins once per ``key`` (in the community's language)."""
        await self.bot.admin_log_once(
            guild, f"support:{key}", translate(self.staff_language, text, **params)
        )

    async def thread(self, guild: discord.Guild, thread_id: int | None) -> discord.Thread | None:
        """A thread by id, None if it was deleted. From the cache, else fetched: discord.py
        drops archived threads from its cache (a quiet request's thread archives after a week),
        and a message sent to one unarchives it."""
        if thread_id is None:
            return None
        found = guild.get_thread(thread_id)
        if found is not None:
            return found
        try:
            fetched = await guild.fetch_channel(thread_id)
        except discord.NotFound:
            return None
        return fetched if isinstance(fetched, discord.Thread) else None

    # -- the card -----------------------------------------------------------------------------

    async def post_card(
        self, guild: discord.Guild, request: SupportRequest, *, nonce: str | None = None
    ) -> discord.Message | None:
        """Post the request's card in the triage channel (the service stores where it is)."""
        triage = self.triage(guild)
        if triage is None:
            await self.admin(
                guild,
                "no-triage",
                _(
                    "Support requests need the triage channel {channel} (setting "
                    "support.triage_channel): create it, secretariat-only. Request #{id} waits "
                    "for it."
                ),
                channel=self.bot.settings.support.triage_channel,
                id=request.id,
            )
            return None
        language = self.staff_language
        once: dict[str, Any] = {"nonce": nonce} if nonce else {}
        return await triage.send(
            embed=request_embed(language, request, card=True),
            view=card_view(language, request),
            **once,
        )

    async def open_notes(
        self, guild: discord.Guild, request: SupportRequest
    ) -> discord.Thread | None:
        """The staff-only notes thread, started from the card (None while there is no card)."""
        channel = guild.get_channel(request.card_channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or request.card_message_id is None:
            return None
        card = channel.get_partial_message(request.card_message_id)
        name = translate(self.staff_language, _("Notes on #{id}"), id=request.id)
        return await card.create_thread(name=name[:100])

    async def notes_opening(
        self, notes: discord.Thread, request: SupportRequest, nonce: str
    ) -> None:
        """The notes thread's first line: who reads it."""
        text = translate(
            self.staff_language,
            _("Staff-only notes on request #{id}; the requester does not see this thread."),
            id=request.id,
        )
        await notes.send(text, nonce=nonce)

    async def refresh_card(
        self, guild: discord.Guild, request: SupportRequest
    ) -> discord.Message | None:
        """Show the request's current state on its card; a deleted card is posted again (the
        new card is returned, for the service to store where it is)."""
        if request.card_channel_id is None or request.card_message_id is None:
            return None
        channel = guild.get_channel(request.card_channel_id)
        language = self.staff_language
        if isinstance(channel, discord.TextChannel):
            try:
                await channel.get_partial_message(request.card_message_id).edit(
                    embed=request_embed(language, request, card=True),
                    view=card_view(language, request),
                )
                return None
            except discord.NotFound:
                pass
        await self.admin(
            guild,
            f"{request.id}:card-lost:{request.card_message_id}",
            _("The card of support request #{id} was deleted; I posted it again."),
            id=request.id,
        )
        return await self.post_card(guild, request)

    # -- the thread and the requester ---------------------------------------------------------

    async def opening(
        self, thread: discord.Thread, request: SupportRequest, *, restored: bool, nonce: str
    ) -> None:
        """The thread's first message: what was asked, and who can read it."""
        language = request.language
        text = translate(
            language,
            _(
                "<@{requester}>, this private thread is for your request #{id}. Only you, the "
                "secretariat and people they add can read it. Add anything here (files too); "
                "the secretariat answers here."
            ),
            requester=request.requester_id,
            id=request.id,
        )
        if restored:
            text += "\n" + translate(
                language,
                _("(The earlier thread of this request was deleted; this one replaces it.)"),
            )
        await thread.send(text, embed=request_embed(language, request, card=False), nonce=nonce)

    async def tell(
        self,
        thread: discord.Thread,
        request: SupportRequest,
        action: str,
        text: str,
        nonce: str,
    ) -> None:
        """A change, in the thread: what the requester sees (the DM is the service's notice).
        A failure is raised, so the send is tried again with the same nonce."""
        view = discord.utils.MISSING
        if action == "resolve":
            days = self.bot.settings.support.reopen_days
            text += "\n" + translate(request.language, REOPEN_HINT, days=days)
            view = reopen_view(request.language, request)
        await thread.send(text, view=view, nonce=nonce)

    async def tell_new(self, guild: discord.Guild, request: SupportRequest, nonce: str) -> None:
        """The triage channel hears of a new request."""
        text = translate(
            self.staff_language,
            _("New support request #{id} from <@{who}>: {topic} ({region})."),
            id=request.id,
            who=request.requester_id,
            topic=request.topic,
            region=request.region,
        )
        await self.tell_staff(guild, request, text, nonce=nonce)

    async def tell_reopened(
        self, guild: discord.Guild, request: SupportRequest, actor_id: int, nonce: str
    ) -> None:
        """The triage channel hears that a request was reopened."""
        text = translate(
            self.staff_language,
            _("Request #{id} was reopened by <@{who}>."),
            id=request.id,
            who=actor_id,
        )
        await self.tell_staff(guild, request, text, nonce=nonce)

    async def tell_staff(
        self,
        guild: discord.Guild,
        request: SupportRequest,
        text: str,
        mentions: discord.AllowedMentions | None = None,
        nonce: str | None = None,
    ) -> None:
        """A line in the triage channel, as a reply to the card when it is there."""
        triage = self.triage(guild)
        if triage is None:
            return
        mentions = mentions or discord.AllowedMentions.none()
        once: dict[str, Any] = {"nonce": nonce} if nonce else {}
        if request.card_message_id and request.card_channel_id == triage.id:
            card = triage.get_partial_message(request.card_message_id)
            try:
                await triage.send(text, reference=card, allowed_mentions=mentions, **once)
                return
            except discord.HTTPException:
                pass  # the card is gone: say it without the reply
        await triage.send(text, allowed_mentions=mentions, **once)

    def _claimer_nudge(self, request: SupportRequest) -> str:
        since = request.awaiting_staff_since or request.created_at
        return translate(
            self.staff_language,
            _("<@{who}>, request #{id} ({topic}) has waited for an answer since {since}."),
            who=request.claimed_by,
            id=request.id,
            topic=request.topic,
            since=ts(since, "f"),
        )

    async def nudge_dm(self, request: SupportRequest, nonce: str) -> None:
        """The claimer's own copy of their nudge, by DM (its own send, with its own nonce)."""
        if request.claimed_by is not None:
            text = f"{self._claimer_nudge(request)} {title(request)}"
            await self.bot.members.dm(request.claimed_by, content=text, nonce=nonce)

    async def nudge(
        self, guild: discord.Guild, request: SupportRequest, nudge: Nudge, *, nonce: str
    ) -> None:
        """Remind whoever the nudge is for that the request waits (in the notes thread or the
        triage channel; the claimer's DM is :meth:`nudge_dm`)."""
        language = self.staff_language
        since = request.awaiting_staff_since or request.created_at
        if nudge.target == NudgeTarget.TRIAGE:
            text = translate(
                language,
                _(
                    "Request #{id} ({topic}, {region}) has waited since {since} with nobody on it. "
                    "Can someone claim it?"
                ),
                id=request.id,
                topic=request.topic,
                region=request.region,
                since=ts(since, "f"),
            )
            await self.tell_staff(guild, request, text, nonce=nonce)
        elif nudge.target == NudgeTarget.CLAIMER:
            text = self._claimer_nudge(request)
            ping = discord.AllowedMentions(users=[discord.Object(request.claimed_by or 0)])
            notes = await self.thread(guild, request.notes_thread_id)
            if notes is not None:
                await notes.send(text, allowed_mentions=ping, nonce=nonce)
            else:
                await self.tell_staff(guild, request, text, ping, nonce)
        else:
            role = self.bot.find_role(guild, self.bot.settings.roles.secretariat)
            text = translate(
                language,
                _(
                    "Request #{id} ({topic}), handled by <@{who}>, still waits for an answer "
                    "since {since}. Can someone help?"
                ),
                id=request.id,
                topic=request.topic,
                who=request.claimed_by,
                since=ts(since),
            )
            if role is not None:
                text = f"{role.mention} {text}"
            ping = discord.AllowedMentions(roles=[role] if role else [])
            await self.tell_staff(guild, request, text, ping, nonce)

    # -- the transcript -----------------------------------------------------------------------

    async def copy_transcript(
        self, guild: discord.Guild, request: SupportRequest, kept_files: set[int]
    ) -> tuple[list[KeptMessage], list[tuple[int, int, str, str | None, bytes]]] | None:
        """The thread's messages, and its files not in ``kept_files``, for the service to
        keep; None when the thread is gone or Discord failed (the admins are told)."""
        thread = await self.thread(guild, request.thread_id)
        if thread is None:
            return None
        messages: list[KeptMessage] = []
        files: list[tuple[int, int, str, str | None, bytes]] = []
        try:
            async for message in thread.history(limit=TRANSCRIPT_LIMIT, oldest_first=True):
                text = message.content
                for embed in message.embeds:
                    text += "\n" + "\n".join(
                        part for part in (embed.title, embed.description) if part
                    )
                messages.append(
                    KeptMessage(
                        message.id,
                        message.author.id,
                        message.author.display_name,
                        message.created_at,
                        text.strip(),
                    )
                )
                for attachment in message.attachments:
                    if attachment.id not in kept_files:
                        data = await attachment.read()
                        files.append(
                            (
                                message.id,
                                attachment.id,
                                attachment.filename,
                                attachment.content_type,
                                data,
                            )
                        )
        except discord.HTTPException as exc:
            await self.admin(
                guild,
                f"{request.id}:transcript",
                _("I could not keep the transcript of support request #{id}: {error}"),
                id=request.id,
                error=str(exc)[:200],
            )
            return None
        return messages, files
