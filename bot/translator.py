"""discord.py's Translator hook, answered from the same catalogs as every other string."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import NAME_CONTEXT, SOURCE_LANGUAGE, SUPPORTED_LANGUAGES, lookup

_NAME_LOCATIONS = {
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
}


class CatalogTranslator(app_commands.Translator):
    """Localises command names, descriptions and choices for every supported language."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = str(locale.value).split("-")[0]
        if language == SOURCE_LANGUAGE or language not in SUPPORTED_LANGUAGES:
            return None
        message_context = NAME_CONTEXT if context.location in _NAME_LOCATIONS else None
        return lookup(language, string.message, message_context)
