"""KPI library (catalogue, compute, Erlang C). Never imports dash or plotly."""
