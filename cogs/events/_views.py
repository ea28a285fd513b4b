"""Buttons and forms for events. Each answers the member itself from what the service returns;
none calls back into the cog. RSVP and paging buttons are persistent (DynamicItems under the
feature's custom_id prefix "ev"): they work after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from bot import components
from bot.answering import answer_then, update
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.members import asker
from bot.tree import interaction_language, reply
from cogs.events import _display as display
from cogs.events._display import ANSWER_LABELS, ANSWER_STYLES, ANSWERS
from cogs.events._rules import (
    CANCEL_TOLD,
    CHANGED_SINCE_ASKED,
    EDIT_OVERTAKEN,
    KEEP,
    WAITLIST,
    Occurrence,
    check_description,
)
from cogs.groups.directory import GroupDirectory, GroupRecord
from db.events import EventRecord

if TYPE_CHECKING:
    from cogs.events._announce import Announcer
    from cogs.events._queries import EventQueries
    from cogs.events._service import Edit, EventService

FEATURE = "events"
PAGE_SIZE = 5

# What the refusal names when someone who is no organiser asks.
CANCELLING = _("cancel events")


@dataclass(frozen=True)
class EventsFeature:
    """The feature's parts, as setup() registers them on the bot for its buttons."""

    service: EventService
    announce: Announcer
    queries: EventQueries


class EventItem(components.Button, feature=FEATURE, prefix="ev"):
    """The events feature's persistent buttons."""

    @classmethod
    def parts(cls, interaction: discord.Interaction[Any]) -> EventsFeature:
        found = cls.state(interaction)
        assert isinstance(found, EventsFeature), "the events extension is not loaded"
        return found


async def require_organiser(
    interaction: discord.Interaction[Any], action: str, group: GroupRecord | None = None
) -> None:
    """Organisers; for a working group's or partnership's event, its leads too."""
    members = interaction.client.members
    allowed = [members.organisers] + ([members.leads(group)] if group else [])
    await members.require(interaction, *allowed, action=action)


class RsvpButton(
    EventItem, template=r"(?P<event_id>\d+):(?P<occurrence>\d+):(?P<answer>going|maybe|declined)"
):
    """Going / Maybe / Can't go for one occurrence of one event."""

    def __init__(self, event_id: int, occurrence: str, answer: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=ANSWER_STYLES[answer],
                custom_id=self.custom_id_for(event_id, occurrence, answer),
            )
        )
        self.event_id = event_id
        self.occurrence = occurrence
        self.answer = answer

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        parts = self.parts(interaction)
        language = interaction_language(interaction)
        with parts.announce.answering(self.event_id):
            outcome = await parts.service.answer(
                interaction.guild_id or 0,
                self.event_id,
                self.occurrence,
                interaction.user.id,
                self.answer,
            )
        text = display.answer_text(
            language, outcome.event, outcome.occurrence, outcome.stored, outcome.position
        )
        await reply(
            interaction, text, view=rsvp_view(language, self.event_id, outcome.occurrence.key)
        )


def rsvp_view(language: str, event_id: int, occurrence: str | None) -> discord.ui.View:
    """The three answer buttons for an occurrence (none when there is nothing to answer)."""
    view = discord.ui.View(timeout=None)
    if occurrence is not None:
        for answer in ANSWERS:
            view.add_item(
                RsvpButton(event_id, occurrence, answer, translate(language, ANSWER_LABELS[answer]))
            )
    return view


class ListPageButton(EventItem, template=r"list:(?P<page>\d+)(?::(?P<channel>\d+))?"):
    """Paging through /event list (``channel``: only one group's events)."""

    def __init__(self, page: int, label: str, *, disabled: bool = False, channel: int = 0) -> None:
        parts = (page, channel) if channel else (page,)
        super().__init__(
            discord.ui.Button(
                label=label,
                custom_id=self.custom_id_for("list", *parts),
                disabled=disabled,
                style=discord.ButtonStyle.secondary,
            )
        )
        self.page = page
        self.channel = channel

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await list_page(
            self.parts(interaction).queries, interaction, self.page, self.channel
        )
        await update(interaction, embed=embed, view=view or discord.utils.MISSING)


