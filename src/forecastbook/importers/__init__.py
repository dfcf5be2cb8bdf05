"""Other formats into forecastbook stores (ForecastBench first)."""
