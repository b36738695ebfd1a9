# Makefile — entry points for people and CI. Both targets are idempotent
# and assume nothing is running (no pcscd needed beforehand).
#
#   make test   the whole test command: scripts/test.sh (installs missing
#               Debian packages, vets, checks gofmt, runs go test -race with
#               the real PC/SC stack, then every fuzz target briefly).
#               Knobs (see scripts/test.sh): MYNACARD_NO_APT, MYNACARD_TEST_TIMEOUT,
#               MYNACARD_FUZZTIME, MYNACARD_SKIP_FUZZ, MYNACARD_TEST_PKGS,
#               MYNACARD_PCSCTEST_DIR, MYNACARD_PCSCD_ARGS.
#   make build  builds bin/mynacard.
#   make run    builds bin/mynacard and runs it with ARGS (default --help),
#               e.g. make run ARGS=readers

GO ?= go
ARGS ?= --help

.PHONY: test build run

test:
	./scripts/test.sh

build:
	$(GO) build -o bin/mynacard ./cmd/mynacard

run: build
	./bin/mynacard $(ARGS)
