"""salesim: an agent-based simulator of B2B sales departments."""

__version__ = "0.2.0"
