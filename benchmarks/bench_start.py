"""Start-up cost: ``import forecastbook`` and ``forecastbook --help`` in a fresh process.

Each is run in a new interpreter (best of several runs), beside ``python -c pass``; the
commands must not build the pydantic models or import PyYAML, pandas or matplotlib.
Bytecode is written by a first, untimed run (as an installed package has it), even if
``PYTHONDONTWRITEBYTECODE`` is set. Set ``PYTHONPATH`` to another checkout's ``src`` to measure it the same way.

Run: ``.venv/bin/python benchmarks/bench_start.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from timing import best_of

CASES = {
    "python -c pass": ["-c", "pass"],
    "import forecastbook": ["-c", "import forecastbook"],
    "forecastbook --help": ["-c", "import sys; sys.argv = ['forecastbook', '--help']; "
                                  "from forecastbook.cli import main; main()"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for name, argv in CASES.items():
        run = lambda: subprocess.run([sys.executable, *argv], stdout=subprocess.DEVNULL, check=True, env=env)  # noqa: E731
        run()  # writes the bytecode
        t = best_of(run, args.repeat)
        print(f"{name:<22} {t:.3f} s (target for the last two: <= 0.15 s)")


if __name__ == "__main__":
    main()
