"""The experiment engine: the one way racelab runs an experiment and reaches a verdict.

:mod:`~racelab.engine.client` talks to the lab over HTTP; :mod:`~racelab.engine.burst` fires
synchronised bursts from threads (``racelab burst`` and the tests); :mod:`~racelab.engine.judge`
turns a history into a verdict and compares it with what the lab's concurrency predicts. The
Locust bench (:mod:`racelab.bench`) sends the same calls, records the same history and asks the
same judge: its users are thin adapters over these pieces.
"""
