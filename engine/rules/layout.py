"""Where each durable rule sits in durable-rules' alpha network: fast, and inside its limits.

What durable-rules 2.0.28 does with a ruleset (measured; pinned in tests/engine/rules):
- It keeps each rule's tests in the order given and shares a node between rules whose tests
  so far are identical (never for `$or`, `$iany` or `$iall` tests: each rule gets its own);
  it does not index equality tests, so every child of a node is tried on every fact that
  reaches it: a fact costs time in proportion to the type node's children (about 30 µs a
  fact for 500 rules that each start with their own `model == …`).
- It walks a fact with a stack of 64 entries: a fact alive in more than 64 paths at once is
  refused (error 303).
- A node with more than 512 children makes `create_ruleset` loop forever.

So each rule leads with its most selective equality (or IN) test; equality leads on a field
with many values are grouped by a bucket number the adapter adds to each fact (`<fact>~b`,
an equality test shared by the bucket's rules), so a fact tries the buckets and then one
bucket's values; and the rules are packed into shards (one durable ruleset each) whose worst
case stays below both limits. None of this changes what matches.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.rules import Condition, FactKind, FactSchema, Op, RuleSpec

MAX_ALIVE_PATHS = 60  # of durable's 64 stack entries
MAX_CHILDREN = 500  # of the 512 children a node may have
MIN_INDEXED_VALUES = 16  # fewer distinct lead values are tried one by one
BUCKET_SUFFIX = "~b"

# The lead of a durable rule: (fact, its distinct values), or None without an EQ/IN test.
Lead = tuple[str, tuple[Any, ...]] | None


@dataclass(frozen=True)
class Planned:
    """One durable rule before it becomes JSON: its conditions, lead first."""

    conditions: tuple[Condition, ...]
    lead: Lead


def values_of(condition: Condition) -> list[Any]:
    """The condition's values without repeats (an IN's alternatives must exclude one another,
    or a fact is alive in several paths of one rule)."""
    raw = condition.value if isinstance(condition.value, list) else [condition.value]
    seen: set[tuple[type, Any]] = set()
    kept: list[Any] = []
    for v in raw:
        if (type(v), v) not in seen:
            seen.add((type(v), v))
            kept.append(v)
    return kept


def selectivity(rules: Iterable[RuleSpec]) -> Counter[str]:
    """Per fact, how many distinct values the rules' EQ/IN tests use: more is more selective."""
    seen: dict[str, set[tuple[type, Any]]] = {}
    for rule in rules:
        for c in rule.conditions:
            if c.op in (Op.EQ, Op.IN):
                seen.setdefault(c.fact, set()).update((type(v), v) for v in values_of(c))
    return Counter({fact: len(values) for fact, values in seen.items()})


def plan(conditions: Sequence[Condition], ranks: Counter[str]) -> Planned:
    """The conditions with the most selective EQ/IN test first (ties: EQ, then fewer values)."""
    if not any(c.op in (Op.EQ, Op.IN) for c in conditions):
        return Planned(tuple(conditions), None)
    at = max(
        (i for i, c in enumerate(conditions) if c.op in (Op.EQ, Op.IN)),
        key=lambda i: (ranks[conditions[i].fact], conditions[i].op is Op.EQ, -len(values_of(conditions[i]))),
    )
    best = conditions[at]
    rest = [c for i, c in enumerate(conditions) if i != at]
    return Planned((best, *rest), (best.fact, tuple(values_of(best))))


