"""The InvenioRDM-compatible REST API: thin handlers over the services."""
