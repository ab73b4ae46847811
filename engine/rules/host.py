"""One durable-rules Host per thread, holding the compiled rule sets that thread has used.

durable-rules is not thread-safe, so each thread gets its own Host and registers a compiled
rule set the first time it evaluates it. A ruleset name registers once per Host and can be
neither replaced nor removed, so the cache is keyed by the content-addressed name, and a Host
that has gathered MAX_RULESETS rule sets (old versions, mostly) is retired whole.

Retiring drops the Host but does not give back the C engine's memory (about 5 MB per thread
for a 500-rule set): the C module's `delete_ruleset` frees it, but after it `create_ruleset`
fails more often with a spurious parse error (it reads memory it never initialised), so the
adapter never calls it. A compiled rule set may be several durable rulesets (its shards).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import durable.engine
import durable_rules_engine

from engine.rules.compiler import CompiledRuleSet

MAX_RULESETS = 64
# create_ruleset fails now and then with error 102 on a ruleset it accepts when asked again
# (about 1 in 3,000 rulesets holding HAS_ANY tests): try a few times before giving up.
CREATE_ATTEMPTS = 5


def _never_called(closure: Any) -> None:
    """The action behind every rule name: evaluate drains actions through the C module and never
    builds durable's Python closures (about 25 µs per action, too slow for a quote)."""


class QuietHost(durable.engine.Host):
    """A durable Host without its background dispatch, for synchronous use only."""

    def _run(self) -> None:
        # The stock Host starts two timer threads that dispatch pending actions and timers of
        # every ruleset every 0.2 s: they would race our own synchronous draining of actions.
        return

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return _never_called


class ThreadHost:
    """A QuietHost with the C handles of the compiled rule sets registered on it."""

    def __init__(self) -> None:
        self.host = QuietHost()
        self._handles: dict[str, int] = {}  # durable ruleset name -> C handle
        self._sets: dict[str, tuple[int, ...]] = {}  # compiled rule set name -> its shards' handles

    def __contains__(self, name: str) -> bool:
        return name in self._sets

    def __len__(self) -> int:
        return len(self._sets)

    def handles(self, compiled: CompiledRuleSet) -> tuple[int, ...]:
        """The C handles of this rule set's shards, registering them on first use."""
        handles = self._sets.get(compiled.name)
        if handles is None:
            handles = self._sets[compiled.name] = tuple(
                self._register(compiled, shard) for shard in range(len(compiled.shards))
            )
        return handles

    def _register(self, compiled: CompiledRuleSet, shard: int) -> int:
        name = compiled.ruleset_name(shard)
        if name not in self._handles:  # else registered by an attempt that failed half-way
            for attempt in range(1, CREATE_ATTEMPTS + 1):
                try:
                    # set_rulesets deletes each rule's "run" key from the dict it is given:
                    # pass a copy (shard_definition builds a fresh one each time).
                    self.host.set_rulesets({name: compiled.shard_definition(shard)})
                    break
                except durable_rules_engine.error:
                    if attempt == CREATE_ATTEMPTS:
                        raise
            self._handles[name] = self.host.get_ruleset(name)._handle
        return self._handles[name]


_local = threading.local()


def thread_host() -> ThreadHost:
    """This thread's Host (created on first use)."""
    current: ThreadHost | None = getattr(_local, "host", None)
    if current is None:
        current = _local.host = ThreadHost()
    return current


def handles_for(compiled: CompiledRuleSet) -> tuple[int, ...]:
    """This thread's C handles for `compiled`, retiring a full Host before registering more."""
    current = thread_host()
    if compiled.name not in current and len(current) >= MAX_RULESETS:
        current = retire()
    return current.handles(compiled)


def retire() -> ThreadHost:
    """Replace this thread's Host with a fresh one (the old one's rulesets stay in memory)."""
    new = _local.host = ThreadHost()
    return new
