// `ecgtorch detect --model M --input RECORD|DIR --out DIR [--lead NAME] [--format atr,csv,json]`
// labels every beat of a record (monitor/detect_job.h);
// `ecgtorch detect --model M --stream --fs HZ [--raw --gain G] [--input FILE --follow]`
// labels a live stream on stdout, one CSV row per beat as soon as its window is complete.

#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "core/strings.h"
#include "data/record_io.h"
#include "export/predictor.h"
#include "monitor/detect_job.h"
#include "train/registries.h"

namespace ecg::tools {

Command add_detect_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("detect", "Label every beat of a record or a live stream with a beat classifier");
  struct Args {
    std::string model, input, out, lead, format = "atr,csv";
    bool stream = false, follow = false, quiet = false;
    monitor::StreamOptions so;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--model", a->model, "a beat classifier: checkpoint, TorchScript (.pt) or ONNX (.onnx)")->required();
  sub->add_option("--input", a->input,
                  "a record (.hea, .csv), a directory of them; with --stream a file (default stdin)");
  sub->add_option("--out", a->out, "output directory (offline)");
  sub->add_option("--lead", a->lead, "lead by name (MLII, II, ECG1, ...); default the model's lead, else the first");
  sub->add_option("--format", a->format, "comma-separated: atr (<record>.ecgtorch), csv, json")->capture_default_str();
  sub->add_flag("--stream", a->stream, "read samples (one mV value per line) from stdin or --input");
  sub->add_option("--fs", a->so.fs_hz, "--stream: sample rate, Hz")->check(CLI::PositiveNumber);
  sub->add_flag("--raw", a->so.source.raw, "--stream: little-endian int16 samples instead of text");
  sub->add_option("--gain", a->so.source.adc_gain, "--raw: ADC units per mV")->capture_default_str();
  sub->add_option("--chunk-s", a->so.chunk_s, "--stream: seconds per chunk")->capture_default_str();
  sub->add_flag("--follow", a->follow, "--stream with --input: keep reading as the file grows");
  sub->add_option("--idle-s", a->so.source.idle_s, "--follow: stop after this long without new samples")
      ->capture_default_str();
  sub->add_flag("-q,--quiet", a->quiet, "no summary line");
  return Command{sub, [a]() {
                   const auto regs = train::make_builtin_registries();
                   if (a->stream) {
                     if (a->so.fs_hz <= 0) throw UsageError("detect: --stream needs --fs HZ");
                     if (a->follow && a->input.empty()) throw UsageError("detect: --follow needs --input FILE");
                   } else {
                     if (a->input.empty() || a->out.empty()) throw UsageError("detect: needs --input and --out");
                     if (a->follow || a->so.source.raw) throw UsageError("detect: --raw and --follow need --stream");
                   }
                   const auto formats = split(a->format, ',');
                   for (const auto& f : formats)
                     if (f != "atr" && f != "csv" && f != "json")
                       throw UsageError("detect: --format takes atr, csv, json; got '" + f + "'");
                   auto predictor = exporting::open_predictor(a->model, *regs);
                   const monitor::BeatClassifier classifier(*predictor, a->model);
                   if (a->stream) {
                     a->so.source.follow = a->follow;
                     std::ifstream file;
                     std::istream* in = &std::cin;
                     std::string name = "stdin";
                     if (!a->input.empty()) {
                       file.open(a->input, std::ios::binary);
                       if (!file) throw Error("detect: cannot open " + a->input);
                       in = &file;
                       name = a->input;
                     }
                     monitor::SampleSource src(*in, name, a->so.source);
                     monitor::run_stream(src, classifier, a->so, name, std::cout);
                     return 0;
                   }
                   const std::filesystem::path input(a->input);
                   std::vector<std::filesystem::path> records;
                   if (std::filesystem::is_directory(input)) {
                     records = data::find_record_files(input, "detect: --input");
                   } else {
                     records.push_back(input);
                   }
                   int status = 0;
                   for (const auto& rec : records) {
                     try {
                       const auto r = monitor::detect_record(rec, classifier, a->lead);
                       monitor::write_beat_labels(r.beats, classifier.class_names(), r.record, r.lead, r.fs_hz, a->out,
                                                  formats);
                       if (!a->quiet)
                         std::cout << r.record << ": " << r.beats.size() << " beats on lead " << r.lead << "\n";
                     } catch (const Error& e) {
                       std::cerr << "error: " << e.what() << "\n";
                       status = 1;
                     }
                   }
                   return status;
                 }};
}

}  // namespace ecg::tools
