#include "sweep/sweep_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace ecg::sweep {
namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

/// True when process `pid` exists and is not a zombie (a killed sweep whose parent has
/// not reaped it yet is gone for our purposes).
bool pid_alive(int64_t pid) {
  if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() || text[close + 2] != 'Z';
}

bool finished(const Trial& t) {
  return t.status == "completed" || t.status == "pruned" || t.status == "failed";
}

std::vector<std::string> last_lines(const fs::path& file, size_t n) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  return lines;
}

struct Child {
  pid_t pid = 0;
  int64_t id = 0;
  std::streamoff metrics_offset = 0;
  bool pruning = false;
};

pid_t spawn(const std::vector<std::string>& args, const fs::path& tdir) {
  fs::create_directories(tdir);
  std::string line;
  for (const auto& a : args) line += (line.empty() ? "" : " ") + shell_quote(a);
  write_file_atomic(tdir / "command.txt", line + "\n");
  const std::string out = (tdir / "stdout.txt").string(), err = (tdir / "stderr.txt").string();
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  ECG_CHECK(pid >= 0, "sweep: fork failed: ", std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);                     // Ctrl-C in the terminal reaches the sweep only
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a dead sweep takes its trials with it
    if (::getppid() != parent) ::_exit(1);
    const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0) ::_exit(126);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// New rows of the trial's metrics.jsonl: (step, value of `metric`).
std::vector<std::pair<int64_t, double>> read_new_rows(const fs::path& file, std::streamoff& offset,
                                                      const std::string& metric) {
  std::vector<std::pair<int64_t, double>> out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  in.seekg(offset);
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end = chunk.rfind('\n');
  if (end == std::string::npos) return out;
  offset += static_cast<std::streamoff>(end + 1);
  for (const auto& line : split(chunk.substr(0, end), '\n')) {
    if (trim(line).empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      if (j.contains(metric) && j[metric].is_number())
        out.push_back({j.value("step", int64_t{0}), j[metric].get<double>()});
    } catch (const nlohmann::json::exception&) {
      // A torn line cannot happen (rows are flushed whole); ignore anything unreadable.
    }
  }
  return out;
}

void settle_value(Trial& t, bool maximize) {
  t.value.reset();
  for (const auto& [step, v] : t.curve) {
    if (!t.value || (maximize ? v > *t.value : v < *t.value)) {
      t.value = v;
      t.value_step = step;
    }
  }
}

Trial make_trial(const SweepSpec& spec, int64_t id, std::vector<double> x) {
  Trial t;
  t.id = id;
  for (size_t d = 0; d < spec.space.params.size(); ++d) {
    const Param& p = spec.space.params[d];
    t.params[p.path] = p.format(p.to_value(x[d]));
  }
  t.x = std::move(x);
  return t;
}

std::vector<Observation> history_of(const SweepState& s, int64_t max_id) {
  std::vector<Observation> h;
  const bool maximize = s.spec.mode == "max";
  for (const auto& t : s.trials) {
    if (t.id > max_id || !t.value || (t.status != "completed" && t.status != "pruned")) continue;
    h.push_back({t.x, maximize ? -*t.value : *t.value});
  }
  return h;
}

}  // namespace

std::vector<std::string> trial_command(const SweepSpec& spec, const Trial& t, const fs::path& dir,
                                       const std::string& program) {
  std::vector<std::string> args = {program, "train", "--config", spec.config};
  for (const auto& d : spec.config_dirs) args.insert(args.end(), {"--config-dir", d});
  for (const auto& o : spec.overrides) args.push_back(o);
  for (const auto& p : spec.space.params) args.push_back(p.path + "=" + t.params.at(p.path));
  args.push_back("run_dir=" + (fs::absolute(trial_dir(dir, t.id)) / "run").string());
  return args;
}

