"""The bot in its own process against a sandbox in this one, as in production.

Benchmarks and the crash test run the bot this way: ``s3cop run`` started as a child process
with a config file pointing at the sandbox, killed (SIGKILL) or stopped (SIGTERM) like a host
would, and asked how it is through its own ``/healthz``. The sandbox's own CPU work then does
not share an event loop with the bot's (bench/README.md says why that matters).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.server import Sandbox

READY_TIMEOUT = 30.0
# The least time a member takes to fill a form (see the sandbox's ``form_time``): a human needs
# seconds; this is short of that but well past a loaded bot's reading of the form's answer.
FORM_TIME = 0.5


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _toml_value(value: Any) -> str:
    # JSON strings, numbers and booleans are valid TOML for the plain values written here.
    return json.dumps(value)


def write_bot_config(
    path: Path, sandbox: Sandbox, guild_id: int, db_path: Path, **sections: dict[str, Any]
) -> Path:
    """A config file for ``s3cop run`` against ``sandbox`` (the token goes in the environment)."""
    data: dict[str, dict[str, Any]] = {
        "discord": {
            "guild_id": guild_id,
            "api_base": sandbox.api_base,
            "gateway_url": sandbox.gateway_url,
        },
        "database": {"path": str(db_path)},
        "locale": {"timezone": "Europe/Brussels", "language": "en"},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    lines = []
    for name, values in data.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class BotProcess:
    """``s3cop run`` as a child process, with its health endpoint on a port of its own."""

    def __init__(
        self,
        sandbox: Sandbox,
        guild_id: int,
        directory: Path,
        *,
        log_level: str = "WARNING",
        profile: Path | None = None,
        **sections: dict[str, Any],
    ) -> None:
        self.sandbox = sandbox
        # Its members submit no form faster than a human could: this bot reads the answer that
        # opened the form in another process, on its own time.
        sandbox.backend.form_time = max(sandbox.backend.form_time, FORM_TIME)
        self.profile = profile
        self.directory = directory
        self.web_port = free_port()
        self.log_path = directory / "bot.log"
        self.db_path = directory / "s3cop.sqlite3"
        sections.setdefault("web", {}).update({"enabled": True, "port": self.web_port})
        sections.setdefault("logging", {}).update({"level": log_level})
        self.config = write_bot_config(
            directory / "config.toml", sandbox, guild_id, self.db_path, **sections
        )
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def start(self) -> None:
        """Start the bot; returns at once (see :meth:`wait_ready`)."""
        env = dict(os.environ, DISCORD_TOKEN=self.sandbox.token)
        profiler = ["-m", "cProfile", "-o", str(self.profile)] if self.profile else []
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *profiler,
                "-m",
                "bot",
                "run",
                "--config",
                str(self.config),
                env=env,
                stdout=log,
                stderr=log,
            )
        self.starts += 1

    async def health(self) -> dict[str, Any] | None:
        """The bot's ``/healthz`` answer, or None while it does not answer."""
        url = f"http://127.0.0.1:{self.web_port}/healthz"
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session,
                session.get(url) as response,
            ):
                body: dict[str, Any] = await response.json()
                return body
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError):
            return None

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait until the bot says it is connected and its database is writable."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process is not None and self.process.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}: {self.tail()}")
            health = await self.health()
            if health is not None and health.get("ok"):
                return health
            await asyncio.sleep(0.05)
        raise TimeoutError(f"the bot did not become ready: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a host dies or the OOM killer strikes."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def wait_exit(self, timeout: float = 15.0) -> int | None:  # noqa: ASYNC109
        if self.process is None:
            return None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.process.wait(), timeout)
        self.kill()
        return await self.process.wait()

    async def stop(self) -> int | None:
        """SIGTERM: the orderly stop ``s3cop run`` does on a host's shutdown."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait_exit()

    def tail(self, lines: int = 20) -> str:
        """The end of the bot's log, for failure messages."""
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
