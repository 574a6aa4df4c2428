"""``arrecon create-client``, ``create-user`` and ``create-token``: tenants and credentials.

The database is migrated first, so these work on a fresh machine. ``create-token`` prints the
token once: only its sha256 is stored.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from models.errors import InputError
from service.auth import create_client, create_token, create_user, find_client
from service.db import ArreconSession, Role, make_engine, migrate, session_factory
from service.settings import get_settings

PASSWORD_ENV = "ARRECON_NEW_PASSWORD"


def register(subparsers: Any) -> None:
    """Add the create-client, create-user and create-token sub-commands."""
    client = subparsers.add_parser("create-client", help="add a client (a company whose AR is reconciled)")
    client.add_argument("name", help="the client's name, unique")
    client.set_defaults(func=run_create_client)

    user = subparsers.add_parser("create-user", help="add a user of a client (password from the prompt)")
    user.add_argument("--client", required=True, help="the client's name or id")
    user.add_argument("--email", required=True)
    user.add_argument("--role", choices=[r.value for r in Role], default=Role.analyst.value)
    user.add_argument("--name", default="", help="the user's display name")
    user.add_argument("--password-stdin", action="store_true",
                      help=f"read the password from stdin (else ${PASSWORD_ENV}, else a prompt)")
    user.set_defaults(func=run_create_user)

    token = subparsers.add_parser("create-token", help="add an API token of a client and print it once")
    token.add_argument("--client", required=True, help="the client's name or id")
    token.add_argument("--name", default="", help="what the token is for, e.g. 'erp-upload'")
    token.set_defaults(func=run_create_token)


def _session() -> ArreconSession:
    url = get_settings().database_url
    migrate(url)
    return session_factory(make_engine(url))()


def run_create_client(args: argparse.Namespace) -> int:
    """Create the client and print its id."""
    with _session() as session:
        client = create_client(session, args.name)
        print(f"client {client.id} {client.name}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise InputError(f"no password: use --password-stdin or set {PASSWORD_ENV}")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise InputError("the passwords differ")
    return first


def run_create_user(args: argparse.Namespace) -> int:
    """Create the user and print its id."""
    password = _read_password(args.password_stdin)
    with _session() as session:
        client = find_client(session, args.client)
        user = create_user(session, client, args.email, password, Role(args.role), name=args.name)
        print(f"user {user.id} {user.email} {user.role} of client {client.name}")
    return 0


def run_create_token(args: argparse.Namespace) -> int:
    """Create the token and print it (the only time it is shown)."""
    with _session() as session:
        client = find_client(session, args.client)
        _row, token = create_token(session, client, args.name)
        print(token)
    print(f"token for client {client.name}: store it now, it is not shown again", file=sys.stderr)
    return 0
