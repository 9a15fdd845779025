#include "reports/internal/idle_spawn.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace edugov::reports::internal {

StatusOr<pid_t> SpawnIdle(const std::string& path, char* const argv[], const std::filesystem::path& log) {
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (in < 0 || out < 0) {
    const std::string why = std::strerror(errno);
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return Status(StatusCode::kUnavailable, "cannot open Chromium's log: " + why, "无法打开 Chromium 日志:" + why,
                  "format");
  }
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  volatile int exec_errno = 0;  // written by the child, which shares our memory until execve
  const pid_t pid = vfork();
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // SIGKILL, SIGSTOP: refused, harmless
    setpgid(0, 0);
    sched_param idle{};
    sched_setscheduler(0, SCHED_IDLE, &idle);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    execve(path.c_str(), argv, environ);
    exec_errno = errno;
    _exit(127);
  }
  const int vfork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(in);
  close(out);
  const int err = pid < 0 ? vfork_errno : exec_errno;
  if (err != 0) {
    if (pid > 0) waitpid(pid, nullptr, 0);
    return Status(StatusCode::kUnavailable, "cannot start " + path + ": " + std::strerror(err),
                  "无法启动 " + path + ":" + std::strerror(err), "format");
  }
  return pid;
}


}  // namespace edugov::reports::internal
