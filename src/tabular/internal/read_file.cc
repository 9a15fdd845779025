#include "tabular/internal/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edugov::tabular::internal {

Status TooLargeError(std::string_view what_en, std::string_view what_zh, size_t size,
                     size_t max_bytes) {
  const std::string mb = std::to_string(max_bytes / (1024 * 1024));
  const std::string got = std::to_string(size / (1024 * 1024));
  return ResourceExhaustedError(
             std::string(what_en) + " is " + got + " MB, more than the limit of " + mb +
                 " MB; split it into smaller files",
             std::string(what_zh) + "大小为 " + got +
                 " MB，超过 " + mb + " MB 的上限，请拆分为较小的文件")
      .WithField("file");
}

Status OverLimitError(std::string field, std::string_view what_en, std::string_view what_zh,
                      std::string_view bound, std::string_view value) {
  const std::string limit = std::string(bound) + " = " + std::string(value);
  return ResourceExhaustedError(std::string(what_en) + " (limit " + limit +
                                    "); the import stops here — split or clean the file",
                                std::string(what_zh) + "（上限 " + limit + "），导入已停止——请拆分或整理文件")
      .WithField(std::move(field));
}

StatusOr<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return NotFoundError("file not found: " + path, "找不到文件：" + path).WithField("file");
    }
    return UnavailableError("cannot open " + path + ": " + std::strerror(err),
                            "无法打开文件 " + path + "：" + std::strerror(err))
        .WithField("file");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + " is not a regular file", path + " 不是普通文件")
        .WithField("file");
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size > max_bytes) {
    ::close(fd);
    return TooLargeError("the file", "文件", size, max_bytes);
  }
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return UnavailableError("cannot read " + path + ": " + std::strerror(err),
                              "无法读取文件 " + path + "：" + std::strerror(err))
          .WithField("file");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

}  // namespace edugov::tabular::internal
