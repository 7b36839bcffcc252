# backplan: build, test, demo and benchmark entry points. `.ci/run` runs `make test`, then `make test-app`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Prerequisites run in the order written (deps before build), even under `make -j`.
.NOTPARALLEL:

SWIFT ?= swift
DEBUG_BIN := .build/debug/backplan
RELEASE_BIN := .build/release/backplan

.PHONY: all deps preflight build test test-app demo bench clean distclean

all: build

## deps: Debian packages and .venv/ (scripts/deps.sh; idempotent, quiet when all is present)
deps:
	scripts/deps.sh

## preflight: every tool on PATH, and podman (+ one container with --init), moto_server and sshd start here (seconds)
preflight: deps
	scripts/preflight.sh

## build: debug build of everything
build:
	$(SWIFT) build

## test: deps, preflight, the Swift test suites, then every plan checked against `backplan schema`
test: deps preflight
	$(SWIFT) test
	$(SWIFT) build --product backplan
	BACKPLAN=$(DEBUG_BIN) scripts/schema-check.sh

## test-app: issue 12's real-app test only: Open WebUI 0.12.4 installed into a cached venv outside the
## repository (scripts/app-deps.sh: /var/cache/backplan/openwebui-0.12.4/venv, 3 GB, ~7 min the first
## time, reused after), then RealAppSessionTests against it (~2.5 min: three starts of the app)
test-app: deps
	venv=$$(scripts/app-deps.sh) && BACKPLAN_APP_VENV=$$venv $(SWIFT) test --filter RealAppSessionTests

## demo: a demo Open WebUI under .demo/: detect, check, compile, run the daily job (script, then backplan run) under a writer, restore, verify
demo: deps
	$(SWIFT) build --product backplan
	BACKPLAN=$(DEBUG_BIN) scripts/demo.sh

## bench: `backplan check` on a generated 200-job plan, the job script's second run, `backplan run` vs sqlite3/cp/rsync, bytes sent to an rsync target, the rclone target vs rclone copy; release build
bench: deps
	$(SWIFT) build -c release --product backplan
	BACKPLAN=$(RELEASE_BIN) scripts/bench.sh
	BACKPLAN=$(RELEASE_BIN) scripts/bench-job.sh
	BACKPLAN=$(RELEASE_BIN) scripts/bench-runtime.sh
	BACKPLAN=$(RELEASE_BIN) scripts/bench-rsync.sh
	BACKPLAN=$(RELEASE_BIN) scripts/bench-rclone.sh

## clean: build products and what demo and bench leave (keeps .venv/; see distclean)
clean:
	rm -rf .build .demo bench-out

distclean: clean
	rm -rf .venv
