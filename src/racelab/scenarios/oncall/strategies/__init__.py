"""The oncall scenario's strategies, one module each (found by :mod:`racelab.scenarios`)."""
