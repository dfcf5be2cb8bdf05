"""Packaging hook: the wheel carries the notebooks that nbval checks in notebooks/ (one copy,
packaged at build time as forecastbook/notebooks/), so `forecastbook report` and
`forecastbook init` work from an installed package. Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "forecastbook" / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for notebook in sorted(Path(__file__).parent.joinpath("notebooks").glob("*.ipynb")):
            shutil.copy2(notebook, target / notebook.name)


setup(cmdclass={"build_py": BuildWithNotebooks})
