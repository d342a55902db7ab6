"""The payment's strategies, one module each (found by :mod:`racelab.scenarios`)."""
