"""Write the bundled sample (resources/sample) reproducibly: same code, same bytes.

Layout written under the output folder::

    wikidata-sample.json.gz          Wikidata JSON dump (gzip, mtime 0)
    docred/{train,dev,test}.json     DocRED format; test without labels
    docred/rel_info.json             property id -> name
    dwie/data/DW_<n>.json            DWIE format, one article per file (train and test tags)
    dwie/rel_info.json               DWIE predicate -> name

The DWIE articles sit in ``dwie/data`` so that the folder the DWIE reader globs holds articles only.
Every choice comes from :class:`random.Random` with the fixed seeds below; nothing depends on the
clock, the machine or hash randomization. The whole sample is validated before it replaces the
output folder.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from kire.errors import KireError
from kire.io import atomic_dir
from kire.sample.docred import docred_split, rel_info
from kire.sample.dump import DUMP_NAME, dump_records, dump_text, gzip_bytes
from kire.sample.dwie import dwie_documents, dwie_rel_info
from kire.sample.facts import SampleKG

DOCRED_SEED = 2
DWIE_SEED = 3


def sample_files() -> dict[str, bytes]:
    """``{relative path: content}`` of every file of the sample."""
    kg = SampleKG()
    files: dict[str, bytes] = {DUMP_NAME: gzip_bytes(dump_text(dump_records()).encode("ascii"))}
    rng = random.Random(DOCRED_SEED)
    for split in ("train", "dev", "test"):
        files[f"docred/{split}.json"] = compact_json(docred_split(kg, rng, split))
    files["docred/rel_info.json"] = compact_json(rel_info(kg))
    for name, article in dwie_documents(kg, random.Random(DWIE_SEED)).items():
        files[f"dwie/data/{name}"] = indented_json(article)
    files["dwie/rel_info.json"] = indented_json(dwie_rel_info())
    return files


def compact_json(obj: Any) -> bytes:
    """DocRED's own layout: one line, ASCII with escapes."""
    return (json.dumps(obj) + "\n").encode("ascii")


def indented_json(obj: Any) -> bytes:
    """DWIE's own layout: indented by 4."""
    return (json.dumps(obj, indent=4) + "\n").encode("ascii")


def write_sample(out_dir: str | Path) -> dict[str, Any]:
    """Write the sample into ``out_dir`` (replacing a previous sample there) and return the
    validation report. Refuses to replace a non-empty folder that does not hold a sample."""
    from kire.sample.validate import validate_sample

    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / DUMP_NAME).exists():
        raise KireError(f"{out_dir} is not empty and holds no sample ({DUMP_NAME}); choose another --out")
    with atomic_dir(out_dir) as tmp:
        tmp.chmod(0o755)  # mkdtemp makes it private; the sample is meant to be read by all
        for rel, data in sample_files().items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        report = validate_sample(tmp)
    return report
