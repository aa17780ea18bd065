"""The locks: every package of requirements.in / requirements-dev.in is in its lock at the same version,
every locked package carries hashes, the runtime lock agrees with the development one, the installed
packages are the locked ones, and `make install` refuses anything without a matching hash."""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def pins(path):
    """{normalized name: version} of the `name==version` lines of a requirements file."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\#]+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def locked_entries(path):
    """(name==version, its hashes) for each package of a lock written by pip-compile --generate-hashes."""
    text = (ROOT / path).read_text()
    return re.findall(r"^([A-Za-z0-9_.\-]+==\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M)


def test_every_direct_pin_is_in_its_lock_at_the_same_version():
    runtime, development = pins("requirements.txt"), pins("requirements-dev.txt")

    assert {name: runtime.get(name) for name in pins("requirements.in")} == pins("requirements.in")
    wanted = {**pins("requirements.in"), **pins("requirements-dev.in")}
    assert {name: development.get(name) for name in wanted} == wanted
    assert {name: development.get(name) for name in runtime} == runtime


def test_every_locked_package_has_hashes():
    for path in ("requirements.txt", "requirements-dev.txt"):
        entries = locked_entries(path)
        assert len(entries) == len(pins(path)) > 40, path
        assert all(hashes.count("--hash=sha256:") >= 1 for _pin, hashes in entries)


def test_the_installed_packages_are_the_locked_ones():
    installed = {
        re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower(): dist.version for dist in metadata.distributions()
    }

    locked = pins("requirements-dev.txt")

    assert {name: installed.get(name) for name in locked} == locked


def test_make_install_requires_the_hashes():
    makefile = (ROOT / "Makefile").read_text()

    assert "install --quiet --require-hashes -r requirements-dev.txt -r requirements-markers.txt" in makefile
    assert "pip-tools==7.6.2" in makefile


# Pythons the portal supports whose needs differ from the one the locks are made on: Debian 12's
# python3 (3.11.2), and newer ones.
PYTHONS = ["3.11.0", "3.11.2", "3.11.7", "3.12.3", "3.13.1"]


@pytest.mark.parametrize("python", PYTHONS)
def test_every_dependency_of_a_locked_package_is_installed_on_every_supported_python(python):
    """What pip would ask for under --require-hashes on that Python: every requirement of every locked
    package (markers evaluated for that Python, no extras) must be in the locks or in
    requirements-markers.txt, whose lines carry their own marker and hashes."""
    available = {**pins("requirements-dev.txt"), **pins("requirements-markers.txt")}
    environment = {
        **default_environment(),
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "extra": "",
    }
    missing = set()
    for name in pins("requirements-dev.txt"):
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                if re.sub(r"[-_.]+", "-", requirement.name).lower() not in available:
                    missing.add(f"{requirement} (for {name})")
    assert not missing


def test_the_lines_for_some_pythons_carry_their_marker_and_hashes():
    text = (ROOT / "requirements-markers.txt").read_text()
    entries = re.findall(r"^(\S+==\S+) ; ([^\\]+?) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M)
    assert [entry[0] for entry in entries] == ["async-timeout==5.0.1"]
    assert all(Marker(marker) and hashes.count("--hash=sha256:") >= 1 for _pin, marker, hashes in entries)
