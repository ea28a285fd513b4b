"""Everything the bot does later, driven by the database.

Each scheduled action (a reminder, a poll's close, a support nudge) is a row in
``scheduled_actions``; APScheduler's AsyncIOScheduler holds a single timer for the earliest due
row (the single-dispatcher design), so start-up arms every pending row with one indexed query,
whatever their number, and memory does not grow with them.

The policy for rows that fell due while the bot was down (or busy), stated once:

* due less than ``LATE_AFTER`` ago: run normally;
* due longer ago, but within the grace window (``scheduler.grace_minutes``): run with
  ``late=True``, so the handler can say it is late;
* older than the grace window: marked ``missed`` with a note, never run; except for kinds
  registered with ``expires=False`` (notices to members, :mod:`bot.notices`), which run late
  whatever the outage.

Handlers send through :meth:`RunContext.once`, which makes each send exactly once:

1. a key already in ``sent_log`` is not sent again (a handler re-run after a restart or a crash
   sends only what it had not sent yet);
2. otherwise the send is first written down in ``send_intents``, then made with a message nonce
   derived from its key (:func:`nonce_for`), then moved to ``sent_log``;
3. an intent left over means the process died between the send and step 3: the send is made
   again with the same nonce, and Discord returns the message made the first time instead of a
   second one, as long as the first attempt began within its nonce window ("a few minutes";
   we count on :data:`NONCE_WINDOW`);
4. after a longer outage the send is still made again (a reminder shown twice beats one never
   shown), with a warning in the log: a duplicate then needs a crash in the milliseconds between
   Discord's answer and step 3 *and* an outage longer than the window.

A handler that raises is retried with backoff, at most ``MAX_ATTEMPTS`` times, then marked
``failed``; its sends that went through are not repeated.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.pacing import background
from db import scheduled
from db.database import Database
from db.scheduled import ScheduledAction

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 3
RETRY_BACKOFF = timedelta(minutes=1)
BATCH_SIZE = 100
_DISPATCH_JOB = "dispatch"
FAN_OUT = 8  # sends of one fan-out under way at once
# How long we count on Discord to de-duplicate a message nonce (its docs: "a few minutes").
NONCE_WINDOW = timedelta(minutes=2)


def nonce_for(key: str) -> str:
    """The message nonce for a once-key: the same key always gives the same nonce, 24 hex
    characters (Discord takes at most 25), 96 bits so two keys never share one in practice."""
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


@dataclass
class RunContext:
    """What a handler gets besides its action: lateness and once-only sending."""

    action: ScheduledAction
    late: bool
    _scheduler: Scheduler

    async def once(self, key: str, send: Callable[[str], Awaitable[Any]]) -> bool:
        """Make a send once (see the module's docstring); True if it was made now.

        ``send`` gets the nonce and must pass it to Discord (``channel.send(..., nonce=nonce)``):
        that is what makes a repeat after a crash return the first message.
        """
        return await self._scheduler.once(
            f"{self.action.dedupe_key}|{key}", self.action.guild_id, send
        )

    async def once_each(self, sends: Iterable[tuple[str, Callable[[str], Awaitable[Any]]]]) -> int:
        """:meth:`once` for each ``(key, send)`` of a fan-out (a reminder's DMs), a few under way
        at a time, so Discord's rate limits set the pace rather than each send's round trips.
        Every send is tried; the first failure is raised after. Returns how many were made."""
        slots = asyncio.Semaphore(FAN_OUT)

        async def one(key: str, send: Callable[[str], Awaitable[Any]]) -> bool:
            async with slots:
                return await self.once(key, send)

        results = await asyncio.gather(*(one(k, s) for k, s in sends), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(result is True for result in results)


Handler = Callable[[RunContext], Awaitable[None]]


class Scheduler:
    """Arms the earliest pending action, runs due ones, and keeps the database true."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        grace: timedelta,
        *,
        ready: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.db = db
        # Due actions wait for this (the bot's gateway cache being filled): a reminder that
        # fell due while the bot was down must not run before its channel is known.
        self._ready = ready
        self.clock = clock
        self.grace = grace
        self._handlers: dict[str, Handler] = {}
        self._lasting: set[str] = set()  # kinds that never expire (see the module's docstring)
        self._aps: AsyncIOScheduler | None = None  # see _timer()
        self._running = False
        self._dispatching = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()
        self.armed_for: datetime | None = None
        self._plan_changed = False  # set by plan()/cancel(), cleared by rearm_if_changed()

    def register(self, kind: str, handler: Handler, *, expires: bool = True) -> None:
        """Say which coroutine runs actions of ``kind``; features do this in ``cog_load``.
        ``expires=False``: an action of this kind is never missed, however late."""
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler
        if not expires:
            self._lasting.add(kind)

    async def start(self) -> None:
        """Arm the timer for the earliest pending row."""
        self._running = True
        await self.rearm()

    async def stop(self) -> None:
        """Stop taking work; wait for a dispatch under way to finish its current action."""
        self._running = False
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        async with self._dispatching:
            # Any dispatch still to come is waiting for the bot to be ready or for this lock,
            # and has sent nothing: it can go.
            for task in list(self._tasks):
                task.cancel()

    # -- planning -----------------------------------------------------------------------------

    def plan(
        self,
        conn: sqlite3.Connection,
        *,
        guild_id: int,
        kind: str,
        key: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Plan an action inside the caller's write (in SQLite's thread, see
        :mod:`db.database`); call :meth:`rearm_if_changed` after it committed."""
        if kind not in self._handlers:
            raise ValueError(f"no handler registered for {kind!r}")
        self._plan_changed = True
        scheduled.upsert(
            conn,
            guild_id=guild_id,
            kind=kind,
            dedupe_key=key,
            due_at=due_at,
            payload=payload or {},
            now=self.clock.now(),
        )

    def cancel(self, conn: sqlite3.Connection, key_prefix: str) -> None:
        """Cancel pending actions by key prefix inside the caller's write."""
        self._plan_changed = True
        scheduled.cancel_prefix(conn, key_prefix, self.clock.now())

    async def once(self, key: str, guild_id: int, send: Callable[[str], Awaitable[Any]]) -> bool:
        """Make a send once under ``key`` (see the module's docstring); True if it was made
        now. Scheduled handlers use :meth:`RunContext.once`; the bot's one-time notices to the
        admins use this."""
        if await self.db.read(scheduled.was_sent, key):
            return False
        started = await self.db.write(scheduled.intend, key, guild_id, self.clock.now())
        if self.clock.now() - started > NONCE_WINDOW:
            log.warning(
                "sending %s again: an attempt began at %s, beyond the nonce window; if it was "
                "delivered, members see it twice",
                key,
                started.isoformat(),
            )
        await send(nonce_for(key))
        await self.db.write(scheduled.mark_sent, key, guild_id, self.clock.now())
        return True

    async def next_due(self) -> datetime | None:
        """When the earliest pending action is due."""
        return await self.db.read(scheduled.next_due)

    async def pending(self) -> int:
        """How many actions wait (for the health check)."""
        return await self.db.read(scheduled.pending_count)

    async def rearm_if_changed(self) -> None:
        """After a write: re-arm if it planned or cancelled anything (a feature's one exit
        calls this after every commit, so a burst of RSVPs, which plans nothing, costs no
        extra read)."""
        if self._plan_changed:
            self._plan_changed = False
            await self.rearm()

    async def rearm(self) -> None:
        """Point the timer at the earliest pending row (after any change to the plan)."""
        if not self._running:
            return
        next_due = await self.next_due()
        self.armed_for = next_due
        if next_due is None:
            if self._aps is not None and self._aps.get_job(_DISPATCH_JOB):
                self._aps.remove_job(_DISPATCH_JOB)
            return
        from apscheduler.triggers.date import DateTrigger

        # The trigger runs on real time; translate the (possibly fake) clock's delay into it.
        delay = max(next_due - self.clock.now(), timedelta(0))
        self._timer().add_job(
            self._fire,
            DateTrigger(run_date=datetime.now(UTC) + delay, timezone=UTC),
            id=_DISPATCH_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _timer(self) -> AsyncIOScheduler:
        """APScheduler's timer, imported and started when a first row is armed: a start with
        nothing pending (a new community) does without the import (about 13 ms)."""
        if self._aps is None:
            from apscheduler.schedulers.asyncio import AsyncIOScheduler

            self._aps = AsyncIOScheduler(timezone=UTC)
        if not self._aps.running:
            self._aps.start()
        return self._aps

    async def _fire(self) -> None:
        task = asyncio.create_task(self.run_due(), name="s3cop-scheduler-dispatch")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- running ------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Run every action due by now (in batches, each row once); returns how many ran."""
        ran = 0
        if self._ready is not None:
            await self._ready()
        # Members' requests go before the fan-outs (bot/pacing.py).
        with background():
            async with self._dispatching:
                # Bounded: each pass finishes or reschedules every row it takes.
                for _ in range(10_000):
                    if not self._running:
                        break
                    batch = await self.db.read(scheduled.due, self.clock.now(), BATCH_SIZE)
                    if not batch:
                        break
                    for action in batch:
                        if not self._running:
                            break
                        ran += await self._run_one(action)
        await self.rearm()
        return ran

    async def _run_one(self, action: ScheduledAction) -> int:
        now = self.clock.now()
        overdue = now - action.due_at
        expired = overdue > self.grace and overdue > LATE_AFTER
        if expired and action.kind not in self._lasting:
            note = f"missed: due {action.due_at.isoformat()}, bot was away {overdue}"
            log.warning("scheduled %s %s %s", action.kind, action.dedupe_key, note)
            await self.db.write(scheduled.finish, action.id, "missed", now, note)
            return 0
        handler = self._handlers.get(action.kind)
        if handler is None:
            note = f"no handler for {action.kind}"
            await self.db.write(scheduled.finish, action.id, "failed", now, note)
            return 0
        try:
            await handler(RunContext(action, overdue > LATE_AFTER, self))
        except Exception:
            log.exception("scheduled action %s (%s) failed", action.dedupe_key, action.kind)
            if action.attempts + 1 >= MAX_ATTEMPTS:
                note = "handler raised; gave up"
                await self.db.write(scheduled.finish, action.id, "failed", now, note)
            else:
                retry_at = now + RETRY_BACKOFF * (action.attempts + 1)
                note = "handler raised; retrying"
                await self.db.write(scheduled.retry_later, action.id, retry_at, note)
            return 0
        await self.db.write(scheduled.finish, action.id, "done", self.clock.now(), None)
        return 1
