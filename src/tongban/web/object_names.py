"""Names of the objects the audit log refers to, for the pages that list audit entries (and the home's recent actions).

Registered into `tongban.audit.labels` here, in the web layer, because only the layer above the
domains may know all of their tables (audit sits below them). Each type's statement is written once as text and
runs either with a request's session (the audit pages) or on the event loop (the home page, tongban/loop_reads.py):
each reads by primary or unique keys.
"""

from __future__ import annotations

from tongban.audit.labels import Names, register_names
from tongban.jobs.registry import label_of


def _by_id(table: str, column: str) -> Names:
    return Names(f"SELECT id, {column} FROM {table} WHERE id IN ({{ids}})")  # noqa: S608 (names, not input)


def _by_code(table: str) -> Names:
    return Names(f"SELECT code, name FROM {table} WHERE code IN ({{ids}})",  # noqa: S608 (names, not input)
                 name=lambda r: f"{r[1]}（{r[0]}）",
                 int_keys=False)


register_names("user", _by_id("users", "display_name"))
register_names("department", _by_id("departments", "name"))
register_names("app_client", _by_id("app_clients", "name"))
register_names("api_key", Names(
    "SELECT k.id, c.name, k.key_prefix FROM api_keys k JOIN app_clients c ON c.id = k.client_id WHERE k.id IN ({ids})",
    name=lambda r: f"{r[1]} 的密钥 {r[2]}…"))
register_names("region", _by_code("regions"))
register_names("resource", _by_code("catalog_resources"))
register_names("classification", _by_code("catalog_classifications"))
# A sharing request, a data dispute: the number is the name (shown as it is).
# A case is audited by its 办件编号 once it has one (shown as it is), by its row id as a draft before.
register_names("case", Names("SELECT id, number FROM cases WHERE id IN ({ids})", name=lambda r: r[1] or "办件草稿"))
register_names("document", _by_id("documents", "number"))
register_names("grant", Names(
    "SELECT g.id, r.number, c.name FROM sharing_grants g JOIN sharing_requests r ON r.id = g.request_id "
    "JOIN catalog_resources c ON c.id = g.resource_id WHERE g.id IN ({ids})",
    name=lambda r: f"{r[2]}（共享申请 {r[1]}）"))
register_names("licence_type", _by_id("licence_types", "name"))
register_names("licence", Names(
    "SELECT l.id, t.name, l.number FROM licences l JOIN licence_types t ON t.id = l.type_id WHERE l.id IN ({ids})",
    name=lambda r: f"{r[1]} {r[2]}"))
register_names("seal", Names("SELECT s.id, d.name, s.name FROM seals s JOIN departments d ON d.id = s.department_id "
                             "WHERE s.id IN ({ids})", name=lambda r: f"{r[1]}{r[2]}"))
register_names("ca_certificate", _by_id("licence_ca_certificates", "subject"))
register_names("calendar_year", Names(from_id=lambda i: f"{i} 年"))
register_names("job", Names("SELECT id, name FROM jobs WHERE id IN ({ids})",
                            name=lambda r: f"{label_of(r[1])}（第 {r[0]} 号）"))
register_names("route", Names(from_id=lambda i: f"（{i}）"))
register_names("basic_item", _by_code("item_basic"))
register_names("implementation", Names(
    "SELECT i.id, b.name, d.name FROM item_implementations i JOIN item_basic b ON b.id = i.basic_item_id "
    "JOIN departments d ON d.id = i.department_id WHERE i.id IN ({ids})", name=lambda r: f"{r[1]}（{r[2]}）"))
register_names("bundle", _by_code("item_bundles"))
register_names("item_event", Names(from_id=lambda i: i.split(":", 1)[-1]))
register_names("search_term", Names("SELECT id, word, official FROM search_terms WHERE id IN ({ids})",
                                    name=lambda r: f"{r[1]} → {r[2]}"))
