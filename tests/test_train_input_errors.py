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
