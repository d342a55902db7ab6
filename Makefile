# racelab: `make` alone prints this help. Every target is one line over the Python CLI.
.DEFAULT_GOAL := help
SHELL := /bin/bash
UV_VERSION := 0.13.9
PYTHON ?= python3
VENV := .venv
RACELAB := $(VENV)/bin/racelab

.PHONY: venv help up down ps status logs lint test test-compose unit burst strategies report chaos isolation bench check clean

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PYTHON) -m uv sync --frozen --extra load --python $(PYTHON)
	@touch $@

venv: $(VENV)/.synced ## create or update the virtualenv (uv, pinned by uv.lock)

up: venv ## start the lab (TOPOLOGY=, REPLICAS=, WORKERS=, THREADS=, RACE_WINDOW_MS=, RUNTIME=native|docker)
	@$(RACELAB) up

down: venv ## stop everything the lab started
	@$(RACELAB) down

ps: venv ## show what is running (also: make status)
	@$(RACELAB) status

status: ps

logs: venv ## show the services' logs (make logs S=app-1 to pick one)
	@$(RACELAB) logs $(S)

strategies: venv ## list the strategies and their expected verdicts per topology
	@$(RACELAB) strategies

burst: venv ## 50 synchronised callers x 3 bursts, judged: make burst S=counter/db-thread-lock (S=inventory, S=all...; MODE=last-byte|single-packet; CALLERS=, ROUNDS=)
	@$(RACELAB) burst $(or $(S),all) $(if $(MODE),--mode $(MODE)) $(if $(CALLERS),--callers $(CALLERS)) $(if $(ROUNDS),--rounds $(ROUNDS))

report: venv ## every scenario's strategies under every topology: report/latest/ (QUICK=1, KEEP=5, LOCUST_HTML=1)
	@$(RACELAB) report

chaos: venv ## the safe strategies under load while faults are injected (kill, restart, pause): chaos/latest/
	@$(RACELAB) chaos

isolation: venv ## which isolation level prevents which anomaly: the classic tests, live against Postgres (V=1: every step)
	@$(RACELAB) isolation $(if $(V),-v)

bench: venv ## reproduction curves, Locust against wrk, the steady cost of safety: bench/latest/ (QUICK=1: under 2 min)
	@QUICK=$(QUICK) $(RACELAB) bench

check: venv ## judge a report's saved histories again: make check R=report/latest (exit 1: a verdict differs)
	@$(RACELAB) check $(or $(R),report/latest)

lint: venv ## ruff (lint + format check) and mypy (strict on src/), settings in pyproject.toml
	$(VENV)/bin/ruff check src tests loadtests services
	$(VENV)/bin/ruff format --check src tests loadtests services
	$(VENV)/bin/mypy

test: venv lint ## run the whole test suite after make lint (installs what it needs, starts its own stack)
	$(VENV)/bin/pytest

.PHONY: k8s-secret k8s-render k8s-up k8s-down
k8s-secret: venv ## write deploy/kubernetes/base/secrets.env from .env (git-ignored; k8s-render makes it if missing)
	@$(RACELAB) k8s-secret

k8s-render: venv ## render the Kubernetes manifests offline: deploy/kubernetes/rendered/default.yaml (OVERLAY=dev)
	@$(RACELAB) k8s-render $(or $(OVERLAY),default)

k8s-up: venv ## apply the rendered manifests to your kubeconfig's cluster, wait for every rollout (needs kubectl)
	@$(RACELAB) k8s-up $(or $(OVERLAY),default)

k8s-down: venv ## delete the lab from that cluster: the namespace and its volumes too (needs kubectl)
	@$(RACELAB) k8s-down $(or $(OVERLAY),default)

test-compose: venv ## the Docker Compose smoke test (skips when no container engine answers)
	$(VENV)/bin/pytest -m compose

unit: venv ## fast tests only: no services needed
	$(VENV)/bin/pytest -m "not stack and not compose"

clean: venv ## stop the lab, delete its run folder (.run/ or RUN_DIR) and Postgres's data wherever it went
	@$(RACELAB) down --clean
