#include "backup/backup.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sodium.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/database.h"
#include "storage/migrations.h"

extern char** environ;

namespace edugov::backup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifestFormat = "edugov-backup/1";
constexpr const char* kSqliteCopyName = "database.sqlite";
constexpr const char* kPgDumpName = "database.pgdump";
constexpr const char* kSealedKeyName = "secret.key.sealed";
// The key file is 65 bytes; anything much larger is not a key file.
constexpr std::streamsize kMaxKeyFileBytes = 4096;

enum class Kind { kSqlite, kPostgres };

std::string Errno() { return std::strerror(errno); }

StatusOr<Kind> KindOf(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    if (url == "sqlite::memory:") {
      return InvalidArgumentError("an in-memory database cannot be backed up or restored",
                                  "内存数据库无法备份或恢复");
    }
    return Kind::kSqlite;
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return Kind::kPostgres;
  return InvalidArgumentError("--db must be sqlite:PATH or postgresql://…, not " + storage::RedactUrl(url),
                              "--db 应为 sqlite:PATH 或 postgresql://…，而不是 " + storage::RedactUrl(url));
}

const char* BackendName(Kind kind) { return kind == Kind::kSqlite ? "sqlite" : "postgresql"; }

std::string SqlitePath(const std::string& url) { return url.substr(std::strlen("sqlite:")); }

// ---- files -----------------------------------------------------------------

// Creates `path` (it must not exist) mode 0600 with `bytes`, synced.
Status WriteNewFile(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return FailedPreconditionError("cannot create " + path + ": " + Errno(),
                                   "无法创建 " + path + "：" + Errno());
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = Errno();
      ::close(fd);
      ::unlink(path.c_str());
      return InternalError("cannot write " + path + ": " + err, "无法写入 " + path + "：" + err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = Errno();
    ::unlink(path.c_str());
    return InternalError("cannot write " + path + ": " + err, "无法写入 " + path + "：" + err);
  }
  return OkStatus();
}

// An empty file mode 0600 for a tool (sqlite, pg_dump) to fill: it keeps the mode.
Status CreateEmptyPrivateFile(const std::string& path) { return WriteNewFile(path, {}); }

StatusOr<std::string> ReadSmallFile(const std::string& path, std::streamsize limit, const char* what_en,
                                    const char* what_zh) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return FailedPreconditionError(std::string(what_en) + " " + path + " cannot be read",
                                   std::string(what_zh) + " " + path + " 无法读取");
  }
  std::string bytes(static_cast<size_t>(limit) + 1, '\0');
  in.read(bytes.data(), limit + 1);
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<std::streamsize>(bytes.size()) > limit) {
    return FailedPreconditionError(std::string(what_en) + " " + path + " is larger than expected",
                                   std::string(what_zh) + " " + path + " 大小超出预期");
  }
  return bytes;
}

struct FileDigest {
  int64_t bytes = 0;
  std::string sha256;
};

StatusOr<FileDigest> DigestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailedPreconditionError("cannot read " + path, "无法读取 " + path);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  FileDigest d;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(n));
    d.bytes += n;
  }
  if (in.bad()) return InternalError("cannot read " + path, "无法读取 " + path);
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, hash);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  d.sha256 = hex;
  return d;
}

// Removes the files a failed backup wrote, unless dismissed.
class Cleanup {
 public:
  void Add(std::string path) { paths_.push_back(std::move(path)); }
  void Dismiss() { paths_.clear(); }
  ~Cleanup() {
    for (const std::string& p : paths_) ::unlink(p.c_str());
  }

 private:
  std::vector<std::string> paths_;
};

// ---- the database's schema version and emptiness ---------------------------

StatusOr<int> SchemaVersionOf(const std::string& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::Database::Open(url, {.pool_size = 1}));
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db->Acquire());
  return storage::CurrentSchemaVersion(*conn);
}

// Some table of the database, or "" when it has none. Names no table of
// edugov's own: only the catalogues.
StatusOr<std::string> AnyPostgresTable(const std::string& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::Database::Open(url, {.pool_size = 1}));
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db->Acquire());
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn->Query("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                               "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                               "ORDER BY 1 LIMIT 1"));
  return rs.empty() ? std::string() : rs.GetText(0, 0);
}

