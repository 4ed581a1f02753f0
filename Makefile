# gracekeeper: every target installs what it needs first (npm ci), so a fresh clone works.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
TEST_FILES = $(shell find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
E2E_FILES = $(shell find test/e2e -name '*.test.ts' -not -path 'test/e2e/faults/*' 2>/dev/null | sort)
# The fault scenarios on the real control plane (test/e2e/README.md, "Fault scenarios") take 2.5 to 4
# minutes on 2 cores, too long for `make test`: `make e2e` runs them, `make e2e-faults` only them.
FAULT_FILES = $(shell find test/e2e/faults -name '*.test.ts' 2>/dev/null | sort)
# The chart's tests (every test file that renders or installs it through test/helm/chart.ts) run on
# Helm 4 in the line above, then again on Helm 3 (HELM_MAJOR=3): both are supported.
# (test/e2e/helm-server-side.test.ts runs both Helms itself.)
HELM_FILES = $(filter-out test/e2e/helm-server-side.test.ts,$(shell grep -rlE "from '(\.\./helm/|\./)chart\.js'" test --include='*.test.ts' | sort))

.PHONY: all deps build typecheck lint format docs policy run test unit e2e e2e-faults clean k8s-binaries tools helm-docs certs deploy undeploy

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES_STAMP)

build: deps
	rm -rf dist
	npx tsc -p tsconfig.json
	chmod +x dist/cli.js dist/kubectl-gracekeeper.js

# Run the webhook locally on a self-signed certificate; no cluster needed.
run: build
	node dist/cli.js serve

# Type-check the tests and benchmarks too (the build covers src/ only).
typecheck: deps
	npx tsc -p tsconfig.test.json

# One style across src/, test/ and bench/: prettier's formatting, typescript-eslint's
# recommended-type-checked rules. `make format` rewrites what prettier would change.
lint: deps
	npx prettier --check --log-level warn .
	npx eslint --max-warnings 0 .

format: deps
	npx prettier --write --log-level warn .
	npx eslint --fix .

# The generated tables of docs/reference.md (annotations, cluster settings, metrics) from the code.
docs: deps
	node --import tsx scripts/reference.ts

# The in-process baseline (deploy/baseline/policy.yaml) rendered from deploy/base/config.yaml.
policy: deps
	{ sed -n '1,5p' deploy/baseline/policy.yaml; node --import tsx src/cli.ts policy --config deploy/base/config.yaml; } > deploy/baseline/policy.yaml.tmp
	mv deploy/baseline/policy.yaml.tmp deploy/baseline/policy.yaml
	node --import tsx -e 'import("./src/baseline/chart.ts").then((m) => process.stdout.write(m.chartTemplate()))' > deploy/helm/gracekeeper/templates/baseline.yaml

# Every test: unit, golden, property, HTTPS round trips, and the end-to-end suite (but its fault scenarios).
test: build typecheck lint
	node --import tsx --test --test-reporter=spec $(TEST_FILES) $(E2E_FILES)
	HELM_MAJOR=3 node --import tsx --test --test-reporter=spec $(HELM_FILES)

# The chart's tests on Helm 3 only (`make test` runs them on Helm 4, then on Helm 3).
.PHONY: helm3
helm3: build
	HELM_MAJOR=3 node --import tsx --test --test-reporter=spec $(HELM_FILES)

unit: build
	node --import tsx --test --test-reporter=spec $(TEST_FILES)

e2e: build
	node --import tsx --test --test-reporter=spec $(E2E_FILES) $(FAULT_FILES)

e2e-faults: build
	node --import tsx --test --test-reporter=spec $(FAULT_FILES)

# The end-to-end suite (the fault scenarios too) on every supported Kubernetes release, one after
# another: K8S_RELEASE selects the control plane (test/e2e/README.md; `make e2e` runs the default,
# 1.37). Each release's binaries are built the first time (5 to 10 min on 2 cores). K8S_MATRIX
# narrows it, e.g. `make e2e-matrix K8S_MATRIX=1.35`; MATRIX_FAULTS=false leaves out the faults.
K8S_MATRIX ?= 1.35 1.36 1.37
MATRIX_FAULTS ?= true
E2E_MATRIX_FILES = $(E2E_FILES) $(if $(filter false,$(MATRIX_FAULTS)),,$(FAULT_FILES))
.PHONY: e2e-matrix
e2e-matrix: build
	@set -e; for release in $(K8S_MATRIX); do \
	  echo "== e2e on Kubernetes $$release"; \
	  K8S_RELEASE=$$release bash test/e2e/build-k8s.sh; \
	  start=$$SECONDS; \
	  K8S_RELEASE=$$release node --import tsx --test --test-reporter=spec $(E2E_MATRIX_FILES); \
	  echo "== e2e on Kubernetes $$release: passed in $$((SECONDS - start)) s"; \
	done

