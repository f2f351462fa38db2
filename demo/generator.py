"""`floorview demo`: write a realistic set of canonical export files holding the four stories.

Deterministic for a seed and an end date. The stories are not written into any screen: they are
behaviours of people in the generated data (late returns, long ACW, a slow campaign, training pulled
into open time), to be found through the KPIs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from demo.cast import QUEUES, SITES, Cast, build_cast
from demo.users import demo_users
from demo.workday import STORY4_WINDOW, DayPlan, act_day, plan_day
from demo.writing import write_csv

COMMENTS = {
    "promoter": ["Quick and friendly, sorted first time.", "Really helpful agent, thank you!",
                 "Explained everything clearly.", "Best service I've had from any company."],
    "passive": ["Fine, took a little while.", "Got there in the end.", "OK but I had to repeat my details.",
                "Reasonable, nothing special."],
    "detractor": ["Waited far too long and still not fixed.", "Had to call back twice about the same thing.",
                  "Agent did not seem to know the offer.", "Transferred around and nobody could help.",
                  "Took ages to place my order for the TV deal."],
}
# Story 3 in the customers' words: the TV promotion line's detractors complain about the wait.
PROMO_COMPLAINTS = ["Took ages to place my order for the TV deal.", "On hold for ages just to buy the TV offer.",
                    "Waited far too long to order the TV deal, nearly gave up."]


MIN_SITES = 4
MAX_AGENTS = 5_000
MAX_DAYS = 400


def min_agents(sites: int) -> int:
    """The fewest agents the cast can be built from: the big site's 24 and 8 per other site."""
    return 24 + 8 * (sites - 1)


@dataclass
class DemoSpec:
    out: Path
    seed: int = 7
    sites: int = 4
    agents: int = 230
    days: int = 42
    end: date | None = None  # last generated day (default: yesterday)

    def problems(self) -> list[str]:
        """Why this demo cannot be generated as asked (empty when it can): the four stories need their four sites
        and the smallest teams that tell them; sizes are bounded so a typo cannot exhaust memory."""
        found = []
        if not MIN_SITES <= self.sites <= len(SITES):
            found.append(f"--sites {self.sites}: the demo has {MIN_SITES} to {len(SITES)} sites (its four stories "
                         f"happen at New York, Manchester, Cape Town and Sydney)")
        least = min_agents(min(max(self.sites, MIN_SITES), len(SITES)))
        if not least <= self.agents <= MAX_AGENTS:
            found.append(f"--agents {self.agents}: with {self.sites} sites the demo needs {least:,} to {MAX_AGENTS:,} "
                         f"agents (the stories' teams and at least 8 agents per other site)")
        if not 1 <= self.days <= MAX_DAYS:
            found.append(f"--days {self.days}: 1 to {MAX_DAYS} days")
        return found


