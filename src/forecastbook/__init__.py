"""forecastbook: forecast records with crisp resolution criteria, scored as outcomes arrive.

Importing the package is cheap: pandas and matplotlib load only when a frame, a score
table or a plot is asked for.

>>> import forecastbook
>>> store = forecastbook.load_store("forecasts")
>>> len(store.errors)
0
"""

from .problems import Problem, StoreError
from .records import Forecast, Forecaster, Question, Resolution, Source
from .store import Store, load_store

__all__ = ["Forecast", "Forecaster", "Problem", "Question", "Resolution", "Source", "Store",
           "StoreError", "load_store"]
__version__ = "0.1.0"
