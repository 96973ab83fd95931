"""Pure serializers (dict in, bytes out) in one registry used by every delivery channel."""

from cairn.formats.registry import Format, FormatRegistry, default_registry

__all__ = ["Format", "FormatRegistry", "default_registry"]
