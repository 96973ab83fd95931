"""Framework-free building blocks: identity, errors, ids, time."""
