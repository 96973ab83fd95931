"""OAI-PMH 2.0: the protocol (verbs, arguments, errors), its XML and resumption tokens."""
