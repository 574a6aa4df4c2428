"""The first tables: clients, users, API tokens, documents, statement / ledger / reconciliation versions.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _client_id() -> sa.Column[object]:
    return sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        _timestamp("created_at"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        _client_id(),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        _client_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(36), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("sender", sa.String(320), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        _timestamp("received_at"),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("customer_account", sa.String(100), nullable=True, index=True),
        _timestamp("updated_at"),
        sa.UniqueConstraint("client_id", "sha256", name="uq_documents_client_sha256"),
    )
    op.create_index("ix_documents_client_state", "documents", ["client_id", "state"])
    op.create_index("ix_documents_state_updated", "documents", ["state", "updated_at"])
    op.create_table(
        "statement_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.UniqueConstraint("document_id", "version", name="uq_statement_versions_doc_version"),
    )
    op.create_table(
        "ledgers",
        sa.Column("id", sa.String(36), primary_key=True),
        _client_id(),
        sa.Column("customer_account", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.UniqueConstraint(
            "client_id", "customer_account", "version", name="uq_ledgers_client_account_version"
        ),
    )
    op.create_table(
        "reconciliation_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("statement_version", sa.Integer(), nullable=False),
        sa.Column("ledger_id", sa.String(36), sa.ForeignKey("ledgers.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("document_id", "version", name="uq_reconciliation_versions_doc_version"),
    )


def downgrade() -> None:
    for table in ("reconciliation_versions", "ledgers", "statement_versions", "documents", "api_tokens",
                  "users", "clients"):
        op.drop_table(table)