Status NotEmptyError(const std::string& url, const std::string& table) {
  const std::string shown = storage::RedactUrl(url);
  return FailedPreconditionError(
      "database " + shown + " is not empty (it has table " + table +
          "); restore only into a new, empty database",
      "数据库 " + shown + " 不是空库（已有表 " + table + "）；只能恢复到新建的空数据库");
}

// ---- SQLite: the online backup API ----------------------------------------

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

StatusOr<SqliteHandle> OpenSqlite(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return UnavailableError("cannot open SQLite database " + path + ": " + msg,
                            "无法打开 SQLite 数据库 " + path + "：" + msg);
  }
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Status SqliteExec(sqlite3* db, const char* sql, const std::string& path) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return UnavailableError("SQLite database " + path + ": " + msg, "SQLite 数据库 " + path + "：" + msg);
  }
  return OkStatus();
}

// Copies every page of `from` into `to` in one step: the source is read in
// one read transaction (WAL lets the server keep committing meanwhile, and
// none of those commits leaks into the copy), the destination written in one
// write transaction (a failure leaves it as it was).
Status SqliteCopy(sqlite3* from, sqlite3* to, const std::string& from_path, const std::string& to_path) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) {
    std::string msg = sqlite3_errmsg(to);
    return UnavailableError("cannot copy " + from_path + " to " + to_path + ": " + msg,
                            "无法把 " + from_path + " 复制到 " + to_path + "：" + msg);
  }
  int rc = sqlite3_backup_step(b, -1);
  // BUSY/LOCKED: another connection held a lock past the busy timeout; try
  // again a few times before giving up.
  for (int attempt = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 20; ++attempt) {
    sqlite3_sleep(250);
    rc = sqlite3_backup_step(b, -1);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    std::string msg = sqlite3_errstr(rc);
    return UnavailableError("cannot copy " + from_path + " to " + to_path + ": " + msg,
                            "无法把 " + from_path + " 复制到 " + to_path + "：" + msg);
  }
  return OkStatus();
}

Status BackUpSqlite(const std::string& db_path, const std::string& copy_path) {
  ASSIGN_OR_RETURN(SqliteHandle src, OpenSqlite(db_path, SQLITE_OPEN_READONLY));
  ASSIGN_OR_RETURN(SqliteHandle dst, OpenSqlite(copy_path, SQLITE_OPEN_READWRITE));
  RETURN_IF_ERROR(SqliteCopy(src.get(), dst.get(), db_path, copy_path));
  // The copy is one self-contained file (no -wal beside it).
  return SqliteExec(dst.get(), "PRAGMA journal_mode = DELETE", copy_path);
}

Status RestoreSqlite(const std::string& copy_path, const std::string& url) {
  const std::string db_path = SqlitePath(url);
  std::error_code ec;
  Cleanup created;  // a database file this restore created goes again if it fails
  if (!fs::exists(db_path, ec)) {
    RETURN_IF_ERROR(CreateEmptyPrivateFile(db_path));
    created.Add(db_path);
  }
  ASSIGN_OR_RETURN(SqliteHandle dst, OpenSqlite(db_path, SQLITE_OPEN_READWRITE));
  sqlite3_stmt* stmt = nullptr;
  std::string table;
  if (sqlite3_prepare_v2(dst.get(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 1",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(dst.get());
    return UnavailableError("SQLite database " + db_path + ": " + msg, "SQLite 数据库 " + db_path + "：" + msg);
  }
  if (sqlite3_step(stmt) == SQLITE_ROW) table = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  if (!table.empty()) return NotEmptyError(url, table);
  ASSIGN_OR_RETURN(SqliteHandle src, OpenSqlite(copy_path, SQLITE_OPEN_READONLY));
  RETURN_IF_ERROR(SqliteCopy(src.get(), dst.get(), copy_path, db_path));
  created.Dismiss();
  if (::chmod(db_path.c_str(), 0600) != 0) {
    return InternalError("cannot make " + db_path + " mode 0600: " + Errno(),
                         "无法把 " + db_path + " 设为 0600：" + Errno());
  }
  return OkStatus();
}

// ---- PostgreSQL: pg_dump / pg_restore --------------------------------------

// libpq's keyword=value form of `url` without the password (which goes to
// the tool in PGPASSWORD: a command line is visible to every user).
struct PgTarget {
  std::string conninfo;
  std::string password;
};

std::string QuoteConninfoValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

StatusOr<PgTarget> ParsePgUrl(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err ? err : "malformed";
    PQfreemem(err);
    return InvalidArgumentError("--db " + storage::RedactUrl(url) + ": " + msg,
                                "--db " + storage::RedactUrl(url) + "：" + msg);
  }
  PgTarget t;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::strcmp(o->keyword, "password") == 0) {
      t.password = o->val;
      continue;
    }
    if (!t.conninfo.empty()) t.conninfo += ' ';
    t.conninfo += std::string(o->keyword) + "=" + QuoteConninfoValue(o->val);
  }
  PQconninfoFree(opts);
  return t;
}

