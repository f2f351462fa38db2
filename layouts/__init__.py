"""Pure builders from values and tables to Dash components; no database, no KPI imports."""
