# exhunt - the two commands: `make run` and `make test`.
# make deps   installs the Debian packages the build and tests need
# make build  builds build/exhunt (meson + ninja)
# make run    deps + build, then scans the demo evidence in examples/
# make test   deps + build, then every test; ends with "N passed, N failed"

BUILD ?= build
MESON_OPTS ?=

# Debian packages: build, libraries, and the tools the tests use.
PACKAGES = gcc binutils meson ninja-build pkg-config python3 python3-jsonschema \
	libyaml-dev libarchive-dev libpcre2-dev libyara-dev clang libclang-rt-14-dev \
	clang-format libarchive-tools zip gcc-mingw-w64-x86-64 \
	libregf-dev libbfio-dev libhivex-bin libregf-utils \
	libcurl4-openssl-dev nginx-light \
	asp.net-examples yara libevtx-utils openssl chromium poppler-utils \
	libtsk-dev libewf-dev libvhdi-dev libvmdk-dev libqcow-dev \
	libvshadow-dev libvshadow-utils \
	ntfs-3g qemu-utils ewf-tools fdisk
ifeq ($(shell dpkg --print-architecture 2>/dev/null),amd64)
PACKAGES += libhyperscan-dev
endif

.PHONY: all deps build run test clean bench

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null; then SUDO=sudo; \
		else echo "make deps: run as root to install:" $$missing >&2; exit 1; fi; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@echo "== exhunt scan examples/"
	@$(BUILD)/exhunt scan --no-progress examples/; st=$$?; \
	if [ $$st -ne 0 ] && [ $$st -ne 1 ]; then exit $$st; fi

# Tests are listed when meson configures (tests/list_tests.py), so configure
# again to pick up cases and CLI tests added since.
test: deps $(BUILD)/build.ninja
	@meson setup --reconfigure $(BUILD) $(MESON_OPTS) >/dev/null
	ninja -C $(BUILD)
	@meson test -C $(BUILD) --print-errorlogs --num-processes 2 > $(BUILD)/test-output.txt 2>&1; \
	st=$$?; tail -n 40 $(BUILD)/test-output.txt; \
	python3 tests/summarize.py $(BUILD)/meson-logs/testlog.json $$st

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD)
