"""Keeping the database safe over time: backups and restores, and the retention of personal data."""
