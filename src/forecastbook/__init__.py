"""forecastbook: forecast records with crisp resolution criteria, scored as outcomes arrive.

Importing the package is cheap: pandas and matplotlib load only when a frame, a score
table or a plot is asked for.

>>> import forecastbook
>>> store = forecastbook.load_store("forecasts")
>>> len(store.errors)
0
"""

# Names load on first use (PEP 562): `import forecastbook` and `forecastbook --help` do not
# build the pydantic models or import PyYAML.
_LAZY = {"Problem": "problems", "StoreError": "problems", "Forecast": "records", "Forecaster": "records",
         "Question": "records", "Resolution": "records", "Source": "records", "Store": "store",
         "load_store": "store"}

__all__ = ["Forecast", "Forecaster", "Problem", "Question", "Resolution", "Source", "Store",
           "StoreError", "load_store"]
__version__ = "0.1.0"


def __getattr__(name: str):  # noqa: ANN202
    """Import the module holding ``name`` when it is first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'forecastbook' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


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
