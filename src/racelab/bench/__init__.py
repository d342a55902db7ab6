"""The lab bench: Locust as a load generator for the experiment engine.

Locust users are thin adapters over the engine's pieces: they send the calls each scenario's
workload draws, record the answers as the engine's history (``classify``), and the board asks
the engine's ``judge`` for every verdict, with the scope the lab declares. The same pieces serve
the interactive web UI (``loadtests/locustfile.py``) and ``make report``
(:mod:`racelab.bench.headless`). Only the modules that drive Locust (``user``, ``wiring``,
``headless``) import it: importing ``locust`` monkey-patches the whole process for gevent, which
nothing else here may do.
"""
