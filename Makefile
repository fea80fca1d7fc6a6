# ecgtorch: the user's entry point.
#   make test    deps -> configure -> build -> ctest
#   make build   configure + build
#   make bench   build + run the benchmarks
#   make fuzz    libFuzzer targets with ASan + UBSan (clang), FUZZ_RUNS / FUZZ_SECONDS each
#   make test-sanitize   the whole ctest suite built with ASan + UBSan (build-asan/)
#   make bench-manifest   manifest hashing vs sha256sum, verify --fast vs full (writes 2 GiB to $TMPDIR)
#   make quickstart   deps -> build -> ecgtorch train --config configs/quickstart.yaml
BUILD ?= build
JOBS ?= $(shell nproc)
BUILD_TYPE ?= Release
CMAKE_ARGS ?=

.PHONY: all deps configure build test test-sanitize fuzz bench bench-manifest install clean experiment-signals experiment-synth quickstart

all: build

deps:
	tools/install-deps.sh

# Configure once; afterwards ninja re-runs CMake by itself when a CMakeLists changes.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Fuzz every parser (tools/run-fuzzers.sh; results in build-fuzz/fuzz-results.md).
fuzz:
	tools/run-fuzzers.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECGTORCH_SANITIZE=ON -DECGTORCH_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/config_bench
	ECGTORCH_DATA_DIR=$${ECGTORCH_DATA_DIR:-../shared/data} $(BUILD)/bench/records_bench
	$(BUILD)/bench/models_bench
	$(BUILD)/bench/render_bench

bench-manifest: build
	$(BUILD)/bench/manifest_bench --shared $${ECGTORCH_DATA_DIR:-../shared/data}

# The first thing to run: train the quickstart digitiser on pages rendered on the fly.
quickstart: deps build
	$(BUILD)/bin/ecgtorch train --config configs/quickstart.yaml $(ARGS)

# The synthesiser's realism table and plots (experiments/signals/).
experiment-signals: build
	$(BUILD)/bench/synth_report experiments/signals

# One downscaled example page per preset (experiments/synth/).
experiment-synth: build
	for p in clean scan photo screen damaged mixed; do \
	  rm -rf $(BUILD)/synth-previews/$$p && \
	  $(BUILD)/bin/ecgtorch synth --generate 1 --out $(BUILD)/synth-previews/$$p --preset $$p --seed 3 \
	    --format jpg --scale 0.35 --signal none -q && \
	  cp $(BUILD)/synth-previews/$$p/synth_000000_sinus.jpg experiments/synth/$$p.jpg; done

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX),)

clean:
	rm -rf $(BUILD)
