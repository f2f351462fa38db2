"""Acting on the numbers: schedule-change requests, messages and alerts, the audit trail.

Each function takes the acting user (from the server session) and checks their authority itself.
"""
