"""Who is acting: every service call receives an :class:`Identity` first."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Identity:
    """A caller: an anonymous visitor, a user with roles, or the system itself."""

    user_id: int | None = None
    email: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.system

    @property
    def is_admin(self) -> bool:
        return self.system or ADMIN_ROLE in self.roles


ANONYMOUS = Identity()
SYSTEM = Identity(system=True)


def user_identity(
    user_id: int, email: str | None = None, roles: frozenset[str] = frozenset()
) -> Identity:
    return Identity(user_id=user_id, email=email, roles=roles)