// Runs a PostgreSQL client tool to completion; its stderr becomes the error.
Status RunPgTool(const std::vector<std::string>& argv, const std::string& password) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0) env_strings.emplace_back(*e);
  }
  if (!password.empty()) env_strings.push_back("PGPASSWORD=" + password);
  std::vector<char*> envp, args;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return InternalError("pipe: " + Errno(), "pipe：" + Errno());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    return FailedPreconditionError(
        argv[0] + " cannot be run (" + std::strerror(rc) + "); install PostgreSQL's client tools (Debian: postgresql-client)",
        "无法运行 " + argv[0] + "（" + std::strerror(rc) + "）；请安装 PostgreSQL 客户端工具（Debian：postgresql-client）");
  }
  std::string stderr_text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (stderr_text.size() < 16384) stderr_text.append(buf, static_cast<size_t>(n));
  }
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return OkStatus();
  while (!stderr_text.empty() && (stderr_text.back() == '\n' || stderr_text.back() == ' ')) stderr_text.pop_back();
  return UnavailableError(argv[0] + " failed: " + stderr_text, argv[0] + " 失败：" + stderr_text);
}

Status BackUpPostgres(const std::string& url, const std::string& dump_path) {
  ASSIGN_OR_RETURN(PgTarget t, ParsePgUrl(url));
  // One REPEATABLE READ snapshot: writes committed during the dump are not in it.
  return RunPgTool({"pg_dump", "--format=custom", "--no-password", "--file=" + dump_path,
                    "--dbname=" + t.conninfo},
                   t.password);
}

Status RestorePostgres(const std::string& dump_path, const std::string& url) {
  ASSIGN_OR_RETURN(PgTarget t, ParsePgUrl(url));
  ASSIGN_OR_RETURN(std::string table, AnyPostgresTable(url));
  if (!table.empty()) return NotEmptyError(url, table);
  // The restoring role owns everything; the original roles may not exist here.
  return RunPgTool({"pg_restore", "--no-password", "--exit-on-error", "--single-transaction", "--no-owner",
                    "--no-privileges", "--dbname=" + t.conninfo, dump_path},
                   t.password);
}

// ---- the manifest ----------------------------------------------------------

struct Manifest {
  std::string backend;
  std::string created_at;
  int schema_version = 0;
  std::vector<BackedUpFile> files;
};

