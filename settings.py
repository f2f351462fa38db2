"""Floorview settings: config.toml, overridable by FLOORVIEW_* environment variables.

Read once at start-up by `load_settings()` and passed in; library code never reads files or the
environment itself.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from semantic import ACTIVITY_CATEGORIES, PRODUCTIVE_STATES, STATES

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG = PROJECT_DIR / "config.toml"



def _one_of(allowed: tuple[str, ...], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r}; one of {', '.join(allowed)}")
        return value
    return AfterValidator(check)


# Category names as declared in the semantic model, checked when the config is read.
StateCategory = Annotated[str, _one_of(STATES, "state category")]
ActivityCategory = Annotated[str, _one_of(ACTIVITY_CATEGORIES, "activity category")]


class ConfigError(ValueError):
    """Configuration is invalid; the message names every offending key."""


class _Section(BaseModel):
    # Frozen: settings are read once and validated; nothing changes them afterwards (a change is a new load).
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    debug: bool = False
    demo_password: str = "demo"
    demo_hints: bool = True
    secret_key_file: Path = Path("data/secret_key")
    today: date | None = None  # pin "today" (demos, tests); normally the server's date
    refresh_s: int = Field(30, ge=1, le=3600)  # open pages look for new data this often
    stale_after_minutes: int = Field(60, ge=1)  # warn when the newest load is older than this


class AuthSettings(_Section):
    # Header-based single sign-on behind a reverse proxy that has authenticated the person: off while empty.
    sso_header: str = ""
    # Only requests from these addresses (or CIDR networks) may assert a user through the header, say the
    # request came over HTTPS (X-Forwarded-Proto) or name the client's address (X-Forwarded-For).
    trusted_proxies: list[str] = Field(default_factory=list)
    session_idle_hours: float = Field(12, gt=0, le=24 * 31)  # signed out after this long without a request
    session_max_hours: float = Field(168, gt=0, le=24 * 31)  # and this long after signing in, whatever happens
    # Session cookie marked Secure: "auto" when the request came over HTTPS (directly or via a trusted proxy).
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    failures_per_name: int = Field(5, ge=1)  # failed sign-ins for one name, from anywhere, within the window
    failures_per_address: int = Field(20, ge=1)  # failed sign-ins from one address, for any names
    throttle_window_s: int = Field(300, ge=1)
    password_checks_at_once: int = Field(2, ge=1, le=64)  # each argon2 check takes 64 MiB: bound the memory

    @field_validator("trusted_proxies")
    @classmethod
    def _are_addresses(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value


class ServerSettings(_Section):
    """The WSGI server (waitress) `floorview serve` runs; Flask's own only with --debug."""

    threads: int = Field(8, ge=1, le=256)  # requests handled at once; slow clients are buffered, not threads
    connection_limit: int = Field(200, ge=1)  # open connections before new ones wait
    channel_timeout_s: int = Field(30, ge=1)  # an idle or half-sent connection is closed after this
    max_request_mb: float = Field(20, gt=0, le=2048)  # larger request bodies are refused (413)
    # Dash callbacks computing at once (0: one per CPU core); the others wait their turn (callback_gate.py). A
    # load's first commit, what open pages wait for, takes one of these turns while it lasts (at least one stays).
    callbacks_at_once: int = Field(0, ge=0, le=256)
    # Request threads run this much nicer than the ingest worker (Linux), so on a busy machine a load gets the
    # CPU first and its numbers show sooner; 0 treats them alike.
    request_nice: int = Field(10, ge=0, le=19)


class PrivacySettings(_Section):
    hash_customer_ids: bool = False  # store vendor customer ids (phone numbers) as one-way hashes
    retain_days: int = Field(0, ge=0, le=36500)  # customer ids and survey comments older than this go; 0 keeps
    purge_every_hours: float = Field(24, gt=0, le=24 * 31)


