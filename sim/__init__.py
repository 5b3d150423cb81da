"""salesim: an agent-based simulator of B2B sales departments."""

# The one place of the version: pyproject.toml reads it from here (tool.setuptools.dynamic).

__version__ = "0.2.0"
