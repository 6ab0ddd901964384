"""reparse status filter

`nianbao reparse --status needs_ocr` narrows a run to documents whose current parse has one of
the given statuses; the run records the filter beside its agency and year filters, so a run of
another status filter is never taken for an abandoned run of this one.

Revision ID: 99b9e63c839e
Revises: f5111be89268
Create Date: 2026-12-07 12:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '99b9e63c839e'
down_revision: str | Sequence[str] | None = 'f5111be89268'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("reparse_runs", sa.Column("status_filter", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reparse_runs") as batch:
        batch.drop_column("status_filter")
