#include "ledger/anchor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edugov::ledger {

namespace {

std::string IsoUtc(TimePoint t) {
  const int64_t us = ToUnixMicros(t);
  const time_t secs = static_cast<time_t>(us / 1'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status LineError(const std::string& path, int line, const std::string& field, const std::string& en,
                 const std::string& zh) {
  const std::string where = path + ":" + std::to_string(line);
  return Status(StatusCode::kInvalidArgument, where + ": " + field + ": " + en,
                where + "：" + field + "：" + zh, field);
}

}  // namespace

StatusOr<std::vector<Anchor>> ReadHeads(storage::Connection& conn, const Clock& clock) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT ledger, seq, hash FROM ledger_heads ORDER BY ledger"));
  const std::string now = IsoUtc(clock.Now());
  std::vector<Anchor> out;
  for (size_t r = 0; r < rs.size(); ++r) {
    out.push_back({.ledger = rs.GetText(r, 0), .seq = rs.GetInt(r, 1), .hash = rs.GetText(r, 2),
                   .written_at = now});
  }
  return out;
}

Status AppendAnchors(const std::string& path, const std::vector<Anchor>& anchors) {
  std::string text;
  for (const Anchor& a : anchors) {
    text += "edugov-anchor 1 " + a.ledger + " " + std::to_string(a.seq) + " " + a.hash + " " +
            a.written_at + "\n";
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  auto io_error = [&](int err) {
    return UnavailableError("cannot write the anchor file " + path + ": " + std::strerror(err),
                            "无法写入锚点文件 " + path + "：" + std::strerror(err))
        .WithField("--out");
  };
  if (fd < 0) return io_error(errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return io_error(err);
    }
    done += static_cast<size_t>(n);
  }
  // The anchor is worth something only once it is on disk.
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return io_error(err);
  }
  ::close(fd);
  return OkStatus();
}

StatusOr<std::vector<Anchor>> ReadAnchorFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return NotFoundError("anchor file not found: " + path, "找不到锚点文件：" + path)
        .WithField("--anchor");
  }
  std::vector<Anchor> out;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.empty() || text[0] == '#') continue;
    std::istringstream ss(text);
    std::string magic, version, seq;
    Anchor a;
    a.line = line;
    ss >> magic >> version >> a.ledger >> seq >> a.hash >> a.written_at;
    if (magic != "edugov-anchor" || version != "1") {
      return LineError(path, line, "format", "not an edugov anchor line (\"edugov-anchor 1 …\")",
                       "不是 edugov 锚点行（应为“edugov-anchor 1 …”）");
    }
    if (a.ledger.empty()) return LineError(path, line, "ledger", "missing", "缺少台账名称");
    char* end = nullptr;
    a.seq = std::strtoll(seq.c_str(), &end, 10);
    if (seq.empty() || *end != '\0' || a.seq < 0) {
      return LineError(path, line, "seq", "\"" + seq + "\" is not a sequence number",
                       "“" + seq + "”不是序号");
    }
    if (!IsHex64(a.hash)) {
      return LineError(path, line, "hash", "not 64 lower-case hex digits", "不是 64 位小写十六进制哈希");
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace edugov::ledger
