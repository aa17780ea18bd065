"""bin/screenshots takes the README's pictures from a running portal (here the live test server)."""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def run(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "bin" / "screenshots"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_script_writes_every_picture_the_readme_shows(live_server, taxonomy, tmp_path):
    result = run("--base-url", live_server.url, "--out", str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert {path.name: png_size(path) for path in tmp_path.iterdir()} == {
        "screenshot.png": (1280, 1100),
        "directory.png": (1280, 1400),
        "events.png": (1280, 1100),
        "phone.png": (360, 780),
    }
    readme = (ROOT / "README.md").read_text()
    assert all(f"(docs/{path.name})" in readme for path in tmp_path.iterdir())


def test_the_script_says_when_the_demo_is_not_running(tmp_path):
    result = run("--base-url", "http://127.0.0.1:9", "--out", str(tmp_path))

    assert result.returncode == 1
    assert "start it with `make demo` first" in result.stderr
    assert list(tmp_path.iterdir()) == []
