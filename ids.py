"""Component ids, one place for all pages (page-prefixed so they never collide)."""

# Shell
URL = "shell-url"
NAV = "shell-nav"

# Data page
DATA_REFRESH = "data-refresh"
DATA_COUNTS = "data-counts"
DATA_FRESHNESS = "data-freshness"
DATA_LOADS = "data-loads"
DATA_REJECTS = "data-rejects"
DATA_EXPORT_LOADS = "data-export-loads"
DATA_EXPORT_REJECTS = "data-export-rejects"
