"""Permission policy: actions map to generators that both decide and filter."""

from cairn.access.policy import Policy, Subject, records_policy
from cairn.core.filters import All, AnyOf, Filter, MatchAll, MatchNone, Term

__all__ = [
    "All",
    "AnyOf",
    "Filter",
    "MatchAll",
    "MatchNone",
    "Policy",
    "Subject",
    "Term",
    "records_policy",
]
