"""Tiny real-format documents and a CLI runner shared by the models/train/eval tests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kire.docs.docred import document_to_docred
from kire.docs.model import Document, Entity, Label, Mention

RELATIONS = {"P17": "country", "P131": "located in the administrative territorial entity",
             "P27": "country of citizenship"}


def tiny_documents() -> list[Document]:
    """Three short documents: people, places and countries with a few relations."""
    def m(sent, start, end, name, typ):
        return Mention(sent, start, end, name, typ)

    d1 = Document(
        title="Anna Berg",
        sents=[["Anna", "Berg", "was", "born", "in", "Uppsala", ",", "Sweden", "."],
               ["Berg", "later", "moved", "to", "Oslo", "in", "Norway", "."]],
        entities=[Entity([m(0, 0, 2, "Anna Berg", "PER"), m(1, 0, 1, "Berg", "PER")], "PER"),
                  Entity([m(0, 5, 6, "Uppsala", "LOC")], "LOC"),
                  Entity([m(0, 7, 8, "Sweden", "LOC")], "LOC"),
                  Entity([m(1, 4, 5, "Oslo", "LOC")], "LOC"),
                  Entity([m(1, 6, 7, "Norway", "LOC")], "LOC")],
        labels=[Label(1, 2, "P17", [0]), Label(3, 4, "P17", [1]), Label(0, 2, "P27", [0])],
    )
    d2 = Document(
        title="Lyon",
        sents=[["Lyon", "is", "a", "city", "in", "France", "."],
               ["The", "Rhone", "flows", "through", "Lyon", "and", "Geneva", "."]],
        entities=[Entity([m(0, 0, 1, "Lyon", "LOC"), m(1, 4, 5, "Lyon", "LOC")], "LOC"),
                  Entity([m(0, 5, 6, "France", "LOC")], "LOC"),
                  Entity([m(1, 1, 2, "Rhone", "LOC")], "LOC"),
                  Entity([m(1, 6, 7, "Geneva", "LOC")], "LOC")],
        labels=[Label(0, 1, "P17", [0]), Label(2, 1, "P17", [0, 1])],
    )
    d3 = Document(
        title="Karl Nilsen",
        sents=[["Karl", "Nilsen", "is", "a", "Norwegian", "skier", "from", "Bergen", "."]],
        entities=[Entity([m(0, 0, 2, "Karl Nilsen", "PER")], "PER"),
                  Entity([m(0, 4, 5, "Norwegian", "MISC")], "MISC"),
                  Entity([m(0, 7, 8, "Bergen", "LOC")], "LOC")],
        labels=[Label(0, 1, "P27", [0])],
    )
    return [d1, d2, d3]


def write_tiny_dataset(folder: Path) -> dict[str, Path]:
    """train.json (all three docs), dev.json (the same docs: a fit test), rel_info.json."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = [document_to_docred(d) for d in tiny_documents()]
    paths = {"train": folder / "train.json", "dev": folder / "dev.json", "rel_info": folder / "rel_info.json"}
    paths["train"].write_text(json.dumps(docs))
    paths["dev"].write_text(json.dumps(docs))
    paths["rel_info"].write_text(json.dumps(RELATIONS))
    return paths


def run_kire(*argv: str) -> int:
    """Run `kire` subcommands of the train and eval stages in-process."""
    from kire.eval import cli as eval_cli
    from kire.train import cli as train_cli

    parser = argparse.ArgumentParser(prog="kire")
    sub = parser.add_subparsers()
    train_cli.register(sub)
    eval_cli.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    """The three tiny documents (a module's own copy)."""
    return tiny_documents()


@pytest.fixture(scope="module")
def space(docs):
    """The label space of RELATIONS and the tiny documents' types."""
    from kire.models.features import LabelSpace

    return LabelSpace.from_documents(list(RELATIONS), docs)
