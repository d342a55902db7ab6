"""What every scenario is made of: histories, verdicts, strategies, guards, and the registry.

A *scenario* (``racelab.scenarios.<name>``) bundles the operations a client can call, the
workload that draws them, a pure checker over the recorded history, its schema, and its
strategies (one module each). This package holds the pieces they share; it knows no scenario.
"""
