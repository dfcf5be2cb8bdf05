"""forecastbook as a package other teams install: a wheel that carries what it needs,
`init` for a repository of one's own, and the workflows and hooks it writes."""

import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.problems import Problem, github_annotation
from conftest import FORECASTS, ROOT


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """A fresh virtual environment with forecastbook installed from a wheel built from this
    checkout (not from the source tree); its dependencies are borrowed from the test run's
    environment, so nothing is downloaded for them."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheels = sorted((tmp / "dist").glob("forecastbook-*.whl"))
    assert wheels and sorted((tmp / "dist").glob("forecastbook-*.tar.gz"))
    env_dir = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheels[0])], check=True, timeout=300)
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies, as a plain path: the test run's own .pth files (its editable
    # forecastbook among them) are not processed, so forecastbook comes from the wheel
    (site / "zz-borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def _run(env_dir: Path, command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FORECASTBOOK_AS_OF", "FORECASTBOOK_STORE")}
    env["PATH"] = f"{env_dir / 'bin'}:{env['PATH']}"
    # the borrowed dependencies' data files (nbconvert's templates, the kernel spec) live in
    # the test run's prefix, where a real installation would have put them in its own
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    args = shlex.split(command.replace(".venv/bin/", ""))
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_a_wheel_starts_a_repository_whose_own_readme_commands_pass(wheel_env, tmp_path):
    where = _run(wheel_env, "python -c 'import forecastbook; print(forecastbook.__file__)'", tmp_path)
    assert str(wheel_env) in where.stdout and str(ROOT) not in where.stdout
    assert _run(wheel_env, "forecastbook --version", tmp_path).stdout.strip().endswith(forecastbook.__version__)
    repo = tmp_path / "our-forecasts"
    started = _run(wheel_env, f"forecastbook init {repo} --team 'Desk A' --forecaster desk-a", tmp_path)
    assert started.returncode == 0, started.stderr
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    readme = (repo / "README.md").read_text()
    commands = re.findall(r"^(\.venv/bin/\S+ [^#\n]*?)\s*(?:#.*)?$", readme, flags=re.M)
    assert [c.split()[1] if c.startswith(".venv/bin/forecastbook") else c.split()[0] for c in commands] == [
        "validate", ".venv/bin/python", "report"]
    for command in commands:
        result = _run(wheel_env, command, repo)
        assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    pages = sorted(p.name for p in (repo / "report").glob("*.html"))
    assert pages == ["article.html", "calibration.html", "index.html", "scoreboard.html"]
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert str(ROOT) not in path.read_text(errors="ignore"), path  # nothing points back at this checkout
    again = _run(wheel_env, f"forecastbook init {repo}", tmp_path)
    assert again.returncode == 1 and "nothing was written (--force overwrites)" in again.stderr


def test_init_dry_run_writes_nothing_and_the_store_validates(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "r"), "--dry-run"])
    assert result.exit_code == 0 and "would write" in result.output and not (tmp_path / "r").exists()
    assert CliRunner().invoke(main, ["init", str(tmp_path / "r")]).exit_code == 0
    checked = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "r" / "forecasts"), "--strict"])
    assert checked.exit_code == 0, checked.output
    nb = json.loads((tmp_path / "r" / "notebooks" / "scoreboard.ipynb").read_text())
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")  # made for another store
    assert 'store = "../forecasts"' in "".join(next(c for c in nb["cells"] if "parameters" in c["metadata"].get(
        "tags", []))["source"])
    bad = CliRunner().invoke(main, ["init", str(tmp_path / "s"), "--forecaster", "Not A Slug"])
    assert bad.exit_code == 1 and "lowercase slug" in bad.output


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml")) + sorted(
    (ROOT / "src" / "forecastbook" / "scaffold" / "files" / "dot-github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_every_workflow_parses_and_its_commands_exist(path):
    flow = yaml.safe_load(path.read_text())
    assert flow["jobs"] and (True in flow or "on" in flow)  # YAML 1.1 reads the key 'on' as True
    names = {c for c in main.commands}
    for job in flow["jobs"].values():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                for call in re.findall(r"\.venv/bin/forecastbook ([^|>&;]+)", line):
                    words = shlex.split(call)
                    assert words[0] in names, (path.name, call)
                    helped = CliRunner().invoke(main, [words[0], "--help"])
                    for option in (w.split("=")[0] for w in words if w.startswith("--")):
                        assert option in helped.output, (path.name, call, option)
    if path.name == "ci.yml":
        runs = [s.get("run", "") for j in flow["jobs"].values() for s in j["steps"]]
        assert any("validate" in r and "--format github" in r for r in runs)
        assert any("pytest" in r for r in runs)  # with strict nbval (the project's own pytest settings)
    if path.name == "report.yml":
        uses = [s.get("uses", "") for j in flow["jobs"].values() for s in j["steps"]]
        assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
        assert any(u.startswith("actions/deploy-pages") for u in uses)


def test_this_repository_runs_the_tests_with_strict_nbval_on_every_push_and_pull_request():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert set(flow[True]) == {"push", "pull_request"}
    import tomllib

    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--nbval " in addopts + " " and "--nbval-lax" not in addopts


def test_pre_commit_hook_runs_validate_on_store_files_only():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = hooks[0]
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("forecastbook-validate", "python", False)
    assert hook["entry"].split()[:2] == ["forecastbook", "validate"]
    assert re.search(hook["files"], "forecasts/topic/q.yaml") and not re.search(hook["files"], "README.md")


def test_github_annotations_follow_the_workflow_command_syntax(tmp_path):
    # https://docs.github.com/actions/reference/workflow-commands-for-github-actions: properties
    # escape % \r \n : , and the message escapes % \r \n
    p = Problem("forecasts/a,b.yaml", 3, 5, "warning", "x:y", "100% sure\nof it")
    assert github_annotation(p) == "::warning file=forecasts/a%2Cb.yaml,line=3,col=5,title=x%3Ay::100%25 sure%0Aof it"
    store = tmp_path / "s"
    (store / "forecasters").mkdir(parents=True)
    (store / "q.yaml").write_text("id: q\ntitle: Q\nkind: binary\ncriteria: by 2026-06-30\ncreated: 2026-01-01\n"
                                  "closes: 2026-01-02\nresolve_by: 2026-01-03\nresolution_sources: [https://e.org]\n"
                                  "forecasts:\n- {by: ana, at: 2026-01-01T10:00:00Z, probability: 1.3}\n")
    result = CliRunner().invoke(main, ["validate", "--store", str(store), "--format", "github"])
    assert result.exit_code == 1
    lines = [l for l in result.output.splitlines() if l.startswith("::")]
    assert lines and all(re.fullmatch(r"::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[^:]+::.+", l) for l in lines)
    as_json = CliRunner().invoke(main, ["validate", "--store", str(store), "--format", "json"])
    found = json.loads(as_json.stdout)
    assert {tuple(sorted(f)) for f in found} == {("col", "field", "line", "message", "path", "severity")}


def test_due_as_markdown_is_an_issue_body_with_links():
    result = CliRunner().invoke(main, ["due", "--store", str(FORECASTS), "--as-of", "2026-11-27", "--format",
                                       "markdown", "--check"])
    assert result.exit_code == 1  # overdue questions: the workflow opens or updates the issue
    body = result.output
    assert body.startswith("**7 overdue** as of 2026-11-27.")
    assert "- [ ] `reuters-pause-confirmed`: Does a named US official" in body
    assert "  - <https://www.whitehouse.gov/briefings-statements/>" in body
    done = CliRunner().invoke(main, ["due", "--store", str(FORECASTS), "--as-of", "2026-03-01", "--format", "markdown",
                                     "--check"])
    assert done.exit_code == 0 and done.output.strip() == "Nothing is overdue as of 2026-03-01."


@pytest.mark.parametrize(("overdue", "open_issue", "expected"), [
    (True, "", "issue create --title Forecasts overdue for resolution --body-file due.md"),
    (True, "17", "issue edit 17 --body-file due.md"),
    (False, "17", "issue close 17 --comment Nothing is overdue as of"),
    (False, "", None),
])
def test_the_due_workflow_opens_updates_and_closes_one_issue(tmp_path, overdue, open_issue, expected):
    """The workflow's shell step, run in a repository made by init, against a stand-in for
    the GitHub CLI that records what it was asked to do."""
    repo = tmp_path / "repo"
    assert CliRunner().invoke(main, ["init", str(repo)]).exit_code == 0
    if overdue:
        (repo / "forecasts" / "late.yaml").write_text(
            "id: late\ntitle: Late?\nkind: binary\ncriteria: Resolves yes if it happens by 2026-01-31.\n"
            "created: 2026-01-01\ncloses: 2026-01-31\nresolve_by: 2026-02-15\nresolution_sources: [https://e.org]\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "forecastbook").symlink_to(Path(sys.executable).parent / "forecastbook")
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "gh.log"
    (fake / "gh").write_text(f"#!/bin/sh\necho \"$*\" >> {log}\n"
                             f"case \"$1 $2\" in 'issue list') printf '%s' \"$OPEN_ISSUE\";; esac\n")
    (fake / "gh").chmod(0o755)
    flow = yaml.safe_load((repo / ".github" / "workflows" / "due.yml").read_text())
    step = next(s for s in flow["jobs"]["due"]["steps"] if s.get("name") == "Open, update or close the issue")
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "OPEN_ISSUE": open_issue,
           "TITLE": flow["jobs"]["due"]["env"]["TITLE"]}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0].startswith("issue list --state open")
    if expected is None:
        assert calls[1:] == []
    else:
        assert calls[1].startswith(expected), calls
    if overdue:
        assert "`late`: Late?" in (repo / "due.md").read_text()