Status WriteManifest(const std::string& dir, const Manifest& m) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const BackedUpFile& f : m.files) {
    files.push_back({{"name", f.name}, {"role", f.role}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  nlohmann::ordered_json doc = {{"format", kManifestFormat},     {"backend", m.backend},
                                {"created_at", m.created_at},    {"schema_version", m.schema_version},
                                {"files", files}};
  // Written under another name and renamed: a manifest is there whole or not at all.
  const std::string tmp = (fs::path(dir) / (std::string(kManifestName) + ".tmp")).string();
  ::unlink(tmp.c_str());
  RETURN_IF_ERROR(WriteNewFile(tmp, doc.dump(2) + "\n"));
  const std::string final_path = (fs::path(dir) / kManifestName).string();
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    std::string err = Errno();
    ::unlink(tmp.c_str());
    return InternalError("cannot write " + final_path + ": " + err, "无法写入 " + final_path + "：" + err);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return OkStatus();
}

Status BadManifest(const std::string& path, const std::string& why_en, const std::string& why_zh) {
  return InvalidArgumentError(path + " is not an edugov backup manifest: " + why_en,
                              path + " 不是 edugov 备份清单：" + why_zh);
}

StatusOr<Manifest> ReadManifest(const std::string& dir) {
  const std::string path = (fs::path(dir) / kManifestName).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFoundError(dir + " holds no " + kManifestName + ": not a backup, or an unfinished one",
                         dir + " 中没有 " + kManifestName + "：不是备份目录，或备份未完成");
  }
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, 1 << 20, "manifest", "备份清单"));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("format", "") != kManifestFormat) {
    return BadManifest(path, "no \"format\": \"edugov-backup/1\"", "缺少 \"format\": \"edugov-backup/1\"");
  }
  Manifest m;
  if (!doc["backend"].is_string() || !doc["created_at"].is_string() ||
      !doc["schema_version"].is_number_integer() || !doc["files"].is_array()) {
    return BadManifest(path, "\"backend\", \"created_at\", \"schema_version\" or \"files\" missing",
                       "缺少 \"backend\"、\"created_at\"、\"schema_version\" 或 \"files\"");
  }
  m.backend = doc["backend"].get<std::string>();
  m.created_at = doc["created_at"].get<std::string>();
  m.schema_version = doc["schema_version"].get<int>();
  for (const nlohmann::json& f : doc["files"]) {
    if (!f.is_object() || !f["name"].is_string() || !f["role"].is_string() ||
        !f["bytes"].is_number_integer() || !f["sha256"].is_string()) {
      return BadManifest(path, "a \"files\" entry lacks name, role, bytes or sha256",
                         "\"files\" 中有条目缺少 name、role、bytes 或 sha256");
    }
    BackedUpFile file{f["name"].get<std::string>(), f["role"].get<std::string>(), f["bytes"].get<int64_t>(),
                      f["sha256"].get<std::string>()};
    // Names stay inside the directory.
    if (file.name.empty() || file.name.find('/') != std::string::npos || file.name[0] == '.') {
      return BadManifest(path, "file name \"" + file.name + "\" is not a plain name",
                         "文件名 \"" + file.name + "\" 不是简单文件名");
    }
    m.files.push_back(std::move(file));
  }
  return m;
}

const BackedUpFile* FileWithRole(const Manifest& m, const std::string& role) {
  for (const BackedUpFile& f : m.files) {
    if (f.role == role) return &f;
  }
  return nullptr;
}

}  // namespace