class BusinessHours(_Section):
    """The hours a follow-up's service clock runs when it runs in business hours: site-local time, weekdays
    0 = Monday."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    @model_validator(mode="after")
    def _a_real_day(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("follow_ups.business_hours: end must be after start")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValueError("follow_ups.business_hours.weekdays: 0 (Monday) to 6 (Sunday), at least one")
        return self


class FollowUpSettings(_Section):
    """The survey HOTLINE: which responses open a follow-up case (or a sales lead), who owns it, its clocks."""

    open_within_days: int = Field(14, ge=1, le=3660)  # older responses (a backfill) open no case
    by_nps: bool = True  # an NPS at or below nps_at_most opens a case
    nps_at_most: int = Field(6, ge=0, le=10)
    by_csat: bool = True  # a CSAT at or below csat_at_most opens a case
    csat_at_most: int = Field(2, ge=1, le=5)
    by_not_resolved: bool = True  # resolved = no opens a case
    keywords: tuple[str, ...] = ("cancel", "complaint", "complain", "ombudsman", "lawyer", "unacceptable")
    lead_keywords: tuple[str, ...] = ("upgrade", "interested in", "buy", "quote", "another account")
    owner_team_by_queue: dict[str, str] = Field(default_factory=dict)  # queue id -> team that owns its cases
    owner_team_by_site: dict[str, str] = Field(default_factory=dict)  # site id -> team that owns its cases
    sales_owner: str = ""  # username that owns sales leads ("" : the agent's team supervisor, as cases)
    first_action_hours: float = Field(24, gt=0, le=24 * 60)
    close_hours: float = Field(72, gt=0, le=24 * 120)
    clock: Literal["wall", "business"] = "wall"  # wall-clock hours, or business hours (below) of the case's site
    business_hours: BusinessHours = BusinessHours()
    root_causes: tuple[str, ...] = ("long wait", "agent knowledge", "agent manner", "process or policy",
                                    "product fault", "billing error", "expectation gap", "other")
    actions: tuple[str, ...] = ("called back", "emailed", "left a message", "escalated", "other")


class TargetPolicySettings(_Section):
    # A target set in the app that is looser than the one set at a level above the setter's own (a supervisor
    # lowering their team's contacts per hour below the site's or the centre's target) is refused and the
    # attempt audited; "allow" lets it through (still audited, as every target change is).
    looser_than_above: Literal["refuse", "allow"] = "refuse"


class VoiceSettings(_Section):
    """How customers' comments are classified on the voice page: compliment, complaint or idea, offline."""

    idea_cues: tuple[str, ...] = ("would be nice", "should have", "you should", "suggest", "could you", "why not",
                                  "i wish", "idea", "it would help", "please add", "option to", "would love")
    compliment_at_least: float = Field(0.05, ge=-1, le=1)  # VADER compound score from which a comment praises
    complaint_at_most: float = Field(-0.05, ge=-1, le=1)  # and up to which it complains; between: the score decides
    terms_per_category: int = Field(10, ge=1, le=50)


class VendorSettings(_Section):
    qualtrics_contact_column: str = ""  # embedded-data column with the contact id (default ExternalReference)
    qualtrics_nps_column: str = ""  # the NPS question's column id (default: the one with a _NPS_GROUP twin)
    # The other questions' column ids (e.g. "QID2"); default: embedded-data columns named csat, resolved, comment.
    qualtrics_csat_column: str = ""
    qualtrics_resolved_column: str = ""
    qualtrics_comment_column: str = ""


