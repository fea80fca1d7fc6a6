// Manifest hashing vs sha256sum, and verify --fast vs a full verify.
//
//   build/bench/manifest_bench [--tree DIR] [--gen-mib 2048] [--shared ../shared/data]
//
// With no --tree it writes a generated tree (one 512 MiB file, 100 x 10 MiB, 1000 x
// 512 KiB: 2 GiB in all) under $TMPDIR, ages its mtimes by an hour (as downloaded data
// is), and removes it afterwards. Every measurement runs on a warm page cache (a first
// untimed pass reads everything), so it compares hashing, not the disk. sha256sum runs
// once over the same files, in one process (`xargs -0 sha256sum`). Prints a markdown
// table.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "datamgr/file_hashing.h"
#include "datamgr/manifest.h"
#include "datamgr/verify.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;

namespace {

double time_s(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_blob(const fs::path& p, int64_t bytes, uint32_t seed) {
  fs::create_directories(p.parent_path());
  std::vector<uint32_t> block(1 << 18);
  std::ofstream out(p, std::ios::binary);
  for (int64_t done = 0; done < bytes;) {
    for (auto& v : block) v = (seed = seed * 1664525u + 1013904223u);
    const int64_t n = std::min<int64_t>(bytes - done, static_cast<int64_t>(block.size() * 4));
    out.write(reinterpret_cast<const char*>(block.data()), n);
    done += n;
  }
  const struct timespec t = {time(nullptr) - 3600, 0};
  const struct timespec times[2] = {t, t};
  out.close();
  utimensat(AT_FDCWD, p.c_str(), times, 0);
}

void generate(const fs::path& root, int64_t total_mib) {
  const double scale = static_cast<double>(total_mib) / 2048.0;
  write_blob(root / "big/one.bin", static_cast<int64_t>(512 * scale) << 20, 1);
  for (int i = 0; i < 100; ++i)
    write_blob(root / "mid" / (std::to_string(i) + ".dat"), static_cast<int64_t>(10 * scale * 1048576), 2 + i);
  for (int i = 0; i < 1000; ++i) {
    write_blob(root / "small" / std::to_string(i / 100) / (std::to_string(i) + ".dat"),
               static_cast<int64_t>(512 * 1024 * scale), 200 + i);
  }
}

void bench_tree(const std::string& label, const fs::path& root) {
  const auto files = list_tree(root);
  int64_t bytes = 0;
  for (const auto& f : files) bytes += f.size;
  const double mib = static_cast<double>(bytes) / 1048576.0;
  hash_files(root, files, {});  // warm the page cache
  const std::string list = (fs::temp_directory_path() / "ecgtorch-bench-list").string();
  {
    std::ofstream l(list, std::ios::binary);
    for (const auto& f : files) l << (root / f.path).string() << '\0';
  }
  const double t_sum = time_s([&] {
    if (std::system(("xargs -0 sha256sum < " + list + " > /dev/null").c_str()) != 0) std::cerr << "sha256sum failed\n";
  });
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  double t1 = 1e9, tn = 1e9;
  for (int rep = 0; rep < 2; ++rep) {
    t1 = std::min(t1, time_s([&] { build_manifest(root, {"", 1, {}, nullptr}); }));
    tn = std::min(tn, time_s([&] { build_manifest(root, {"", 0, {}, nullptr}); }));
  }
  const Manifest m = build_manifest(root, {"", 0, {}, nullptr});
  VerifyOptions o;
  o.cache_path = fs::temp_directory_path() / "ecgtorch-bench-verify-cache.json";
  const double t_full = time_s([&] { verify_tree(root, m, o); });
  o.fast = true;
  double t_fast = 1e9;
  for (int rep = 0; rep < 3; ++rep) t_fast = std::min(t_fast, time_s([&] { verify_tree(root, m, o); }));
  fs::remove(o.cache_path);
  fs::remove(list);
  std::printf(
      "| %s | %zu files, %.0f MiB | sha256sum %.0f MiB/s | manifest 1 thread %.0f MiB/s (%.2fx) | "
      "%d threads %.0f MiB/s (%.2fx) | verify full %.3f s, --fast %.4f s (%.0fx) |\n",
      label.c_str(), files.size(), mib, mib / t_sum, mib / t1, t_sum / t1, cores, mib / tn, t_sum / tn, t_full, t_fast,
      t_full / t_fast);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string tree, shared = "../shared/data";
  int64_t gen_mib = 2048;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--tree") tree = argv[i + 1];
    if (k == "--gen-mib") gen_mib = std::atoll(argv[i + 1]);
    if (k == "--shared") shared = argv[i + 1];
  }
  std::printf(
      "| tree | size | sha256sum (1 core) | ecgtorch, 1 thread (vs sha256sum) | all cores (vs sha256sum) | verify |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  if (fs::is_directory(shared)) bench_tree(shared, shared);
  if (!tree.empty()) {
    bench_tree(tree, tree);
  } else if (gen_mib > 0) {
    const fs::path root = fs::temp_directory_path() / "ecgtorch-bench-tree";
    fs::remove_all(root);
    generate(root, gen_mib);
    bench_tree("generated " + std::to_string(gen_mib) + " MiB", root);
    fs::remove_all(root);
  }
  return 0;
}
