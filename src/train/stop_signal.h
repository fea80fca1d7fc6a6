#pragma once
// StopSignal: turns SIGINT and SIGTERM into a request the training loop polls, so that a
// run saves a checkpoint and exits cleanly instead of dying mid-write. A second signal
// of the same kind gets the default action (a second Ctrl-C kills at once).
//
// A signal handler can only reach process-wide state, so the received signal number
// lives in one sig_atomic_t inside stop_signal.cpp; this class is its only interface.
//
//   StopSignal stop;                  // installs the handlers; the destructor restores them
//   while (...) { if (stop.requested()) { save(); break; } }

namespace ecg::train {

class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  /// The signal received (SIGINT, SIGTERM), or 0.
  int requested() const;
  /// "SIGINT" / "SIGTERM"
  static const char* name(int signal);
};

}  // namespace ecg::train
