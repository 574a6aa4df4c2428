"""``arrecon create-client / create-user / create-token`` on a fresh SQLite file, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from service.auth import authenticate_user, principal_from_token, token_to_sha256
from service.cli import main
from service.db import ApiToken, Role, User, make_engine, session_factory


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """ARRECON_DATABASE_URL pointing at a SQLite file that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'var' / 'arrecon.db'}"
    monkeypatch.setenv("ARRECON_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def test_create_client_user_and_token(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-client", "Acme Receivables"]) == 0
    assert capsys.readouterr().out.endswith(" Acme Receivables\n")

    monkeypatch.setenv("ARRECON_NEW_PASSWORD", "a long passphrase")
    assert (
        main(
            ["create-user", "--client", "Acme Receivables", "--email", "Ana@Acme.example", "--role", "admin"]
        )
        == 0
    )
    assert "ana@acme.example admin of client Acme Receivables" in capsys.readouterr().out

    assert main(["create-token", "--client", "Acme Receivables", "--name", "erp"]) == 0
    printed = capsys.readouterr()
    token = printed.out.strip()
    assert token.startswith("arr_") and "not shown again" in printed.err

    sessions = session_factory(make_engine(database_url))
    with sessions() as session:
        principal = principal_from_token(session, token)
        assert principal is not None and principal.actor == "token:erp"
        stored = session.scalars(select(ApiToken.token_sha256)).all()
        assert stored == [token_to_sha256(token)]  # the token itself is not stored
        user = authenticate_user(session, "ana@acme.example", "a long passphrase")
        assert user is not None and user.role == Role.admin.value
        assert session.scalar(select(User.password_hash)).startswith("$argon2id$")


def test_admin_commands_refuse_bad_input_with_exit_2(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-client", "Globex"]) == 0
    assert main(["create-client", "Globex"]) == 2
    assert main(["create-token", "--client", "Initech"]) == 2
    monkeypatch.setenv("ARRECON_NEW_PASSWORD", "short")
    assert main(["create-user", "--client", "Globex", "--email", "x@globex.example"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "arrecon: already_exists: a client named 'Globex' exists already",
        "arrecon: unknown_client: no client named 'Initech'",
        "arrecon: bad_input: a password needs at least 8 characters",
    ]