def pager_view(language: str, page: int, pages: int, channel: int = 0) -> discord.ui.View | None:
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        ListPageButton(
            max(page - 1, 0),
            translate(language, _("◀ Earlier")),
            disabled=page == 0,
            channel=channel,
        )
    )
    view.add_item(
        ListPageButton(
            min(page + 1, pages - 1),
            translate(language, _("Later ▶")),
            disabled=page >= pages - 1,
            channel=channel,
        )
    )
    return view


async def list_page(
    queries: EventQueries, interaction: discord.Interaction[Any], page: int, channel: int = 0
) -> tuple[discord.Embed, discord.ui.View | None]:
    """One page of upcoming events with the member's own answers, and its pager; ``channel``
    keeps only the events announced there (a group's events are in its channel)."""
    language = interaction_language(interaction)
    upcoming = await queries.upcoming(interaction.guild_id or 0, asker(interaction))
    if channel:
        upcoming = [(e, o) for e, o in upcoming if e.channel_id == channel]
    pages = max((len(upcoming) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages - 1)
    shown = upcoming[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    mine = await queries.answers_of(interaction.user.id, [(e.id, o.key) for e, o in shown])
    embed = display.list_embed(language, shown, mine, page, pages)
    return embed, pager_view(language, page, pages, channel)


class DescriptionModal(components.Modal):
    """The long description, asked after /event create's options were checked; submitting it
    announces the event."""

    def __init__(
        self,
        parts: EventsFeature,
        language: str,
        draft: EventRecord,
        notes: list[str],
        *,
        open_thread: bool,
    ) -> None:
        super().__init__(
            title=display.description_form_title(language, draft.title), timeout=15 * 60
        )
        self.parts = parts
        self.draft = draft
        self.notes = notes
        self.open_thread = open_thread
        self.description: discord.ui.TextInput[DescriptionModal] = discord.ui.TextInput(
            custom_id="description",
            label=translate(language, _("Description"))[:45],
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
            placeholder=translate(language, _("Agenda, speakers, who should come…"))[:100],
        )
        self.add_item(self.description)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store, announce (and open the thread), tell the organiser, then mirror."""
        language = interaction_language(interaction)
        draft = replace(self.draft, description=check_description(self.description.value))
        service, queries = self.parts.service, self.parts.queries
        record, message = await service.publish(draft, open_thread=self.open_thread)
        schedule, _overrides = await queries.schedule_of(record)
        first = schedule.next_start({}, queries.now())
        text = display.created_text(language, record, message.jump_url, first)
        await answer_then(
            interaction,
            reply(interaction, "\n".join([text, *self.notes])),
            partial(service.mirror, record),
        )


async def finish_edit(
    interaction: discord.Interaction[Any],
    parts: EventsFeature,
    edit: Edit,
    notes: list[str],
    overflow: str = KEEP,
    *,
    updating: bool = False,
) -> None:
    """Store an /event edit and answer with every time understood (as after creating), then
    bring Discord in step. ``updating``: the answer replaces the capacity question."""
    language = interaction_language(interaction)
    edited = await parts.service.update_event(edit, overflow=overflow)
    lines = [display.updated_text(language, edit.old.id, edited.shown), *notes]
    if edited.announcement is not None:
        lines.append(display.moved_text(language, edited.announcement.jump_url))
    text = "\n".join(lines)
    answer = update(interaction, content=text, view=None) if updating else reply(interaction, text)
    await answer_then(interaction, answer, partial(parts.service.after_edit, edit, edited))


async def ask_overflow(
    interaction: discord.Interaction[Any],
    parts: EventsFeature,
    edit: Edit,
    notes: list[str],
    crowded: list[tuple[Occurrence, int]],
) -> None:
    """Asked when an edit lowers the capacity below those going: keep everyone, or move the
    latest answers to the waitlist. The edit waits in the database until the organiser chooses
    (:class:`OverflowButton`); the event itself is unchanged until then."""
    language = interaction_language(interaction)
    pending = await parts.service.ask_overflow(edit, notes, OverflowButton.window)
    moving = max(going for _occurrence, going in crowded) - (edit.new.capacity or 0)
    view = discord.ui.View(timeout=None)
    view.add_item(OverflowButton(pending, KEEP, translate(language, _("Keep everyone"))))
    waitlist = translate(language, _("Move the latest {count} to the waitlist"), count=moving)
    view.add_item(OverflowButton(pending, WAITLIST, waitlist))
    text = display.over_capacity_question(language, edit.new, crowded)
    await reply(interaction, text, view=view)


class OverflowButton(EventItem, template=r"capacity:(?P<pending>\d+):(?P<overflow>keep|waitlist)"):
    """Keep everyone / Move the latest to the waitlist. Persistent: the custom_id names the
    stored edit, so a press after a restart stores it; a press after the event changed again,
    or on a question older than the window (like a confirmation's), is refused."""

    window = components.Confirm.window

    def __init__(self, pending: int, overflow: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.primary
                if overflow == KEEP
                else discord.ButtonStyle.secondary,
                custom_id=self.custom_id_for("capacity", pending, overflow),
            )
        )
        self.pending = pending
        self.overflow = overflow

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        parts = self.parts(interaction)
        pending = await parts.queries.pending_edit(self.pending)
        # A question no longer stored was dropped for being older than the window.
        asked = pending.asked_at.timestamp() if pending else 0.0
        components.refuse_stale(interaction, asked, self.window)
        assert pending is not None
        event = await parts.queries.load(interaction.guild_id, pending.new.id)
        schedule, overrides = await parts.queries.schedule_of(event)
        before = schedule.find(overrides, pending.before)
        if event.sequence != pending.sequence or before is None:
            raise UserFacingError(EDIT_OVERTAKEN, id=event.id)
        # The service imports the announcer, which imports these views: read it when pressed.
        from cogs.events._service import Edit

        channel = discord.Object(pending.new.channel_id) if pending.moving else None
        edit = Edit(event, pending.new, before, channel, pending.thread)
        await finish_edit(interaction, parts, edit, pending.notes, self.overflow, updating=True)


async def ask_cancel(
    interaction: discord.Interaction[Any],
    parts: EventsFeature,
    event: EventRecord,
    target: Occurrence,
    *,
    whole: bool,
) -> None:
    """/event cancel's question: what goes and how many will be told, with Cancel it / Keep
    it. Nothing is stored until the organiser presses Cancel it (:class:`CancelButton`)."""
    language = interaction_language(interaction)
    rows = await parts.queries.answers(event.id, target.key)
    told = sum(1 for row in rows if row.answer in CANCEL_TOLD)
    state = f"{event.sequence}.{target.key}.{'all' if whole else 'one'}"
    view = components.confirm_view(
        CancelButton,
        event.id,
        state,
        int(parts.queries.now().timestamp()),
        translate(language, _("Cancel it")),
        translate(language, _("Keep it")),
    )
    text = display.cancel_question(language, event, target, whole=whole, told=told)
    await reply(interaction, text, view=view)


class CancelButton(
    components.Confirm,
    EventItem,
    template=r"cancel:(?P<target>\d+):(?P<state>[\w.-]*):(?P<asked>\d+):(?P<choice>yes|keep)",
):
    """/event cancel's Cancel it / Keep it. The state asked about is the event's sequence (every
    edit, moved or cancelled date raises it), the date and whether the whole event goes: a
    press after any of them changed is refused, and so is one on a question over 15 minutes
    old, after a restart too."""

    word = "cancel"
    # i18n: the answer to Keep it on /event cancel's question
    kept = _("Nothing was cancelled.")

    async def confirmed(self, interaction: discord.Interaction[Any]) -> None:
        parts = self.parts(interaction)
        language = interaction_language(interaction)
        sequence, key, scope = self.asked_state.split(".")
        event = await parts.queries.load(interaction.guild_id, self.target)
        group = await GroupDirectory(interaction.client).of_channel(
            event.guild_id, event.channel_id
        )
        await require_organiser(interaction, CANCELLING, group)
        if event.status != "scheduled":
            raise UserFacingError(_("Event #{id} is already cancelled."), id=event.id)
        whole = scope == "all"
        target = await parts.queries.pick_occurrence(event, None if whole else key)
        if str(event.sequence) != sequence or target.key != key:
            raise UserFacingError(CHANGED_SINCE_ASKED, id=event.id)
        updated = await parts.service.cancel(event, target, whole=whole)
        # Answer first: the announcement and the mirror are Discord's side, after.
        await answer_then(
            interaction,
            update(interaction, content=display.cancelled_answer(language), view=None),
            partial(parts.announce.cancelled, updated),
            partial(parts.service.mirror, updated),
        )
