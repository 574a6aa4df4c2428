"""The ``arrecon`` command line: one sub-command per module in ``service.commands``.

Bad input ends with exit code 2 and a one-line reason on stderr, never a traceback; any other
``ArreconError`` ends with exit code 1 and its message.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from models.errors import ArreconError, InputError

# Each module defines ``register(subparsers)``, which adds its sub-command(s) and sets ``func``
# (called with the parsed namespace, returning the exit code). Order here is the order of --help.
COMMAND_MODULES: tuple[str, ...] = (
    "service.commands.extract",
    "service.commands.tables",
    "service.commands.admin",
    "service.commands.serve",
    "service.commands.reconcile",
    "service.commands.tag",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="arrecon",
        description="Customer account reconciliation: extract customer statements, tag their lines, "
        "reconcile them against the AR ledger and explain every difference.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``arrecon`` sub-command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(f"arrecon: {exc.code}: {exc}", file=sys.stderr)
        return 2
    except ArreconError as exc:
        print(f"arrecon: {exc.code}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
