import pytest

from hub.settings import Settings, SettingsError, normalise_database_url


def test_defaults_serve_on_loopback_port_8000_with_embedded_sqlite():
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_hub_variables_override_the_defaults():
    settings = Settings.from_env(
        {"HUB_HOST": "0.0.0.0", "HUB_PORT": "9001", "HUB_DATABASE_URL": "postgresql://u@h/db"}
    )
    assert (settings.host, settings.port) == ("0.0.0.0", 9001)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize("port", ["eighty", "0", "70000"])
def test_a_bad_port_is_refused_with_its_name(port):
    with pytest.raises(SettingsError, match="HUB_PORT"):
        Settings.from_env({"HUB_PORT": port})


def test_an_unsupported_database_is_refused():
    with pytest.raises(SettingsError):
        normalise_database_url("mysql://localhost/hub")


def test_workers_default_to_one_and_are_bounded():
    assert Settings.from_env({}).workers == 1
    assert Settings.from_env({"HUB_WORKERS": "4"}).workers == 4
    with pytest.raises(SettingsError, match="HUB_WORKERS"):
        Settings.from_env({"HUB_WORKERS": "0"})
