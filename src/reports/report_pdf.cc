// HTML → PDF with headless Chromium: the page is written to a
// private temporary directory and printed with --print-to-pdf. Chromium runs
// in its own process group, so a timeout can stop it and every helper
// process it started; with a profile directory no other print uses at the
// same time; one print per four cores at a time; and in the idle scheduling
// class, so it never competes with the server for the CPU.
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "reports/internal/idle_spawn.h"
#include "reports/report_formats.h"

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

// At most this many Chromiums print at once, the rest wait their turn on
// their worker thread (the print's time limit starts when its browser
// does). A print takes every core it can get for seconds and a few hundred
// MB; prints side by side on a small machine finish no sooner in total than
// prints in a row, and each one's page faults and forks are kernel work that
// the idle class (internal/idle_spawn.h) does not keep off the server's cores.
//
// Each turn is a slot with a Chromium profile directory of its own, kept for
// the process's lifetime: a fresh profile is hundreds of files written (and
// synced) on every print, which the server's own disk writes then wait
// behind. A slot's prints follow one another, so two prints still never
// share a profile at the same time; what a profile keeps between prints
// (history of file:// pages that no longer exist) never reaches a PDF.
class PrintGate {
 public:
  PrintGate() : free_(std::max(1u, std::thread::hardware_concurrency() / 4), true) {
    std::string pattern = (fs::temp_directory_path() / "edugov-chromium-XXXXXX").string();
    if (mkdtemp(pattern.data())) root_ = pattern;
  }
  ~PrintGate() {
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }
  size_t Enter() {
    std::unique_lock lock(mu_);
    size_t slot = 0;
    cv_.wait(lock, [&] {
      for (slot = 0; slot < free_.size(); ++slot) {
        if (free_[slot]) return true;
      }
      return false;
    });
    free_[slot] = false;
    return slot;
  }
  void Leave(size_t slot) {
    {
      std::lock_guard lock(mu_);
      free_[slot] = true;
    }
    cv_.notify_one();
  }
  // Empty when the directory could not be made: each print then gets a
  // fresh profile in its own temporary directory.
  fs::path Profile(size_t slot) const {
    return root_.empty() ? fs::path() : root_ / ("profile-" + std::to_string(slot));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bool> free_;
  fs::path root_;
};

PrintGate& Gate() {
  static PrintGate gate;
  return gate;
}

struct GateTurn {
  GateTurn() : slot(Gate().Enter()) {}
  ~GateTurn() { Gate().Leave(slot); }
  GateTurn(const GateTurn&) = delete;
  GateTurn& operator=(const GateTurn&) = delete;
  size_t slot;
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
                      "; install chromium and a CJK font (apt-get install chromium fonts-wqy-microhei "
                      "fonts-arphic-uming, or scripts/install-deps.sh), or choose --format html or xlsx",
                  "生成 PDF 需要无头 Chromium,但在 " + wanted +
                      " 未找到;请安装 chromium 和中文字体(apt-get install chromium fonts-wqy-microhei "
                      "fonts-arphic-uming,或 scripts/install-deps.sh),或改用 html、xlsx 格式",
                  "format");
  }
  GateTurn turn;
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
  fs::path profile = Gate().Profile(turn.slot);
  if (profile.empty()) profile = dir.path / "profile";
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
                                   "--user-data-dir=" + profile.string(),
                                   "--no-pdf-header-footer",
                                   // The structure tree of a tagged PDF is an object per
                                   // table cell: a 47-page report weighed 1.6 MB with it,
                                   // 0.4 MB without. Reports are read and printed, and
                                   // their text stays extractable in reading order.
                                   "--disable-pdf-tagging",
                                   "--print-to-pdf=" + pdf.string(),
                                   "file://" + page.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  ASSIGN_OR_RETURN(const pid_t pid, internal::SpawnIdle(chromium, argv.data(), log));

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
