"""The ``niaga`` command: demo, serve, worker, seed, and Django's own management commands."""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def _prepare(*, verbose: bool = True) -> None:
    """Data directory, compiled catalogs and an up-to-date schema: what every server needs."""
    from django.core.management import call_command

    from niaga.core.catalogs import compile_catalogs

    compile_catalogs()
    if verbose:
        print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)


def demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from niaga.demo import world

    _prepare()
    if world.is_seeded():
        print("The demo world is already there; keeping it.", flush=True)
    else:
        world.seed(size=args.size, seed=args.seed, progress=True)
    host_for_url = "localhost" if args.host in {"127.0.0.1", "0.0.0.0", "::"} else args.host  # noqa: S104
    print(world.sign_in_sheet(f"http://{host_for_url}:{args.port}/"), flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, skip_checks=True)
    return 0


def serve(args: argparse.Namespace) -> int:
    _setup_django()
    _prepare(verbose=False)
    from django.conf import settings
    from django.core.management import call_command

    if settings.STATIC_ROOT:
        call_command("collectstatic", interactive=False, verbosity=0)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "niaga.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("NIAGA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    run()
    return 0


def worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("db_worker", *args.rest)
    return 0


def seed(args: argparse.Namespace) -> int:
    _setup_django()
    from niaga.demo import world

    _prepare()
    counts = world.seed(size=args.size, seed=args.seed, progress=True)
    print(", ".join(f"{count} {name}" for name, count in counts.items()))
    return 0


def manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["niaga manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="niaga", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_world_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--size",
            default="small",
            type=_size,
            help="small (default), medium, large, or a number of businesses",
        )
        command.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    demo_cmd = commands.add_parser("demo", help="migrate, seed the demo world once, and serve it")
    demo_cmd.add_argument("--port", type=_port, default=8000)
    demo_cmd.add_argument("--host", default="127.0.0.1")
    add_world_options(demo_cmd)
    demo_cmd.set_defaults(handler=demo)

    serve_cmd = commands.add_parser("serve", help="the production server (gunicorn)")
    serve_cmd.add_argument("--port", type=_port, default=int(os.environ.get("PORT", "8000")))
    serve_cmd.add_argument("--host", default=os.environ.get("NIAGA_HOST", "127.0.0.1"))
    serve_cmd.add_argument(
        "--workers", type=int, default=int(os.environ.get("NIAGA_WEB_WORKERS", "2"))
    )
    serve_cmd.set_defaults(handler=serve)

    worker_cmd = commands.add_parser("worker", help="run background tasks")
    worker_cmd.add_argument("rest", nargs=argparse.REMAINDER)
    worker_cmd.set_defaults(handler=worker)

    seed_cmd = commands.add_parser("seed", help="generate the demo world")
    add_world_options(seed_cmd)
    seed_cmd.set_defaults(handler=seed)

    manage_cmd = commands.add_parser("manage", help="Django's management commands")
    manage_cmd.add_argument("rest", nargs=argparse.REMAINDER)
    manage_cmd.set_defaults(handler=manage)
    return parser


def _size(value: str) -> str | int:
    if value in {"small", "medium", "large"}:
        return value
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not small, medium, large or a whole number"
        ) from None
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and 1000000")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not between 1 and 65535")
    return number


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
