"""One durable-rules Host per thread, holding the compiled rule sets that thread has used.

durable-rules is not thread-safe: its Python Host interleaves the C engine's calls of several
threads on one ruleset and loses or misroutes actions. Each thread gets its own Host instead,
and registers a compiled rule set the first time it evaluates it. A ruleset name registers once
per Host and cannot be replaced, and the Host cannot remove one, so the cache is keyed by the
content-addressed name; a Host that has gathered MAX_RULESETS rule sets (old versions, mostly)
is retired whole and its rulesets freed in the C engine (about 5 MB for 500 rules each).
A compiled rule set may be several durable rulesets (its shards); they register together.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import durable.engine
import durable_rules_engine

from engine.rules.compiler import CompiledRuleSet

MAX_RULESETS = 64


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


def _delete_rulesets(handles: dict[str, int]) -> None:
    for handle in handles.values():
        durable_rules_engine.delete_ruleset(handle)
    handles.clear()


class ThreadHost:
    """A QuietHost with the C handles of the rulesets registered on it, freed when it goes."""

    def __init__(self) -> None:
        self.host = QuietHost()
        self._handles: dict[str, int] = {}  # durable ruleset name -> C handle
        self._sets: dict[str, tuple[int, ...]] = {}  # compiled rule set name -> its shards' handles
        # Frees the C rulesets when the Host is retired or its thread ends (thread-local data is
        # dropped then). Only this object holds the Host, so no Ruleset outlives its handle.
        self._finalizer = weakref.finalize(self, _delete_rulesets, self._handles)
        self._finalizer.atexit = False

    def __contains__(self, name: str) -> bool:
        return name in self._sets

    def __len__(self) -> int:
        return len(self._sets)

    def handles(self, compiled: CompiledRuleSet) -> tuple[int, ...]:
        """The C handles of this rule set's shards, registering them on first use."""
        handles = self._sets.get(compiled.name)
        if handles is None:
            registered = []
            for shard in range(len(compiled.shards)):
                name = compiled.ruleset_name(shard)
                handle = self._handles.get(name)  # set if an earlier attempt failed half-way
                if handle is None:
                    # set_rulesets deletes each rule's "run" key from the dict it is given: pass
                    # a copy (shard_definition builds a fresh one each time).
                    self.host.set_rulesets({name: compiled.shard_definition(shard)})
                    handle = self._handles[name] = self.host.get_ruleset(name)._handle
                registered.append(handle)
            handles = self._sets[compiled.name] = tuple(registered)
        return handles

    def close(self) -> None:
        """Free every ruleset of this Host; the object must not be used afterwards."""
        self._finalizer()


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
    """Replace this thread's Host with a fresh one, freeing the old one's rulesets."""
    old: ThreadHost | None = getattr(_local, "host", None)
    new = _local.host = ThreadHost()
    if old is not None:
        old.close()
    return new
