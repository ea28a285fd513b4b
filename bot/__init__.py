"""s3cop: a Discord bot for communities of practice."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("s3cop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
