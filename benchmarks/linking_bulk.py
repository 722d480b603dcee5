"""Entity linking: kire's bulk DuckDB linker against a Python loop over the KG aliases (baseline).

Both run in their own process on the same inputs, measured in the same run:

- kire: ``kire.linking.link.link_dataset`` (normalisation, candidate join, ranking, report);
- baseline: a Python loop that normalises every alias (same rules, ``unicodedata`` + ``re``) into a
  dict and looks every mention up (candidate generation only, no ranking: a lower bound of a
  Python linker).

Inputs: the documents of the bundled sample (or ``--docs``) and a KG made of the bench KG's tables
(``--kg``, e.g. an extraction of ../shared/data/bench/kg-bench.json.gz) padded with synthetic
aliases up to ``--aliases`` rows. Prints wall time and peak RSS of each and kire/baseline ratios.

    python benchmarks/linking_bulk.py --kg results/kg --docs results/docs/sample_docred --aliases 2000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = r'''
import re, sys, time, unicodedata, json
import pyarrow.parquet as pq
kg, docs = sys.argv[1], sys.argv[2]
ARTICLE = re.compile(r"^(?:the|an|a) +(\S)")
def norm(s):
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", s))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    s = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in s)
    s = " ".join(s.split())
    return ARTICLE.sub(r"\1", s)
t = time.perf_counter()
index = {}
for batch in pq.ParquetFile(kg + "/aliases/part-0.parquet").iter_batches(columns=["id", "lang", "alias"]):
    for id_, lang, alias in zip(*(batch.column(i).to_pylist() for i in range(3))):
        if lang == "en":
            index.setdefault(norm(alias), set()).add(id_)
found = 0
for split in ("train", "dev", "test"):
    for name in pq.read_table(docs + "/" + split + "/mentions.parquet", columns=["name"]).column("name").to_pylist():
        found += norm(name) in index
import resource
print(json.dumps({"seconds": time.perf_counter() - t, "mentions_with_candidates": found,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

KIRE = r'''
import sys, time, json
from kire.linking.link import LinkingConfig, link_dataset
kg, docs, out = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
report = link_dataset("bench", docs, kg, out, LinkingConfig(), threads=int(sys.argv[4]))
import resource
print(json.dumps({"seconds": time.perf_counter() - t, "linked": report["totals"]["linked"],
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def padded_kg(kg: Path, n_aliases: int, out: Path) -> Path:
    """``out``: the KG of ``kg`` with its aliases padded by synthetic rows to ``n_aliases`` rows."""
    import random
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from kire.kg.schema import KG_TABLES

    for table in ("entities", "relation_triples", "attribute_triples"):
        shutil.copytree(kg / table, out / table)
    aliases = pq.read_table(kg / "aliases").cast(KG_TABLES["aliases"])
    rng = random.Random(0)
    words = [w for w in (rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") + rng.choice("nrstl")
                         for _ in range(5000))]
    extra = max(0, n_aliases - len(aliases))
    pad = pa.table({
        "id": [f"Q{800000000 + i // 3}" for i in range(extra)],
        "lang": ["en"] * extra,
        "alias": [" ".join(rng.choice(words).title() for _ in range(rng.randint(1, 4))) for _ in range(extra)],
        "is_label": [i % 3 == 0 for i in range(extra)],
    }, schema=KG_TABLES["aliases"])
    (out / "aliases").mkdir(parents=True)
    pq.write_table(pa.concat_tables([aliases, pad]), out / "aliases" / "part-0.parquet", compression="zstd")
    return out


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; its JSON result (seconds, peak_rss_mib, ...) plus wall."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = round(time.perf_counter() - start, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kg", required=True, help="an extracted KG folder (kire kg extract)")
    parser.add_argument("--docs", required=True, help="document tables root (kire docs prepare)")
    parser.add_argument("--aliases", type=int, default=2_000_000, help="alias rows after padding")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kg = padded_kg(Path(args.kg), args.aliases, Path(tmp) / "kg")
        base = measure(BASELINE, str(kg), args.docs)
        ours = measure(KIRE, str(kg), args.docs, str(Path(tmp) / "links"), str(args.threads))
    print(json.dumps({"aliases": args.aliases, "baseline_python_loop": base, "kire_duckdb": ours,
                      "time_ratio_kire_over_baseline": round(ours["seconds"] / base["seconds"], 3),
                      "rss_ratio_kire_over_baseline": round(ours["peak_rss_mib"] / base["peak_rss_mib"], 3)},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
