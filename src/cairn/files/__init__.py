"""Files of drafts and records: entries, upload protocols, quotas, fixity, archives."""
