#include "reports/internal/idle_spawn.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace edugov::reports::internal {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("edugov-idle-spawn-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
};

int Wait(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

// The child and what it forks run in the idle class (policy 5 in
// /proc/PID/sched), in a process group of their own, with the log as
// stdout and stderr. The bug this guards against was silent: posix_spawn
// refused SCHED_IDLE and the browser ran at normal priority.
TEST(SpawnIdleTest, ChildAndGrandchildRunIdleInTheirOwnGroup) {
  Scratch s;
  const fs::path log = s.dir / "out.log";
  std::vector<std::string> args = {
      "/bin/sh", "-c",
      "grep '^policy' /proc/self/sched; (grep '^policy' /proc/self/sched); "
      "echo pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$; echo to-stderr >&2"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto pid = SpawnIdle("/bin/sh", argv.data(), log);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  const int status = Wait(*pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Slurp(log);
  const std::string out = Slurp(log);
  // Two "policy : 5" lines: the shell and its subshell.
  size_t idle = 0;
  for (size_t at = out.find("policy"); at != std::string::npos; at = out.find("policy", at + 1)) {
    const size_t eol = out.find('\n', at);
    const std::string line = out.substr(at, eol - at);
    EXPECT_EQ(line.back(), '5') << line;
    ++idle;
  }
  EXPECT_EQ(idle, 2u) << out;
  EXPECT_NE(out.find("pgid=" + std::to_string(*pid) + " pid=" + std::to_string(*pid)), std::string::npos) << out;
  EXPECT_NE(out.find("to-stderr"), std::string::npos) << out;
}

TEST(SpawnIdleTest, AMissingProgramIsAClearError) {
  Scratch s;
  std::vector<std::string> args = {"/nonexistent/chromium"};
  std::vector<char*> argv = {args[0].data(), nullptr};
  auto pid = SpawnIdle(args[0], argv.data(), s.dir / "out.log");
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pid.status().message(Lang::kZh).find("无法启动 /nonexistent/chromium"), std::string::npos)
      << pid.status().ToString();
}

}  // namespace
}  // namespace edugov::reports::internal
