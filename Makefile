# pcapctl: build, test, demo and benchmark. Every target that needs system packages installs them first.
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: all deps build release test demo install clean fuzz

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

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
