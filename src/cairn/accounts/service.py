"""Account use cases: create and list users, issue, check and revoke access tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cairn.accounts.models import AccessToken, User, UserRole
from cairn.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from cairn.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from cairn.core.identity import ADMIN_ROLE, Identity
from cairn.core.timeutil import isoformat, utcnow
from cairn.db import Database

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_BYTES = 40


# built once: constructing a statement costs more than running it
_TOKEN_LOOKUP = (
    select(
        User.id,
        User.email,
        User.active,
        AccessToken.expires_at,
        AccessToken.revoked_at,
        UserRole.role,
    )
    .join(User, User.id == AccessToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(AccessToken.token_hash == bindparam("token_hash"))
)


def _password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Shorter than minimum length {MIN_PASSWORD_LENGTH}."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Longer than maximum length {MAX_PASSWORD_LENGTH}."
    return None


def hash_token(raw: str) -> str:
    """Tokens carry 320 random bits, so a fast hash is safe; argon2 would cost every request."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    active: bool
    roles: frozenset[str]
    created: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "email": self.email,
            "active": self.active,
            "roles": sorted(self.roles),
            "created": isoformat(self.created),
        }


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    email: str
    created: datetime
    expires_at: datetime | None
    revoked: bool


def user_info(user: User) -> UserInfo:
    return UserInfo(user.id, user.email, user.active, user.role_names, user.created)


def _token_info(token: AccessToken) -> TokenInfo:
    return TokenInfo(
        token.id,
        token.name,
        token.user.email,
        token.created,
        token.expires_at,
        token.revoked_at is not None,
    )


def session_stamp(user: User) -> str:
    """A value that changes when the user's password changes or the account is deactivated:
    a session cookie carries it, so such a change ends every open session."""
    seed = f"{user.id}:{user.active}:{user.password_hash or ''}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class SessionUser:
    """What a login puts into the session cookie."""

    identity: Identity
    stamp: str