StatusOr<BackupSummary> Backup(const BackupRequest& request, const Clock& clock, Random& random) {
  ASSIGN_OR_RETURN(Kind kind, KindOf(request.db_url));
  if (request.passphrase.size() < kMinPassphraseBytes) {
    return InvalidArgumentError(
        "the backup passphrase must be at least " + std::to_string(kMinPassphraseBytes) + " bytes",
        "备份口令至少 " + std::to_string(kMinPassphraseBytes) + " 个字节");
  }
  std::error_code ec;
  if (!fs::exists(request.secret_key_file, ec)) {
    return FailedPreconditionError(
        "the secret key file " + request.secret_key_file +
            " does not exist; name the server's key with --secret-key-file",
        "密钥文件 " + request.secret_key_file + " 不存在；请用 --secret-key-file 指定服务器使用的密钥文件");
  }
  ASSIGN_OR_RETURN(std::string key_bytes,
                   ReadSmallFile(request.secret_key_file, kMaxKeyFileBytes, "the secret key file", "密钥文件"));
  if (kind == Kind::kSqlite && !fs::exists(SqlitePath(request.db_url), ec)) {
    return NotFoundError("database file " + SqlitePath(request.db_url) + " does not exist",
                         "数据库文件 " + SqlitePath(request.db_url) + " 不存在");
  }

  const fs::path dir(request.out_dir);
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return FailedPreconditionError("cannot create " + request.out_dir + ": " + ec.message(),
                                     "无法创建 " + request.out_dir + "：" + ec.message());
    }
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  if (fs::exists(dir / kManifestName, ec)) {
    return AlreadyExistsError(request.out_dir + " already holds a backup; choose a new directory",
                              request.out_dir + " 中已有备份；请换一个新目录");
  }

  Cleanup cleanup;
  ASSIGN_OR_RETURN(int version_before, SchemaVersionOf(request.db_url));
  const std::string db_name = kind == Kind::kSqlite ? kSqliteCopyName : kPgDumpName;
  const std::string db_copy = (dir / db_name).string();
  RETURN_IF_ERROR(CreateEmptyPrivateFile(db_copy));  // the copy and the dump keep its mode
  cleanup.Add(db_copy);
  if (kind == Kind::kSqlite) {
    RETURN_IF_ERROR(BackUpSqlite(SqlitePath(request.db_url), db_copy));
  } else {
    RETURN_IF_ERROR(BackUpPostgres(request.db_url, db_copy));
  }
  ASSIGN_OR_RETURN(int version_after, SchemaVersionOf(request.db_url));
  if (version_after != version_before) {
    return FailedPreconditionError(
        "the database was migrated during the backup (schema " + std::to_string(version_before) + " → " +
            std::to_string(version_after) + "); take the backup again",
        "备份期间数据库结构被升级（" + std::to_string(version_before) + " → " + std::to_string(version_after) +
            "）；请重新备份");
  }

  ASSIGN_OR_RETURN(std::string sealed, SealWithPassphrase(key_bytes, request.passphrase, request.kdf_cost, random));
  sodium_memzero(key_bytes.data(), key_bytes.size());
  const std::string sealed_path = (dir / kSealedKeyName).string();
  RETURN_IF_ERROR(WriteNewFile(sealed_path, sealed));
  cleanup.Add(sealed_path);

  Manifest m{.backend = BackendName(kind),
             .created_at = FormatTimestamp(clock.Now()),
             .schema_version = version_before};
  for (auto [name, role] : {std::pair<std::string, std::string>{db_name, "database"},
                            std::pair<std::string, std::string>{kSealedKeyName, "secret_key"}}) {
    ASSIGN_OR_RETURN(FileDigest d, DigestFile((dir / name).string()));
    m.files.push_back({name, role, d.bytes, d.sha256});
  }
  RETURN_IF_ERROR(WriteManifest(request.out_dir, m));
  cleanup.Dismiss();
  return BackupSummary{.backend = m.backend, .schema_version = m.schema_version, .files = m.files};
}

