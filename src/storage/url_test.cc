// Opening databases: URL parsing and redaction, unreachable servers, and the
// SQLite file specifics. Needs no PostgreSQL server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/random.h"
#include "storage/database.h"
#include "storage/test_util.h"

namespace edugov::storage {
namespace {

TEST(RedactUrlTest, HidesPasswordsOnly) {
  EXPECT_EQ(RedactUrl("postgresql://edu:s3cret@db.example:5432/edugov"),
            "postgresql://edu:***@db.example:5432/edugov");
  EXPECT_EQ(RedactUrl("postgres://edu@db/edugov"), "postgres://edu@db/edugov");
  EXPECT_EQ(RedactUrl("postgresql://db/edugov?user=edu&password=s3cret&sslmode=require"),
            "postgresql://db/edugov?user=edu&password=***&sslmode=require");
  EXPECT_EQ(RedactUrl("postgresql://a:b@c/d?password=e"), "postgresql://a:***@c/d?password=***");
  EXPECT_EQ(RedactUrl("sqlite:var/edugov.db"), "sqlite:var/edugov.db");
}

TEST(OpenTest, MalformedUrlsAreInvalidArgument) {
  for (const char* url : {"", "mysql://x/y", "sqlite:", "edugov.db", "postgresql://h:notaport/db",
                          "postgresql://h/db?nosuchoption=1", "postgresql://%zz@h/db"}) {
    auto db = Database::Open(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument)
        << url << ": " << db.status().ToString();
  }
  EXPECT_EQ(Database::Open("sqlite::memory:", {.pool_size = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(OpenTest, UnreachablePostgresIsUnavailableNamingHostWithoutPassword) {
  // Port 1 on loopback: nothing listens there, so the connection is refused.
  auto db = Database::Open("postgresql://edu:topsecret@127.0.0.1:1/edugov?connect_timeout=5");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
  for (Lang lang : {Lang::kEn, Lang::kZh}) {
    const std::string& message = db.status().message(lang);
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
    EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  }
}

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("edugov_storage_" + SecureRandom().Hex(8));
    std::filesystem::create_directory(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteFileTest, MissingParentDirectoryIsNamed) {
  std::string path = (dir_ / "nope" / "edugov.db").string();
  auto db = Database::Open("sqlite:" + path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(db.status().message_en().find((dir_ / "nope").string()), std::string::npos)
      << db.status().ToString();
}

TEST_F(SqliteFileTest, FileDatabaseUsesWalForeignKeysAndPersists) {
  std::string url = "sqlite:" + (dir_ / "edugov.db").string();
  {
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open(url, {.pool_size = 2}));
    EXPECT_EQ(db->backend(), Backend::kSqlite);
    ASSERT_OK_AND_ASSIGN(ConnectionHandle conn, db->Acquire());
    ASSERT_OK_AND_ASSIGN(ResultSet mode, conn->Query("PRAGMA journal_mode"));
    EXPECT_EQ(mode.GetText(0, 0), "wal");
    ASSERT_OK_AND_ASSIGN(ResultSet fk, conn->Query("PRAGMA foreign_keys"));
    EXPECT_EQ(fk.GetInt(0, 0), 1);
    ASSERT_OK_AND_ASSIGN(ResultSet sync, conn->Query("PRAGMA synchronous"));
    EXPECT_EQ(sync.GetInt(0, 0), 1);  // NORMAL
    ASSERT_OK(conn->ExecuteScript("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('留存');"));
  }
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(url));
  ASSERT_OK_AND_ASSIGN(ConnectionHandle conn, db->Acquire());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn->Query("SELECT a FROM t"));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs.GetText(0, 0), "留存");
}

// The file holds minors' data: a new one is 0600 whatever the umask, and so
// are the -wal and -shm files SQLite makes beside it (they take its mode).
TEST_F(SqliteFileTest, NewDatabaseFileAndItsWalAreMode0600EvenUnderAPermissiveUmask) {
  const std::filesystem::path path = dir_ / "new.db";
  const mode_t old = ::umask(0);
  auto opened = Database::Open("sqlite:" + path.string());
  ::umask(old);
  ASSERT_OK_AND_ASSIGN(auto db, std::move(opened));
  ASSERT_OK_AND_ASSIGN(ConnectionHandle conn, db->Acquire());
  ASSERT_OK(conn->ExecuteScript("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x');"));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    const std::string file = path.string() + suffix;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600) << file;
  }
}

TEST_F(SqliteFileTest, AnExistingDatabaseFileKeepsTheModeItsOperatorGaveIt) {
  const std::filesystem::path path = dir_ / "old.db";
  { ASSERT_OK(Database::Open("sqlite:" + path.string()).status()); }
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_OK(Database::Open("sqlite:" + path.string()).status());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640);
}

TEST(SqliteMemoryTest, EachOpenIsASeparateDatabase) {
  ASSERT_OK_AND_ASSIGN(auto a, Database::Open("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(auto b, Database::Open("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(ConnectionHandle ca, a->Acquire());
  ASSERT_OK_AND_ASSIGN(ConnectionHandle cb, b->Acquire());
  ASSERT_OK(ca->Execute("CREATE TABLE only_in_a (x BIGINT)"));
  EXPECT_FALSE(cb->Query("SELECT * FROM only_in_a").ok());
}

TEST(SqliteParamsTest, ParametersMustBeNumberedAndAllUsed) {
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(ConnectionHandle conn, db->Acquire());
  EXPECT_EQ(conn->Query("SELECT $2", {int64_t{1}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn->Query("SELECT ?", {int64_t{1}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn->Query("SELECT $1", {int64_t{1}, int64_t{2}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(conn->Query("SELECT 1; SELECT 2").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edugov::storage
