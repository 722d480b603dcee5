# Token lookup and the attribute AutoEncoder (paper 4.2, eqs. 6-7; docs/embed.md).
#   attribute_sequences    KG tables (kg extract)              -> RESULTS/embed/sequences/
#   train_char_embeddings  sequences + document tokens          -> RESULTS/embed/chars/
#   pretrain_autoencoder   sequences + GloVe + char vectors     -> RESULTS/embed/autoencoder/
#   encode_attributes      frozen encoder, subgraph entities    -> RESULTS/embed/attribute_codes/
#                          (`instance of` rows the leakage filter dropped get no code)
# The AutoEncoder is pretrained on every item of the KG; codes are exported for the entities of
# every dataset's subgraphs (linked entities and their neighbours), the input of the KIRE layer.

import os
import shlex

EMBED_SEQUENCES = [embed_path("sequences", name) for name in ("sequences.parquet", "entities.parquet")]
EMBED_CHARS = [embed_path("chars", name) for name in ("vectors.npy", "words.parquet")]
EMBED_MODEL = [embed_path("autoencoder", name)
               for name in ("encoder.safetensors", "encoder.json", "autoencoder.safetensors", "report.json")]
EMBED_CODES = [embed_path("attribute_codes", name)
               for name in ("codes.safetensors", "entities.parquet", "triples.parquet", "meta.json")]


# The configured GloVe text file, an input of the rules that read it (the offline package is not
# a workflow file); `--glove FILE` is then derived from the input (glove_flag, rules/common.smk).
EMBED_GLOVE = [config["embed"]["glove"]] if config["embed"].get("glove") else []


rule attribute_sequences:
    input:
        kg=kg_path("manifest.json"),
    output:
        EMBED_SEQUENCES,
    params:
        kg=lambda wc, input: os.path.dirname(input.kg),
        out=lambda wc, output: folder_of(output),
        excluded=shlex.join(config["embed"]["exclude_datatypes"]),
        max_triples=config["embed"]["max_triples"],
        max_tokens=config["embed"]["max_tokens"],
    log:
        logfile("attribute_sequences"),
    benchmark:
        benchfile("attribute_sequences")
    threads: 1
    resources:
        mem_mb=8000,
    shell:
        "kire embed sequences --kg {params.kg:q} --out {params.out:q} --max-triples {params.max_triples}"
        " --max-tokens {params.max_tokens} --exclude-datatypes {params.excluded} > {log:q} 2>&1"


rule train_char_embeddings:
    input:
        sequences=EMBED_SEQUENCES,
        docs=[docs_path(name, split, "docs.parquet") for name in DATASETS
              for split in SPLITS],
        glove=EMBED_GLOVE,
    output:
        EMBED_CHARS,
    params:
        sequences=lambda wc, input: folder_of(input.sequences),
        out=lambda wc, output: folder_of(output),
        glove=glove_flag,
        window=config["embed"]["char_window"],
        epochs=config["embed"]["char_epochs"],
        min_count=config["embed"]["char_min_count"],
        seed=config["embed"]["seed"],
    log:
        logfile("train_char_embeddings"),
    benchmark:
        benchfile("train_char_embeddings")
    # one gensim worker: the vectors are then a deterministic function of corpus and seed
    threads: 1
    resources:
        mem_mb=4000,
    shell:
        "kire embed chars --sequences {params.sequences:q} --docs {input.docs:q} {params.glove}"
        " --window {params.window} --epochs {params.epochs} --min-count {params.min_count}"
        " --seed {params.seed} --workers 1 --out {params.out:q} > {log:q} 2>&1"


rule pretrain_autoencoder:
    input:
        sequences=EMBED_SEQUENCES,
        chars=EMBED_CHARS,
        glove=EMBED_GLOVE,
    output:
        EMBED_MODEL,
    params:
        sequences=lambda wc, input: folder_of(input.sequences),
        chars=lambda wc, input: folder_of(input.chars),
        out=lambda wc, output: folder_of(output),
        glove=glove_flag,
        hyper=" ".join(f"--{key.replace('_', '-')} {config['embed'][key]}"
                       for key in ("hidden", "vocab_size", "batch_size", "lr", "max_epochs",
                                   "patience", "heldout", "seed")),
    log:
        logfile("pretrain_autoencoder"),
    benchmark:
        benchfile("pretrain_autoencoder")
    # The LSTMs are small (h = 50): a second intra-op thread buys little and, on a busy machine,
    # costs a lot (measured: 2 epochs of the sample took 11 s with one thread, 51 s with two).
    threads: 1
    resources:
        mem_mb=8000,
    shell:
        "kire embed pretrain --sequences {params.sequences:q} --chars {params.chars:q} {params.glove}"
        " {params.hyper} --threads {threads} --out {params.out:q} > {log:q} 2>&1"


rule encode_attributes:
    input:
        model=EMBED_MODEL,
        sequences=EMBED_SEQUENCES,
        chars=EMBED_CHARS,
        glove=EMBED_GLOVE,
        nodes=[subgraph_path(name, split, "nodes.parquet") for name in DATASETS
               for split in SPLITS],
        filtered=kg_filtered_path("audit.json"),
    output:
        EMBED_CODES,
    params:
        filtered=lambda wc, input: os.path.dirname(input.filtered),
        sequences=lambda wc, input: folder_of(input.sequences),
        chars=lambda wc, input: folder_of(input.chars),
        model=lambda wc, input: folder_of(input.model),
        out=lambda wc, output: folder_of(output),
        glove=glove_flag,
    log:
        logfile("encode_attributes"),
    benchmark:
        benchfile("encode_attributes")
    threads: 1
    resources:
        mem_mb=8000,
    shell:
        "kire embed encode --sequences {params.sequences:q} --chars {params.chars:q} {params.glove}"
        " --model {params.model:q} --entities {input.nodes:q} --entities-column qid --filtered {params.filtered:q}"
        " --threads {threads} --no-progress --out {params.out:q} > {log:q} 2>&1"


rule embed:
    input:
        EMBED_MODEL,
        EMBED_CODES,


TRAIN_ALL.extend([embed_path("autoencoder", "report.json"), embed_path("attribute_codes", "meta.json")])
