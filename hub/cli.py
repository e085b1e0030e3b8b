"""The ``hub`` command line: serve, migrate, load-fixtures, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from hub.settings import FIXTURES_DIR, PROJECT_ROOT, Settings, SettingsError


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    import uvicorn

    from hub.app import create_app

    print(f"Serving GraphQL on http://{settings.host}:{settings.port}/graphql", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from hub.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"Database migrated to {args.revision}.")
    return 0


def _load_fixtures(settings: Settings, args: argparse.Namespace) -> int:
    from hub.db import create_engine
    from hub.fixtures.load import load_fixtures
    from hub.fixtures.parse import FixtureError

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            report = await load_fixtures(engine, Path(args.directory), progress=print)
        except FixtureError as error:
            print(f"Refused: nothing was stored.\n{error}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        print(f"Done: {report.stored} rows of figures and plans stored.")
        return 0

    return asyncio.run(run())


def _export_schema(_settings: Settings, args: argparse.Namespace) -> int:
    from schema import build_schema

    text = build_schema().as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hub",
        description="The provincial digital-workforce reporting hub. Settings come from "
        "HUB_HOST, HUB_PORT and HUB_DATABASE_URL (default: a SQLite file in var/).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL) on /graphql")
    serve.set_defaults(handler=_serve)
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("revision", nargs="?", default="head", help="target (default: head)")
    migrate.set_defaults(handler=_migrate)
    load = commands.add_parser(
        "load-fixtures",
        help="load the province registry, catalogue and seed figures (idempotent)",
    )
    load.add_argument("--directory", default=str(FIXTURES_DIR), help="fixtures folder")
    load.set_defaults(handler=_load_fixtures)
    export = commands.add_parser("export-schema", help="write the served schema's SDL")
    export.add_argument(
        "--output", default=str(PROJECT_ROOT / "schema.graphql"), help="file, or - for stdout"
    )
    export.set_defaults(handler=_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"hub: {error}", file=sys.stderr)
        return 2
    return int(args.handler(settings, args))


if __name__ == "__main__":
    raise SystemExit(main())
