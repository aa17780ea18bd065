"""README.md is true to the files: every path it names is there, and so are the files it says each
domain app has."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# var/ (the demo's database, broker and uploads) and node_modules/ are made at run time.
RUNTIME = {"var", "node_modules", ".venv"}
TOP = {path.name for path in ROOT.iterdir() if not path.name.startswith(".") or path.name == ".ci"} - RUNTIME


def named_paths():
    """The repository paths the README names: `code` spans and links that start with a top-level
    file or folder (not URLs, not commands)."""
    spans = re.findall(r"`([^`\s]+)`", README) + re.findall(r"\]\(([^)\s]+)\)", README)
    return sorted({span.rstrip("/") for span in spans if span.split("/")[0] in TOP and "://" not in span})


def test_the_readme_names_paths():
    assert {"docs/screenshot.png", "alliance/workflow.py", "bin/build-css.mjs", "requirements.in"} <= set(named_paths())


@pytest.mark.parametrize("path", named_paths())
def test_every_path_the_readme_names_is_there(path):
    assert (ROOT / path).exists(), path


@pytest.mark.parametrize("app", ["members", "events", "initiatives"])
def test_each_domain_app_has_the_files_the_readme_lists(app):
    folder = ROOT / app
    for choice in (
        ["models.py"],
        ["selectors.py"],
        ["services.py", "services"],
        ["permissions.py"],
        ["forms.py", "forms"],
        ["filters.py"],
        ["views"],
        ["urls.py"],
        ["admin.py"],
        ["search.py"],
        ["home.py"],
    ):
        assert any((folder / name).exists() for name in choice), f"{app}/{' or '.join(choice)}"


def test_the_alliance_files_the_readme_describes_are_there():
    described = re.search(r"- `alliance/` — (.*?)\n- `members/`", README, re.S).group(1)
    for name in re.findall(r"`([a-z_]+\.py)`", described):
        assert (ROOT / "alliance" / name).exists(), name
