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
#   make pkcs11 builds bin/libmynacard-pkcs11.so, the PKCS#11 module.
#   make run    the main job (scripts/run.sh): installs what building needs,
#               builds bin/mynacard and identifies a card holder — on the
#               built-in virtual card when no reader holds a card. With ARGS
#               it runs bin/mynacard ARGS instead, e.g. make run ARGS=readers
#   make bench  scripts/bench.sh: ONE markdown table (scripts/benchtable) of
#               the card operations over pcscd+vpcd and loopback, short and
#               extended readers (APDUs, bytes, time/op), and the
#               jpki/revocation benchmarks, side by side in one run: loading
#               1,000,000- and 5,000,000-entry CRLs at serial widths 4, 8, 12
#               and 20 bytes as whole processes with ParseCRL, with
#               x509.ParseRevocationList + a map and with openssl crl (time,
#               peak RSS, ratios), the mapped index cache, lookup ns/op, batch
#               status of 1,000,000 serials; identify with a mapped 5M CRL
#               through pcscd; changes --all over 1M enrolments (SQLite and
#               PostgreSQL). MYNACARD_BIG=0 keeps to the 1M CRLs,
#               MYNACARD_BENCH_BANK=0 skips changes --all. Last, binary
#               sizes and start-up time (scripts/bench-binaries.sh).
#   make bench-binaries  only that last part, as its own table: sizes of
#               mynacard (cgo) and of cgo-off programs importing one
#               package, and `mynacard --reader virtual status` wall time.
#   make dist   scripts/dist.sh: cmd/mynacard for windows/amd64 (pure Go),
#               linux/amd64 and linux/arm64 (cgo, cross-built), with
#               SHA256SUMS, in dist/. MYNACARD_DIST_TARGETS picks a subset.
#   make fuzz   scripts/fuzz.sh: every fuzz target for FUZZTIME (default 30s)
#               each; new corpus entries go to each package's testdata/fuzz
#               (see testdata/fuzz/README.md). FUZZ_PKGS, FUZZ_MATCH, FUZZ_KEEP.

GO ?= go
ARGS ?=

.PHONY: test build run bench fuzz dist

test:
	./scripts/test.sh

build:
	$(GO) build -o bin/mynacard ./cmd/mynacard

run:
	./scripts/run.sh $(ARGS)

bench:
	GO=$(GO) ./scripts/bench.sh

.PHONY: bench-binaries
bench-binaries:
	GO=$(GO) ./scripts/bench-binaries.sh | $(GO) run ./scripts/benchtable

fuzz:
	./scripts/fuzz.sh

dist:
	GO=$(GO) ./scripts/dist.sh

# make reliability: scripts/reliability-report.sh runs the fault matrix,
# concurrency, secrets and store-durability tests and every fuzz target
# briefly (RELIABILITY_FUZZTIME, default 5s), then writes RELIABILITY.md
# from their output. 10–15 minutes; not part of make test.
.PHONY: reliability
reliability:
	GO=$(GO) ./scripts/reliability-report.sh

# make pkcs11: the PKCS#11 module bin/libmynacard-pkcs11.so (cgo,
# -buildmode=c-shared; needs libpcsclite-dev). See README "PKCS#11 module".
.PHONY: pkcs11
pkcs11:
	$(GO) build -buildmode=c-shared -o bin/libmynacard-pkcs11.so ./pkcs11
	rm -f bin/libmynacard-pkcs11.h
