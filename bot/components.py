"""Base classes for every feature's buttons, selects and modals: one error path, one custom_id
namespace per feature.

discord.py only logs what a persistent (dynamic) item's callback raises: the member would see
"This interaction failed" and nothing else. So a feature's items derive from :class:`Button` or
:class:`Select` and implement :meth:`FeatureItem.run`; the base class's ``callback`` sends every
failure through :func:`bot.tree.answer_error` (a :class:`~bot.errors.UserFacingError` as an
ephemeral message, anything else logged with an apology and an error id). A subclass cannot
override ``callback`` (a TypeError at import), so the path cannot be forgotten. Modals and
non-persistent views use :class:`Modal` and :class:`View`, whose ``on_error`` does the same.

Each feature declares its custom_id prefix once, on its own base class::

    class EventItem(Button, feature="events", prefix="ev"):
        '''The events feature's buttons.'''

    class RsvpButton(EventItem, template=r"(?P<event_id>\\d+):(?P<answer>going|maybe)"):
        def __init__(self, event_id: int, answer: str, label: str) -> None:
            ...  # custom_id "ev:12:going": self.custom_id_for(event_id, answer)

The template is matched after ``prefix:``; a prefix declared by a second feature is refused.
The item is made again from its custom_id (after a restart too) by calling the class with the
template's named groups as keyword arguments (a number for an ``int`` parameter) and, when it
takes one, the ``label`` it was shown with: name the groups after the parameters.
A feature's runtime objects (its service) are reached from an item through
``interaction.client.features[feature]``, which the feature's ``setup()`` fills.
"""

from __future__ import annotations

import inspect
import re
import weakref
from datetime import timedelta
from typing import Any, ClassVar, Self, TypeVar

import discord

from bot.answering import update
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.tree import answer_error, interaction_language

# prefix -> the feature that declared it
PREFIXES: dict[str, str] = {}
_NEVER = r"(?!)"  # the template of an abstract base: matches no custom_id
_PREFIX = re.compile(r"^[a-z][a-z0-9]{1,9}$")

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])


def declare_prefix(prefix: str, feature: str) -> None:
    """Reserve ``prefix`` for ``feature``; a second feature asking for it is a bug."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"custom_id prefix {prefix!r}: 2-10 lower-case letters or digits")
    owner = PREFIXES.setdefault(prefix, feature)
    if owner != feature:
        raise ValueError(f"custom_id prefix {prefix!r} is already {owner!r}'s, not {feature!r}'s")


_PARAMETERS: dict[type, dict[str, Any]] = {}


def _parameter_types(cls: type) -> dict[str, Any]:
    """The constructor's parameters and their types (string annotations resolved), once."""
    if cls not in _PARAMETERS:
        signature = inspect.signature(cls, eval_str=True)
        _PARAMETERS[cls] = {name: p.annotation for name, p in signature.parameters.items()}
    return _PARAMETERS[cls]


class FeatureItem(discord.ui.DynamicItem[ItemT], template=_NEVER):
    """A persistent component of one feature. Subclasses implement :meth:`run`."""

    feature: ClassVar[str] = ""
    prefix: ClassVar[str] = ""

    def __init_subclass__(
        cls,
        *,
        template: str | None = None,
        feature: str | None = None,
        prefix: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "callback" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides callback: implement run() instead, so its errors "
                "reach the member through the one error path"
            )
        if (feature is None) != (prefix is None):
            raise TypeError(f"{cls.__name__}: declare feature and prefix together")
        if feature is not None and prefix is not None:
            declare_prefix(prefix, feature)
            cls.feature, cls.prefix = feature, prefix
        if template is None:
            super().__init_subclass__(template=_NEVER, **kwargs)
            return
        if not cls.prefix:
            raise TypeError(f"{cls.__name__} has a template but no feature prefix above it")
        super().__init_subclass__(template=f"{re.escape(cls.prefix)}:{template}", **kwargs)

    @classmethod
    def custom_id_for(cls, *parts: object) -> str:
        """``prefix:part:part``: the custom_id this item's template reads back."""
        return ":".join([cls.prefix, *(str(p) for p in parts)])

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        """The item a member pressed, made again from its custom_id: the template's named
        groups as the constructor's keyword arguments, and the label it was shown with."""
        types = _parameter_types(cls)
        values: dict[str, Any] = {
            name: int(value) if types.get(name) is int else value
            for name, value in match.groupdict().items()
            if value is not None
        }
        if "label" in types:
            values["label"] = getattr(item, "label", None) or ""
        return cls(**values)

    @classmethod
    def state(cls, interaction: discord.Interaction[Any]) -> Any:
        """What the feature's ``setup()`` registered under its name (its service)."""
        return interaction.client.features[cls.feature]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.run(interaction)
        except Exception as exc:
            await answer_error(interaction, exc)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        """What pressing or choosing does; raise UserFacingError for what the member can fix."""
        raise NotImplementedError


