"""Users, roles, password hashing and personal access tokens."""
