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
DATA_AUDIT = "data-audit"

# Header
USER_BADGE = "shell-user"


# Context bar (one per page; `page` is the page's prefix)
def period(page: str) -> str:
    return f"{page}-period"


def custom_range(page: str) -> str:
    return f"{page}-custom-range"


def scope_text(page: str) -> str:
    return f"{page}-scope-text"


# Agent page
AGENT_TILES = "agent-tiles"
AGENT_PANELS = "agent-panels"
AGENT_DAY = "agent-day"
AGENT_TIMELINE = "agent-timeline"
AGENT_HEADING = "agent-heading"

# Supervisor page
SUP_TEAM = "sup-team"
SUP_HEADING = "sup-heading"
SUP_TILES = "sup-tiles"
SUP_PANELS = "sup-panels"

# Manager page
MGR_CRUMBS = "mgr-crumbs"
MGR_HEADING = "mgr-heading"
MGR_TILES = "mgr-tiles"
MGR_PANELS = "mgr-panels"

# Control desk page
DESK_CLOCK = "desk-clock"
DESK_SITE = "desk-site"
DESK_TILES = "desk-tiles"
DESK_PANELS = "desk-panels"
DESK_DETAIL = "desk-detail"
DESK_HEATMAP = "desk-heatmap"

# Messages (shell) and actions
MSG_INBOX = "msg-inbox"
MSG_REFRESH = "msg-refresh"
REQ_FORM_WRAP = "req-form-wrap"
REQ_DAY = "req-day"
REQ_FROM = "req-from"
REQ_TO = "req-to"
REQ_REASON = "req-reason"
REQ_SUBMIT = "req-submit"
REQ_FEEDBACK = "req-feedback"
REQ_MINE = "req-mine"
REQ_PENDING = "req-pending"
REQ_NOTE = "req-note"
REQ_APPROVE = "req-approve"
REQ_DECLINE = "req-decline"
REQ_DECISION = "req-decision"
DESK_ALERT = "desk-alert"
DESK_ALERT_STATUS = "desk-alert-status"
DESK_SENT = "desk-sent"


def msg_ack(message_id: int) -> dict:
    return {"type": "msg-ack", "id": message_id}
