"""Plumbing shared by the REST API and the web pages: services, the caller, links."""