def _utc_offset(tz: str, day: date) -> int:
    """Seconds east of UTC at local noon: all demo shifts are daytime, away from DST switch hours."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(tz))
    return int(noon.utcoffset().total_seconds())


def _iso(utc_seconds: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(utc_seconds.astype("datetime64[s]"), unit="s"), "Z")


def generate(spec: DemoSpec) -> dict:
    """Write the export files and stories.json into spec.out; return the stories."""
    if spec.problems():
        raise ValueError("; ".join(spec.problems()))
    end = spec.end or (date.today() - timedelta(days=1))
    start = end - timedelta(days=spec.days - 1)
    rng = np.random.default_rng(spec.seed)
    cast = build_cast(rng, spec.sites, spec.agents, end)
    tz_of = {s[0]: s[2] for s in cast.sites}
    days = [start + timedelta(days=i) for i in range(spec.days)]
    campaign_start = date.fromisoformat(cast.story["story3_campaign"]["campaign_start"])
    training_days = [d for d in days if d.weekday() < 5 and d > end - timedelta(days=14)]
    man_agents = [a for a in cast.agents if a.site_id == "MAN"]

    sched_rows, state_rows, contact_parts = [], [], []
    for day in days:
        day_base = {sid: int((np.datetime64(day) - np.datetime64("1970-01-01")).astype("timedelta64[s]").astype(int))
                    - _utc_offset(tz, day) for sid, tz in tz_of.items()}
        trainees = _trainees(man_agents, day, training_days)
        for agent in cast.agents:
            if day.weekday() in agent.off_days:
                continue
            base = day_base[agent.site_id]
            schedule = plan_day(agent, day, rng)
            protected = agent.site_id == "MAN" and day.weekday() < 5
            if not protected and rng.random() < 0.025:  # a planned day of leave
                sched_rows.append((agent.agent_id, "absence", base + schedule[0][1], base + schedule[-1][2]))
                continue
            for activity, t0, t1 in schedule:
                sched_rows.append((agent.agent_id, activity, base + t0, base + t1))
            plan = DayPlan(agent, day, schedule, in_training_window=agent.agent_id in trainees,
                           campaign_live=day >= campaign_start,
                           busy_window=agent.site_id == "MAN" and day in training_days)
            acted = act_day(plan, rng)
            for state, t0, t1, reason in acted.states:
                state_rows.append((agent.agent_id, state, base + t0, base + t1, reason))
            for arr, queues in zip(acted.contacts, acted.queues, strict=True):
                contact_parts.append((agent, base, arr, queues, plan.busy_window))

    out = Path(spec.out)
    out.mkdir(parents=True, exist_ok=True)
    _write_roster(out, cast)
    schedule_df = pd.DataFrame(sched_rows, columns=["agent_id", "activity", "start", "end"])
    write_csv(out / "schedule.csv", pd.DataFrame({
        "agent_id": schedule_df.agent_id, "activity": schedule_df.activity,
        "start_at": _iso(schedule_df.start.to_numpy()), "end_at": _iso(schedule_df.end.to_numpy())}))
    states = pd.DataFrame(state_rows, columns=["agent_id", "state", "start", "end", "reason"])
    write_csv(out / "agent_states.csv", pd.DataFrame({
        "agent_id": states.agent_id, "state": states.state, "start_at": _iso(states.start.to_numpy()),
        "end_at": _iso(states.end.to_numpy()), "reason": states.reason}))
    contacts = _contacts(contact_parts, rng, start, end)
    write_csv(out / "contacts.csv", contacts)
    write_csv(out / "surveys.csv", _surveys(contacts, cast, rng))
    forecast, story4 = _forecast(contacts, schedule_df, cast, tz_of, training_days, rng)
    write_csv(out / "forecast.csv", forecast)

    stories = dict(cast.story)
    stories["story2_team"]["handled_per_hour_target"] = _team_target(cast, states, contacts)
    stories["story4_site"] = story4
    stories["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    stories["story1_agent"]["dates"] = "every working day in the period"
    stories["story3_campaign"]["note"] = "handled only by Team Osprey, all hired in the last four months"
    stories["users"] = [{k: v for k, v in u.items()} for u in demo_users(stories)]
    (out / "stories.json").write_text(json.dumps(stories, indent=2) + "\n")
    return stories


def _team_target(cast: Cast, states: pd.DataFrame, contacts: pd.DataFrame) -> float:
    """Story 2's handled-per-hour target: set so that Team Falcon as a whole is 7 % below it."""
    team = cast.story["story2_team"]["team_id"]
    members = {a.agent_id for a in cast.agents if a.team_id == team}
    productive = states[states.agent_id.isin(members) & states.state.isin(["available", "on_contact", "acw"])]
    hours = float((productive.end - productive.start).sum()) / 3600
    handled = int(contacts.agent_id.isin(members).sum())
    return round(handled / hours / 0.93, 2)


