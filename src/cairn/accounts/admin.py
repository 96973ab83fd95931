"""Administering users: find them, activate or deactivate them, give and take roles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from cairn.accounts.models import User, UserRole
from cairn.accounts.service import UserInfo, user_info
from cairn.core.errors import (
    FieldError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from cairn.core.identity import ADMIN_ROLE, Identity
from cairn.db import Database

ROLE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,79}$")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class UserPage:
    users: list[UserInfo]
    total: int


class UserAdministration:
    """Admin-only use cases on accounts (the web admin pages and the CLI share them)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _require_admin(identity: Identity) -> None:
        if not identity.is_admin:
            raise PermissionDenied()

    def search(self, identity: Identity, q: str = "", page: int = 1, size: int = 25) -> UserPage:
        """Users whose email contains ``q`` (case-insensitive), oldest first."""
        self._require_admin(identity)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidRequest("page must be 1 or more and size between 1 and 100.")
        stmt = select(User)
        if q.strip():
            escaped = (
                q.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            )
            stmt = stmt.where(func.lower(User.email).like(f"%{escaped}%", escape="\\"))
        with self.db.read() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(stmt.order_by(User.id).offset((page - 1) * size).limit(size))
            return UserPage([user_info(u) for u in rows], int(total))

    def get(self, identity: Identity, user_id: int) -> UserInfo:
        self._require_admin(identity)
        with self.db.read() as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound(f"No user with id {user_id}.")
            return user_info(user)

    def emails(self, identity: Identity, user_ids: Iterable[int]) -> dict[int, str]:
        """The email address of each existing user among ``user_ids`` (to name the owners
        in a page of records); at most ``MAX_PAGE_SIZE * 10`` ids at once."""
        self._require_admin(identity)
        wanted = sorted(set(user_ids))
        if len(wanted) > MAX_PAGE_SIZE * 10:
            raise InvalidRequest("Too many users asked for at once.")
        if not wanted:
            return {}
        with self.db.read() as session:
            rows = session.execute(select(User.id, User.email).where(User.id.in_(wanted)))
            return {int(uid): str(email) for uid, email in rows}

    def set_active(self, identity: Identity, user_id: int, active: bool) -> UserInfo:
        """Deactivating ends the user's sessions and makes their tokens stop working."""
        self._require_admin(identity)
        if not active and identity.user_id == user_id:
            raise ValidationFailed([FieldError("active", ["You cannot deactivate yourself."])])
        with self.db.write() as uow:
            user = uow.session.get(User, user_id)
            if user is None:
                raise NotFound(f"No user with id {user_id}.")
            user.active = active
            return user_info(user)

    def set_roles(self, identity: Identity, user_id: int, roles: list[str]) -> UserInfo:
        self._require_admin(identity)
        wanted = {r.strip().lower() for r in roles if r.strip()}
        bad = sorted(r for r in wanted if not ROLE_RE.match(r))
        if bad:
            raise ValidationFailed([FieldError("roles", [f"Not a valid role name: {bad[0]}."])])
        if identity.user_id == user_id and ADMIN_ROLE not in wanted:
            raise ValidationFailed(
                [FieldError("roles", ["You cannot remove your own admin role."])]
            )
        with self.db.write() as uow:
            user = uow.session.get(User, user_id)
            if user is None:
                raise NotFound(f"No user with id {user_id}.")
            user.roles = [r for r in user.roles if r.role in wanted]
            have = {r.role for r in user.roles}
            user.roles.extend(UserRole(role=r) for r in sorted(wanted - have))
            uow.session.flush()
            return user_info(user)
