// A child process in the idle scheduling class, for work that must never
// take CPU from the server (a Chromium print). Internal to src/reports.
//
//   ASSIGN_OR_RETURN(pid_t pid, internal::SpawnIdle(path, argv, log));
//   ...  waitpid(pid, ...); kill(-pid, SIGKILL) stops it and all it started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "common/status.h"

namespace edugov::reports::internal {

// Starts `argv` (argv[0] = `path`) in a process group of its own, stdin
// /dev/null, stdout and stderr to `log`, in the SCHED_IDLE class, which every
// process it forks inherits: the print gets only CPU time nothing else
// wants, and an idle-class task is preempted as soon as a normal one wakes.
// At normal priority a print (≈ 3.5 s of CPU over three processes, some
// threads raising their own priority) took a page read's p99 from 2 to 20 ms
// on 2 cores (bench/server/pdf_isolation.sh). Lowering one's own class
// needs no privilege.
//
// Not posix_spawn: glibc's posix_spawnattr_setschedpolicy refuses
// SCHED_IDLE (EINVAL), and an attribute that was never set leaves the child
// at normal priority without a word. So vfork, and in the child only
// async-signal-safe calls until execve: it runs on our memory with our
// other threads still going. Signals are blocked across the vfork so no
// handler of ours runs in the child; the child resets every disposition
// (its own copy) before unblocking them for the browser.
//
// kUnavailable naming the path when the log cannot be opened or the
// program cannot be started.
StatusOr<pid_t> SpawnIdle(const std::string& path, char* const argv[], const std::filesystem::path& log);

}  // namespace edugov::reports::internal
