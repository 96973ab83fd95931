"""Records: the metadata schema, the tables and the record lifecycle service."""
