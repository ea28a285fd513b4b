"""The tour's opening: who the bot is, and every command."""

from __future__ import annotations

from tour import Section, Tour

ORDER = 0


async def about(tour: Tour) -> None:
    await tour.slash("sofia", "about")
    await tour.slash("aino", "about")
    tour.print()
    tour.print("  The same command answers each member in the language of their Discord.")


async def help_(tour: Tour) -> None:
    await tour.slash("marco", "help")
    tour.print()
    tour.print("  The bot speaks English and Finnish; Marco's Italian falls back to the")
    tour.print("  server's language, English.")


def sections() -> list[Section]:
    return [
        Section("Who the bot is: /about in two languages", about, budget=3.0),
        Section("Every command: /help", help_, budget=2.0),
    ]
