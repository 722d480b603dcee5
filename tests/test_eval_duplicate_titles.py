"""Two different documents with one title in a scored split (issue 14 §3): submissions key documents
by title, so `kire eval`, `kire eval-run` and `kire train` (dev and test) refuse the split up front with an error
naming the file, the title and both record indices, never a traceback."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kire.cli import main
from kire.docs.docred import document_to_docred
from kire.docs.model import write_documents
from kire.errors import InputError
from kire.eval.metric import Truth
from tests.models_fixtures import RELATIONS, tiny_documents


def pooled_documents():
    """The tiny documents plus a different article that also has the title "Lyon" (record 3)."""
    docs = tiny_documents()
    return [*docs, replace(docs[2], title="Lyon")]


def perfect_submission(docs) -> list[dict]:
    return [{"title": d.title, "h_idx": lab.head, "t_idx": lab.tail, "r": lab.relation, "evidence": lab.evidence}
            for d in docs for lab in d.labels]


def write_split(tmp_path, docs):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps([document_to_docred(d) for d in docs]))
    return path


def assert_refused(capsys, file) -> None:
    err = capsys.readouterr().err
    assert f"kire: error: {file}: documents 1 and 3: field title: 'Lyon' names two different documents" in err
    assert "Traceback" not in err


def test_kire_eval_refuses_a_perfect_submission_on_a_split_with_a_repeated_title(tmp_path, capsys):
    docs = pooled_documents()
    truth = write_split(tmp_path, docs)
    result = tmp_path / "result.json"
    result.write_text(json.dumps(perfect_submission(docs)))
    assert main(["eval", str(truth), str(result), "--train", str(truth)]) == 1
    assert_refused(capsys, truth)
    tables = write_documents(docs, tmp_path / "docs" / "dev")  # the document tables too
    assert main(["eval", str(tables), str(result), "--train", str(truth)]) == 1
    assert_refused(capsys, tables)


def test_the_same_document_twice_is_named_as_such():
    docs = tiny_documents()
    with pytest.raises(InputError, match="documents 0 and 3: field title: 'Anna Berg' names the same document twice"):
        Truth.from_documents([*docs, docs[0]], "dev.json")


def test_kire_eval_run_refuses_it(tmp_path, capsys):
    docs = pooled_documents()
    dev = write_split(tmp_path, docs)
    run = tmp_path / "run"
    run.mkdir()
    (run / "theta.json").write_text(json.dumps({"theta": 0.5}))
    (run / "result_dev.json").write_text(json.dumps(perfect_submission(docs)))
    assert main(["eval-run", str(run), "--dev", str(dev), "--train", str(dev)]) == 1
    assert_refused(capsys, dev)
    assert not (run / "metrics.json").exists()


def test_kire_train_refuses_it_before_training(tmp_path, capsys):
    docs = pooled_documents()
    dev = write_split(tmp_path, docs)
    train = tmp_path / "train.json"
    train.write_text(json.dumps([document_to_docred(d) for d in tiny_documents()]))
    rel_info = tmp_path / "rel_info.json"
    rel_info.write_text(json.dumps(RELATIONS))
    out = tmp_path / "run"
    assert main(["train", "--train", str(train), "--dev", str(dev), "--rel-info", str(rel_info),
                 "--out", str(out), "--model", "cnn", "--epochs", "1", "--threads", "1", "--no-progress"]) == 1
    assert_refused(capsys, dev)
    assert not (out / "metrics.jsonl").exists()


def test_kire_train_refuses_a_test_split_with_a_repeated_title_before_training(tmp_path, capsys):
    # result_test.json is keyed by title too: two test documents named "Lyon" would share predictions
    docs = tiny_documents()
    test = tmp_path / "test.json"
    test.write_text(json.dumps([document_to_docred(d) for d in pooled_documents()]))
    train = tmp_path / "train.json"
    train.write_text(json.dumps([document_to_docred(d) for d in docs]))
    rel_info = tmp_path / "rel_info.json"
    rel_info.write_text(json.dumps(RELATIONS))
    out = tmp_path / "run"
    assert main(["train", "--train", str(train), "--dev", str(train), "--test", str(test), "--rel-info",
                 str(rel_info), "--out", str(out), "--model", "cnn", "--epochs", "1", "--threads", "1",
                 "--no-progress"]) == 1
    assert_refused(capsys, test)
    assert not (out / "metrics.jsonl").exists()
