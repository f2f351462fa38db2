"""Component ids, one place for all pages (page-prefixed so they never collide)."""

from typing import Any

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
AGENT_BACK = "agent-back"  # a leader's breadcrumb back to the agent's team
AGENT_DAY_TITLE = "agent-day-title"

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
DESK_TODAY = "desk-today"


def today_alert(site: str) -> dict[str, Any]:
    """The one-click alert of a site on the control desk's "Today so far"."""
    return {"type": "today-alert", "site": site}


DESK_ALERT_STATUS = "desk-alert-status"
DESK_SENT = "desk-sent"


def msg_ack(message_id: int) -> dict[str, Any]:
    return {"type": "msg-ack", "id": message_id}

# Targets page
TGT_KPI = "tgt-kpi"
TGT_LEVEL = "tgt-level"
TGT_PLACE = "tgt-place"
TGT_VALUE = "tgt-value"
TGT_AMBER = "tgt-amber"
TGT_FROM = "tgt-from"
TGT_TO = "tgt-to"
TGT_REASON = "tgt-reason"
TGT_SAVE = "tgt-save"
TGT_FEEDBACK = "tgt-feedback"
TGT_CURRENT = "tgt-current"
TGT_RULES = "tgt-rules"
TGT_EXPORT = "tgt-export"

# Adherence exceptions (agent page, leaders only)
EXC_WRAP = "exc-wrap"
EXC_REASON = "exc-reason"
EXC_FEEDBACK = "exc-feedback"


def exc_approve(span: str) -> dict[str, Any]:
    """An 'Approve' button for one out-of-adherence stretch; span is 'start|end' in site-local ISO time."""
    return {"type": "exc-approve", "span": span}

# Messages page
MSG_LEVEL = "msg-level"
MSG_TO = "msg-to"
MSG_KIND = "msg-kind"
MSG_KPI = "msg-kpi"
MSG_PERIOD = "msg-period"
MSG_BODY = "msg-body"
MSG_SEND = "msg-send"
MSG_FEEDBACK = "msg-feedback"
MSG_SENT = "msg-sent"

# People (admin) page
PPL_GRID = "ppl-grid"
PPL_USERNAME = "ppl-username"
PPL_NAME = "ppl-name"
PPL_ROLE = "ppl-role"
PPL_PLACE = "ppl-place"
PPL_PASSWORD = "ppl-password"
PPL_ADD = "ppl-add"
PPL_NEW_PASSWORD = "ppl-new-password"
PPL_SET_PASSWORD = "ppl-set-password"
PPL_DISABLE = "ppl-disable"
PPL_ENABLE = "ppl-enable"
PPL_FEEDBACK = "ppl-feedback"

# Real-time adherence (/live).
RTA_TICK = "rta-tick"
RTA_SITE = "rta-site"
RTA_TEAM = "rta-team"
RTA_STATUS = "rta-status"
RTA_ACTIVITY = "rta-activity"
RTA_COUNTS = "rta-counts"
RTA_TABLE = "rta-table"
AGENT_NOW = "agent-now"
AGENT_NOW_TICK = "agent-now-tick"

# Live: the poll, the versions it finds (one store per store.TOPICS: a page's panels listen to the topics they
# show), and the "data as of" line on every page.
LIVE_TICK = "live-tick"
DATA_VERSION = "data-version"
MESSAGES_VERSION = "messages-version"
EVENTS_VERSION = "events-version"
VERSION_STORES = {"data": DATA_VERSION, "messages": MESSAGES_VERSION, "events": EVENTS_VERSION}
DATA_AS_OF = "data-as-of"
DATA_PROGRESS = "data-progress"
DATA_UPLOAD = "data-upload"
DATA_UPLOAD_RESULT = "data-upload-result"

# Follow-ups page (the survey HOTLINE)
FU_STATUS = "fu-status"
FU_OVERDUE = "fu-overdue"
FU_SITE = "fu-site"
FU_GRID = "fu-grid"
FU_EXPORT = "fu-export"
FU_CASE = "fu-case"
FU_ACTIONS = "fu-actions"
FU_ACTION = "fu-action"
FU_NOTE = "fu-note"
FU_LOG = "fu-log"
FU_RESOLUTION = "fu-resolution"
FU_CAUSE = "fu-cause"
FU_REACHED = "fu-reached"
FU_CLOSE = "fu-close"
FU_REOPEN_REASON = "fu-reopen-reason"
FU_REOPEN = "fu-reopen"
FU_FEEDBACK = "fu-feedback"
FU_CHANGED = "fu-changed"
FU_MONTH = "fu-month"
FU_REPORT = "fu-report"
FU_DOWNLOAD = "fu-download"
FU_SELECTED = "fu-selected"
FU_STEPS_OPEN = "fu-steps-open"
FU_STEPS_CLOSED = "fu-steps-closed"
FU_STEPS = "fu-steps"
FU_TILES = "fu-tiles"

# Voice of the customer page
VOICE_SITE = "voice-site"
VOICE_TEAM = "voice-team"
VOICE_QUEUE = "voice-queue"
VOICE_AGENT = "voice-agent"
VOICE_PANELS = "voice-panels"
VOICE_TERM = "voice-term"
VOICE_TERMS_GRAPH = "voice-terms-graph"
VOICE_CLEAR = "voice-clear"
VOICE_EXPORT = "voice-export"
VOICE_VERBATIMS = "voice-verbatims"
VOICE_VERBATIM_TITLE = "voice-verbatim-title"
VOICE_TERMS_EMPTY = "voice-terms-empty"


def xlsx_button(csv_button: str) -> str:
    """The Excel button beside a grid's CSV button."""
    return f"{csv_button}-xlsx"


def download(csv_button: str) -> str:
    """The download that a grid's export buttons fill."""
    return f"{csv_button}-download"
