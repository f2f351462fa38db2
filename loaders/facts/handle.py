"""Handle facts: handled legs per agent and answered interval, with first-contact resolution by repeat contacts."""

from __future__ import annotations

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID
from semantic import HANDLE
from settings import Settings


def build(con: duckdb.DuckDBPyConnection, settings: Settings, grid: Grid) -> None:
    """A customer contact (all legs sharing an initial contact id) is resolved first time when the same
    customer (and, for fcr_resolved_queue, the same queue) makes no further inbound contact within
    fcr.window_days of it. Credit goes to the last leg that was answered.
    """
    days = int(settings.fcr.window_days)
    measures = ", ".join(f"{m.builder.format(fcr_days=days)} AS {m.name}" for m in HANDLE.measures)
    insert(con, HANDLE, f"""
        WITH answered AS (
            -- The agent's site and team come with the window, so the grid join below has both its keys.
            SELECT c.*, coalesce(c.initial_contact_id, c.contact_id) AS cid, w.site_id AS agent_site,
                   w.team_id AS agent_team, time_bucket({GRID}, c.answered_at) AS grid
            FROM contacts c JOIN {grid.agents} w USING (agent_id)
            WHERE c.answered_at IS NOT NULL AND c.answered_at >= w.w0 AND c.answered_at < w.w1
            UNION ALL BY NAME
            -- Answered with no agent named (a queue-level export): the contact's own site, no team or agent.
            SELECT c.*, coalesce(c.initial_contact_id, c.contact_id) AS cid, c.site_id AS agent_site,
                   NULL AS agent_team, time_bucket({GRID}, c.answered_at) AS grid
            FROM contacts c JOIN {grid.sites} w ON w.site_id = c.site_id
            WHERE c.agent_id IS NULL AND c.answered_at IS NOT NULL AND c.answered_at >= w.w0
              AND c.answered_at < w.w1),
        chains AS (  -- customer contacts with more than one leg (transfers): few, so only they are ranked
            SELECT DISTINCT initial_contact_id AS cid FROM answered
            WHERE initial_contact_id IS NOT NULL AND initial_contact_id <> contact_id),
        legs AS (
            SELECT *, 1 AS leg_from_end FROM answered ANTI JOIN chains USING (cid)
            UNION ALL BY NAME
            SELECT *, row_number() OVER (PARTITION BY cid ORDER BY answered_at DESC, contact_id DESC) AS leg_from_end
            FROM answered SEMI JOIN chains USING (cid)),
        customer_contacts AS (
            SELECT coalesce(initial_contact_id, contact_id) AS cid, customer_id, queue_id, offered_at
            FROM contacts
            WHERE customer_id IS NOT NULL AND coalesce(lower(direction), 'inbound') <> 'outbound'
              AND (initial_contact_id IS NULL OR initial_contact_id = contact_id)
              AND offered_at >= (SELECT min(w0) FROM {grid.sites}) - INTERVAL {days + 1} DAY
              AND offered_at < (SELECT max(w1) FROM {grid.sites}) + INTERVAL {days + 1} DAY),
        -- Only the customers of the contacts answered in the window: whole partitions of the window below, so
        -- each one's next contact is the same, and a window of a few days sorts thousands, not millions.
        their_contacts AS (
            FROM customer_contacts
            WHERE customer_id IN (SELECT customer_id FROM customer_contacts SEMI JOIN answered USING (cid))),
        repeats AS (  -- partitioned by the customer's hash first: cheaper to sort than the text alone, still exact
            SELECT cid, customer_id, offered_at,
                   lead(offered_at) OVER (PARTITION BY hash(customer_id), customer_id ORDER BY offered_at, cid)
                       AS next_any,
                   lead(offered_at) OVER (PARTITION BY hash(customer_id), customer_id, queue_id ORDER BY offered_at, cid)
                       AS next_queue
            FROM their_contacts)
        -- Grouped by the narrowest key: site and team follow from the agent, the local labels from the interval.
        SELECT any_value(c.agent_site) AS site_id, any_value(c.agent_team) AS team_id, c.agent_id, c.queue_id,
               coalesce(c.call_type, q.call_type) AS call_type, coalesce(c.channel, q.channel) AS channel,
               g.interval_utc, any_value(g.interval_local) AS interval_local, any_value(g.date_local) AS date_local,
               any_value(g.interval_fold) AS interval_fold,
               {measures}
        FROM legs c
        JOIN queues q ON q.queue_id = c.queue_id
        JOIN {grid.cells} g ON g.site_id = c.agent_site AND g.grid = c.grid
        LEFT JOIN repeats r ON r.cid = c.cid
        GROUP BY c.agent_id, c.queue_id, coalesce(c.call_type, q.call_type), coalesce(c.channel, q.channel),
                 g.interval_utc, CASE WHEN c.agent_id IS NULL THEN c.agent_site END""")
