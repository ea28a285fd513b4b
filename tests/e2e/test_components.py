"""Buttons, selects and modals: one error path without decorators, one custom_id prefix per
feature."""

from __future__ import annotations

import importlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import discord
import pytest

import cogs
from bot import components
from bot.client import EXTENSIONS
from bot.local import LocalCommunity
from db import events
from tests.e2e.events_helpers import announcement, create_event


async def test_a_button_that_raises_shows_the_apology_with_an_error_id(
    community: LocalCommunity,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await create_event(community)

    def broken(conn: sqlite3.Connection, *args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(events, "rsvp_of", broken)
    result = await community.as_member("aino").click(announcement(community), "Going")
    assert result.ephemeral and not result.failed
    assert "virhe" in result.content.lower()  # the apology, in Aino's Finnish
    error_id = result.content.split()[-1].strip(".")
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_modal_that_raises_shows_the_apology(
    community: LocalCommunity, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: sqlite3.Connection, *args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(events, "insert", broken)
    result = await create_event(community)
    assert result.ephemeral and "something went wrong" in result.content


def all_items() -> list[type[components.FeatureItem[Any]]]:
    """Every feature's persistent component classes, once the extensions are imported."""
    for name in EXTENSIONS:
        importlib.import_module(name)
    found, todo = [], list(components.FeatureItem.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_feature_has_its_own_custom_id_prefix() -> None:
    items = all_items()
    owners: dict[str, set[str]] = {}
    for cls in items:
        if cls.prefix:
            owners.setdefault(cls.prefix, set()).add(cls.feature)
    shared = {prefix: features for prefix, features in owners.items() if len(features) > 1}
    assert shared == {}, f"custom_id prefixes declared by more than one feature: {shared}"
    assert owners.get("ev") == {"events"}
    for cls in items:
        pattern = cls.__discord_ui_compiled_template__.pattern
        if pattern != "(?!)":
            assert pattern.startswith(re.escape(cls.prefix) + ":"), (cls, pattern)


def test_a_second_feature_cannot_take_a_prefix() -> None:
    with pytest.raises(ValueError, match="already 'events'"):

        class Stolen(components.Button, feature="polls", prefix="ev"):
            pass


def test_overriding_callback_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match="implement run"):

        class Sneaky(components.Button):
            async def callback(self, interaction: discord.Interaction[Any]) -> None:
                pass


def dynamic_items_of(feature: str) -> list[type[discord.ui.DynamicItem[Any]]]:
    all_items()  # imports every extension
    found, todo = [], list(discord.ui.DynamicItem.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(f"cogs.{feature}."):
            found.append(cls)
    return found


FEATURES = sorted(p.parent.name for p in Path(cogs.__file__).parent.glob("*/__init__.py"))


@pytest.mark.parametrize("feature", FEATURES)
def test_every_persistent_component_uses_the_shared_bases(feature: str) -> None:
    """Only the bases guarantee the error path and the prefix."""
    plain = [
        cls.__name__
        for cls in dynamic_items_of(feature)
        if not issubclass(cls, components.FeatureItem)
    ]
    assert plain == []
