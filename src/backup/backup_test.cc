// Backups and restores on real SQLite files: the copy is one consistent
// snapshot while another connection keeps committing, the files are private,
// the manifest is checked before anything is written, and a restore refuses
// a database that is not empty. (PostgreSQL's pg_dump path runs against a
// live server in tests/integration/backup.test.mjs.)
#include "backup/backup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "backup/passphrase_seal.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/test_util.h"

namespace edugov::backup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPass = "correct horse battery staple";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned ModeOf(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(PassphraseSealTest, OpensWithThePassphraseOnly) {
  SeededRandom random(7);
  ASSERT_OK_AND_ASSIGN(std::string sealed, SealWithPassphrase("the key\n", kPass, InteractiveKdfCost(), random));
  EXPECT_EQ(sealed.find("the key"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(std::string plain, OpenWithPassphrase(sealed, kPass));
  EXPECT_EQ(plain, "the key\n");

  auto wrong = OpenWithPassphrase(sealed, "correct horse battery stapler");
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);

  std::string altered = sealed;
  const size_t at = altered.find("\"ciphertext\": \"") + 15;
  altered[at] = altered[at] == '0' ? '1' : '0';
  EXPECT_EQ(OpenWithPassphrase(altered, kPass).status().code(), StatusCode::kFailedPrecondition);
}

TEST(PassphraseSealTest, RefusesShortPassphrasesAndGreedyDocuments) {
  SeededRandom random(7);
  EXPECT_EQ(SealWithPassphrase("k", "short", InteractiveKdfCost(), random).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(std::string sealed, SealWithPassphrase("k", kPass, InteractiveKdfCost(), random));
  const std::string mem = std::to_string(InteractiveKdfCost().memlimit);
  sealed.replace(sealed.find(mem), mem.size(), "1099511627776");  // 1 TiB
  auto opened = OpenWithPassphrase(sealed, kPass);
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.status().message_en().find("memlimit"), std::string::npos);
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edugov-backup-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_url_ = "sqlite:" + (dir_ / "live.db").string();
    key_ = dir_ / "secret.key";
    std::ofstream(key_) << std::string(64, 'a') << "\n";
    fs::permissions(key_, fs::perms::owner_read | fs::perms::owner_write);
    auto db = storage::Database::Open(db_url_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto conn = db_->Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_OK(storage::Migrate(**conn, clock_));
    // A scratch table of the test's own, not one of edugov's.
    ASSERT_OK((*conn)->Execute("CREATE TABLE drill_rows (n INTEGER PRIMARY KEY)"));
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  void InsertRow(int64_t n) {
    auto conn = db_->Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_OK((*conn)->Execute("INSERT INTO drill_rows (n) VALUES ($1)", {n}));
  }

  StatusOr<BackupSummary> TakeBackup(const fs::path& out) {
    return Backup({.db_url = db_url_, .out_dir = out.string(), .secret_key_file = key_.string(),
                   .passphrase = kPass, .kdf_cost = InteractiveKdfCost()},
                  clock_, random_);
  }

  // The rows of drill_rows in a restored database, in order.
  static std::vector<int64_t> RowsOf(const std::string& url) {
    auto db = storage::Database::Open(url);
    EXPECT_TRUE(db.ok());
    auto conn = (*db)->Acquire();
    auto rs = (*conn)->Query("SELECT n FROM drill_rows ORDER BY n");
    EXPECT_TRUE(rs.ok());
    std::vector<int64_t> rows;
    for (size_t i = 0; i < rs->size(); ++i) rows.push_back(rs->GetInt(i, 0));
    return rows;
  }

  fs::path dir_;
  std::string db_url_;
  fs::path key_;
  std::unique_ptr<storage::Database> db_;
  FakeClock clock_{ParseTimestamp("2025-03-03T02:30:00+08:00").value()};
  SeededRandom random_{11};
};

TEST_F(BackupTest, BacksUpAndRestoresIntoAnEmptyDatabase) {
  for (int64_t n = 1; n <= 3; ++n) InsertRow(n);
  ASSERT_OK_AND_ASSIGN(BackupSummary b, TakeBackup(dir_ / "b1"));
  EXPECT_EQ(b.backend, "sqlite");
  EXPECT_EQ(b.schema_version, storage::LatestSchemaVersion());
  ASSERT_EQ(b.files.size(), 2u);
  for (const char* name : {"database.sqlite", "secret.key.sealed", "manifest.json"}) {
    EXPECT_EQ(ModeOf(dir_ / "b1" / name), 0600u) << name;
  }
  EXPECT_EQ(ModeOf(dir_ / "b1"), 0700u);
  const std::string manifest = ReadAll(dir_ / "b1" / "manifest.json");
  EXPECT_NE(manifest.find("\"created_at\": \"2025-03-03T02:30:00+08:00\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find(b.files[0].sha256), std::string::npos);
  EXPECT_EQ(ReadAll(dir_ / "b1" / "secret.key.sealed").find(std::string(64, 'a')), std::string::npos);

  const std::string restored = "sqlite:" + (dir_ / "restored.db").string();
  ASSERT_OK_AND_ASSIGN(RestoreSummary r, Restore({.from_dir = (dir_ / "b1").string(), .db_url = restored,
                                                  .key_out = (dir_ / "restored.key").string(), .passphrase = kPass}));
  EXPECT_EQ(r.schema_version, storage::LatestSchemaVersion());
  EXPECT_EQ(RowsOf(restored), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ReadAll(dir_ / "restored.key"), ReadAll(key_));
  EXPECT_EQ(ModeOf(dir_ / "restored.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "restored.db"), 0600u);

  // Again into the same (now full) database: refused, naming a table.
  auto again = Restore({.from_dir = (dir_ / "b1").string(), .db_url = restored,
                        .key_out = (dir_ / "other.key").string(), .passphrase = kPass});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message_en().find("is not empty (it has table"), std::string::npos)
      << again.status().message_en();
  EXPECT_NE(again.status().message_zh().find("不是空库"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "other.key"));

  // A second backup never lands on the first.
  EXPECT_EQ(TakeBackup(dir_ / "b1").status().code(), StatusCode::kAlreadyExists);
}

TEST_F(BackupTest, RestoreChecksTheManifestAndThePassphraseBeforeWriting) {
  InsertRow(1);
  ASSERT_OK(TakeBackup(dir_ / "b"));
  const std::string target = "sqlite:" + (dir_ / "t.db").string();
  auto wrong_pass = Restore({.from_dir = (dir_ / "b").string(), .db_url = target,
                             .key_out = (dir_ / "t.key").string(), .passphrase = "not the passphrase"});
  EXPECT_EQ(wrong_pass.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir_ / "t.db"));

  {  // one byte changed at the end of the copy
    std::fstream f(dir_ / "b" / "database.sqlite", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('\x5a');
  }
  auto altered = Restore({.from_dir = (dir_ / "b").string(), .db_url = target,
                          .key_out = (dir_ / "t.key").string(), .passphrase = kPass});
  EXPECT_EQ(altered.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(altered.status().message_en().find("database.sqlite does not match the manifest"), std::string::npos)
      << altered.status().message_en();
  EXPECT_FALSE(fs::exists(dir_ / "t.db"));
  EXPECT_FALSE(fs::exists(dir_ / "t.key"));

  auto no_backup = Restore({.from_dir = dir_.string(), .db_url = target,
                            .key_out = (dir_ / "t.key").string(), .passphrase = kPass});
  EXPECT_EQ(no_backup.status().code(), StatusCode::kNotFound);
}

TEST_F(BackupTest, TheCopyIsOneSnapshotWhileAnotherConnectionCommits) {
  for (int64_t n = 1; n <= 200; ++n) InsertRow(n);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{200};
  std::thread writer([&] {
    for (int64_t n = 201; !stop.load(); ++n) {
      auto conn = db_->Acquire();
      if (!conn.ok() || !(*conn)->Execute("INSERT INTO drill_rows (n) VALUES ($1)", {n}).ok()) break;
      committed.store(n);
    }
  });
  // Let the writer get going before the backup starts (no sleep: wait for commits).
  while (committed.load() < 300) std::this_thread::yield();
  const int64_t before = committed.load();
  auto b = TakeBackup(dir_ / "b");
  stop = true;
  writer.join();
  ASSERT_OK(b);

  const std::string restored = "sqlite:" + (dir_ / "r.db").string();
  ASSERT_OK(Restore({.from_dir = (dir_ / "b").string(), .db_url = restored,
                     .key_out = (dir_ / "r.key").string(), .passphrase = kPass}));
  std::vector<int64_t> rows = RowsOf(restored);
  // Every row committed before the backup began, and no gap: a prefix of the commits.
  ASSERT_GE(static_cast<int64_t>(rows.size()), before);
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i], static_cast<int64_t>(i) + 1);
}

TEST(ReadPassphraseTest, FromAFileOrTheEnvironmentNeverEmpty) {
  const fs::path file = fs::temp_directory_path() / ("edugov-pass-" + std::to_string(::getpid()));
  std::ofstream(file) << "a long enough passphrase\nsecond line\n";
  ASSERT_OK_AND_ASSIGN(std::string p, ReadPassphrase(file.string()));
  EXPECT_EQ(p, "a long enough passphrase");
  fs::remove(file);
  ::unsetenv("EDUGOV_BACKUP_PASSPHRASE");
  EXPECT_EQ(ReadPassphrase("").status().code(), StatusCode::kInvalidArgument);
  ::setenv("EDUGOV_BACKUP_PASSPHRASE", "short", 1);
  EXPECT_EQ(ReadPassphrase("").status().code(), StatusCode::kInvalidArgument);
  ::setenv("EDUGOV_BACKUP_PASSPHRASE", "from the environment", 1);
  ASSERT_OK_AND_ASSIGN(std::string e, ReadPassphrase(""));
  EXPECT_EQ(e, "from the environment");
  ::unsetenv("EDUGOV_BACKUP_PASSPHRASE");
}

}  // namespace
}  // namespace edugov::backup
