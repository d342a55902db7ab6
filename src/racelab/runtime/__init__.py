"""Runtimes: the same stack as local processes (native) or as containers (docker)."""
