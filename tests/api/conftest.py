import pytest


@pytest.fixture(autouse=True)
def _own_open_data_folder(settings, tmp_path):
    """Each test writes and reads its own open-data files (api/opendata.py), never another test's."""
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