class MappingProfile(_Section):
    """How to read a CSV that no built-in format knows: `floorview load --profile NAME`."""

    kind: str  # the canonical kind the rows become (contacts, agent_states, schedule, …)
    system: str = ""  # the id_map system for its ids (default: the profile's name)
    delimiter: str = ","
    skip_rows: int = Field(0, ge=0)  # lines (or workbook rows) before the header
    sheet: str | int | None = None  # of an Excel workbook: the sheet's name or 0-based index (default: the first)
    # file column -> canonical column, or a list of them (one file column feeding several)
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)  # canonical column -> value for every row
    timestamp_format: str | None = None  # strptime format of date-times (default: ISO-8601)
    # Date and time in separate columns: the file column holding the date of every instant whose own column
    # holds only a time of day (read with one of time_formats, 24- or 12-hour clock).
    date_column: str | None = None
    date_format: str = "%Y-%m-%d"
    time_formats: list[str] = Field(default_factory=lambda: ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"])
    timezone: str | None = None  # zone of naive date-times (default: the site's)
    duration_format: Literal["seconds", "minutes", "hh:mm:ss"] = "seconds"
    codes: dict[str, dict[str, str]] = Field(default_factory=dict)  # canonical column -> {file value: value}
    null_values: list[str] = Field(default_factory=list)  # values read as blank in every column ("NULL", "-")
    null_values_by_column: dict[str, list[str]] = Field(default_factory=dict)  # file column -> its blanks
    skip_when: dict[str, list[str]] = Field(default_factory=dict)  # file column -> values whose rows are left out
    # canonical column -> "<canonical instant> + <file or canonical column of seconds>", in order
    derived: dict[str, str] = Field(default_factory=dict)
    joined: dict[str, list[str]] = Field(default_factory=dict)  # canonical column -> file columns joined by "-"


class DatabaseSettings(_Section):
    path: Path = Path("data/floorview.duckdb")


class DataSettings(_Section):
    demo_dir: Path = Path("data/demo")
    inbox_dir: Path = Path("data/inbox")
    interval_minutes: Literal[15, 30, 60] = 15
    # Instants outside this range are rejected: "null dates" such as 1900-01-01 would make millions of facts.
    earliest_date: date = date(2000, 1, 1)
    latest_date: date = date(2100, 1, 1)
    max_segment_hours: float = Field(36, gt=0, le=24 * 14)  # longest agent state or schedule piece
    # Two systems' clocks disagree: an answer stamped up to this many seconds before its offer is clipped, not
    # rejected (and counted in the load's summary).
    clock_skew_s: float = Field(5, ge=0, le=300)
    inbox_settle_s: float = Field(1.0, ge=0.1, le=600)  # an inbox file unchanged this long is complete

    @model_validator(mode="after")
    def _range_in_order(self) -> DataSettings:
        if self.earliest_date >= self.latest_date:
            raise ValueError("data.earliest_date must be before data.latest_date")
        return self


class ServiceLevelSettings(_Section):
    variant: Literal[
        "offered", "offered_less_short", "answered", "offered_less_abandoned_within", "abandoned_within_positive"
    ] = "offered"
    threshold_s: int = Field(20, ge=0)
    short_abandon_s: int = Field(5, ge=0)


class RtaThresholds(_Section):
    """Real-time adherence thresholds for one activity (or for the start of a shift): unset means the default."""
    grace_s: int | None = Field(None, ge=0, le=86400)
    severe_s: int | None = Field(None, ge=1, le=86400)


SHIFT_START = "shift_start"  # the key of [adherence.rta_by_activity] for an out-of-adherence run that began a shift


class AdherenceSettings(_Section):
    exception_threshold_s: int = Field(0, ge=0)
    # An agent's day lists exceptions from this length on one by one; shorter ones are summed in one line.
    list_exceptions_from_s: int = Field(60, ge=0, le=3600)
    count_work_outside_shift: bool = False
    count_approved_exceptions: bool = True
    # Real-time adherence (/live): out of adherence for less than the grace is "in the grace period"; for longer
    # than the severe threshold, "severe". Either can be set per activity code, or for the start of a shift.
    rta_grace_s: int = Field(60, ge=0, le=86400)
    rta_severe_s: int = Field(600, ge=1, le=86400)
    rta_refresh_s: int = Field(15, ge=1, le=3600)
    rta_by_activity: dict[str, RtaThresholds] = Field(default_factory=dict)
    # How often the interval facts catch up with live agent events (the KPIs; /live itself reads the events).
    live_facts_every_s: int = Field(60, ge=5, le=3600)

    def rta_thresholds(self, activity: str | None, shift_start: bool) -> tuple[int, int]:
        """(grace, severe) seconds for an out-of-adherence run that began in this activity (or a shift)."""
        grace, severe = self.rta_grace_s, self.rta_severe_s
        for key in (activity, SHIFT_START if shift_start else None):
            own = self.rta_by_activity.get(key or "")
            if own is not None:
                grace = own.grace_s if own.grace_s is not None else grace
                severe = own.severe_s if own.severe_s is not None else severe
        return grace, severe


class FcrSettings(_Section):
    window_days: int = Field(7, ge=1)
    match: Literal["customer", "customer_queue"] = "customer"


class ShrinkageSettings(_Section):
    denominator: Literal["paid", "scheduled"] = "paid"


class OccupancySettings(_Section):
    denominator: Literal["productive", "staffed"] = "productive"


class UtilisationSettings(_Section):
    denominator: Literal["paid", "staffed"] = "paid"


class TargetSetting(_Section):
    target: float
    amber: float | None = None  # width of the amber band beyond the target, in the KPI's unit


class TargetRule(_Section):
    """A target for one KPI at one level of the organisation (the most specific applicable one wins)."""

    kpi: str
    level: Literal["enterprise", "site", "queue", "team", "agent"]
    id: str = ""
    target: float
    amber: float | None = None
    effective_from: date | None = None
    effective_to: date | None = None



class Activity(_Section):
    category: ActivityCategory | None = None  # reporting bucket; defaults to the code if it is a category
    satisfied_by: list[StateCategory] = []
    paid: bool = True
    planned_shrinkage: bool = False
    adherence_tracked: bool = True
    open: bool = False


def _default_states() -> dict[str, StateCategory]:
    return {c: c for c in STATES}


def _default_activities() -> dict[str, Activity]:
    productive = list(PRODUCTIVE_STATES)
    acts = {"open": Activity(satisfied_by=productive, planned_shrinkage=False, open=True)}
    for name in ("break", "meeting", "training", "coaching"):
        acts[name] = Activity(satisfied_by=[name], planned_shrinkage=True)
    acts["lunch"] = Activity(satisfied_by=["lunch"], paid=False)
    acts["absence"] = Activity(satisfied_by=[], planned_shrinkage=True, adherence_tracked=False)
    return acts


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOORVIEW_", env_nested_delimiter="__", extra="forbid", frozen=True)

    app: AppSettings = AppSettings()
    auth: AuthSettings = AuthSettings()
    server: ServerSettings = ServerSettings()
    privacy: PrivacySettings = PrivacySettings()
    vendors: VendorSettings = VendorSettings()
    follow_ups: FollowUpSettings = FollowUpSettings()
    voice: VoiceSettings = VoiceSettings()
    profiles: dict[str, MappingProfile] = Field(default_factory=dict)
    database: DatabaseSettings = DatabaseSettings()
    data: DataSettings = DataSettings()
    service_level: ServiceLevelSettings = ServiceLevelSettings()
    adherence: AdherenceSettings = AdherenceSettings()
    fcr: FcrSettings = FcrSettings()
    shrinkage: ShrinkageSettings = ShrinkageSettings()
    occupancy: OccupancySettings = OccupancySettings()
    utilisation: UtilisationSettings = UtilisationSettings()
    targets: dict[str, TargetSetting] = Field(default_factory=dict)
    target_policy: TargetPolicySettings = TargetPolicySettings()
    target_rules: list[TargetRule] = Field(default_factory=list)
    states: dict[str, StateCategory] = Field(default_factory=_default_states)
    activities: dict[str, Activity] = Field(default_factory=_default_activities)
    base_dir: Path = PROJECT_DIR  # folder relative paths are resolved against (the config file's)

    @model_validator(mode="after")
    def _vocabulary_is_usable(self) -> Settings:
        if not any(a.open for a in self.activities.values()):
            raise ValueError("activities: at least one activity must have open = true")
        unknown = sorted(set(self.adherence.rta_by_activity) - set(self.activities) - {SHIFT_START})
        if unknown:
            raise ValueError(f"adherence.rta_by_activity: unknown activity {', '.join(unknown)} (one of "
                             f"{', '.join(sorted(self.activities))}, or {SHIFT_START})")
        return self

    @field_validator("activities")
    @classmethod
    def _activity_categories(cls, activities: dict[str, Activity]) -> dict[str, Activity]:
        """An activity without a category reports under its own code if that is a category, else "other"."""
        return {code: a if a.category is not None else
                a.model_copy(update={"category": code if code in ACTIVITY_CATEGORIES else "other"})
                for code, a in activities.items()}

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def db_path(self) -> Path:
        return self.resolve(self.database.path)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        got = e.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  {key}: {e['msg']}{shown}")
    return "\n".join(lines)


def load_settings(config_path: str | Path | None = None, **overrides: object) -> Settings:
    """Settings from a TOML file (default: $FLOORVIEW_CONFIG or ./config.toml), env, then overrides."""
    path = Path(config_path or os.environ.get("FLOORVIEW_CONFIG") or DEFAULT_CONFIG).resolve()
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")

    class _FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        loaded = _FileSettings(**({"base_dir": path.parent} | overrides))  # type: ignore[arg-type]
    except ValidationError as err:
        raise ConfigError(f"invalid configuration in {path} (or FLOORVIEW_* environment):\n{_describe(err)}") from None
    except ValueError as err:  # e.g. TOML syntax error
        raise ConfigError(f"cannot read {path}: {err}") from None
    return loaded
