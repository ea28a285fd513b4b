"""/help packs each feature's commands into embed fields without cutting a line."""

from __future__ import annotations

from cogs.meta import field_values


def test_help_fields_keep_lines_whole() -> None:
    lines = [f"`/command{i}` " + "x" * 90 for i in range(25)]
    values = field_values(lines, limit=1024)
    assert all(len(v) <= 1024 for v in values) and len(values) == 3
    assert "\n".join(values).split("\n") == lines
