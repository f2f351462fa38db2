"""The `floorview` commands, one module per job; cli.py builds the parser from their `register` functions."""
