from cairn.access import AnyOf, MatchAll, MatchNone, Subject, Term, records_policy
from cairn.core.identity import ANONYMOUS, SYSTEM, Identity

OWNER = Identity(user_id=1)
OTHER = Identity(user_id=2)
ADMIN = Identity(user_id=3, roles=frozenset({"admin"}))


def test_public_records_readable_by_anyone_restricted_only_by_owners_and_admins():
    policy = records_policy()
    public = Subject(owner_ids=frozenset({1}), record_access="public")
    restricted = Subject(owner_ids=frozenset({1}), record_access="restricted")
    assert policy.allows("read", ANONYMOUS, public)
    assert not policy.allows("read", ANONYMOUS, restricted)
    assert not policy.allows("read", OTHER, restricted)
    assert policy.allows("read", OWNER, restricted)
    assert policy.allows("read", ADMIN, restricted)


def test_management_actions():
    policy = records_policy()
    subject = Subject(owner_ids=frozenset({1}))
    for action in ("update_draft", "delete_draft", "publish", "edit", "new_version"):
        assert policy.allows(action, OWNER, subject)
        assert policy.allows(action, ADMIN, subject)
        assert policy.allows(action, SYSTEM, subject)
        assert not policy.allows(action, OTHER, subject)
        assert not policy.allows(action, ANONYMOUS, subject)
    assert policy.allows("create", OWNER) and not policy.allows("create", ANONYMOUS)
    assert policy.allows("delete", ADMIN, subject) and not policy.allows("delete", OWNER, subject)
    assert not policy.allows("update", ADMIN, subject)


def test_generators_produce_matching_query_filters():
    policy = records_policy()
    assert policy.query_filter("read", ANONYMOUS) == Term("access.record", "public")
    assert policy.query_filter("read", OWNER) == AnyOf(
        (Term("access.record", "public"), Term("parent.access.owned_by.user", 1))
    )
    assert policy.query_filter("read", ADMIN) == MatchAll()
    assert policy.query_filter("edit", ANONYMOUS) == MatchNone()
