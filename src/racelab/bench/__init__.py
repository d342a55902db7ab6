"""The lab bench: what Locust records while it hammers a strategy, and the verdicts it computes.

The same pieces serve the interactive web UI (``loadtests/locustfile.py``) and ``make report``
(:mod:`racelab.bench.headless`). Only the modules that drive Locust import it: importing
``locust`` monkey-patches the whole process for gevent, which nothing else here may do.
"""
