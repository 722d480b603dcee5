"""Long stages show progress (issue 15 §3): `kire coref build` counts documents, the AutoEncoder's
epochs count batches, and a rule log (stderr redirected to a file) gets plain lines, never tqdm's
carriage-return redraws. Parallel spaCy parsing gives the same coreference triples."""

from __future__ import annotations

import subprocess
import sys
import os
from pathlib import Path

import pytest

from kire.coref import parallel
from kire.coref.build import CorefOptions, build_coref
from kire.docs.docred import read_docred

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DOCRED = ROOT / "resources" / "sample" / "docred" / "train.json"
RESOLVER_ONLY_DICT = {"sources": {"annotations": {"enabled": False}, "kg_aliases": {"enabled": False}}}
RESOLVER_ONLY = CorefOptions.from_dict(RESOLVER_ONLY_DICT)


def test_worker_processes_need_enough_items_per_worker():
    per = parallel.MIN_ITEMS_PER_WORKER
    assert parallel.worker_processes(10, 2) == 1
    assert parallel.worker_processes(2 * per - 1, 2) == 1
    assert parallel.worker_processes(2 * per, 2) == 2
    assert parallel.worker_processes(10_000, 2) == 2
    assert parallel.worker_processes(10_000, 1) == 1
    assert parallel.worker_processes(0, 4) == 1


def test_chunked_results_in_order_from_forked_workers(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 2)

    def work(start, end):
        return [(i, os.getpid()) for i in range(start, end)]

    chunks = list(parallel.chunked_results(work, 11, 3, workers=2))
    assert [start for start, _ in chunks] == [0, 3, 6, 9]
    assert [i for _, rows in chunks for i, _ in rows] == list(range(11))
    pids = {pid for _, rows in chunks for _, pid in rows}
    assert os.getpid() not in pids  # forked workers did the work
    assert [r for _, rows in parallel.chunked_results(work, 11, 3, workers=1) for r in rows] == \
        [(i, os.getpid()) for i in range(11)]


def test_two_processes_give_the_same_triples(monkeypatch):
    documents = read_docred(SAMPLE_DOCRED)
    one, _ = build_coref(documents, RESOLVER_ONLY, workers=1, progress=False)
    # The sample has 16 documents: let each of the two processes take several chunks of 3.
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 4)
    opts = CorefOptions.from_dict({**RESOLVER_ONLY_DICT, "batch_size": 3})
    three, _ = build_coref(documents, opts, workers=1, progress=False)
    two, _ = build_coref(documents, opts, workers=2, progress=False)
    assert one.num_rows > 0
    assert two.equals(one) and three.equals(one)


def test_coref_build_writes_plain_progress_lines_into_a_log(tmp_path):
    log = tmp_path / "coref.log"
    with open(log, "w") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "kire", "coref", "build", "--docred", str(SAMPLE_DOCRED),
             "--split", "train", "--out", str(tmp_path / "train.parquet"), "--options",
             '{"sources": {"kg_aliases": {"enabled": false}}}'],
            stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    text = log.read_text()
    assert proc.returncode == 0, text
    assert "\r" not in text
    assert "coref train: started of 16 doc" in text
    last = [line for line in text.splitlines() if line.startswith("coref train: 16/16 doc")]
    assert last and "(100%)" in last[0] and "doc/s" in last[0]


def test_coref_build_progress_can_be_silenced(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kire", "coref", "build", "--docred", str(SAMPLE_DOCRED),
         "--limit", "2", "--no-progress", "--out", str(tmp_path / "t.parquet"), "--options",
         '{"sources": {"kg_aliases": {"enabled": false}}}'],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "coref: " not in proc.stderr


def test_autoencoder_epochs_write_plain_lines_not_bars(capsys):
    pytest.importorskip("torch")
    from kire.embed.glove import load_glove
    from kire.embed.lookup import LPLookup
    from kire.embed.pretrain import PretrainSettings, pretrain_autoencoder

    words = ["berlin", "city", "germany", "capital", "river", "spree", "population", "state"]
    sequences = [[words[i % 8], words[(i * 3) % 8], words[(i * 5 + 1) % 8]] for i in range(40)]
    pretrain_autoencoder(sequences, LPLookup(load_glove(None)),
                         PretrainSettings(max_epochs=2, heldout=0.2, progress=True))
    err = capsys.readouterr().err
    assert "\r" not in err
    assert "autoencoder epoch 1: started of" in err
    assert "autoencoder epoch 2:" in err and "batch/s" in err and "[loss " in err


def test_linking_counts_its_steps_over_the_documents(tmp_path, capsys):
    from kire.linking.link import LinkingConfig, link_dataset
    from kire_linking_fixtures import doc, write_kg, write_splits

    kg = write_kg(tmp_path / "kg", {"Q84": ("London", 271, 68), "Q90": ("Paris", 250, 90)})
    docs = write_splits(tmp_path / "docs", {"train": [doc("a", [("London", "LOC"), ("Paris", "LOC")])],
                                            "dev": [doc("b", [("Paris", "LOC")])], "test": []})
    link_dataset("toy", docs, kg, tmp_path / "links", LinkingConfig())
    err = capsys.readouterr().err
    assert "\r" not in err
    assert "link 2 documents, 3 entities: started of 4 step" in err
    assert "link 2 documents, 3 entities: 4/4 step (100%)" in err and "[best links chosen]" in err


def test_attribute_sequences_write_plain_lines_not_bars(tmp_path, capsys):
    from embed_kg import write_small_kg
    from kire.embed.attributes import attribute_sequences

    kg = write_small_kg(tmp_path / "kg", [("Q64", "Berlin", "capital of Germany"),
                                          ("Q183", "Germany", "country in Europe")])
    table = attribute_sequences(kg, progress=True)
    err = capsys.readouterr().err
    assert table.num_rows > 0 and "\r" not in err
    assert f"tokenize attributes: {table.num_rows}/{table.num_rows} triple (100%)" in err
