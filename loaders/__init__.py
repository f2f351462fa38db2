"""Loaders: the only writers of the canonical and fact tables."""

from loaders.canonical import LoadError, LoadResult, load_file
from loaders.run import expand_paths, load_paths, scan_paths

__all__ = ["LoadError", "LoadResult", "expand_paths", "load_file", "load_paths", "scan_paths"]
