"""`kire train` on a path that is not a document-table folder: an error naming the folder and the
missing tables, never a FileNotFoundError traceback from pyarrow."""

from __future__ import annotations

import json

from kire.cli import main
from tests.models_fixtures import RELATIONS


def test_kire_train_names_a_folder_that_holds_no_document_tables(tmp_path, capsys):
    empty = tmp_path / "train"
    empty.mkdir()
    rel_info = tmp_path / "rel_info.json"
    rel_info.write_text(json.dumps(RELATIONS))
    assert main(["train", "--train", str(empty), "--dev", str(empty), "--rel-info", str(rel_info),
                 "--out", str(tmp_path / "run"), "--model", "cnn", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"kire: error: {empty}: not a document-table folder" in err and "docs.parquet" in err
    assert "Traceback" not in err


def test_kire_train_names_a_misspelled_model_setting(tmp_path, capsys):
    """A model setting the model does not have is an error naming it and the model's settings (it
    used to be dropped without a word); the settings the workflow gives every model are accepted."""
    from tests.models_fixtures import write_tiny_dataset

    paths = write_tiny_dataset(tmp_path)
    argv = ["train", "--train", str(paths["train"]), "--dev", str(paths["dev"]), "--rel-info", str(paths["rel_info"]),
            "--out", str(tmp_path / "run"), "--model", "cnn", "--no-progress", "--no-tensorboard", "--epochs", "1"]
    assert main([*argv, "--model-settings", json.dumps({"hiden_size": 8})]) == 1
    err = capsys.readouterr().err
    assert "model 'cnn': unknown model setting(s) 'hiden_size' (config train.model_settings.cnn)" in err
    assert "hidden_size" in err and "Traceback" not in err

    from kire.models.registry import model_class

    ok = model_class("atlop").settings_over_defaults({"word_vectors": "glove.txt", "encoder": None})
    assert "word_vectors" not in ok and ok["encoder"] is None
