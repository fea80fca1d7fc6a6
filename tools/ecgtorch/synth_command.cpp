// `ecgtorch synth (--records DIR | --generate N) --out DIR [--preset NAME | --config FILE]
//   [--seed S] [--threads T] [--format png|jpg] [--signal csv|wfdb|none] [--masks] [--quiet]
//   [OVERRIDE ...]`: synthetic ECG-paper pages with their ground truth.

#include <ATen/Parallel.h>
#include <opencv2/core/utility.hpp>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>

#include "commands.h"
#include "config_args.h"
#include "core/config_loader.h"
#include "core/progress.h"
#include "core/strings.h"
#include "data/record_io.h"
#include "data/synth.h"
#include "render/synth_job.h"

namespace ecg::tools {
namespace {}  // namespace

Command add_synth_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("synth", "Render synthetic ECG-paper images with exact ground truth");
  struct Args {
    std::string records, out, preset = "clean", config, format = "png", signal = "csv";
    int64_t generate = 0, threads = 1;
    double scale = 1.0;
    uint64_t seed = 0;
    bool masks = false, quiet = false;
    std::vector<std::string> overrides;
  };
  auto a = std::make_shared<Args>();
  auto* src = sub->add_option("--records", a->records, "render every record (.hea, .csv) under this directory");
  sub->add_option("--generate", a->generate, "render N synthesised 12-lead records (14 classes in turn)")
      ->excludes(src);
  sub->add_option("--out", a->out, "output directory")->required();
  sub->add_option("--preset", a->preset, "clean | scan | photo | screen | damaged | mixed (configs/synth/)");
  sub->add_option("--config", a->config, "a synth config instead of a preset: {page: {...}, artefacts: [...]}");
  sub->add_option("--seed", a->seed, "seed; page i uses a seed derived from (seed, i)");
  sub->add_option("--threads", a->threads, "worker threads (output is identical for any count)");
  sub->add_option("--format", a->format, "png | jpg");
  sub->add_option("--signal", a->signal, "plotted signal: csv (Kaggle) | wfdb | none");
  sub->add_option("--scale", a->scale, "resize each page (and its ground truth) by this factor");
  sub->add_flag("--masks", a->masks, "also write per-lead instance masks (<stem>-mask.png)");
  sub->add_flag("--quiet,-q", a->quiet, "no progress bar");
  sub->add_option("overrides", a->overrides, "config overrides: page.dpi=300 page.layout=6x2 artefacts.0.p=0.5");
  return Command{sub, [a]() {
                   if (a->records.empty() && a->generate <= 0)
                     throw UsageError("synth: give --records DIR or --generate N");
                   if (a->threads < 1) throw UsageError("synth: --threads must be >= 1");
                   if (!(a->scale > 0 && a->scale <= 4)) throw UsageError("synth: --scale must be in (0, 4]");
                   if (a->format != "png" && a->format != "jpg")
                     throw UsageError("synth: --format must be png or jpg, got '" + a->format + "'");
                   if (a->signal != "csv" && a->signal != "wfdb" && a->signal != "none")
                     throw UsageError("synth: --signal must be csv, wfdb or none, got '" + a->signal + "'");
                   std::filesystem::path file = a->config;
                   if (file.empty()) {
                     file = builtin_config_dir() / "synth" / (a->preset + ".yaml");
                     if (!std::filesystem::exists(file)) {
                       const std::vector<std::string> presets = {"clean",  "scan",    "photo",
                                                                 "screen", "damaged", "mixed"};
                       throw UsageError(str("synth: unknown preset '", a->preset, "'", did_you_mean(a->preset, presets),
                                            " (expected one of ", join(presets, ", "), ")"));
                     }
                   }
                   render::ArtefactRegistry registry("artefact");
                   render::register_builtin_artefacts(registry);
                   const auto schema = render::synth_schema(registry);
                   config::ConfigRequest req{file, a->overrides, {file.parent_path(), builtin_config_dir()}, {}};
                   const auto job = render::read_synth_job(config::load_config(req, &schema), registry);
                   const render::PageRenderer probe(job.page);  // checks the options and the font once
                   std::vector<std::filesystem::path> records;
                   if (!a->records.empty()) records = data::find_record_files(a->records, "synth: --records");
                   const int64_t total = records.empty() ? a->generate : static_cast<int64_t>(records.size());
                   std::filesystem::create_directories(a->out);
                   render::PageFiles files;
                   files.image_format = a->format;
                   files.signal_format = a->signal;
                   files.masks = a->masks;
                   if (a->threads > 1) {  // parallel over pages, not inside them
                     cv::setNumThreads(1);
                     at::set_num_threads(1);
                   }
                   Progress progress(total, "img", !a->quiet);
                   std::atomic<int64_t> next{0};
                   std::vector<std::string> errors(static_cast<size_t>(a->threads));
                   auto worker = [&](size_t w) {
                     try {
                       const render::PageRenderer renderer(job.page);
                       for (int64_t i = next++; i < total; i = next++) {
                         const uint64_t seed = render::page_seed(a->seed, static_cast<uint64_t>(i));
                         char stem[32];
                         std::snprintf(stem, sizeof stem, "%06lld", static_cast<long long>(i));
                         if (records.empty()) {
                           const auto& classes = data::synth_classes();
                           const auto& cls = classes[static_cast<size_t>(i) % classes.size()];
                           auto s = data::synthesize(data::synth_class_options(cls, static_cast<int64_t>(seed >> 1)));
                           s.record.id = std::string("synth_") + stem + "_" + cls;
                           auto page = render::render_page(renderer, *job.artefacts, s.record, seed, &s.beats);
                           render::scale_page(page, a->scale);
                           render::write_page(page, s.record, a->out, s.record.id, files);
                         } else {
                           const auto r = data::read_record(records[static_cast<size_t>(i)]);
                           auto page = render::render_page(renderer, *job.artefacts, r, seed);
                           render::scale_page(page, a->scale);
                           render::write_page(page, r, a->out, std::string(stem) + "_" + r.id, files);
                         }
                         progress.tick();
                       }
                     } catch (const std::exception& e) {
                       errors[w] = e.what();
                       next = total;  // stop the other workers
                     }
                   };
                   std::vector<std::thread> pool;
                   for (size_t w = 0; w < static_cast<size_t>(a->threads); ++w) pool.emplace_back(worker, w);
                   for (auto& t : pool) t.join();
                   for (const auto& e : errors)
                     if (!e.empty()) throw Error(e);
                   std::cout << "wrote " << total << " pages to " << a->out << " ("
                             << str(std::lround(progress.rate() * 10) / 10.0) << " pages/s)\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