clean:
	rm -rf dist

# Kubernetes + etcd binaries for test/e2e, cached in ~/.cache/gracekeeper (first run ~4 min on 2 cores).
k8s-binaries:
	bash test/e2e/build-k8s.sh

# Helm 4 and Helm 3, promtool and promql-inspect for the chart and observability tests, from the Go
# module proxy into ~/.cache/gracekeeper (test/tools/build.sh; first run 20 to 40 min on 2 cores).
tools:
	bash test/tools/build.sh helm4
	bash test/tools/build.sh helm3
	bash test/tools/build.sh promtool
	bash test/tools/build.sh promql-inspect

# Regenerates docs/helm.md's values table and the chart's copies of deploy/observability
# (a test fails when they are stale).
helm-docs: deps
	node --import tsx test/helm/chart-docs.ts

# The image's Node.js (version pinned in scripts/ensure-node.sh) for the image test and make bench,
# from the npm registry into ~/.cache/gracekeeper/node-v<version>/ (docs/runtime.md).
.PHONY: image-node
image-node:
	bash scripts/ensure-node.sh

# Install into the current kubectl context without cert-manager (docs/operations.md "Install"):
# `make certs` makes a CA and serving certificate in certs/ (never committed), `make deploy`
# creates the TLS Secret, fills the webhook's caBundle and applies deploy/ with IMG.
# With cert-manager: `make deploy CERT_MANAGER=true`. `make undeploy` removes it all.
IMG ?= gracekeeper:0.1.0
CERT_MANAGER ?= false

certs:
	bash scripts/certs.sh

deploy:
	IMG='$(IMG)' bash scripts/deploy.sh $(if $(filter true,$(CERT_MANAGER)),--cert-manager)

undeploy:
	bash scripts/undeploy.sh

# Proof that pods go away without failed requests with gracekeeper (rolling update, scale-in,
# eviction, a slow external path, keep-alive clients): a real cluster on this machine (root;
# Debian containerd, runc, CNI plugins), writes bench/rollout.json and the table of
# docs/rollout-proof.md. Not part of `make test`. ROLLOUT_ARGS e.g. --scenarios=scale-in,eviction --runs=1.
.PHONY: rollout-proof
rollout-proof: build
	bash test/rollout/prereqs.sh
	node --import tsx test/rollout/proof.ts $(ROLLOUT_ARGS)

# gracekeeper's outcomes (docs/outcomes.md) on the proof's real node: an app killed at its grace
# period, a failing preStop hook, a probe that never passes and a clean stop, each reported (or not)
# and how fast. Root, as rollout-proof; about 8 minutes (the probe's bound is 5). Not part of make test.
.PHONY: outcomes-proof
outcomes-proof: build
	bash test/rollout/prereqs.sh
	node --import tsx test/rollout/outcomes-proof.ts

# Admission benchmark (docs/performance.md): gracekeeper's build against a bare node:https
# baseline on loopback, then a soak, both on the image's Node.js (BENCH_NODE=path for another);
# writes bench/results.json and the table in docs/performance.md.
.PHONY: bench
bench: build
	rm -rf bench/.build
	npx tsc -p bench/tsconfig.json
	node bench/.build/bench/main.js

# gracekeeper side by side with Kyverno (docs/peers.md): a real control plane (test/e2e), Kyverno
# v1.19.1 built from the Go module proxy into ~/.cache/gracekeeper (long the first time), Pods
# created through kube-apiserver with no webhook, gracekeeper and Kyverno alternated; writes
# bench/peers.json and the tables of docs/peers.md. Not part of `make test`. PEERS_ARGS e.g. --rounds=1.
.PHONY: bench-baseline
# What the in-process baseline costs through a real API server (docs/baseline.md): Pod creations
# with none, the baseline alone, gracekeeper alone and both. Writes bench/baseline.json.
bench-baseline: build
	bash test/e2e/build-k8s.sh
	node --import tsx bench/peers/baseline.ts $(BASELINE_ARGS)

.PHONY: bench-peers
bench-peers: build
	bash test/e2e/build-k8s.sh
	bash bench/peers/build-kyverno.sh
	node --import tsx bench/peers/main.ts $(PEERS_ARGS)

# Scale benchmark (docs/scale.md): gracekeeper beside a real API server holding 10,000 Namespaces,
# 10,000 Services and 2,000 Ingresses and beside an empty one, in one run: start-up to ready, RSS,
# admission p50/p99. Writes bench/scale.json and the results in docs/scale.md. Not part of
# `make test`. SCALE_FILL (default Namespace=10000,Service=10000,Ingress=2000; kinds in bench/scale/fill.ts), SCALE_ROUNDS (6), SCALE_SECONDS (5), SCALE_CONCURRENCY (16).
.PHONY: bench-scale
bench-scale: build
	bash test/e2e/build-k8s.sh
	node --import tsx bench/scale/main.ts