class Button(FeatureItem[discord.ui.Button[Any]], template=None):
    """A feature's persistent button."""


class Select(FeatureItem[discord.ui.Select[Any]], template=None):
    """A feature's persistent select menu."""


class Confirm(Button, template=None):
    """One button of a "do it / keep it" question asked before something that cannot be undone
    (ask with :func:`confirm_view`, in an ephemeral reply). It is persistent, so a press after
    a restart is answered; its custom_id carries the target, the target's state when asked and
    the moment asked, so a press after the target changed, or from a question older than
    :attr:`window`, is refused instead of acting on what the member no longer sees.

    A feature's confirmation derives from this and its own feature base (for the prefix), with
    a template of ``(?P<target>\\d+):(?P<state>[\\w.-]*):(?P<asked>\\d+):(?P<choice>yes|keep)``
    after its own word, and implements :meth:`confirmed`; ``kept`` is what Keep answers.
    """

    window: ClassVar[timedelta] = timedelta(minutes=15)
    # i18n: the answer to Keep on a confirmation question
    kept: ClassVar[str] = _("Nothing was changed.")
    word: ClassVar[str] = ""  # what comes after the feature's prefix in the custom_id

    def __init__(self, target: int, state: str, asked: int, choice: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.danger
                if choice == "yes"
                else discord.ButtonStyle.secondary,
                custom_id=self.custom_id_for(self.word, target, state, asked, choice),
            )
        )
        self.target = target
        self.asked_state = state
        self.asked = asked
        self.choice = choice

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        language = interaction_language(interaction)
        if self.choice == "keep":
            await update(interaction, content=translate(language, self.kept), view=None)
            return
        refuse_stale(interaction, self.asked, self.window)
        await self.confirmed(interaction)

    async def confirmed(self, interaction: discord.Interaction[Any]) -> None:
        """Check that the target is still in ``asked_state``, act, and answer with
        :func:`bot.answering.update` (the question becomes the outcome)."""
        raise NotImplementedError


def refuse_stale(interaction: discord.Interaction[Any], asked: float, window: timedelta) -> None:
    """A press on a question asked (a POSIX time) longer than ``window`` ago is refused: the
    member answers what they see now, not what they were shown then."""
    if interaction.client.clock.now().timestamp() - asked > window.total_seconds():
        raise UserFacingError(
            _(
                "This question was asked more than {minutes} minutes ago, so I did nothing: "
                "run the command again."
            ),
            minutes=int(window.total_seconds() // 60),
        )


def confirm_view(
    kind: type[Confirm], target: int, state: str, asked: int, yes: str, keep: str
) -> discord.ui.View:
    """The question's two buttons: ``yes`` (acts) and ``keep`` (changes nothing)."""
    view = discord.ui.View(timeout=None)
    view.add_item(kind(target, state, asked, "yes", yes))
    view.add_item(kind(target, state, asked, "keep", keep))
    return view


class Modal(discord.ui.Modal):
    """A feature's modal: what ``on_submit`` raises reaches the member like any error."""

    # The forms this process opened, by custom_id (see :func:`answer_lost_form`).
    _opened: ClassVar[weakref.WeakValueDictionary[str, Modal]] = weakref.WeakValueDictionary()

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        Modal._opened[self.custom_id] = self

    # discord.py's Modal drops the item argument of the views' on_error (and says so the same way).
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await answer_error(interaction, error)


async def answer_lost_form(interaction: discord.Interaction[Any]) -> bool:
    """Tell a member whose form no one will take that nothing was saved; True if so.

    A form lives in the process that opened it, until it is submitted or its timeout. One
    opened before the bot restarted (a crash, a deploy) or left open too long is dropped by
    discord.py without a word, and the answer guard would leave the member looking at
    "thinking…" for good, believing it was saved. Called for every submitted form, before any
    handler can have finished with it."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: dict[str, Any] = dict(interaction.data or {})
    modal = Modal._opened.get(str(data.get("custom_id")))
    if modal is not None and not modal.is_finished():
        return False
    message = _(
        "This form was no longer open (the bot restarted, or it stayed open too long), so "
        "nothing was saved. Please open it again."
    )
    await answer_error(interaction, UserFacingError(message))
    return True


class View(discord.ui.View):
    """A feature's (non-persistent) view: its items' errors reach the member."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await answer_error(interaction, error)
