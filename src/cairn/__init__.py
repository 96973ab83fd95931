"""Cairn: a turn-key research data repository that speaks the InvenioRDM REST API."""

__version__ = "0.1.0"
