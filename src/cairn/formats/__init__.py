"""Pure serializers (dict in, bytes out) in one registry used by every delivery channel."""

from cairn.formats.catalog import default_registry
from cairn.formats.registry import Format, FormatRegistry

__all__ = ["Format", "FormatRegistry", "default_registry"]
