"""A store out to other tools: tidy tables (CSV, JSON Lines, Parquet) and the formats of the
platforms people share forecasts on (Fatebook CSV, Metaculus JSON). Each exporter mirrors an
importer; what a format cannot hold is counted, never silently dropped."""
