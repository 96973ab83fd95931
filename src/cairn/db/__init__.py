"""Database plumbing: engine, declarative base, unit of work, change log, migrations."""

from cairn.db.base import Base
from cairn.db.database import Database
from cairn.db.uow import UnitOfWork

__all__ = ["Base", "Database", "UnitOfWork"]