class AccountService:
    def __init__(self, db: Database, registration: bool = True) -> None:
        self.db = db
        self.registration = registration

    # users ---------------------------------------------------------------
    def create_user(
        self, identity: Identity, email: str, password: str | None = None, admin: bool = False
    ) -> UserInfo:
        if not identity.is_admin:
            raise PermissionDenied()
        return self._insert_user(email, password, admin)

    def register(self, email: str, password: str) -> UserInfo:
        """Self-service sign-up (when the instance allows it)."""
        if not self.registration:
            raise PermissionDenied("Registration is closed on this repository.")
        if not password:
            raise ValidationFailed([FieldError("password", ["Missing data for required field."])])
        return self._insert_user(email, password, False)

    def _insert_user(self, email: str, password: str | None, admin: bool) -> UserInfo:
        email = email.strip().lower()
        errors = []
        if not EMAIL_RE.match(email) or len(email) > 255:
            errors.append(FieldError("email", ["Not a valid email address."]))
        if password is not None and (error := _password_problem(password)):
            errors.append(FieldError("password", [error]))
        if errors:
            raise ValidationFailed(errors)
        try:
            with self.db.write() as uow:
                user = User(
                    email=email,
                    password_hash=hash_password(password) if password else None,
                    active=True,
                )
                if admin:
                    user.roles.append(UserRole(role=ADMIN_ROLE))
                uow.session.add(user)
                uow.session.flush()
                info = user_info(user)
        except IntegrityError as exc:
            raise ValidationFailed(
                [FieldError("email", ["A user with this email already exists."])]
            ) from exc
        return info

    def list_users(self, identity: Identity) -> list[UserInfo]:
        if not identity.is_admin:
            raise PermissionDenied()
        with self.db.read() as session:
            return [user_info(u) for u in session.scalars(select(User).order_by(User.id))]

    def get_user_by_email(self, identity: Identity, email: str) -> UserInfo:
        if not identity.is_admin:
            raise PermissionDenied()
        with self.db.read() as session:
            user = self._find(session, email)
            return user_info(user)

    @staticmethod
    def _find(session: Session, email: str) -> User:
        user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise NotFound(f"No user with email {email}.")
        return user

    def authenticate_password(self, email: str, password: str) -> Identity | None:
        found = self.login(email, password)
        return found.identity if found else None

    def login(self, email: str, password: str) -> SessionUser | None:
        """The user with ``email`` if ``password`` is theirs and the account is active."""
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.active or not verify_password(user.password_hash, password):
                return None
            identity = Identity(user_id=user.id, email=user.email, roles=user.role_names)
            return SessionUser(identity, session_stamp(user))

    def identity_for_session(self, user_id: int, stamp: str) -> Identity | None:
        """The identity of a session cookie, or ``None`` once its user is deactivated or
        has changed the password since the login."""
        with self.db.read() as session:
            user = session.get(User, user_id)
            if user is None or not user.active or session_stamp(user) != stamp:
                return None
            return Identity(user_id=user.id, email=user.email, roles=user.role_names)

    def change_password(self, identity: Identity, current: str, new: str) -> SessionUser:
        """Change the caller's password; the result is the session to continue with."""
        if identity.user_id is None:
            raise PermissionDenied()
        with self.db.write() as uow:
            user = uow.session.get(User, identity.user_id)
            if user is None:
                raise NotFound("No such user.")
            errors = []
            if not verify_password(user.password_hash, current):
                errors.append(FieldError("current_password", ["The current password is wrong."]))
            if error := _password_problem(new):
                errors.append(FieldError("password", [error]))
            if errors:
                raise ValidationFailed(errors)
            user.password_hash = hash_password(new)
            return SessionUser(identity, session_stamp(user))

    # tokens --------------------------------------------------------------
    def create_token(
        self, identity: Identity, email: str, name: str = "default", days: int | None = None
    ) -> tuple[TokenInfo, str]:
        """Create a token for the user with ``email``; return it and the secret (shown once)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValidationFailed([FieldError("name", ["Length must be between 1 and 100."])])
        if days is not None and days < 0:
            raise ValidationFailed([FieldError("days", ["Must be 0 or more."])])
        raw = secrets.token_urlsafe(TOKEN_BYTES)
        with self.db.write() as uow:
            user = self._find(uow.session, email)
            if not (identity.is_admin or identity.user_id == user.id):
                raise PermissionDenied()
            expires = utcnow() + timedelta(days=days) if days else None
            token = AccessToken(
                user_id=user.id, name=name, token_hash=hash_token(raw), expires_at=expires
            )
            token.user = user
            uow.session.add(token)
            uow.session.flush()
            info = _token_info(token)
        return info, raw

    def list_tokens(self, identity: Identity, email: str | None = None) -> list[TokenInfo]:
        with self.db.read() as session:
            stmt = select(AccessToken).join(User).order_by(AccessToken.id)
            if email is not None:
                stmt = stmt.where(User.email == email.strip().lower())
            if not identity.is_admin:
                stmt = stmt.where(AccessToken.user_id == identity.user_id)
            return [_token_info(t) for t in session.scalars(stmt)]

    def revoke_token(self, identity: Identity, token_id: int) -> TokenInfo:
        with self.db.write() as uow:
            token = uow.session.get(AccessToken, token_id)
            if token is None:
                raise NotFound(f"No token with id {token_id}.")
            if not (identity.is_admin or identity.user_id == token.user_id):
                raise PermissionDenied()
            if token.revoked_at is None:
                token.revoked_at = utcnow()
            info = _token_info(token)
        return info

    def identity_for_token(self, raw: str) -> Identity | None:
        """The identity a bearer token stands for, or ``None`` if it is unknown,
        revoked, expired or its user is inactive."""
        if not raw or len(raw) > 512:
            return None
        with self.db.read() as session:
            # one row per role (or one without)
            rows = session.execute(_TOKEN_LOOKUP, {"token_hash": hash_token(raw)}).all()
        if not rows:
            return None
        user_id, email, active, expires_at, revoked_at, _ = rows[0]
        if revoked_at is not None or not active:
            return None
        if expires_at is not None and expires_at <= utcnow():
            return None
        roles = frozenset(row.role for row in rows if row.role is not None)
        return Identity(user_id=user_id, email=email, roles=roles)