def _trainees(man_agents: list, day: date, training_days: list[date]) -> set[str]:
    """Ten Manchester agents a day go to mandatory training 14:00-16:00 while scheduled on the phones."""
    if day not in training_days:
        return set()
    working = [a for a in man_agents if day.weekday() not in a.off_days]
    k = training_days.index(day)
    chosen = [working[(k * 10 + i) % len(working)] for i in range(min(10, len(working)))]
    return {a.agent_id for a in chosen}


def _write_roster(out: Path, cast: Cast) -> None:
    write_csv(out / "sites.csv", pd.DataFrame(cast.sites, columns=["site_id", "name", "timezone"]))
    write_csv(out / "teams.csv", pd.DataFrame(
        [(t.team_id, t.name, t.site_id, t.supervisor_id) for t in cast.teams],
        columns=["team_id", "name", "site_id", "supervisor_id"]))
    write_csv(out / "agents.csv", pd.DataFrame(
        [(a.agent_id, a.name, a.team_id, a.site_id, a.hire_date.isoformat(),
          a.name.lower().replace(" ", ".") + "@example.com") for a in cast.agents],
        columns=["agent_id", "name", "team_id", "site_id", "hire_date", "email"]))
    write_csv(out / "queues.csv", pd.DataFrame(
        [(q[0], q[1], q[2], q[3], 20 if q[2] == "voice" else 60, 80) for q in QUEUES],
        columns=["queue_id", "name", "channel", "call_type", "sl_threshold_s", "sl_target"]))


def _contacts(parts: list, rng: np.random.Generator, start: date, end: date) -> pd.DataFrame:
    agent_ids, sites, queues, answered, talk, hold, acw, busy = [], [], [], [], [], [], [], []
    for agent, base, arr, qs, is_busy in parts:
        n = len(arr)
        agent_ids.append(np.full(n, agent.agent_id, dtype=object))
        sites.append(np.full(n, agent.site_id, dtype=object))
        queues.append(qs.astype(object))
        answered.append(base + arr[:, 0].astype(np.int64))
        talk.append(arr[:, 1])
        hold.append(arr[:, 2])
        acw.append(arr[:, 3])
        busy.append(np.full(n, is_busy))
    ans = np.concatenate(answered)
    n = len(ans)
    is_busy = np.concatenate(busy)
    wait = np.round(rng.exponential(np.where(is_busy, 30.0, 9.0))).astype(np.int64)
    talk_a, hold_a = np.concatenate(talk), np.concatenate(hold)
    site_a, queue_a = np.concatenate(sites), np.concatenate(queues)
    handled = pd.DataFrame({
        "site_id": site_a, "queue_id": queue_a, "agent_id": np.concatenate(agent_ids),
        "offered": ans - wait, "answered": ans, "ended": ans + (talk_a + hold_a).astype(np.int64),
        "talk_s": talk_a, "hold_s": hold_a, "acw_s": np.concatenate(acw),
        "transferred": rng.random(n) < 0.03,
    })
    # Abandons: about 3.5 % of calls (10 % in Manchester's understaffed training window).
    ab_mask = rng.random(n) < np.where(is_busy, 0.10, 0.035)
    m = int(ab_mask.sum())
    short = rng.random(m) < 0.25
    ab_wait = np.where(short, rng.integers(1, 5, m), np.round(rng.exponential(45.0, m)) + 5).astype(np.int64)
    ab_offered = ans[ab_mask] - rng.integers(0, 600, m)
    abandons = pd.DataFrame({
        "site_id": site_a[ab_mask], "queue_id": queue_a[ab_mask], "agent_id": None,
        "offered": ab_offered, "answered": np.nan, "ended": ab_offered + ab_wait,
        "talk_s": np.nan, "hold_s": np.nan, "acw_s": np.nan, "transferred": False,
    })
    df = pd.concat([handled, abandons], ignore_index=True).sort_values("offered", kind="stable")
    df = df.reset_index(drop=True)
    df["contact_id"] = [f"C{i:08d}" for i in range(1, len(df) + 1)]
    # Customers: a finite pool per site, so some callers ring again within days (repeat contacts).
    cust = np.empty(len(df), dtype=object)
    for site, idx in df.groupby("site_id").indices.items():
        pool = max(10, int(len(idx) * 0.75))
        cust[idx] = np.char.add(f"{site}-CUST", rng.integers(0, pool, len(idx)).astype(str))
    df["customer_id"] = cust
    answered_ok = df["answered"].notna()
    return pd.DataFrame({
        "contact_id": df.contact_id, "queue_id": df.queue_id, "site_id": df.site_id,
        "offered_at": _iso(df.offered.to_numpy(np.int64)),
        "answered_at": np.where(answered_ok, _iso(df.answered.fillna(0).to_numpy(np.int64)), ""),
        "ended_at": _iso(df.ended.to_numpy(np.int64)),
        "agent_id": df.agent_id.fillna(""), "customer_id": df.customer_id, "direction": "inbound",
        "talk_s": df.talk_s.astype("Int64"), "hold_s": df.hold_s.astype("Int64"), "acw_s": df.acw_s.astype("Int64"),
        "transferred": np.where(df.transferred, "true", "false"),
    })


