"""Rule conditions over facts, compiled to durable-rules and evaluated (the only module that
imports `durable`), with a plain-Python reference of the same semantics."""

from engine.rules.compiler import CompiledRuleSet, compile_rules
from engine.rules.evaluate import Evaluation, evaluate
from engine.rules.reference import evaluate_reference, failed_conditions, holds
from engine.rules.validate import check_conditions

__all__ = [
    "CompiledRuleSet",
    "Evaluation",
    "check_conditions",
    "compile_rules",
    "evaluate",
    "evaluate_reference",
    "failed_conditions",
    "holds",
]
