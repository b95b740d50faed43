"""Catalog, sharing requests and grants, and the working-day calendar.

Why: the information-resource catalog is how departments learn what data exists (national
template: classification 类/项/目/细目, resource code, provider, sharing and open attributes, items),
and sharing requests are how they obtain it, with deadlines in working days. This creates:
- the classification tree, seeded with the national base categories and themes;
- resources, their items and their published versions;
- the full-text index: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL,
  both fed with rjieba-segmented text (Chinese has no spaces to split on);
- sharing requests and grants;
- the holiday calendar, seeded from the chinese-calendar package for the years it knows
  (admins enter later years' State Council notices on the 节假日设置 page).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:12:56.629137
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('catalog_classifications',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('parent_code', sa.String(length=16), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_catalog_classifications_department_id_departments')),
    sa.ForeignKeyConstraint(['parent_code'], ['catalog_classifications.code'], name=op.f('fk_catalog_classifications_parent_code_catalog_classifications')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_catalog_classifications'))
    )
    with op.batch_alter_table('catalog_classifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_classifications_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_classifications_parent_code'), ['parent_code'], unique=False)

    op.create_table('catalog_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('classification_code', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('provider_code', sa.String(length=18), nullable=False),
    sa.Column('format_type', sa.String(length=16), nullable=False),
    sa.Column('share_type', sa.String(length=16), nullable=False),
    sa.Column('share_condition', sa.Text(), nullable=False),
    sa.Column('no_share_reason', sa.Text(), nullable=False),
    sa.Column('share_methods', sa.JSON(), nullable=False),
    sa.Column('open_to_public', sa.Boolean(), nullable=False),
    sa.Column('open_condition', sa.Text(), nullable=False),
    sa.Column('update_cycle', sa.String(length=16), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('related_codes', sa.JSON(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('data_on_platform', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['classification_code'], ['catalog_classifications.code'], name=op.f('fk_catalog_resources_classification_code_catalog_classifications')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_catalog_resources_created_by_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['departments.id'], name=op.f('fk_catalog_resources_provider_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_resources')),
    sa.UniqueConstraint('classification_code', 'seq', name='uq_catalog_resources_classification_seq'),
    sa.UniqueConstraint('code', name=op.f('uq_catalog_resources_code'))
    )
    with op.batch_alter_table('catalog_resources', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_resources_provider_status', ['provider_id', 'status'], unique=False)
        batch_op.create_index('ix_catalog_resources_status_share', ['status', 'share_type'], unique=False)

    op.create_table('catalog_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('data_type', sa.String(length=16), nullable=False),
    sa.Column('length', sa.Integer(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('sensitivity', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_catalog_items_resource_id_catalog_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_items')),
    sa.UniqueConstraint('resource_id', 'key', name='uq_catalog_items_resource_key')
    )
    with op.batch_alter_table('catalog_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_items_resource_id'), ['resource_id'], unique=False)

    op.create_table('catalog_resource_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_catalog_resource_versions_published_by_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_catalog_resource_versions_resource_id_catalog_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_resource_versions')),
    sa.UniqueConstraint('resource_id', 'version', name='uq_catalog_resource_versions_version')
    )
    with op.batch_alter_table('catalog_resource_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_resource_versions_resource_id'), ['resource_id'], unique=False)

    op.create_table('sharing_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('consumer_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('resource_version', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('approved_items', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('stage_started_on', sa.Date(), nullable=False),
    sa.Column('stage_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_assumed', sa.Boolean(), nullable=False),
    sa.Column('overdue_flagged_at', sa.DateTime(), nullable=True),
    sa.Column('compliance_note', sa.Text(), nullable=False),
    sa.Column('compliance_by', sa.Integer(), nullable=True),
    sa.Column('compliance_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('objection', sa.Text(), nullable=False),
    sa.Column('objected_at', sa.DateTime(), nullable=True),
    sa.Column('coordination_note', sa.Text(), nullable=False),
    sa.Column('coordinated_by', sa.Integer(), nullable=True),
    sa.Column('coordinated_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['app_clients.id'], name=op.f('fk_sharing_requests_client_id_app_clients')),
    sa.ForeignKeyConstraint(['compliance_by'], ['users.id'], name=op.f('fk_sharing_requests_compliance_by_users')),
    sa.ForeignKeyConstraint(['consumer_id'], ['departments.id'], name=op.f('fk_sharing_requests_consumer_id_departments')),
    sa.ForeignKeyConstraint(['coordinated_by'], ['users.id'], name=op.f('fk_sharing_requests_coordinated_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_sharing_requests_created_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_sharing_requests_decided_by_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['departments.id'], name=op.f('fk_sharing_requests_provider_id_departments')),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_sharing_requests_resource_id_catalog_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_sharing_requests_number'))
    )
    with op.batch_alter_table('sharing_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_requests_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_sharing_requests_consumer_status', ['consumer_id', 'status'], unique=False)
        batch_op.create_index('ix_sharing_requests_provider_status', ['provider_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_requests_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_requests_status'), ['status'], unique=False)
        batch_op.create_index('ix_sharing_requests_status_due', ['status', 'due_on'], unique=False)

    op.create_table('sharing_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('consumer_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('plain_items', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_by', sa.Integer(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['app_clients.id'], name=op.f('fk_sharing_grants_client_id_app_clients')),
    sa.ForeignKeyConstraint(['consumer_id'], ['departments.id'], name=op.f('fk_sharing_grants_consumer_id_departments')),
    sa.ForeignKeyConstraint(['provider_id'], ['departments.id'], name=op.f('fk_sharing_grants_provider_id_departments')),
    sa.ForeignKeyConstraint(['request_id'], ['sharing_requests.id'], name=op.f('fk_sharing_grants_request_id_sharing_requests')),
    sa.ForeignKeyConstraint(['resource_id'], ['catalog_resources.id'], name=op.f('fk_sharing_grants_resource_id_catalog_resources')),
    sa.ForeignKeyConstraint(['status_changed_by'], ['users.id'], name=op.f('fk_sharing_grants_status_changed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_grants')),
    sa.UniqueConstraint('request_id', name=op.f('uq_sharing_grants_request_id'))
    )
    with op.batch_alter_table('sharing_grants', schema=None) as batch_op:
        batch_op.create_index('ix_sharing_grants_client_resource', ['client_id', 'resource_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_grants_consumer_id'), ['consumer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_grants_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_grants_resource_id'), ['resource_id'], unique=False)



    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE TABLE catalog_search (resource_id integer PRIMARY KEY "
                   "REFERENCES catalog_resources(id) ON DELETE CASCADE, doc tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_catalog_search_doc ON catalog_search USING gin (doc)")
    else:
        op.execute("CREATE VIRTUAL TABLE catalog_fts USING fts5(name, abstract, items, "
                   "tokenize = 'unicode61 remove_diacritics 0')")

    classifications = sa.table(
        "catalog_classifications", sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("level", sa.Integer), sa.column("parent_code", sa.String),
    )
    op.bulk_insert(classifications, [
        {"code": code, "name": name, "level": 1 if parent is None else 2, "parent_code": parent}
        for code, name, parent in NATIONAL_CLASSIFICATION
    ])

    # Holidays and make-up days known to the chinese-calendar package (written with plain table
    # objects, so that this migration does not depend on how the models look later).
    from tongban.workdays.service import package_exceptions, package_years

    days = sa.table("calendar_days", sa.column("day", sa.Date), sa.column("is_workday", sa.Boolean),
                    sa.column("name", sa.String))
    years = sa.table("calendar_years", sa.column("year", sa.Integer), sa.column("source", sa.String),
                     sa.column("notice", sa.String), sa.column("updated_at", sa.DateTime))
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    for year in package_years():
        op.bulk_insert(days, [{"day": d, "is_workday": w, "name": n} for d, w, n in package_exceptions(year)])
        op.bulk_insert(years, [{"year": year, "source": "chinese-calendar", "notice": "chinese-calendar 软件包",
                                "updated_at": now}])


NATIONAL_CLASSIFICATION = [
    ("1", "基础信息资源", None),
    ("101", "人口", "1"), ("102", "法人单位", "1"), ("103", "自然资源和空间地理", "1"),
    ("104", "社会信用", "1"), ("105", "电子证照", "1"), ("106", "宏观经济", "1"),
    ("2", "主题信息资源", None),
    ("201", "公共服务", "2"), ("202", "健康保障", "2"), ("203", "社会保障", "2"), ("204", "食品药品安全", "2"),
    ("205", "安全生产", "2"), ("206", "价格监管", "2"), ("207", "能源安全", "2"), ("208", "信用体系", "2"),
    ("209", "城乡建设", "2"), ("210", "社区治理", "2"), ("211", "生态环保", "2"), ("212", "应急维稳", "2"),
    ("3", "部门信息资源", None),
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS catalog_search")
    else:
        op.execute("DROP TABLE IF EXISTS catalog_fts")
    with op.batch_alter_table('sharing_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_grants_resource_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_grants_provider_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_grants_consumer_id'))
        batch_op.drop_index('ix_sharing_grants_client_resource')

    op.drop_table('sharing_grants')
    with op.batch_alter_table('sharing_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_sharing_requests_status_due')
        batch_op.drop_index(batch_op.f('ix_sharing_requests_status'))
        batch_op.drop_index(batch_op.f('ix_sharing_requests_resource_id'))
        batch_op.drop_index('ix_sharing_requests_provider_status')
        batch_op.drop_index('ix_sharing_requests_consumer_status')
        batch_op.drop_index(batch_op.f('ix_sharing_requests_client_id'))

    op.drop_table('sharing_requests')
    with op.batch_alter_table('catalog_resource_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_resource_versions_resource_id'))

    op.drop_table('catalog_resource_versions')
    with op.batch_alter_table('catalog_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_items_resource_id'))

    op.drop_table('catalog_items')
    with op.batch_alter_table('catalog_resources', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_resources_status_share')
        batch_op.drop_index('ix_catalog_resources_provider_status')

    op.drop_table('catalog_resources')
    with op.batch_alter_table('catalog_classifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_classifications_parent_code'))
        batch_op.drop_index(batch_op.f('ix_catalog_classifications_department_id'))

    op.drop_table('catalog_classifications')
    op.drop_table('calendar_years')
    op.drop_table('calendar_days')
