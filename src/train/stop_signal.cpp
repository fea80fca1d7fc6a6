#include "train/stop_signal.h"

#include <csignal>

namespace ecg::train {
namespace {

volatile std::sig_atomic_t g_received = 0;  // written only by the handler

void on_signal(int sig) {
  g_received = sig;
  std::signal(sig, SIG_DFL);  // the next one of this kind terminates
}

}  // namespace

StopSignal::StopSignal() {
  g_received = 0;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

StopSignal::~StopSignal() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int StopSignal::requested() const {
  return g_received;
}

const char* StopSignal::name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal";
  }
}

}  // namespace ecg::train
