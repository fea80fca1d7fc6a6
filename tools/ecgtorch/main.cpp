// ecgtorch: the command-line entry point. Parses the command line, dispatches to one
// subcommand and turns failures into one line on stderr with an exit status:
// 0 ok, 1 error, 2 usage.

#include <c10/util/Exception.h>

#include <iostream>
#include <string>

#include "commands.h"
#include "core/allocator.h"
#include "core/build_info.h"

namespace {

std::string one_line(std::string s) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

int fail(int status, const std::string& message) {
  std::cerr << "ecgtorch: error: " << one_line(message) << '\n';
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::tune_allocator();  // about 2x on CNN training and on page rendering

  CLI::App app{"ecgtorch: ECG deep learning in C++ (LibTorch)", "ecgtorch"};
  bool version = false;
  app.add_flag("--version", version, "print versions and available devices");
  const std::vector<ecg::tools::Command> commands = {
      ecg::tools::add_list_command(app),
      ecg::tools::add_config_command(app),
      ecg::tools::add_score_command(app),
      ecg::tools::add_data_command(app),
      ecg::tools::add_synth_command(app),
      ecg::tools::add_train_command(app, std::vector<std::string>(argv, argv + argc)),
      ecg::tools::add_eval_command(app),
      ecg::tools::add_sweep_command(app),
      ecg::tools::add_export_command(app),
      ecg::tools::add_predict_command(app),
      ecg::tools::add_digitize_command(app),
      ecg::tools::add_detect_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(2, std::string(e.what()) + " (run 'ecgtorch --help')");
  }
  try {
    if (version) {
      std::cout << ecg::format_version(ecg::build_info());
      return 0;
    }
    for (const auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
    std::cerr << app.help();
    return fail(2, "a subcommand is required");
  } catch (const ecg::tools::UsageError& e) {
    return fail(2, e.what());
  } catch (const ecg::Error& e) {
    return fail(1, e.what());
  } catch (const c10::Error& e) {
    return fail(1, e.what_without_backtrace());
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
}
