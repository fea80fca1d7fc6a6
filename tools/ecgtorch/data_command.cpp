// `ecgtorch data show RECORD [--json]` and `ecgtorch data convert RECORD --to csv|wfdb
// --out PATH [--format 16|212] [--fs HZ] [--annotations atr,...]`; the dataset manager's
// subcommands are in dataset_command.cpp.

#include <iostream>

#include "commands.h"
#include "data/record_io.h"

namespace ecg::tools {

Command add_data_command(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("data", "Inspect and convert records; download, manifest, verify and diff datasets");
  sub->require_subcommand(1);
  struct Args {
    std::string record, to, out;
    int64_t format = 0;
    double fs_hz = 0;
    std::vector<std::string> annotations;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* show = sub->add_subcommand("show", "Header and per-lead statistics (n, mean, std, min, max)");
  show->add_option("record", a->record, "record: WFDB (.hea/.dat/.mat or no extension) or Kaggle .csv")->required();
  show->add_flag("--json", a->json, "print JSON");
  CLI::App* convert = sub->add_subcommand("convert", "Convert a record to a Kaggle CSV or WFDB");
  convert->add_option("record", a->record, "record: WFDB or Kaggle .csv")->required();
  convert->add_option("--to", a->to, "csv | wfdb")->required();
  convert->add_option("--out", a->out, "csv: a .csv file or a directory; wfdb: a directory")->required();
  convert->add_option("--format", a->format, "WFDB format: 16 or 212 (default: the source's)");
  convert->add_option("--fs", a->fs_hz, "resample to this rate, Hz (integer rates; default: the source's)")
      ->check(CLI::PositiveNumber);
  convert
      ->add_option("--annotations", a->annotations,
                   "--to wfdb: also copy these annotation files (extensions, e.g. atr), moved to --fs")
      ->delimiter(',');
  auto dataset = add_dataset_subcommands(sub);
  return Command{sub, [a, show, convert, dataset]() {
                   if (const int status = dataset(); status >= 0) return status;
                   if (show->parsed()) {
                     const auto r = data::read_record(a->record);
                     std::cout << (a->json ? data::describe_json(r).dump(2) + "\n" : data::describe_text(r));
                     return 0;
                   }
                   if (a->to != "csv" && a->to != "wfdb") {
                     throw UsageError("data convert: --to must be csv or wfdb, got '" + a->to + "'");
                   }
                   if (a->format != 0 && (a->to != "wfdb" || (a->format != 16 && a->format != 212))) {
                     throw UsageError("data convert: --format takes 16 or 212, with --to wfdb");
                   }
                   if (!a->annotations.empty() && a->to != "wfdb") {
                     throw UsageError("data convert: --annotations needs --to wfdb");
                   }
                   data::ConvertOptions o;
                   if (a->format != 0) o.format = a->format;
                   o.fs_hz = a->fs_hz;
                   o.annotations = a->annotations;
                   for (const auto& f : data::convert_record(a->record, a->to, a->out, o)) {
                     std::cout << "wrote " << f.string() << "\n";
                   }
                   (void)convert;
                   return 0;
                 }};
}

}  // namespace ecg::tools
