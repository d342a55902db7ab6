"""``racelab chaos``: the safe strategies under steady load while a nemesis injects faults.

Learned from Jepsen: a load generator (:mod:`~racelab.chaos.load`) sends every safe strategy's
operations through nginx and records each call's answer; a nemesis (:mod:`~racelab.chaos.faults`)
injects one fault at a time (kill -9 a worker, kill a replica, restart Postgres, restart or crash
Redis, pause a lock holder past its lock's TTL, delay Postgres's packets) and heals it; each
scenario's own checker then judges the history against the states before and after, and pure
checks (:mod:`~racelab.chaos.checks`) add what failure costs: acknowledged operations lost,
indeterminate ones, errors by status (every one JSON?), the longest wait and the time until every
replica serves again. A loss is blamed on the store when the fault destroys what that store keeps
(:data:`~racelab.chaos.checks.DESTROYS`), not on the strategy.
"""
