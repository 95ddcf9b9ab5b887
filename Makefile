# Keydesk: `make run` opens the app on the embedded sandbox; `make test` runs every test.
# Both install whatever this machine lacks first (scripts/bootstrap).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The app binary serves the bundled ui/dist (not the dev server) with this feature on. Every
# cargo step uses the same features so tests, clippy and the e2e build share one compilation.
FEATURES := --features keydesk-app/custom-protocol
APP := target/debug/keydesk
DESKTOP := scripts/desktop-session

.PHONY: help bootstrap ui app run dev screenshots test lint test-rust test-ui e2e bench package

help:
	@echo "make run    build and open Keydesk on the embedded sandbox"
	@echo "make test   lint, then every test: Rust, UI, end-to-end"
	@echo "make e2e    only the end-to-end suite against the real app"
	@echo "make bench  measure against the budgets, write BENCHMARKS.md"
	@echo "make package  build the release .deb and .rpm (target/release/bundle/)"

bootstrap:
	@scripts/bootstrap

ui: bootstrap
	npm --prefix ui run build --silent

# Every binary at once (the app, keydesk-sandbox, keydesk-cli): one feature set, one build.
app: ui
	cargo build --workspace --bins $(FEATURES)

run: app
	$(APP) --sandbox

test: lint test-rust test-ui e2e

lint: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets $(FEATURES) -- -D warnings
	npm --prefix ui run check --silent

# The CLI and sandbox tests run the binaries `app` built instead of building their own.
test-rust: app
	KEYDESK_CLI_BIN=$(CURDIR)/target/debug/keydesk-cli \
	KEYDESK_SANDBOX_BIN=$(CURDIR)/target/debug/keydesk-sandbox \
		$(DESKTOP) cargo test --workspace $(FEATURES)

test-ui: bootstrap
	npm --prefix ui test --silent

e2e: app
	$(DESKTOP) npm --prefix tests/e2e test --silent

# Refreshes the README's pictures in docs/screenshots from the real app.
screenshots: app
	KEYDESK_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(DESKTOP) \
		node --test --test-reporter=spec tests/e2e/specs/screens.test.js

bench: ui
	scripts/bench

# The release build packaged for Debian/Ubuntu and Fedora/openSUSE. Tauri's bundler writes
# both archives itself (no dpkg-deb or rpmbuild needed); an AppImage would download its tools.
package: ui
	ui/node_modules/.bin/tauri build --bundles deb,rpm

dev: bootstrap
	ui/node_modules/.bin/tauri dev -- -- --sandbox