def bucket_indexes(planned: Iterable[Planned], schema: FactSchema) -> dict[str, dict[Any, int]]:
    """Per text or int fact with many lead values: value -> bucket number, about √n buckets
    of √n values each (a fact then tries √n buckets and √n values instead of n values)."""
    leads: dict[str, set[Any]] = {}
    for p in planned:
        if p.lead is not None and schema[p.lead[0]].kind in (FactKind.TEXT, FactKind.INT):
            leads.setdefault(p.lead[0], set()).update(p.lead[1])
    indexes: dict[str, dict[Any, int]] = {}
    for fact, values in sorted(leads.items()):
        if len(values) >= MIN_INDEXED_VALUES:
            size = math.isqrt(len(values) - 1) + 1
            indexes[fact] = {v: n // size for n, v in enumerate(sorted(values))}
    return indexes


def place(p: Planned, indexes: Mapping[str, Mapping[Any, int]]) -> list[tuple[dict[str, Any] | None, Planned]]:
    """The durable rules that stand for one planned rule, each with the bucket test that goes
    before its lead: one per bucket its lead's values fall in (a fact matches at most one of
    them, as its lead value is in one bucket), or the rule as it is on an unindexed fact."""
    if p.lead is None or p.lead[0] not in indexes:
        return [(None, p)]
    fact, values = p.lead
    index = indexes[fact]
    by_bucket: dict[int, list[Any]] = {}
    for v in values:
        by_bucket.setdefault(index[v], []).append(v)
    lead = p.conditions[0]
    pieces: list[tuple[dict[str, Any] | None, Planned]] = []
    for bucket, part in sorted(by_bucket.items()):
        narrowed = lead if len(part) == len(values) else Condition(
            fact=fact, op=Op.EQ if len(part) == 1 else Op.IN, value=part[0] if len(part) == 1 else part
        )
        pieces.append(({fact + BUCKET_SUFFIX: bucket}, Planned((narrowed, *p.conditions[1:]), (fact, tuple(part)))))
    return pieces


# One test of a durable rule's path: its key in the network (its JSON, made unique for tests
# durable never shares), its alternatives (an $or adds one child per value) and, for an
# equality test, the fact it tests: equality siblings on one fact exclude one another.
Step = tuple[str, int, str | None]


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    ends: int = 0  # durable rules whose path ends here
    alive: int = 0  # the most paths below (and at) this node a fact can be alive in at once

    def width(self) -> int:
        return sum(step[1] for step in self.steps.values())

    def refresh(self) -> None:
        by_fact: dict[str, int] = {}
        free = 0
        for key, child in self.children.items():
            fact = self.steps[key][2]
            if fact is None:
                free += child.alive
            else:
                by_fact[fact] = max(by_fact.get(fact, 0), child.alive)
        self.alive = self.ends + free + sum(by_fact.values())


class _Shard:
    """Durable rules packed into one ruleset, with the network durable will build from them
    (tests shared while identical): per node its children, and the most paths a fact can be
    alive in, which bounds durable's stack (pending nodes have disjoint subtrees, each with a
    path end; of the equality children on one fact, only one can match)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.root = _Node()

    def add_if_fits(self, name: str, path: Sequence[Step]) -> bool:
        trail = [self.root]
        created: list[tuple[_Node, str]] = []
        for step in path:
            node = trail[-1]
            child = node.children.get(step[0])
            if child is None:
                if node.width() + step[1] > MAX_CHILDREN:
                    self._undo(trail, created)
                    return False
                child = node.children[step[0]] = _Node()
                node.steps[step[0]] = step
                created.append((node, step[0]))
            trail.append(child)
        trail[-1].ends += 1
        for node in reversed(trail):
            node.refresh()
        if self.root.alive > MAX_ALIVE_PATHS:
            trail[-1].ends -= 1
            self._undo(trail, created)
            return False
        self.names.append(name)
        return True

    @staticmethod
    def _undo(trail: list[_Node], created: list[tuple[_Node, str]]) -> None:
        for parent, key in reversed(created):
            del parent.children[key], parent.steps[key]
        for node in reversed(trail):
            node.refresh()


def pack(paths: Mapping[str, Sequence[Step]]) -> tuple[tuple[str, ...], ...]:
    """First-fit packing of the durable rules into as few shards as the limits allow."""
    shards: list[_Shard] = []
    for name, path in paths.items():
        if not any(shard.add_if_fits(name, path) for shard in shards):
            shard = _Shard()
            shards.append(shard)
            if not shard.add_if_fits(name, path):
                raise ValueError(f"rule `{name}` alone exceeds durable-rules' limits")
    return tuple(tuple(s.names) for s in shards) or ((),)
