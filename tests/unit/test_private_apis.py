"""The one place s3cop leans on a library's internals, checked so a library upgrade that changes
it fails here, loudly, instead of quietly breaking the shutdown.

The bot's shutdown (``S3Bot._finish_interactions``) waits for the command, button and modal
handlers under way, found by the names discord.py gives their tasks: discord.py has no public
way to list them. (SQLite is reached through public APIs only, and the web server reads its port
from aiohttp's public ``AppRunner.addresses``.)
"""

from __future__ import annotations

import inspect

import discord.app_commands.tree
import discord.ui.modal
import discord.ui.view

from bot.client import INTERACTION_TASKS

WHERE = {
    "CommandTree-invoker": discord.app_commands.tree,
    "discord-ui-view-dispatch": discord.ui.view,
    "discord-ui-modal-dispatch": discord.ui.modal,
    "discord-ui-dynamic-item": discord.ui.view,
}


def test_discord_still_names_the_handler_tasks_the_shutdown_waits_for() -> None:
    assert set(INTERACTION_TASKS) == set(WHERE)
    for name, module in WHERE.items():
        source = inspect.getsource(module)
        assert f"name='{name}" in source or f"name=f'{name}" in source, (
            f"discord.py no longer names a task {name!r} in {module.__name__}: the shutdown "
            "would stop waiting for those handlers; update INTERACTION_TASKS in bot/client.py"
        )
