"""Thin glue, one module per page: inputs -> the user's scope -> data -> layouts -> outputs."""
