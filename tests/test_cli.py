"""The command line as an operator uses it, in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HUB = [sys.executable, "-m", "hub.cli"]


def run(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HUB_DATABASE_URL=f"sqlite:///{database}")
    return subprocess.run(
        [*HUB, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "hub.sqlite3"
    assert run("migrate", database=path).returncode == 0
    assert run("load-fixtures", database=path).returncode == 0
    return path


def test_help_names_every_command():
    done = subprocess.run([*HUB, "--help"], capture_output=True, text=True, check=True)
    for command in ("serve", "migrate", "load-fixtures", "token", "export-schema"):
        assert command in done.stdout


def test_token_create_prints_the_token_alone_on_the_last_line(database):
    done = run("token", "create", "--role", "province", "--province", "83", database=database)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("hub_")
    assert len(last) == 47
    listed = run("token", "list", database=database)
    assert "province\t83\tactive" in listed.stdout
    assert last not in listed.stdout


def test_token_revoke_and_bad_arguments(database):
    run("token", "create", "--role", "ministry", database=database)
    assert run("token", "revoke", "1", database=database).returncode == 0
    assert "revoked" in run("token", "list", database=database).stdout
    assert run("token", "revoke", "1", database=database).returncode == 1
    no_province = run("token", "create", "--role", "province", database=database)
    assert no_province.returncode == 2
    assert "--province" in no_province.stderr
    unknown = run(
        "token", "create", "--role", "province", "--province", "Atlantis", database=database
    )
    assert unknown.returncode == 2


def test_load_fixtures_twice_stores_nothing_the_second_time(database):
    done = run("load-fixtures", database=database)
    assert done.returncode == 0
    assert "Done: 0 rows" in done.stdout


def test_serve_with_several_workers_answers_from_each_of_them(database):
    """HUB_WORKERS=2: uvicorn runs two processes, each building the app from HUB_*."""
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(
        os.environ,
        HUB_DATABASE_URL=f"sqlite:///{database}",
        HUB_PORT=str(port),
        HUB_WORKERS="2",
    )
    server = subprocess.Popen(
        [*HUB, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.post(url, json={"query": "{ indicators { code } }"}, timeout=5)
            except httpx.TransportError:
                time.sleep(0.3)
        assert answer is not None, "the server did not come up"
        codes = {i["code"] for i in answer.json()["data"]["indicators"]}
        assert "staffing.it_staff" in codes
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count("Started server process") == 2, output


def test_a_serving_worker_leaves_its_startup_heap_out_of_garbage_collection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    import gc
    import logging

    from hub.cli import worker_app

    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    # worker_app configures the hub's loggers as a server's; put them back afterwards.
    levels = {}
    for name in ("hub.access", "hub.errors"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", list(logger.handlers))
        monkeypatch.setattr(logger, "propagate", logger.propagate)
        levels[name] = logger.level
    gc.unfreeze()
    try:
        worker_app()
        # The schema's types are among what a full collection no longer walks.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
