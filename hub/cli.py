"""The ``hub`` command line: serve, migrate, load-fixtures, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hub.settings import FIXTURES_DIR, PROJECT_ROOT, Settings, SettingsError


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    import uvicorn

    from hub.app import create_app
    from hub.http_protocol import HubHttpToolsProtocol
    from hub.request_telemetry import configure_logging
    from hub.telemetry import configure_from_environment

    configure_logging()
    configure_from_environment()
    print(f"Serving GraphQL on http://{settings.host}:{settings.port}/graphql", flush=True)
    # Several workers: each process builds its own app from the same HUB_* environment.
    app: Any = create_app(settings) if settings.workers == 1 else "hub.cli:worker_app"
    if settings.workers == 1:
        freeze_startup_heap()
    uvicorn.run(
        app,
        http=HubHttpToolsProtocol,
        factory=settings.workers > 1,
        workers=settings.workers if settings.workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # hub.access writes one JSON line per request instead
        timeout_graceful_shutdown=30,
    )
    return 0


def worker_app() -> Any:
    """The app of one of several uvicorn workers (``HUB_WORKERS``): a process of its own,
    configured like ``hub serve`` configures the single one."""
    from hub.app import create_app
    from hub.request_telemetry import configure_logging
    from hub.telemetry import configure_from_environment

    configure_logging()
    configure_from_environment()
    app = create_app(Settings.from_env())
    freeze_startup_heap()
    return app


def freeze_startup_heap() -> None:
    """Leave what the process built before serving out of the garbage collector's sweeps.

    The modules, the schema and its types are some 125,000 objects that live as long as
    the process. A full collection walks them all, about 90 ms on this kind of machine,
    during which no request moves: the slowest percent of answers under load. Frozen
    (``gc.freeze``), a full collection walks only what requests created since: a few
    milliseconds. Only ``hub serve`` does this; tests build many apps in one process.
    """
    import gc

    gc.collect()
    gc.freeze()


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


def _token(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from hub import auth
    from hub.db import create_engine
    from hub.provinces import resolve_province

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            if args.action == "create":
                role = auth.Role(args.role.upper())
                province_code = None
                if role is auth.Role.PROVINCE:
                    if not args.province:
                        print("hub: a province token needs --province", file=sys.stderr)
                        return 2
                    found = await resolve_province(engine=engine, reference=args.province)
                    if found is None:
                        print(f"hub: no province matches {args.province!r}", file=sys.stderr)
                        return 2
                    province_code = found.code
                elif args.province:
                    print("hub: a ministry token is not bound to a province", file=sys.stderr)
                    return 2
                label = args.label or (f"province {province_code}" if province_code else "ministry")
                token, record = await auth.create_token(
                    engine=engine,
                    role=role,
                    province_code=province_code,
                    label=label,
                    expires_in=None
                    if args.expires_in_days is None
                    else timedelta(days=args.expires_in_days),
                )
                print(
                    f"Created token {record.id} ({record.role.value.lower()}"
                    f"{', province ' + province_code if province_code else ''}). "
                    "It is shown once; store it now:",
                    file=sys.stderr,
                )
                print(token)
                return 0
            if args.action == "list":
                for r in await auth.list_tokens(engine=engine):
                    state = "revoked" if r.revoked_at else "active"
                    print(
                        f"{r.id}\t{r.display}\t{r.role.value.lower()}\t{r.province_code or '-'}"
                        f"\t{state}\t{r.expires_at.isoformat() if r.expires_at else 'never'}"
                        f"\t{r.label}"
                    )
                return 0
            if await auth.revoke_token(engine=engine, token_id=args.id):
                print(f"Revoked token {args.id}.")
                return 0
            print(f"hub: no active token {args.id}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _generate_demo(settings: Settings, args: argparse.Namespace) -> int:
    from hub.db import create_engine
    from hub.demo import DemoRefused, Progress, count_rows, generate_demo
    from hub.fixtures.load import read_catalogue
    from hub.migrate import upgrade
    from hub.settings import Settings as Defaults
    from hub.settings import normalise_database_url

    url = normalise_database_url(args.database_url)
    if url == Defaults().database_url:
        print(
            "hub: generate-demo never writes the embedded database; give a separate one",
            file=sys.stderr,
        )
        return 2
    catalogue = read_catalogue(Path(FIXTURES_DIR))
    upgrade(url)

    async def run() -> int:
        engine = create_engine(url)
        try:
            report = await generate_demo(
                engine,
                catalogue,
                size=args.size,
                seed=args.seed,
                progress=Progress(count_rows(catalogue, args.size)),
            )
        except DemoRefused as error:
            print(f"hub: refused: {error}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()
        print(
            f"Synthetic set ({args.size}, seed {args.seed}): {report.observations:,} "
            f"observations, {report.plans} plans, {report.targets} targets."
        )
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
    token = commands.add_parser("token", help="create, list and revoke API tokens")
    token_actions = token.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser(
        "create", help="create a token; it is printed once, alone on the last line"
    )
    create.add_argument("--role", required=True, choices=["ministry", "province"])
    create.add_argument("--province", help="the province of a province token (code or name)")
    create.add_argument("--label", help="who holds it, for the audit trail")
    create.add_argument("--expires-in-days", type=int, help="default: never expires")
    token_actions.add_parser("list", help="list tokens (never their secret)")
    revoke = token_actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    token.set_defaults(handler=_token)
    demo = commands.add_parser(
        "generate-demo",
        help="fill a separate, empty database with a synthetic national data set",
    )
    demo.add_argument("--database-url", required=True, help="the database to fill (empty)")
    demo.add_argument("--size", choices=["tiny", "national", "deep"], default="national")
    demo.add_argument("--seed", type=int, default=2025, help="same seed, same data")
    demo.set_defaults(handler=_generate_demo)
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
