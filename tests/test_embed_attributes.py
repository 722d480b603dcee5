"""Attribute sequences q = [a; v] from the KG tables, and the KG text tokenizer."""

from __future__ import annotations

import pytest

from embed_kg import write_small_kg
from kire.embed.attributes import attribute_sequences, selected_entity_ids
from kire.embed.tokenize import tokenize, tokenize_many
from kire.errors import InputError


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    return write_small_kg(tmp_path_factory.mktemp("kg"))


def _by_entity(table):
    out: dict[str, list[tuple[str, str, list[str]]]] = {}
    for r in table.to_pylist():
        out.setdefault(r["entity"], []).append((r["attribute"], r["value"], r["tokens"]))
    return out


def test_sequences_of_an_entity_in_order(kg):
    seqs = _by_entity(attribute_sequences(kg))["Q64"]
    assert [(a, v) for a, v, _ in seqs] == [
        ("label", "Berlin"),
        ("description", "capital and largest city of Germany"),
        ("instance of", "city"),            # P31 value rendered by the class's label
        ("alias", "Berlin, Germany"),      # the German label equal to the label is not repeated
        ("population", "3,755,251"),       # property label as the attribute name; number as text
        ("inception", "1237"),
    ]                                      # the external id (VIAF) is left out
    assert seqs[2][2] == ["instance", "of", "city"]
    assert seqs[3][2] == ["alias", "Berlin", ",", "Germany"]


def test_table_is_sorted_and_numbered(kg):
    table = attribute_sequences(kg)
    rows = list(zip(table.column("entity").to_pylist(), table.column("triple").to_pylist()))
    assert rows == sorted(rows)
    by = _by_entity(table)
    assert set(by) == {"Q64", "Q84", "Q183", "Q515", "Q6256", "Q900000001"}  # items, no properties
    # a property without a label in the KG keeps its id as the attribute name
    assert ("P999", "mystery value") in [(a, v) for a, v, _ in by["Q84"]]


def test_caps_exclusions_and_entity_selection(kg):
    by = _by_entity(attribute_sequences(kg, max_triples=2, max_tokens=3, exclude_datatypes=[]))
    assert [a for a, _, _ in by["Q64"]] == ["label", "description"]
    assert all(len(toks) <= 3 for rows in by.values() for _, _, toks in rows)
    every = _by_entity(attribute_sequences(kg, exclude_datatypes=[]))
    assert ("VIAF ID", "000000123") in [(a, v) for a, v, _ in every["Q64"]]
    only = attribute_sequences(kg, entity_ids=["Q84", "Q404"])
    assert set(only.column("entity").to_pylist()) == {"Q84"}
    assert selected_entity_ids(kg, ["Q84", "Q404", "P31"]) == ["Q84"]


def test_missing_tables_are_named(tmp_path):
    with pytest.raises(InputError, match="entities"):
        attribute_sequences(tmp_path)


def test_tokenizer_matches_document_style():
    assert tokenize("Albert Einstein's theory (1905)") == [
        "Albert", "Einstein", "'s", "theory", "(", "1905", ")"]
    assert tokenize("  ") == []
    assert list(tokenize_many(["New York", "3.5 kg"])) == [["New", "York"], ["3.5", "kg"]]