std::vector<Trial> plan_trials(const SweepSpec& spec) {
  ECG_CHECK(spec.sampler != "tpe",
            "--dry-run needs --sampler grid or random (tpe picks each trial from finished ones)");
  const auto sampler = make_sampler(spec.sampler, spec.space, spec.sampler_options);
  std::vector<Trial> out;
  for (int64_t k = 0; k < spec.trials; ++k) out.push_back(make_trial(spec, k, sampler->suggest(k, {})));
  return out;
}

void create_sweep(const fs::path& dir, const SweepSpec& spec) {
  fs::create_directories(dir);
  SweepLock lock(dir);
  std::error_code ec;
  ECG_CHECK(!fs::exists(dir / "sweep.json", ec), (dir / "sweep.json").string(),
            " exists: continue it with --resume (or --worker), or choose another --dir");
  SweepState s;
  s.spec = spec;
  write_state(dir, s);
}

RunnerOutcome run_sweep(const RunnerOptions& o) {
  const std::string host = host_name();
  const std::string me = host + ":" + std::to_string(::getpid());
  auto info = [&](const std::string& m) {
    if (o.info) o.info(m);
  };
  SweepSpec spec;
  {
    SweepLock lock(o.dir);
    SweepState s = read_state(o.dir);
    spec = s.spec;
    for (auto& t : s.trials) {  // trials of a crashed sweep on this host
      if (t.status == "running" && t.owner.rfind(host + ":", 0) == 0 &&
          !pid_alive(std::stoll(t.owner.substr(host.size() + 1)))) {
        info(str("trial ", t.id, " was left running by ", t.owner, " (gone): it runs again"));
        t.status = "pending";
        t.owner.clear();
        t.pid = 0;
        t.curve.clear();
        t.rungs.clear();
      }
    }
    write_state(o.dir, s);
  }
  const auto sampler = make_sampler(spec.sampler, spec.space, spec.sampler_options);
  const bool maximize = spec.mode == "max";
  std::map<int64_t, Child> children;
  RunnerOutcome outcome;
  bool stopping = false;
  Clock::time_point stop_sent{};

  while (true) {
    bool done = false;
    {
      SweepLock lock(o.dir);
      SweepState s = read_state(o.dir);
      auto trial = [&](int64_t id) -> Trial& { return s.trials.at(static_cast<size_t>(id)); };

      // New metric rows, and ASHA: a trial whose value at a rung is not promotable is
      // stopped there. A trial can report and finish between two polls; its rows are
      // then judged after it exits, and rows past the step it would have been stopped at
      // are dropped, so the outcome does not depend on the polling time.
      auto consume = [&](int64_t id, Child& c, bool alive) {
        Trial& t = trial(id);
        for (const auto& [step, v] :
             read_new_rows(trial_dir(o.dir, id) / "run" / "metrics.jsonl", c.metrics_offset, spec.metric)) {
          if (c.pruning && !alive) break;
          t.curve.push_back({step, v});
          if (!spec.prune || c.pruning) continue;
          for (int64_t k = 0; k <= spec.asha.rung_at(step); ++k) {
            if (t.rungs.count(k)) continue;
            t.rungs[k] = v;
            std::vector<double> competing;
            for (const auto& other : s.trials) {
              if (other.rungs.count(k)) competing.push_back(other.rungs.at(k));
            }
            if (!asha_keeps(v, competing, spec.asha.eta, maximize)) {
              c.pruning = true;
              t.pruned_at_step = step;
              if (alive) ::kill(-c.pid, SIGTERM);
              info(str("trial ", id, " pruned at step ", step, " (", spec.metric, " ", v, ", rung ", k, ")"));
              break;
            }
          }
        }
      };
      for (auto& [id, c] : children) consume(id, c, true);

      // Finished children.
      for (auto it = children.begin(); it != children.end();) {
        int wstatus = 0;
        const pid_t r = ::waitpid(it->second.pid, &wstatus, WNOHANG);
        if (r == 0) {
          ++it;
          continue;
        }
        const int status = WIFEXITED(wstatus)     ? WEXITSTATUS(wstatus)
                           : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
                                                  : -1;
        consume(it->first, it->second, false);
        Trial& t = trial(it->first);
        settle_value(t, maximize);
        t.exit_status = status;
        t.ended = now_iso();
        t.pid = 0;
        if (stopping) {
          t.status = "pending";  // interrupted: runs again on --resume
          t.curve.clear();
          t.rungs.clear();
          t.owner.clear();
        } else if (it->second.pruning) {
          t.status = "pruned";
        } else if (status == 0 && t.value) {
          t.status = "completed";
          info(str("trial ", t.id, " completed: ", spec.metric, " ", *t.value, " at step ", t.value_step));
        } else {
          t.status = "failed";
          t.log_tail = last_lines(trial_dir(o.dir, t.id) / "stderr.txt", 20);
          if (status == 0)
            t.log_tail.push_back("the run wrote no " + spec.metric + " (check trainer.val_every and the metrics)");
          info(str("trial ", t.id, " failed (exit ", status, "): ", t.log_tail.empty() ? "" : t.log_tail.back()));
        }
        it = children.erase(it);
      }

      // Stop: SIGTERM every trial, then SIGKILL after 30 s.
      if (!stopping && o.stop != nullptr && o.stop->requested() != 0) {
        stopping = true;
        stop_sent = Clock::now();
        outcome.stop_signal = o.stop->requested();
        info(str("stopping: ", children.size(), " running trial(s) get SIGTERM"));
        for (auto& [id, c] : children) ::kill(-c.pid, SIGTERM);
      }
      if (stopping && Clock::now() - stop_sent > std::chrono::seconds(30)) {
        for (auto& [id, c] : children) ::kill(-c.pid, SIGKILL);
      }

      // Start trials.
      while (!stopping && static_cast<int64_t>(children.size()) < o.parallel) {
        Trial* next = nullptr;
        for (auto& t : s.trials) {
          if (t.status == "pending") {
            next = &t;
            break;
          }
        }
        if (next == nullptr && static_cast<int64_t>(s.trials.size()) < spec.trials) {
          const int64_t k = static_cast<int64_t>(s.trials.size());
          int64_t max_id = k - 1;
          if (spec.sampler == "tpe" && !o.worker) {
            max_id = k - o.parallel;  // deterministic: wait for every trial up to k - parallel
            bool ready = true;
            for (const auto& t : s.trials) ready = ready && (t.id > max_id || finished(t));
            if (!ready) break;
          }
          s.trials.push_back(make_trial(spec, k, sampler->suggest(k, history_of(s, max_id))));
          next = &s.trials.back();
        }
        if (next == nullptr) break;
        std::error_code ec;
        fs::remove_all(trial_dir(o.dir, next->id), ec);  // an interrupted attempt's leftovers
        Child c;
        c.id = next->id;
        c.pid = spawn(trial_command(spec, *next, o.dir, o.program), trial_dir(o.dir, next->id));
        next->status = "running";
        next->owner = me;
        next->pid = c.pid;
        next->started = now_iso();
        children[c.id] = c;
        std::string params;
        for (const auto& p : spec.space.params) params += " " + p.path + "=" + next->params.at(p.path);
        info(str("trial ", next->id, " started:", params));
      }

      write_state(o.dir, s);
      bool more = false;
      for (const auto& t : s.trials) more = more || t.status == "pending";
      more = more || static_cast<int64_t>(s.trials.size()) < spec.trials;
      done = children.empty() && (stopping || !more);
      if (done) {
        write_results(o.dir, s);
        for (const auto& t : s.trials) {
          outcome.completed += t.status == "completed";
          outcome.pruned += t.status == "pruned";
          outcome.failed += t.status == "failed";
        }
      }
    }
    if (done) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(o.poll_s));
  }
  return outcome;
}

}  // namespace ecg::sweep
