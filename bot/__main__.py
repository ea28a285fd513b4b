"""``python -m bot``: the same as the ``s3cop`` command (what child processes run)."""

from bot.cli import main

raise SystemExit(main())
