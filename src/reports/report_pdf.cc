// HTML → PDF with headless Chromium: the page is written to a
// private temporary directory and printed with --print-to-pdf. Chromium runs
// in its own process group with its own profile directory, so a timeout can
// stop it and every helper process it started, and two prints never share
// state; and in the idle scheduling class, so it never competes with the
// server for the CPU.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "reports/report_formats.h"

extern char** environ;

namespace edugov::reports {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Tail(std::string s, size_t n) { return s.size() > n ? s.substr(s.size() - n) : s; }

struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

std::string FindChromium(const PdfOptions& options) {
  std::string path = options.chromium;
  if (path.empty()) {
    const char* env = std::getenv("EDUGOV_CHROMIUM");
    path = env && *env ? env : "/usr/bin/chromium";
  }
  return access(path.c_str(), X_OK) == 0 ? path : std::string();
}

StatusOr<std::string> HtmlToPdf(const std::string& html, const PdfOptions& options) {
  const std::string chromium = FindChromium(options);
  if (chromium.empty()) {
    const std::string wanted = options.chromium.empty() ? "/usr/bin/chromium (or $EDUGOV_CHROMIUM)" : options.chromium;
    return Status(StatusCode::kUnavailable,
                  "PDF needs headless Chromium, not found at " + wanted +
                      "; install chromium and a CJK font (apt-get install chromium fonts-noto-cjk, or "
                      "scripts/install-deps.sh --test), or choose --format html or xlsx",
                  "生成 PDF 需要无头 Chromium,但在 " + wanted +
                      " 未找到;请安装 chromium 和中文字体(apt-get install chromium fonts-noto-cjk,或 "
                      "scripts/install-deps.sh --test),或改用 html、xlsx 格式",
                  "format");
  }
  TempDir dir;
  {
    std::string pattern = (fs::temp_directory_path() / "edugov-pdf-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      return Status(StatusCode::kUnavailable, "cannot create a temporary directory", "无法创建临时目录", "format");
    }
    dir.path = pattern;
  }
  const fs::path page = dir.path / "report.html";
  const fs::path pdf = dir.path / "report.pdf";
  const fs::path log = dir.path / "chromium.log";
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    if (!out) return Status(StatusCode::kUnavailable, "cannot write " + page.string(), "无法写入 " + page.string(), "format");
  }
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--user-data-dir=" + (dir.path / "profile").string(),
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + pdf.string(),
                                   "file://" + page.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // SCHED_IDLE, inherited by every helper Chromium forks: the print gets
  // only CPU time nothing else wants. The worker's nice +10 is not enough —
  // a print is ≈ 3.5 s of CPU over 3 processes, and at nice +10 they still
  // hold a core for ~10% of every slice the I/O threads need, which shows
  // as 10–20× a page read's p99 on 2 cores (bench/server/pdf_isolation.sh).
  // An idle-class task is preempted as soon as a normal one wakes. The cost
  // falls on the print, and only when the machine is busy. Lowering one's
  // own class needs no privilege; sched_priority must be 0 for SCHED_IDLE.
  sched_param idle{};
  idle.sched_priority = 0;
  posix_spawnattr_setschedpolicy(&attr, SCHED_IDLE);
  posix_spawnattr_setschedparam(&attr, &idle);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSCHEDULER);
  posix_spawnattr_setpgroup(&attr, 0);
  // One print at a time per process: a Chromium print is a handful of
  // processes that take every core for seconds, and three at once on a
  // small machine starve the page reads (bench/server/pdf_isolation.sh).
  // Later requests wait here, on their worker thread, before their browser
  // starts; the time limit below is the browser's own.
  static std::mutex one_print;
  std::lock_guard<std::mutex> printing(one_print);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, chromium.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status(StatusCode::kUnavailable, "cannot start " + chromium + ": " + std::strerror(rc),
                  "无法启动 " + chromium + ":" + std::strerror(rc), "format");
  }

  // Wait, bounded: a wedged browser must not hold a server thread forever.
  int status = 0;
  const int64_t limit_ms = static_cast<int64_t>(options.timeout_seconds) * 1000;
  bool timed_out = true;
  for (int64_t waited = 0; waited <= limit_ms; waited += 20) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      timed_out = false;
      break;
    }
    if (w < 0) {
      timed_out = false;
      status = -1;
      break;
    }
    const timespec ts{0, 20 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    return Status(StatusCode::kInternal,
                  "Chromium did not finish printing within " + std::to_string(options.timeout_seconds) + " s",
                  "Chromium 未能在 " + std::to_string(options.timeout_seconds) + " 秒内完成打印", "format");
  }
  // Helper processes left behind by the browser go with its group.
  kill(-pid, SIGKILL);
  std::error_code ec;
  const bool ok = status == 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (!ok || !fs::exists(pdf, ec) || fs::file_size(pdf, ec) == 0) {
    const std::string out = Tail(ReadFile(log), 600);
    return Status(StatusCode::kInternal, "Chromium failed to print the report (status " + std::to_string(status) + "): " + out,
                  "Chromium 打印报告失败(状态 " + std::to_string(status) + "):" + out, "format");
  }
  return ReadFile(pdf);
}

}  // namespace edugov::reports
