# ecgtorch: the user's entry point.
#   make test    deps -> configure -> build -> ctest
#   make build   configure + build
#   make bench   build + run the benchmarks
#   make fuzz    libFuzzer targets with ASan + UBSan (clang), FUZZ_RUNS / FUZZ_SECONDS each
#   make test-sanitize   the whole ctest suite built with ASan + UBSan (build-asan/)
#   make bench-manifest   manifest hashing vs sha256sum, verify --fast vs full (writes 2 GiB to $TMPDIR)
#   make quickstart   deps -> build -> ecgtorch train --config configs/quickstart.yaml
#   make ort     ONNX Runtime (onnxruntime-node from npm) for the ONNX export checks
#   make tb      an independent TensorBoard event reader (npm) for the TensorBoard checks
#   make bench-latency   signal_cnn1d / digitiser latency: eager vs TorchScript vs ONNX Runtime
#   make experiment NAME=page_reading|digitize_reader|digitize|beats|classify|keypoints|loss_ablation   experiments/<NAME>/run.sh
BUILD ?= build
JOBS ?= $(shell nproc)
BUILD_TYPE ?= Release
CMAKE_ARGS ?=

.PHONY: all deps ort tb configure build test experiment bench-latency test-sanitize fuzz bench bench-manifest install clean experiment-signals experiment-synth quickstart

all: build

deps:
	tools/install-deps.sh

# Configure once; afterwards ninja re-runs CMake by itself when a CMakeLists changes.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# ONNX Runtime for `ecgtorch export --verify`, predict on .onnx and the ONNX tests:
# onnxruntime-node, pinned in tools/ort/package-lock.json. Its install script only fetches
# CUDA binaries from nuget, so it is skipped: the CPU runtime ships in the package. Without
# npm (or offline) the ONNX Runtime tests skip, saying why.
ort:
	@if [ -d tools/ort/node_modules/onnxruntime-node ]; then echo "ort: onnxruntime-node present"; \
	elif command -v npm >/dev/null 2>&1; then \
	  ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix tools/ort --ignore-scripts --no-audit --no-fund --loglevel=error \
	    || echo "ort: npm ci failed; the ONNX Runtime checks will be skipped"; \
	else echo "ort: npm not found; the ONNX Runtime checks will be skipped"; fi

# An independent TensorBoard event reader for the tests (tools/tb: the tfrecord and
# protobufjs packages, pinned in tools/tb/package-lock.json). Without npm the tests that
# use it skip, saying why.
tb:
	@if [ -d tools/tb/node_modules/tfrecord ]; then echo "tb: tfrecord present"; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/tb --ignore-scripts --no-audit --no-fund --loglevel=error \
	    || echo "tb: npm ci failed; the TensorBoard reader checks will be skipped"; \
	else echo "tb: npm not found; the TensorBoard reader checks will be skipped"; fi

test: deps ort tb build
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
	$(BUILD)/bench/digitize_bench --pages $${ECGTORCH_DATA_DIR:-../shared/data}/images/ecg-image-kit-dev/clean

bench-latency: ort build
	$(BUILD)/bench/latency_bench

bench-manifest: build
	$(BUILD)/bench/manifest_bench --shared $${ECGTORCH_DATA_DIR:-../shared/data}

# The first thing to run: train the quickstart digitiser on pages rendered on the fly.
quickstart: deps build
	$(BUILD)/bin/ecgtorch train --config configs/quickstart.yaml $(ARGS)

# One experiment of experiments/ (its README gives the figures and the time it takes):
# trains, evaluates and writes experiments/<NAME>/metrics.json; runs under runs/experiments/.
experiment: ort build
	@test -n "$(NAME)" -a -x experiments/$(NAME)/run.sh || { echo "make experiment NAME=<one of: $$(cd experiments && ls */run.sh | xargs -n1 dirname | tr '\n' ' ')>"; exit 2; }
	experiments/$(NAME)/run.sh

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
