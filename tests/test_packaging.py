"""The project's metadata stays consistent: environment.yml pins = pyproject.toml pins."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(specs):
    out = {}
    for spec in specs:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][^,;\s]*)?", spec)
        if m:
            out[m.group(1).lower().replace("_", "-")] = (m.group(2) or "").replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    py = _pins(specs)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = _pins([d for d in env["dependencies"] if isinstance(d, str) and d not in {"pip"}])
    conda.pop("python", None)
    assert set(conda) == set(py), f"only in environment.yml: {set(conda) - set(py)}; only in pyproject: {set(py) - set(conda)}"
    for name, pin in py.items():
        assert conda[name] == pin, f"{name}: pyproject {pin!r} vs environment.yml {conda[name]!r}"


def test_makefile_help_lists_every_target():
    text = (ROOT / "Makefile").read_text()
    documented = set(re.findall(r"^([a-z-]+):.*## ", text, flags=re.M))
    for target in {"reports", "report", "test", "lab", "clean", "help", "demo", "new-client", "pdf", "bench"}:
        assert target in documented, target
