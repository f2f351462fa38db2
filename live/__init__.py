"""Live operation: the serving process is the one writer, and every way in goes through its ingest worker."""
