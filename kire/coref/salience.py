"""The project's own resolver (backend ``salience``): agreement filters + a learned salience score.

1. Entities: non-pronoun mentions are grouped by given entity keys, exact name match, a person's
   first or last name matching one longer name, and definite nominals ("the lab") matching an
   earlier mention's head noun (string sieves).
2. Pronouns, in text order: the candidate entities are those with a mention in the previous
   ``WINDOW`` sentences (or later in the pronoun's own sentence) that agree in gender, number and
   animacy and are not a co-argument of a non-reflexive pronoun (binding). The candidates and "no
   antecedent" compete in a softmax over w . f (salience features below; "no antecedent" scores
   0), so p is the probability that the pronoun refers to that entity; w is fitted on GAP's
   development split (``kire coref fit-gap``). A pronoun whose best p reaches the model's
   threshold joins that entity, so later pronouns see the chain.

The features use only the parse, positions and the document title (DocRED's documents are
Wikipedia pages with titles, as GAP's are); nothing is specific to GAP.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from kire.coref.mentions import GROUP_TYPES, Mention, detect_mentions

WINDOW = 4  # sentences before the pronoun in which candidate mentions are considered
FEATURES = (
    "bias", "sd1", "sd2", "sd3p", "log_tokens", "cataphora",
    "m_subj", "m_obj", "m_pobj", "m_poss", "m_appos", "m_root_subj", "m_pronoun", "m_nominal",
    "parallel", "subj_subj", "subj_in_window", "log_count", "has_name", "first_entity",
    "title", "recency1", "recency2", "gender_known", "same_clause", "first_in_sent",
    "pron_poss", "pron_subj", "n_candidates", "par_window", "subj_same", "subj_prev",
    "poss_x_subj", "obj_x_subj_same", "log_between", "intervening_subj",
)


@dataclass
class Cluster:
    """A discourse entity: its mentions in text order and, from them, its agreement attributes."""

    mentions: list[Mention]
    links: list[tuple[Mention, Mention, str]] = field(default_factory=list)  # sieve merges

    def _vote(self, attr: str, exclude=None):
        """Majority value of a mention attribute: only given (annotated) mentions vote when one
        knows it, since the tagger's entity types are the least reliable; names outvote pronouns."""
        votes: dict = {}
        known = [m for m in self.mentions if getattr(m, attr) not in (None, exclude)]
        if any(m.given for m in known):
            known = [m for m in known if m.given]
        for m in known:
            value = getattr(m, attr)
            weight = 1 if m.kind == "pronoun" else 2
            votes[value] = votes.get(value, 0) + weight
        return max(votes, key=votes.__getitem__) if votes else None

    @property
    def gender(self) -> str | None:
        animate = self.animate
        if animate is False:
            return "n"
        return self._vote("gender", exclude="n" if animate else None)

    @property
    def animate(self) -> bool | None:
        return self._vote("animate")

    @property
    def number(self) -> str | None:
        names = [m for m in self.mentions if m.kind != "pronoun"] or self.mentions
        return names[0].number

    @property
    def group(self) -> bool:
        return any(m.etype in GROUP_TYPES for m in self.mentions)

    @property
    def has_name(self) -> bool:
        return any(m.kind == "name" for m in self.mentions)


