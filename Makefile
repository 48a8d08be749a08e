# Two commands for a new user: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
GO ?= go
# SUDO is empty for root (a stock Debian container has no sudo) and "sudo" for anyone else.
SUDO := $(shell if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then echo sudo; fi)

.PHONY: run test deps vet fmt-check build bench loadtest

## run: install PostgreSQL/Redis where missing, then serve API + workers with a demo (supportd dev)
run: deps build
	./bin/supportd dev

## test: the whole suite against real PostgreSQL and Redis (its own, when none are given)
test: deps fmt-check vet
	$(GO) test -race -count=1 -timeout 30m ./...

## deps: PostgreSQL and Redis servers, Dovecot (IMAP and LMTP, mail tests), Chromium and CJK fonts (browser tests), promtool (alert rule tests) from Debian's packages, only where missing
deps:
	@missing=""; \
	if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing="$$missing postgresql"; fi; \
	if ! command -v redis-server >/dev/null 2>&1; then missing="$$missing redis-server"; fi; \
	if [ ! -x /usr/lib/dovecot/imap ] && [ ! -x /usr/libexec/dovecot/imap ]; then missing="$$missing dovecot-imapd"; fi; \
	if [ ! -x /usr/lib/dovecot/lmtp ] && [ ! -x /usr/libexec/dovecot/lmtp ]; then missing="$$missing dovecot-lmtpd"; fi; \
	if ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if ! dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed"; then missing="$$missing fonts-noto-cjk"; fi; \
	if ! command -v promtool >/dev/null 2>&1; then missing="$$missing prometheus"; fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ] && [ -z "$(SUDO)" ]; then \
			echo "missing:$$missing; run 'make deps' as root or install sudo" >&2; exit 1; \
		fi; \
		echo "installing from Debian's packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

build:
	$(GO) build -o bin/supportd ./cmd/supportd

## bench: the Go benchmarks whose figures README.md quotes
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sla/...
