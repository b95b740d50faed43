"""Tests for the demo information-resource catalog (tongban.demo.catalog_data)."""

import re
from collections import Counter

import pytest

from tongban.demo.catalog_data import (
    CLASSIFICATION_TREE,
    DATA_TYPES,
    FORMAT_TYPES,
    ITEM_LIBRARY,
    RESOURCES,
    SENSITIVITIES,
    SHARE_METHODS,
    UPDATE_CYCLES,
    ResourceSeed,
    resource_problems,
    scale_catalog,
)
from tongban.demo.city import DEPARTMENTS

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DEPARTMENT_CODES = {d.code for d in DEPARTMENTS}
TREE_CODES = {code for code, _, _ in CLASSIFICATION_TREE}
LEAF_CODES = TREE_CODES - {"1", "2"}
THEME_CODES = {code for code, _, parent in CLASSIFICATION_TREE if parent == "2"}


def assert_valid(resource: ResourceSeed) -> None:
    """The catalog rules, checked independently of resource_problems()."""
    label = f"{resource.provider} {resource.name}"
    assert resource.provider in DEPARTMENT_CODES, label
    assert resource.name and resource.abstract, label
    assert resource.classification in LEAF_CODES, label
    assert set(resource.themes) <= THEME_CODES, label
    assert resource.format_type in FORMAT_TYPES, label
    assert resource.update_cycle in UPDATE_CYCLES, label
    assert set(resource.share_methods) <= set(SHARE_METHODS), label
    if resource.share_type == "unconditional":
        assert not resource.share_condition and not resource.no_share_reason, label
        assert resource.share_methods, label
    elif resource.share_type == "conditional":
        assert resource.share_condition and not resource.no_share_reason, label
        assert resource.share_methods, label
    else:
        assert resource.share_type == "none", label
        assert resource.no_share_reason and not resource.share_condition, label
        assert resource.share_methods == (), label
        assert not resource.open_to_public, label
    if resource.open_to_public:
        assert all(item.sensitivity != "personal_sensitive" for item in resource.items), label
    else:
        assert resource.open_condition == "", label
    assert 4 <= len(resource.items) <= 20, label
    assert any(item.is_key for item in resource.items), label
    keys = [item.key for item in resource.items]
    names = [item.name for item in resource.items]
    assert len(set(keys)) == len(keys), label
    assert len(set(names)) == len(names), label
    for item in resource.items:
        assert KEY_RE.fullmatch(item.key), (label, item.key)
        assert item.data_type in DATA_TYPES, (label, item.key)
        assert item.sensitivity in SENSITIVITIES, (label, item.key)
        assert item.length is None or item.length >= 1, (label, item.key)
        assert not item.is_key or item.required, (label, item.key)


# --- classification tree --------------------------------------------------------


def test_classification_tree_shape() -> None:
    codes = [code for code, _, _ in CLASSIFICATION_TREE]
    assert len(codes) == len(set(codes))
    assert {"1", "2", "3"} <= set(codes)
    assert {f"10{i}" for i in range(1, 7)} <= set(codes)
    assert {f"2{i:02d}" for i in range(1, 13)} <= set(codes)
    for code, name, parent in CLASSIFICATION_TREE:
        assert name
        if len(code) == 1:
            assert parent is None
        else:
            assert parent == code[0] and parent in ("1", "2")


# --- hand-written catalog -------------------------------------------------------


def test_catalog_size_and_spread() -> None:
    assert len(RESOURCES) >= 320
    providers = {r.provider for r in RESOURCES}
    assert len(providers) >= 40
    assert providers <= DEPARTMENT_CODES


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: f"{r.provider}:{r.name}")
def test_every_resource_is_valid(resource: ResourceSeed) -> None:
    assert_valid(resource)
    assert resource_problems(resource) == []


def test_names_unique_per_provider() -> None:
    pairs = Counter((r.provider, r.name) for r in RESOURCES)
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_share_type_mix_close_to_targets() -> None:
    counts = Counter(r.share_type for r in RESOURCES)
    total = len(RESOURCES)
    for share_type, target in (("unconditional", 35), ("conditional", 30), ("none", 25)):
        share = 100 * counts[share_type] / total
        assert abs(share - target) <= 8, (share_type, round(share, 1))


def test_open_share_and_no_personal_data_in_open_resources() -> None:
    open_resources = [r for r in RESOURCES if r.open_to_public]
    share = 100 * len(open_resources) / len(RESOURCES)
    assert 8 <= share <= 16, round(share, 1)
    for resource in open_resources:
        assert resource.share_type != "none"
        assert resource.open_condition
        assert not [i.key for i in resource.items if i.sensitivity == "personal_sensitive"], resource.name


def test_sensitivity_conventions() -> None:
    assert ITEM_LIBRARY["id_number"].sensitivity == "personal_sensitive"
    assert ITEM_LIBRARY["id_number"].data_type == "resident_id"
    assert ITEM_LIBRARY["phone"].sensitivity == "personal_sensitive"
    assert ITEM_LIBRARY["name"].sensitivity == "sensitive"
    assert ITEM_LIBRARY["uscc"].sensitivity == "public"
    assert ITEM_LIBRARY["uscc"].data_type == "credit_code"
    assert ITEM_LIBRARY["entity_name"].sensitivity == "public"
    # Every resident ID item is personal sensitive, wherever it is used.
    for resource in RESOURCES:
        for item in resource.items:
            if item.data_type == "resident_id":
                assert item.sensitivity == "personal_sensitive", (resource.name, item.key)


def test_every_department_has_resources() -> None:
    # Templates exist for every department, so scaled catalogs can spread over all of them.
    assert {r.provider for r in RESOURCES} == DEPARTMENT_CODES


# --- benchmark-scale catalogs ---------------------------------------------------


def test_scale_catalog_default_size() -> None:
    resources = list(scale_catalog(5000, 64000))
    assert len(resources) == 5000
    assert sum(len(r.items) for r in resources) == 64000
    assert len({r.name for r in resources}) == 5000
    for resource in resources:
        assert_valid(resource)
    assert len({r.provider for r in resources}) >= 40


def test_scale_catalog_is_deterministic() -> None:
    first = list(scale_catalog(5000, 64000))
    second = list(scale_catalog(5000, 64000))
    assert first == second
    assert list(scale_catalog(300, 3600, seed=7)) != list(scale_catalog(300, 3600, seed=8))


def test_scale_catalog_small() -> None:
    resources = list(scale_catalog(50, 600))
    assert len(resources) == 50
    assert sum(len(r.items) for r in resources) == 600
    assert len({r.name for r in resources}) == 50
    for resource in resources:
        assert_valid(resource)


@pytest.mark.parametrize(("n_resources", "n_items"), [(10, 39), (10, 201)])
def test_scale_catalog_rejects_impossible_item_totals(n_resources: int, n_items: int) -> None:
    with pytest.raises(ValueError):
        list(scale_catalog(n_resources, n_items))