def normalized(text: str) -> str:
    """Name text for exact matching: lower case, no leading article, no trailing possessive."""
    text = text.strip()
    for prefix in ("the ", "a ", "an "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    for suffix in (" 's", "'s", " '"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def title_tokens(title: str | None) -> set[str]:
    """Lower-cased words of a document title, without a parenthesized qualifier."""
    if not title:
        return set()
    title = title.split("(")[0].replace("_", " ")
    return {w.lower() for w in title.split() if w[:1].isalnum()}


def build_clusters(mentions: list[Mention], doc) -> list[Cluster]:
    """Group the non-pronoun ``mentions`` into entities by the string sieves (module docstring)."""
    nouns = [m for m in mentions if m.kind != "pronoun"]
    parent = list(range(len(nouns)))
    reason: dict[int, tuple[int, str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys: dict[int, set] = {i: ({m.key} if m.key is not None else set()) for i, m in enumerate(nouns)}

    def union(i: int, j: int, sieve: str) -> None:
        """Merge the entities of nouns i and j unless their annotated entity keys differ."""
        ri, rj = find(i), find(j)
        if ri == rj or (sieve != "given" and keys[ri] and keys[rj] and keys[ri] != keys[rj]):
            return
        root, other = min(ri, rj), max(ri, rj)
        parent[other] = root
        keys[root] |= keys.pop(other)
        reason[j] = (i, sieve)

    by_key: dict[object, int] = {}
    by_name: dict[str, int] = {}
    for j, m in enumerate(nouns):
        if m.key is not None:
            if m.key in by_key:
                union(by_key[m.key], j, "given")
            else:
                by_key[m.key] = j
        if m.kind == "name":
            name = normalized(m.text)
            if name in by_name:
                union(by_name[name], j, "exact_name")
            else:
                by_name[name] = j
    # A one-word person name that is the first or last word of exactly one longer person name.
    persons = [j for j, m in enumerate(nouns) if m.kind == "name" and m.animate]
    for j in persons:
        m = nouns[j]
        words = normalized(m.text).split()
        if len(words) != 1:
            continue
        owners = {find(i) for i in persons
                  if i != j and len(nouns[i].text.split()) > 1
                  and words[0] in (normalized(nouns[i].text).split()[0],
                                   normalized(nouns[i].text).split()[-1])}
        if len(owners) == 1:
            owner = owners.pop()
            first = min((i for i in persons if find(i) == owner), key=lambda i: nouns[i].start)
            union(first, j, "person_part")
    # A definite nominal takes the most recent earlier mention with the same head noun.
    for j, m in enumerate(nouns):
        if m.kind == "nominal" and doc[m.start].lower_ == "the" and not m.given:
            head = doc[m.head].lower_
            for i in range(j - 1, -1, -1):
                if doc[nouns[i].head].lower_ == head and nouns[i].number == m.number:
                    union(i, j, "nominal_head")
                    break
    groups: dict[int, Cluster] = {}
    for j, m in enumerate(nouns):
        groups.setdefault(find(j), Cluster([])).mentions.append(m)
    for j, (i, sieve) in reason.items():
        if sieve != "given":
            groups[find(j)].links.append((nouns[i], nouns[j], sieve))
    return sorted(groups.values(), key=lambda c: c.mentions[0].start)


def agrees(pron: Mention, cluster: Cluster) -> bool:
    """Whether a pronoun can refer to ``cluster`` (gender, number, animacy; unknown passes)."""
    if pron.number == "pl":
        return cluster.number == "pl" or cluster.group or cluster.number is None
    if cluster.number == "pl" and not cluster.group:
        return False
    gender, animate = cluster.gender, cluster.animate
    if pron.gender == "n":
        return animate is not True and gender in (None, "n")
    return animate is not False and gender in (None, pron.gender)


def bound(pron: Mention, cand: Mention, doc) -> bool:
    """Binding: a non-reflexive, non-possessive pronoun cannot corefer with a co-argument."""
    if pron.reflexive or pron.possessive:
        return False
    return doc[pron.head].head.i == doc[cand.head].head.i and cand.role in ("subj", "obj")


def same_clause(pron: Mention, cand: Mention, doc) -> bool:
    """Whether the candidate's governing verb also governs the pronoun."""
    verb = doc[cand.head].head
    tok = doc[pron.head]
    while tok.head.i != tok.i:
        tok = tok.head
        if tok.i == verb.i:
            return True
    return False


def pair_features(pron: Mention, cluster: Cluster, doc, ctx: dict) -> tuple[np.ndarray, Mention] | None:
    """Return the salience features (``FEATURES``, [len(FEATURES)]) of a pronoun and a candidate
    entity with the entity's nearest admissible mention, or None when it has none (window, binding)."""
    before = [m for m in cluster.mentions
              if m.end <= pron.start and pron.sent - m.sent <= WINDOW and not bound(pron, m, doc)]
    after = [m for m in cluster.mentions
             if m.start > pron.start and m.sent == pron.sent and not bound(pron, m, doc)]
    if not before and not after:
        return None
    cataphora = not before
    near = before[-1] if before else after[0]
    sd = pron.sent - near.sent
    f = dict.fromkeys(FEATURES, 0.0)
    f["bias"] = 1.0
    f["sd1"], f["sd2"], f["sd3p"] = float(sd == 1), float(sd == 2), float(sd >= 3)
    f["log_tokens"] = math.log1p(abs(pron.start - near.end))
    f["cataphora"] = float(cataphora)
    for role in ("subj", "obj", "pobj", "poss", "appos"):
        f[f"m_{role}"] = float(near.role == role)
    f["m_root_subj"] = float(near.root_subject)
    f["m_pronoun"] = float(near.kind == "pronoun")
    f["m_nominal"] = float(near.kind == "nominal")
    f["parallel"] = float(near.role == pron.role and near.role in ("subj", "obj", "poss"))
    f["subj_subj"] = float(near.role == "subj" and pron.role == "subj")
    f["subj_in_window"] = float(any(m.role == "subj" and 0 <= pron.sent - m.sent <= 1
                                    for m in before))
    f["log_count"] = math.log1p(len(before))
    f["has_name"] = float(cluster.has_name)
    f["first_entity"] = float(cluster is ctx["first_entity"])
    f["title"] = float(bool(ctx["title"]) and any(
        m.kind == "name" and set(normalized(m.text).split()) <= ctx["title"] for m in cluster.mentions))
    f["gender_known"] = float(cluster.gender is not None and cluster.gender == pron.gender)
    f["same_clause"] = float(sd == 0 and same_clause(pron, near, doc))
    f["first_in_sent"] = float(near is ctx["first_in_sent"].get(near.sent))
    f["pron_poss"] = float(pron.possessive)
    f["pron_subj"] = float(pron.role == "subj")
    recent = [m for m in before if pron.sent - m.sent <= 1]
    f["par_window"] = float(any(m.role == pron.role for m in recent))
    f["subj_same"] = float(any(m.role == "subj" and m.sent == pron.sent for m in recent))
    f["subj_prev"] = float(any(m.role == "subj" and m.sent == pron.sent - 1 for m in recent))
    f["poss_x_subj"] = float(pron.possessive and near.role == "subj")
    f["obj_x_subj_same"] = float(pron.role in ("obj", "pobj") and f["subj_same"] > 0)
    own = {id(m) for m in cluster.mentions}
    others = [m for m in ctx["mentions"] if near.end <= m.start and m.end <= pron.start
              and m.kind == "name" and id(m) not in own]
    f["log_between"] = math.log1p(len(others))
    f["intervening_subj"] = float(any(m.role == "subj" for m in others))
    return np.array([f[name] for name in FEATURES], dtype=np.float64), near


@dataclass
class SalienceModel:
    """Mention-ranking weights over ``FEATURES`` (see :func:`kire.coref.gap.fit_ranking`) and the
    decision threshold for resolving a pronoun to its best entity."""

    weights: np.ndarray
    threshold: float
    meta: dict = field(default_factory=dict)

    def proba(self, x: np.ndarray) -> np.ndarray:
        """P(antecedent = candidate i) for the candidates ``x`` [n, len(FEATURES)] of one pronoun
        -> [n]: softmax over [no antecedent (score 0), x @ w]."""
        s = np.concatenate([[0.0], x @ self.weights])
        e = np.exp(s - s.max())
        return (e / e.sum())[1:]

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "weights": self.weights.tolist(),
                "threshold": self.threshold, "meta": self.meta}

    @classmethod
    def from_json(cls, obj: dict) -> "SalienceModel":
        if obj.get("features") != list(FEATURES):
            raise ValueError("salience model features differ from this version's FEATURES")
        return cls(np.asarray(obj["weights"], dtype=np.float64), float(obj["threshold"]),
                   obj.get("meta", {}))


MODEL_FILE = "salience_model.json"


@lru_cache(maxsize=1)
def shipped_model() -> SalienceModel:
    """The model fitted on GAP development and shipped in ``kire/coref/data``."""
    path = resources.files("kire.coref") / "data" / MODEL_FILE
    return SalienceModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def load_model(path: str | Path | None) -> SalienceModel:
    """A model JSON written by ``kire coref fit-gap``, or the shipped one when ``path`` is None."""
    if path is None:
        return shipped_model()
    return SalienceModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class Candidate:
    """A scored antecedent entity of a pronoun: features, p and the entity's nearest mention."""

    cluster: Cluster
    x: np.ndarray
    near: Mention
    p: float = 0.0


@dataclass
class Resolution:
    """What the resolver found in one document."""

    mentions: list[Mention]
    clusters: list[Cluster]
    pronouns: list[tuple[Mention, list[Candidate]]]  # candidates by decreasing p


def resolve(doc, given=(), title: str | None = None, model: SalienceModel | None = None,
            chain: bool = True, lexicon: dict[str, str] | None = None) -> Resolution:
    """Resolve the pronouns of a parsed spaCy ``doc``.

    ``given``: ``(start, end, key, type)`` mention spans (see :func:`detect_mentions`). ``model``
    None scores every candidate 0 (feature extraction only). With ``chain`` a pronoun joins its
    best entity when p >= the model's threshold. ``lexicon``: see :func:`detect_mentions`.
    """
    mentions = detect_mentions(doc, given, lexicon)
    clusters = build_clusters(mentions, doc)
    nouns = [m for m in mentions if m.kind != "pronoun"]
    first_in_sent: dict[int, Mention] = {}
    for m in mentions:
        first_in_sent.setdefault(m.sent, m)
    ctx = {"title": title_tokens(title), "first_in_sent": first_in_sent, "mentions": nouns,
           "first_entity": next((c for c in clusters if c.mentions[0] is nouns[0]), None)
           if nouns else None}
    out = []
    for pron in (m for m in mentions if m.kind == "pronoun"):
        cands = []
        for cluster in clusters:
            if not agrees(pron, cluster) or any(m.start <= pron.start < m.end for m in cluster.mentions
                                                if m.kind != "pronoun"):
                continue
            feats = pair_features(pron, cluster, doc, ctx)
            if feats is not None:
                cands.append(Candidate(cluster, feats[0], feats[1]))
        # Recency ranks among the admissible candidates (preceding ones first).
        order = sorted(cands, key=lambda c: (c.near.start > pron.start, -c.near.start))
        idx = FEATURES.index
        for rank, cand in enumerate(order):
            cand.x[idx("recency1")] = float(rank == 0)
            cand.x[idx("recency2")] = float(rank == 1)
            cand.x[idx("n_candidates")] = math.log1p(len(cands))
        if model is not None and cands:
            ps = model.proba(np.stack([c.x for c in cands]))
            for cand, p in zip(cands, ps):
                cand.p = float(p)
            cands.sort(key=lambda c: -c.p)
            if chain and cands[0].p >= model.threshold:
                best = cands[0].cluster
                best.mentions.append(pron)
                best.mentions.sort(key=lambda m: m.start)
        out.append((pron, cands))
    return Resolution(mentions, clusters, out)
