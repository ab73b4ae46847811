"""Every known durable-rules 2.0.28 hazard, pinned against raw durable (its Host or its C
module), next to the proof that the adapter handles it. If durable changes, the raw half
fails and says which assumption of engine.rules to revisit."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import threading
from typing import Any

import durable.engine
import durable_rules_engine
import pytest

from engine.rules import Evaluation, compile_rules, evaluate, evaluate_reference
from engine.rules.compiler import MARKER_RULE
from engine.rules.evaluate import SESSION
from engine.rules.host import MAX_RULESETS, handles_for, thread_host
from tests.engine.rules.support import SCHEMA, PlainHost, cond, raw_matches, rule, run_python

RULES = [
    rule("ac", cond("model", "eq", "AC"), cond("quantity", "gte", 2)),
    rule("agent", cond("channel", "eq", "agent")),
    rule("vip", cond("tags", "has_any", ["vip", "gold"])),
]
FACTS = [
    {"model": "AC", "quantity": 3, "channel": "agent"},
    {"model": "AC", "quantity": 1, "tags": ["vip"]},
    {"model": "TV", "channel": "retail"},
]


def counting_rules(name: str, rules: int = 2) -> tuple[PlainHost, list[str]]:
    """A raw Host with `rules` rules that all match any fact of type "x", recording who fired."""
    fired: list[str] = []

    def action(rule_name: str) -> Any:
        return lambda c: fired.append(rule_name)  # one parameter: durable runs it synchronously

    host = PlainHost()
    host.set_rulesets({name: {f"r{k}": {"all": [{"m": {"t": "x"}}], "run": action(f"r{k}")} for k in range(rules)}})
    return host, fired


# --- set_rulesets and names ---------------------------------------------------------------
def test_set_rulesets_deletes_run_from_the_dict_it_is_given() -> None:
    definition = {"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}
    PlainHost().set_rulesets({"deletes-run": definition})
    assert "run" not in definition["r"]


def test_the_adapter_registers_a_copy_and_the_compiled_definition_keeps_run() -> None:
    compiled = compile_rules("line", SCHEMA, RULES)
    evaluate(compiled, FACTS)
    assert all(rule["run"] == "collect" for rule in compiled.definition.values())


def test_a_ruleset_name_registers_only_once_per_host() -> None:
    host = PlainHost()
    host.set_rulesets({"once": {"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}})
    with pytest.raises(Exception, match="already registered"):
        host.set_rulesets({"once": {"r": {"all": [{"m": {"t": "y"}}], "run": lambda c: None}}})


def test_the_adapter_evaluates_one_rule_set_many_times_beside_another() -> None:
    first = compile_rules("line", SCHEMA, RULES)
    second = compile_rules("line", SCHEMA, RULES[:1])
    recompiled = compile_rules("line", SCHEMA, list(RULES))  # a new object, the same name
    for _ in range(50):
        assert evaluate(first, FACTS).matched == {"ac": (0,), "agent": (0,), "vip": (1,)}
        assert evaluate(second, FACTS).matched == {"ac": (0,)}
        assert evaluate(recompiled, FACTS) == evaluate(first, FACTS)


# --- results of an assert -----------------------------------------------------------------
def test_a_fact_matching_nothing_raises_message_not_handled() -> None:
    host = PlainHost()
    host.set_rulesets({"not-handled": {"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}})
    with pytest.raises(durable.engine.MessageNotHandledException):
        host.assert_fact("not-handled", {"sid": "1", "t": "y"})


def test_a_batch_whose_last_fact_matches_nothing_raises_though_others_matched() -> None:
    host, fired = counting_rules("last-unmatched", rules=1)
    with pytest.raises(durable.engine.MessageNotHandledException):
        host.assert_facts("last-unmatched", [{"sid": "1", "t": "x"}, {"sid": "1", "t": "y"}])
    assert fired == []  # the match's action is left for the background dispatcher


def test_the_adapter_returns_an_empty_evaluation_for_facts_matching_nothing() -> None:
    compiled = compile_rules("line", SCHEMA, RULES)
    assert evaluate(compiled, [{"model": "none"}]) == Evaluation({}, {})
    assert evaluate(compiled, [*FACTS, {"model": "none"}]).matched == {"ac": (0,), "agent": (0,), "vip": (1,)}


def test_an_identical_fact_is_observed_and_dropped() -> None:
    host, fired = counting_rules("observed", rules=1)
    ruleset = host.get_ruleset("observed")
    with pytest.raises(durable.engine.MessageObservedException):
        ruleset.assert_facts([{"sid": "1", "t": "x", "n": 1}, {"sid": "1", "t": "x", "n": 1}])
    assert len(ruleset.get_facts("1")) == 1


def test_two_facts_with_the_same_id_field_are_one_fact() -> None:
    host, fired = counting_rules("same-id", rules=1)
    with pytest.raises(durable.engine.MessageObservedException):
        host.get_ruleset("same-id").assert_facts([{"sid": "1", "t": "x", "id": 7, "n": 1}, {"sid": "1", "t": "x", "id": 7, "n": 2}])


def test_the_adapter_keeps_identical_facts_distinct() -> None:
    compiled = compile_rules("line", SCHEMA, RULES)
    assert evaluate(compiled, [FACTS[0], FACTS[0], dict(FACTS[0])]).matched["ac"] == (0, 1, 2)


# --- actions ------------------------------------------------------------------------------
def test_an_exception_inside_an_action_is_stored_in_state_not_raised() -> None:
    def fails(c: Any) -> None:
        raise ValueError("boom")

    host = PlainHost()
    host.set_rulesets({"action-error": {"r": {"all": [{"m": {"t": "x"}}], "run": fails}}})
    state = host.assert_fact("action-error", {"sid": "1", "t": "x"})
    assert "boom" in state["exception"]


def test_an_error_while_the_adapter_collects_propagates_and_cleans_up() -> None:
    compiled = compile_rules("line", SCHEMA, RULES)
    broken = dataclasses.replace(compiled, reports={k: v for k, v in compiled.reports.items() if k != "agent"})
    for _ in range(1_100):  # more than durable's 1,024 live states: each one was deleted
        with pytest.raises(RuntimeError, match="fired `agent`"):
            evaluate(broken, FACTS)
    # The failed evaluation's session, facts and pending actions were dropped with it.
    assert evaluate(compiled, FACTS) == evaluate_reference(RULES, SCHEMA, FACTS)
    assert evaluate(compiled, FACTS[2:]) == evaluate_reference(RULES, SCHEMA, FACTS[2:])


def test_an_event_is_consumed_by_the_first_rule_a_fact_by_every_rule() -> None:
    host, fired = counting_rules("events")
    host.post("events", {"sid": "1", "t": "x"})
    assert len(fired) == 1
    host.assert_fact("events", {"sid": "2", "t": "x"})
    assert sorted(fired[1:]) == ["r0", "r1"]


def test_the_adapter_reports_a_fact_for_every_rule_it_matches() -> None:
    rules = [rule("a", cond("model", "eq", "AC")), rule("b", cond("quantity", "gte", 1)), rule("c")]
    assert evaluate(compile_rules("line", SCHEMA, rules), FACTS[:1]).matched == {"a": (0,), "b": (0,), "c": (0,)}


# --- states ---------------------------------------------------------------------------------
def test_the_1025th_live_session_raises_memory_error() -> None:
    host, _ = counting_rules("sessions", rules=1)
    for sid in range(1024):
        host.assert_fact("sessions", {"sid": str(sid), "t": "x"})
    with pytest.raises(MemoryError):
        host.assert_fact("sessions", {"sid": "1024", "t": "x"})


def test_the_adapter_reuses_one_session_per_ruleset_and_leaves_it_empty() -> None:
    compiled = compile_rules("line", SCHEMA, RULES)
    for _ in range(5_000):  # more than 1,024 evaluations: never a new live session each
        evaluate(compiled, FACTS[:1])
    (handle,) = handles_for(compiled)
    assert durable_rules_engine.get_facts(handle, SESSION) == "[]"


def test_deleting_a_state_that_never_ran_an_action_crashes_the_process() -> None:
    # createStateNode leaves the state's action context uninitialised and deleteStateNode frees
    # it: garbage unless an action ran. In a fresh process the first ruleset's first state
    # holds garbage there. The adapter asserts a marker fact a marker rule always matches.
    raw = run_python("""
        import durable.engine
        class Host(durable.engine.Host):
            def _run(self): pass
        host = Host()
        host.set_rulesets({"crash": {"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}})
        try:
            host.assert_fact("crash", {"sid": "1", "t": "y"})
        except durable.engine.MessageNotHandledException:
            pass
        host.delete_state("crash", "1")
        print("survived")
    """)
    assert raw.returncode == -signal.SIGSEGV, raw
    adapter = run_python("""
        from engine.rules import compile_rules, evaluate
        from tests.engine.rules.support import SCHEMA, cond, rule
        compiled = compile_rules("line", SCHEMA, [rule("r", cond("model", "eq", "x"))])
        assert evaluate(compiled, [{"model": "y"}]).matched == {}
        print("survived")
    """)
    assert adapter.returncode == 0 and "survived" in adapter.stdout, adapter


# --- limits of the network --------------------------------------------------------------------
def test_a_fact_alive_in_more_than_64_paths_is_refused() -> None:
    passing = {f"r{k}": {"$gte": {"q": -k}} for k in range(65)}
    assert len(raw_matches(dict(list(passing.items())[:64]), [{"q": 1}])) == 64
    with pytest.raises(durable_rules_engine.error, match="303"):
        raw_matches(passing, [{"q": 1}])
    rules = [rule(f"r{k}", cond("quantity", "gte", -k)) for k in range(200)]
    compiled = compile_rules("line", SCHEMA, rules)
    assert len(compiled.shards) == 4
    assert evaluate(compiled, [{"quantity": 1}]) == evaluate_reference(rules, SCHEMA, [{"quantity": 1}])


def test_a_node_with_more_than_512_children_hangs_create_ruleset() -> None:
    script = """
        import json, durable_rules_engine
        rules = {f"r{k}": {"all": [{"m": {"$and": [{"t": "x"}, {"m": f"M{k}"}]}}]} for k in range(513)}
        durable_rules_engine.create_ruleset("hang", json.dumps(rules))
    """
    with pytest.raises(subprocess.TimeoutExpired):
        run_python(script, timeout=3)
    adapter = run_python("""
        from engine.rules import compile_rules, evaluate, evaluate_reference
        from tests.engine.rules.support import SCHEMA, cond, rule
        rules = [rule(f"r{k}", cond("model", "eq", f"M{k}")) for k in range(1500)]
        rules += [rule(f"n{k}", cond("quantity", "eq", k)) for k in range(600)]
        facts = [{"model": "M7", "quantity": 3}, {"model": "M1499", "quantity": 599}]
        assert evaluate(compile_rules("line", SCHEMA, rules), facts) == evaluate_reference(rules, SCHEMA, facts)
        print("done")
    """, timeout=60)
    assert adapter.returncode == 0 and "done" in adapter.stdout, adapter


# --- values -----------------------------------------------------------------------------------
def test_strings_are_compared_as_json_text() -> None:
    assert raw_matches({"r": {"s": "空调"}}, [{"s": "空调"}], ensure_ascii=True) == []
    assert raw_matches({"r": {"s": "空调"}}, [{"s": "空调"}]) == [("r", 0)]
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("model", "eq", "空调"))])
    assert evaluate(compiled, [{"model": "空调"}]).matched == {"r": (0,)}


def test_json_types_are_coerced_and_integers_saturate_at_64_bits() -> None:
    assert raw_matches({"r": {"q": "3"}}, [{"q": 3}]) == [("r", 0)]
    assert raw_matches({"r": {"b": True}}, [{"b": 1}]) == [("r", 0)]
    assert raw_matches({"r": {"q": 2**64}}, [{"q": 2**63}, {"q": 2**63 - 1}]) == [("r", 0), ("r", 1)]
    assert raw_matches({"r": {"q": 2**53 + 1}}, [{"q": 2**53}]) == []  # exact within 64 bits
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("quantity", "eq", 3))])
    with pytest.raises(TypeError):
        evaluate(compiled, [{"quantity": "3"}])
    with pytest.raises(ValueError, match="64 bits"):
        evaluate(compiled, [{"quantity": 2**63}])


def test_iall_is_false_on_an_empty_list() -> None:
    none_of_a = {"$iall": {"tags": {"$neq": {"$i": "a"}}}}
    assert raw_matches({"r": none_of_a}, [{"tags": []}, {"tags": ["b"]}]) == [("r", 1)]
    compiled = compile_rules("line", SCHEMA, [rule("r", cond("tags", "has_none", ["a"]))])
    assert evaluate(compiled, [{"tags": []}, {"tags": ["b"]}, {}]).matched == {"r": (0, 1, 2)}


# --- threads and hosts -------------------------------------------------------------------------
def test_eight_threads_get_exactly_the_serial_results() -> None:
    # Each thread has its own Host. (Raw durable from 8 threads on one Host and session did
    # not lose posts in our attempts on 2.0.28 - the C calls hold the GIL - so that half of
    # the field note is not reproduced here; the stock Host's timer threads remain a race.)
    sets = [compile_rules("line", SCHEMA, RULES), compile_rules("line", SCHEMA, RULES[1:])]
    inputs = [FACTS, FACTS[1:], [FACTS[0]] * 3, [{"model": "none"}]]
    serial = [evaluate(sets[k % 2], inputs[k % 4]) for k in range(2_000)]
    results: dict[int, list[Evaluation]] = {}

    def work(thread: int) -> None:
        results[thread] = [evaluate(sets[k % 2], inputs[k % 4]) for k in range(2_000)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[n] == serial for n in range(8))


def test_a_host_full_of_rule_sets_is_retired_and_evaluation_goes_on() -> None:
    versions = [compile_rules("line", SCHEMA, [rule("r", cond("quantity", "eq", n))]) for n in range(150)]
    for _ in range(2):
        for n, compiled in enumerate(versions):
            assert evaluate(compiled, [{"quantity": n}, {"quantity": -1}]).matched == {"r": (0,)}
            assert len(thread_host()) <= MAX_RULESETS


def test_every_shard_has_the_marker_rule() -> None:
    compiled = compile_rules("line", SCHEMA, [rule(f"r{k}", cond("quantity", "gte", -k)) for k in range(100)])
    assert all(MARKER_RULE in compiled.shard_definition(k) for k in range(len(compiled.shards)))