def _surveys(contacts: pd.DataFrame, cast: Cast, rng: np.random.Generator) -> pd.DataFrame:
    quality = {a.agent_id: a.quality for a in cast.agents}
    handled = contacts[contacts.agent_id != ""]
    sample = handled[rng.random(len(handled)) < 0.10]
    n = len(sample)
    q = sample.agent_id.map(quality).to_numpy(float)
    promo = (sample.queue_id == "PROMO").to_numpy()
    u = rng.random(n)
    p_det = np.clip(0.16 - 0.05 * q + 0.22 * promo, 0.02, 0.9)
    p_pro = np.clip(0.50 + 0.08 * q - 0.2 * promo, 0.05, 0.95)
    nps = np.where(u < p_det, rng.integers(0, 7, n), np.where(u < p_det + p_pro, rng.integers(9, 11, n),
                                                               rng.integers(7, 9, n)))
    csat = np.clip(np.round(1 + nps * 0.4 + rng.normal(0, 0.6, n)), 1, 5).astype(int)
    resolved = rng.random(n) < np.clip(0.55 + nps * 0.04, 0, 0.98)
    band = np.where(nps <= 6, "detractor", np.where(nps >= 9, "promoter", "passive"))
    comment = [COMMENTS[b][int(i)] if rng.random() < 0.6 else ""
               for b, i in zip(band, rng.integers(0, 4, n), strict=True)]
    # Picked by position, not by the random stream: the rest of the generated data stays as it was.
    comment = [(PROMO_COMPLAINTS[k % len(PROMO_COMPLAINTS)] if p and b == "detractor" and c else c)
               for k, (p, b, c) in enumerate(zip(promo, band, comment, strict=True))]
    ended = pd.to_datetime(sample.ended_at.str.rstrip("Z")).to_numpy("datetime64[s]").astype(np.int64)
    responded = ended + np.round(rng.exponential(3 * 3600, n)).astype(np.int64) + 60
    return pd.DataFrame({
        "response_id": [f"R{i:07d}" for i in range(1, n + 1)], "responded_at": _iso(responded),
        "contact_id": sample.contact_id.to_numpy(), "agent_id": sample.agent_id.to_numpy(),
        "nps": nps, "csat": csat, "resolved": np.where(resolved, "yes", "no"), "comment": comment,
    })


