# pcapctl: build, test, demo and benchmark. Every target that needs system packages installs them first.
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: all deps build release test demo install clean fuzz

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The Swift runtime is linked statically: each start of pcapctl (every command, every capture agent)
# then costs ~2 ms of CPU instead of ~5 ms of dynamic linking (docs/benchmarks.md).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# The test command (README, .ci/run): unit tests and end-to-end captures on loopback and in network
# namespaces the tests create. Run as root: capturing needs CAP_NET_RAW and namespaces need CAP_SYS_ADMIN.
test: build
	$(SWIFT) test

# Install, build, and run a real three-second capture on loopback.
demo: build
	bash scripts/demo.sh

install: release
	install -m 0755 .build/release/pcapctl $(PREFIX)/bin/pcapctl

clean:
	rm -rf .build

-include bench/Makefile.fragment

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the argument parser and the filter parser,
# FUZZ_SECONDS each. Crashes land in fuzz/findings/; copy each into fuzz/regressions/ so that
# `make test` replays it for ever (Tests/PcapCtlCLITests/FuzzRegressionTests.swift).
FUZZ_SECONDS ?= 60
fuzz: deps
	cd fuzz && $(SWIFT) build -Xswiftc -sanitize=fuzzer,address --scratch-path ../.build-fuzz
	mkdir -p fuzz/findings
	for target in arguments filters; do \
		work=$$(mktemp -d); cp fuzz/corpus/$$target/* fuzz/regressions/$$target/* $$work/; \
		binary=.build-fuzz/debug/Fuzz$$(echo $$target | sed 's/^./\U&/'); \
		$$binary $$work -max_total_time=$(FUZZ_SECONDS) -max_len=1024 -artifact_prefix=fuzz/findings/$$target- || exit 1; \
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
