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


def _register_rich_display() -> None:
    """In IPython (JupyterLab), show stores and questions as HTML. The display code stays
    at the edge: records and the store know nothing of it, and it loads only when an
    object is first shown."""
    import sys

    if "IPython" not in sys.modules:
        return
    ipython = sys.modules["IPython"].get_ipython()
    if ipython is None:
        return
    html = ipython.display_formatter.formatters["text/html"]

    def shown(name: str):  # noqa: ANN202
        def render(obj):  # noqa: ANN001, ANN202
            from . import display

            return getattr(display, name)(obj)
        return render

    html.for_type_by_name("forecastbook.store", "Store", shown("store_html"))
    html.for_type_by_name("forecastbook.records", "Question", shown("question_html"))


_register_rich_display()