def _forecast(contacts: pd.DataFrame, schedule: pd.DataFrame, cast: Cast, tz_of: dict[str, str],
              training_days: list[date], rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Forecast = typical volume for the weekday and interval; requirement = scheduled staff / 1.05.

    Story 4: in Manchester's 14:00-16:00 training window the requirement is exactly 100 against 105
    scheduled, while ten agents are off the phones in training.
    """
    site_of = {a.agent_id: a.site_id for a in cast.agents}
    offered = pd.DataFrame({"site_id": contacts.site_id, "queue_id": contacts.queue_id,
                            "utc": pd.to_datetime(contacts.offered_at.str.rstrip("Z"))})
    handled = contacts[contacts.agent_id != ""]
    aht = (handled.talk_s.astype(float) + handled.hold_s.astype(float) + handled.acw_s.astype(float)
           ).groupby(handled.queue_id).mean()
    frames = []
    for site_id, tz in tz_of.items():
        o = offered[offered.site_id == site_id].copy()
        local = o.utc.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
        o["slot"] = local.dt.floor("15min")
        counts = o.groupby(["queue_id", "slot"]).size().rename("n").reset_index()
        counts["weekday"] = counts.slot.dt.day_of_week
        counts["tod"] = counts.slot - counts.slot.dt.normalize()
        typical = counts.groupby(["queue_id", "weekday", "tod"]).n.mean().rename("typical").reset_index()
        f = counts.merge(typical, on=["queue_id", "weekday", "tod"])
        f["contacts"] = np.round(f.typical * rng.normal(1.0, 0.05, len(f)), 1).clip(lower=0)
        f["site_id"] = site_id
        f["aht_s"] = f.queue_id.map(aht).round(0)
        # Scheduled open agents per local 15-minute slot.
        sched = schedule[(schedule.activity == "open") & (schedule.agent_id.map(site_of) == site_id)]
        staffed = _agents_per_slot(sched, tz)
        f = f.merge(staffed, on="slot", how="left").fillna({"scheduled": 0})
        in_window = f.slot.dt.date.isin(training_days) & (f.tod >= pd.Timedelta(seconds=STORY4_WINDOW[0])) & \
            (f.tod < pd.Timedelta(seconds=STORY4_WINDOW[1]))
        site_required = f.scheduled / rng.normal(1.05, 0.01, len(f))
        if site_id == "MAN":
            site_required = np.where(in_window, 100.0, site_required)
        share = (f.contacts * f.aht_s) / (f.contacts * f.aht_s).groupby(f.slot).transform("sum")
        f["required_agents"] = np.round(site_required * share.fillna(0), 2)
        f["interval_start"] = (f.slot.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
                               .dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        frames.append(f.dropna(subset=["interval_start"]))
        if site_id == "MAN":
            scheduled_in_window = float(f.loc[in_window].groupby("slot").scheduled.first().mean())
    fc = pd.concat(frames, ignore_index=True)
    fc["interval_minutes"] = 15
    story4 = {
        "site_id": "MAN", "site": "Manchester", "dates": [d.isoformat() for d in training_days],
        "window_local": "14:00-16:00", "required_agents": 100, "scheduled_agents": round(scheduled_in_window, 1),
        "agents_in_training": 10, "cause": "mandatory compliance training (state 'training' while scheduled 'open')",
    }
    return fc[["site_id", "queue_id", "interval_start", "interval_minutes", "contacts", "aht_s",
               "required_agents"]].sort_values(["interval_start", "site_id", "queue_id"]), story4


def _agents_per_slot(sched: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Average number of agents scheduled in each local 15-minute slot."""
    starts = pd.to_datetime(sched.start, unit="s").dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    ends = pd.to_datetime(sched.end, unit="s").dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    rows = []
    for s, e in zip(starts.to_numpy(), ends.to_numpy(), strict=True):
        slot = s.astype("datetime64[m]") - (s.astype("datetime64[m]").astype(np.int64) % 15).astype("timedelta64[m]")
        while slot < e:
            nxt = slot + np.timedelta64(15, "m")
            overlap = (min(e, nxt) - max(s, slot)) / np.timedelta64(15, "m")
            rows.append((slot, overlap))
            slot = nxt
    df = pd.DataFrame(rows, columns=["slot", "scheduled"])
    df["slot"] = pd.to_datetime(df.slot)
    return df.groupby("slot").scheduled.sum().reset_index()
