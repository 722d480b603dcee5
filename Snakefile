# kire: Wikidata dump + RE dataset -> trained, evaluated models with and without knowledge injection.
# Run:  snakemake --cores 32 train_all        (default target)
# Rules live in rules/<stage>.smk, included below in pipeline order after rules/common.smk; each
# calls the `kire` command line and adds its targets to TRAIN_ALL, the inputs of train_all.

import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


# A user's config runs the user's experiment: Snakemake merges --configfile/--config into
# config.yaml key by key, which would add the bundled sample's datasets to the user's (trained,
# linked against the user's KG, part of the user's leakage filter). So `datasets`, when the command
# line names it, replaces config.yaml's; every other key still merges (README, "On your own data").
USER_CONFIG = workflow.config_settings.overwrite_config
if "datasets" in USER_CONFIG:
    config["datasets"] = dict(USER_CONFIG["datasets"] or {})
    if "dump" not in (USER_CONFIG.get("kg") or {}):
        print(f"warning: your config names its own datasets but not kg.dump, so they are linked "
              f"against config.yaml's dump {config['kg']['dump']}", file=sys.stderr)


# Rules call the `kire` command line; find it beside the Python running Snakemake (the project's
# .venv) even when that venv is not activated. Appended, not prepended, so that a rule's own
# environment (--use-conda) keeps precedence.
shell.prefix(f'set -euo pipefail; export PATH="$PATH:{Path(sys.executable).parent}"; ')

# The config's check and the shared helpers first (results layout, SPLITS, TRAIN_ALL,
# TRAIN_VARIANTS, input functions), then the stages in the order the data flows through them.
include: "rules/common.smk"
include: "rules/kg.smk"
include: "rules/docs.smk"
include: "rules/coref.smk"
include: "rules/embed.smk"
include: "rules/train.smk"
include: "rules/inject.smk"
include: "rules/report.smk"


rule train_all:
    default_target: True
    input:
        TRAIN_ALL,
