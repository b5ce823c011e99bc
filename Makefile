# pcapctl: build, test, demo and benchmark. Every target that needs system packages installs them first.
SWIFT ?= swift
PREFIX ?= /usr/local
# The venv scripts/install-deps.sh fills with the server tests' pinned clients (azure-cli, azure-mgmt-network).
PCAPCTL_VENV ?= /opt/pcapctl-venv
SYSTEMD_UNIT_DIR ?= /etc/systemd/system

.PHONY: all deps build release release-daemon test demo install clean fuzz

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The Swift runtime is linked statically: each start of pcapctl (every command, every capture agent)
# then costs ~2 ms of CPU instead of ~5 ms of dynamic linking (docs/benchmarks.md). The CLI alone: the
# benchmarks need only it, and the daemon's server stack takes far longer to build (release-daemon).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product pcapctl

release-daemon: deps
	$(SWIFT) build -c release --static-swift-stdlib --product pcapctld

# The test command (README, .ci/run): unit tests and end-to-end captures on loopback and in network
# namespaces the tests create. Run as root: capturing needs CAP_NET_RAW and namespaces need CAP_SYS_ADMIN.
# Then the daemon's tests: the real az and Azure SDK against pcapctld on 127.0.0.1 (Tests/ServerTests),
# and its portal page in headless Chromium (Tests/PortalTests).
test: build
	$(SWIFT) test
	PCAPCTL_BIN_DIR=$$($(SWIFT) build --show-bin-path) PATH=$(PCAPCTL_VENV)/bin:$$PATH \
		$(PCAPCTL_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/ServerTests
	PCAPCTL_BIN_DIR=$$($(SWIFT) build --show-bin-path) \
		$(PCAPCTL_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/PortalTests

# Install, build, and run a real three-second capture on loopback.
demo: build
	bash scripts/demo.sh

# The CLI, the daemon, its systemd unit and an example configuration (copy it to /etc/pcapctl/server.json).
install: release release-daemon
	install -m 0755 .build/release/pcapctl $(DESTDIR)$(PREFIX)/bin/pcapctl
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/doc/pcapctl $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	install -m 0755 .build/release/pcapctld $(DESTDIR)$(PREFIX)/sbin/pcapctld
	install -m 0644 dist/pcapctld.service $(DESTDIR)$(SYSTEMD_UNIT_DIR)/pcapctld.service
	install -m 0644 docs/server.md $(DESTDIR)$(PREFIX)/share/doc/pcapctl/server.md
	install -d -m 0700 $(DESTDIR)/etc/pcapctl
	install -m 0600 dist/server.json.example $(DESTDIR)/etc/pcapctl/server.json.example

clean:
	rm -rf .build

-include bench/Makefile.fragment

# pcapctld under 200 concurrent clients (bench/server_load.py): no 5xx, no lost or doubled capture; the
# p99 of get and queryStatus go to docs/benchmarks.md. Bounded by LOAD_SECONDS and WRK_SECONDS.
.PHONY: bench-server
bench-server: release release-daemon
	PCAPCTL_BIN_DIR=$(CURDIR)/.build/release $(PCAPCTL_VENV)/bin/python bench/server_load.py

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the argument parser, the filter parser and
# the daemon's request decoding (a request target line, then a create body: up to 8 KiB), FUZZ_SECONDS
# each. Crashes land in fuzz/findings/; copy each into fuzz/regressions/ so that
# `make test` replays it for ever (Tests/PcapCtlCLITests/FuzzRegressionTests.swift). Leak checking is
# off: LeakSanitizer reports Swift's lazily made global constants (BPFExpression's templates) as leaked
# at exit, which failed every run; ASan still stops at any memory error.
FUZZ_SECONDS ?= 60
fuzz: deps
	cd fuzz && $(SWIFT) build -Xswiftc -sanitize=fuzzer,address --scratch-path ../.build-fuzz
	mkdir -p fuzz/findings
	for target in arguments filters requests; do \
		work=$$(mktemp -d); cp fuzz/corpus/$$target/* $$work/; cp fuzz/regressions/$$target/* $$work/ 2>/dev/null || true; \
		binary=.build-fuzz/debug/Fuzz$$(echo $$target | sed 's/^./\U&/'); \
		ASAN_OPTIONS=detect_leaks=0 $$binary $$work -max_total_time=$(FUZZ_SECONDS) \
			-max_len=$$([ $$target = requests ] && echo 8192 || echo 1024) -artifact_prefix=fuzz/findings/$$target- || exit 1; \
		rm -rf $$work; \
	done

# `make install` also installs pcapctl(1) and the bash, zsh and fish completions, which the binary
# generates from its option tables (a prerequisite, so the install recipe itself stays as it is).
.PHONY: install-manual-and-completions man
install: install-manual-and-completions
install-manual-and-completions: release
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	.build/release/pcapctl __man > $(DESTDIR)$(PREFIX)/share/man/man1/pcapctl.1
	.build/release/pcapctl completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pcapctl
	.build/release/pcapctl completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pcapctl
	.build/release/pcapctl completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/pcapctl.fish

# The man page as committed in docs/ (regenerate after changing an option table; a test checks it).
man: build
	.build/debug/pcapctl __man > docs/pcapctl.1