StatusOr<RestoreSummary> Restore(const RestoreRequest& request) {
  ASSIGN_OR_RETURN(Kind kind, KindOf(request.db_url));
  std::error_code ec;
  if (request.key_out.empty()) {
    return InvalidArgumentError("--key-out is required: where the restored secret key file goes",
                                "必须给出 --key-out：恢复出的密钥文件写到哪里");
  }
  if (fs::exists(request.key_out, ec)) {
    return AlreadyExistsError("--key-out " + request.key_out + " already exists; it is never overwritten",
                              "--key-out " + request.key_out + " 已存在；不会覆盖它");
  }
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(request.from_dir));
  if (m.backend != BackendName(kind)) {
    return FailedPreconditionError(
        "the backup in " + request.from_dir + " is of a " + m.backend + " database; --db names a " +
            BackendName(kind) + " one",
        request.from_dir + " 中是 " + m.backend + " 数据库的备份，而 --db 是 " + BackendName(kind) + " 数据库");
  }
  // Every file exactly as the manifest says, before anything is written.
  for (const BackedUpFile& f : m.files) {
    const std::string path = (fs::path(request.from_dir) / f.name).string();
    if (!fs::exists(path, ec)) {
      return FailedPreconditionError("backup file " + path + " is missing", "备份文件 " + path + " 缺失");
    }
    ASSIGN_OR_RETURN(FileDigest d, DigestFile(path));
    if (d.bytes != f.bytes || d.sha256 != f.sha256) {
      return FailedPreconditionError(
          "backup file " + path + " does not match the manifest (" + std::to_string(d.bytes) + " bytes, sha256 " +
              d.sha256 + "; expected " + std::to_string(f.bytes) + " bytes, sha256 " + f.sha256 +
              "): it was altered or damaged",
          "备份文件 " + path + " 与清单不符（" + std::to_string(d.bytes) + " 字节，sha256 " + d.sha256 + "；应为 " +
              std::to_string(f.bytes) + " 字节，sha256 " + f.sha256 + "）：已被改动或损坏");
    }
  }
  const BackedUpFile* db_file = FileWithRole(m, "database");
  const BackedUpFile* key_file = FileWithRole(m, "secret_key");
  if (db_file == nullptr || key_file == nullptr) {
    return BadManifest((fs::path(request.from_dir) / kManifestName).string(),
                       "it must list a \"database\" and a \"secret_key\" file",
                       "必须列出 \"database\" 和 \"secret_key\" 两个文件");
  }
  if (m.schema_version > storage::LatestSchemaVersion()) {
    return FailedPreconditionError(
        "the backup has schema version " + std::to_string(m.schema_version) + ", newer than this edugov knows (" +
            std::to_string(storage::LatestSchemaVersion()) + "); restore it with a newer edugov",
        "备份的数据库结构版本为 " + std::to_string(m.schema_version) + "，比本程序支持的（" +
            std::to_string(storage::LatestSchemaVersion()) + "）更新；请用更新版本的 edugov 恢复");
  }
  ASSIGN_OR_RETURN(std::string sealed,
                   ReadSmallFile((fs::path(request.from_dir) / key_file->name).string(), 1 << 16,
                                 "the sealed key file", "加密的密钥文件"));
  ASSIGN_OR_RETURN(std::string key_bytes, OpenWithPassphrase(sealed, request.passphrase));

  const std::string db_copy = (fs::path(request.from_dir) / db_file->name).string();
  if (kind == Kind::kSqlite) {
    RETURN_IF_ERROR(RestoreSqlite(db_copy, request.db_url));
  } else {
    RETURN_IF_ERROR(RestorePostgres(db_copy, request.db_url));
  }
  ASSIGN_OR_RETURN(int restored_version, SchemaVersionOf(request.db_url));
  if (restored_version != m.schema_version) {
    return InternalError("the restored database has schema version " + std::to_string(restored_version) +
                             ", the manifest says " + std::to_string(m.schema_version),
                         "恢复后的数据库结构版本为 " + std::to_string(restored_version) + "，清单中为 " +
                             std::to_string(m.schema_version));
  }
  Status wrote = WriteNewFile(request.key_out, key_bytes);
  sodium_memzero(key_bytes.data(), key_bytes.size());
  RETURN_IF_ERROR(wrote);
  return RestoreSummary{.backend = m.backend, .schema_version = m.schema_version, .created_at = m.created_at};
}

StatusOr<std::string> ReadPassphrase(const std::string& passphrase_file) {
  std::string pass;
  if (!passphrase_file.empty()) {
    ASSIGN_OR_RETURN(pass, ReadSmallFile(passphrase_file, 4096, "the passphrase file", "口令文件"));
    pass = pass.substr(0, pass.find('\n'));
    if (!pass.empty() && pass.back() == '\r') pass.pop_back();
  } else if (const char* env = std::getenv("EDUGOV_BACKUP_PASSPHRASE"); env != nullptr) {
    pass = env;
  } else {
    return InvalidArgumentError(
        "no backup passphrase: give --passphrase-file FILE or set EDUGOV_BACKUP_PASSPHRASE",
        "没有备份口令：请用 --passphrase-file FILE 或环境变量 EDUGOV_BACKUP_PASSPHRASE 提供");
  }
  if (pass.size() < kMinPassphraseBytes) {
    return InvalidArgumentError(
        "the backup passphrase must be at least " + std::to_string(kMinPassphraseBytes) + " bytes",
        "备份口令至少 " + std::to_string(kMinPassphraseBytes) + " 个字节");
  }
  return pass;
}

}  // namespace edugov::backup
