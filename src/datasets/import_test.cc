#include "datasets/import.h"

#include <iconv.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "datasets/internal/registry_lookup.h"
#include "datasets/store.h"
#include "datasets/template.h"
#include "ledger/audit.h"
#include "tabular/csv_reader.h"
#include "tabular/xlsx_reader.h"
#include "testing/test_db.h"

namespace edugov::datasets {
namespace {

using storage::Backend;
using storage::Connection;
using storage::ResultSet;
using storage::Value;

// A small pack of our own (the real one is policy/anhua-2025.yaml).
constexpr const char* kPack = R"(
- name: homework
  label_zh: 每日作业公示
  entity: class_id
  period: date
  key: [class_id, date]
  columns:
    - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
    - {name: date, type: date, required: true, label_zh: 日期}
    - {name: written_minutes, type: int, required: true, min: 0, max: 600, label_zh: 书面作业分钟}
    - {name: phone_based, type: bool, label_zh: 手机布置}
    - {name: subject, type: enum, values: [chinese, math], label_zh: 学科}
    - {name: published_at, type: time, label_zh: 公示时间}
    - {name: share, type: decimal, min: 0, max: 1, label_zh: 比例}
)";

DatasetSchema Homework() {
  auto ds = ParseDatasets(YAML::Load(kPack), "test-pack.yaml");
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return (*ds)[0];
}

// County C1 (/1/) → township C2 (/1/2/) → school C3 (/1/2/3/, classes 10, 12);
// township C4 (/1/4/) → school C5 (/1/4/5/, class 11).
Status SeedRegistry(Connection& c) {
  const char* orgs[][5] = {{"1", "", "county", "/1/", ""},
                           {"2", "1", "township", "/1/2/", "primary"},
                           {"3", "2", "school", "/1/2/3/", "primary"},
                           {"4", "1", "township", "/1/4/", "junior"},
                           {"5", "4", "school", "/1/4/5/", "junior"}};
  for (auto& o : orgs) {
    Value parent = o[1][0] ? Value(int64_t{std::stoll(o[1])}) : storage::Null();
    Value stage = o[4][0] ? Value(std::string(o[4])) : storage::Null();
    RETURN_IF_ERROR(c.Execute(
        "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)",
        {int64_t{std::stoll(o[0])}, parent, std::string(o[2]), std::string("C") + o[0],
         std::string("org") + o[0], std::string(o[3]), stage}));
  }
  return c.Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                   "(10, 3, 3, '三年级1班', 0, 0), (12, 3, 3, '三年级2班', 0, 0), "
                   "(11, 5, 7, '七年级1班', 0, 0)")
      .status();
}

accounts::Principal Bureau() {
  return {.user_id = 1, .username = "bureau", .role = accounts::Role::kBureauLeader, .org_id = 1,
          .org_path = "/1/"};
}
accounts::Principal School3() {
  return {.user_id = 2, .username = "school3", .role = accounts::Role::kSchool, .org_id = 3,
          .org_path = "/1/2/3/"};
}

class ImportTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(*db));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    conn_.emplace(std::move(*conn));
    ASSERT_TRUE(SeedRegistry(**conn_).ok());
    schema_ = Homework();
    ASSERT_TRUE(EnsureDatasetTables(**conn_, {schema_}).ok());
  }

  Connection& conn() { return **conn_; }

  StatusOr<ImportReport> ImportCsv(const std::string& text, const accounts::Principal& who,
                                   ImportOptions options = {}) {
    ASSIGN_OR_RETURN(std::unique_ptr<tabular::CsvSource> csv, tabular::OpenCsvBytes(std::string(text)));
    options.file_name = "作业.csv";
    options.encoding = std::string(tabular::EncodingName(csv->encoding()));
    return Import(conn(), who, clock_, schema_, *csv, options, nullptr);
  }

  int64_t Count(const std::string& sql) {
    auto rs = conn().Query(sql);
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() ? rs->GetInt(0, 0) : -1;
  }

  FakeClock clock_{ParseTimestamp("2025-09-01T18:00:00+08:00").value()};
  std::optional<testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
  DatasetSchema schema_;
};

constexpr const char* kHeader = "班级,日期,书面作业分钟,手机布置,学科,公示时间,比例\n";

TEST_P(ImportTest, AllGoodRowsLandWithOneAuditEntry) {
  auto report = ImportCsv(std::string(kHeader) +
                              "10,2025-09-01,40,否,math,16:30,0.5\n"
                              "C3/三年级2班,2025/9/1,60,是,语文补充,,\n"  // bad enum
                              "C5/七年级1班,2025-09-01,90,0,chinese,17:05,1\n",
                          Bureau());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_total, 3);
  EXPECT_EQ(report->rows_ok, 2);
  EXPECT_EQ(report->rows_rejected, 1);
  EXPECT_EQ(report->status, "partial");

  auto rs = conn().Query("SELECT row_id, org_path, submitted_at, class_id, date, written_minutes, "
                         "phone_based, subject, published_at, share FROM ds_homework ORDER BY row_id");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 2u);
  EXPECT_EQ(rs->GetInt(0, 0), 1);
  EXPECT_EQ(rs->GetText(0, 1), "/1/2/3/");
  EXPECT_EQ(rs->GetInt(0, 2), clock_.Now().time_since_epoch().count());
  EXPECT_EQ(rs->GetInt(0, 3), 10);
  EXPECT_EQ(rs->GetText(0, 4), "2025-09-01");
  EXPECT_EQ(rs->GetInt(0, 5), 40);
  EXPECT_EQ(rs->GetInt(0, 6), 0);
  EXPECT_EQ(rs->GetText(0, 7), "math");
  EXPECT_EQ(rs->GetText(0, 8), "16:30");
  EXPECT_EQ(rs->GetDouble(0, 9), 0.5);
  EXPECT_EQ(rs->GetText(1, 1), "/1/4/5/");
  EXPECT_EQ(rs->GetInt(1, 3), 11);

  auto audit = ledger::ReadAudit(conn(), 0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].entry.action, "dataset.import");
  EXPECT_EQ((*audit)[0].entry.entity_id, std::to_string(report->import_id));
  EXPECT_NE((*audit)[0].entry.after.find("\"rows_rejected\":1"), std::string::npos);

  auto rec = GetImport(conn(), Bureau(), report->import_id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->status, "partial");
  EXPECT_EQ(rec->rows_ok, 2);
  EXPECT_EQ(rec->encoding, "UTF-8");
  EXPECT_EQ(rec->file_name, "作业.csv");
}

TEST_P(ImportTest, AllGoodIsDone) {
  auto report = ImportCsv("class_id,date,written_minutes\n10,2025-09-01,40\n12,2025-09-01,30\n", Bureau());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "done");
  EXPECT_EQ(report->rows_inserted, 2);
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM quarantine"), 0);
}

struct RuleCase {
  const char* row;     // a CSV data row under kHeader
  const char* column;  // the header cell blamed; "" for the whole row
  const char* zh;      // part of the zh reason
  const char* en;      // part of the en reason
};

TEST_P(ImportTest, EveryRuleRejectsWithItsReason) {
  const RuleCase cases[] = {
      {"10,2025-09-02,四十,否,,,", "书面作业分钟", "应为整数", "not a whole number"},
      {"10,2025-09-03,-5,否,,,", "书面作业分钟", "小于最小值 0", "below the minimum 0"},
      {"10,2025-09-04,601,否,,,", "书面作业分钟", "大于最大值 600", "above the maximum 600"},
      {"10,2025-09-05,99999999999,否,,,", "书面作业分钟", "超出范围", "out of range"},
      {"10,2025-02-30,40,否,,,", "日期", "不是有效日期", "not a valid date"},
      {"10,2025-09-06,40,也许,,,", "手机布置", "应为 是 或 否", "yes or no"},
      {"10,2025-09-07,40,否,english,,", "学科", "应为以下取值之一：chinese、math", "must be one of"},
      {"10,2025-09-08,40,否,,25:00,", "公示时间", "不是有效时间", "not a valid time"},
      {"10,2025-09-09,40,否,,,1.5", "比例", "大于最大值 1", "above the maximum 1"},
      {"10,2025-09-10,40,否,,,abc", "比例", "应为数字", "not a number"},
      {",2025-09-11,40,否,,,", "班级", "必填项「班级」为空", "required value class_id is missing"},
      {"99,2025-09-12,40,否,,,", "班级", "不存在或不在您的管辖范围内", "unknown class"},
      {"C9/三年级1班,2025-09-13,40,否,,,", "班级", "不存在或不在您的管辖范围内", "unknown class"},
      {"三年级1班,2025-09-14,40,否,,,", "班级", "无法确定班级", "cannot tell which school"},
      {"10,2025-09-01,40,否,,,", "", "与第 2 行重复", "duplicates row 2"},
  };
  std::string csv = std::string(kHeader) + "10,2025-09-01,40,否,,,\n";  // row 2, good
  for (const RuleCase& c : cases) csv += std::string(c.row) + "\n";
  auto report = ImportCsv(csv, Bureau());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 1);
  EXPECT_EQ(report->rows_rejected, static_cast<int64_t>(std::size(cases)));
  ASSERT_EQ(report->problems.size(), std::size(cases));
  auto q = ListQuarantine(conn(), Bureau(), report->import_id);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), std::size(cases));
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(cases[i].row);
    const ImportProblem& p = report->problems[i];
    EXPECT_EQ(p.row_number, static_cast<int64_t>(i) + 3);
    EXPECT_EQ(p.column, cases[i].column);
    EXPECT_NE(p.reason_zh.find(cases[i].zh), std::string::npos) << p.reason_zh;
    EXPECT_NE(p.reason_en.find(cases[i].en), std::string::npos) << p.reason_en;
    const QuarantineEntry& e = (*q)[i];
    EXPECT_EQ(e.row_number, p.row_number);
    EXPECT_EQ(e.column, p.column);
    EXPECT_EQ(e.value, p.value);
    EXPECT_EQ(e.reason_zh, p.reason_zh);
    EXPECT_EQ(e.reason_en, p.reason_en);
    ASSERT_EQ(e.raw_row.size(), 7u);
  }
  EXPECT_EQ((*q)[0].value, "四十");
  EXPECT_EQ((*q)[0].raw_row[2], "四十");
}

TEST_P(ImportTest, ARowWithTwoBadCellsHasTwoQuarantineEntries) {
  auto report = ImportCsv(std::string(kHeader) + "10,2025-13-01,abc,否,,,\n", Bureau());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rows_rejected, 1);
  EXPECT_EQ(report->problems.size(), 2u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM quarantine"), 2);
}

TEST_P(ImportTest, ClassOfAnotherSchoolIsRejected) {
  auto report = ImportCsv("学校代码,班级,日期,书面作业分钟\n"
                          "C3,三年级1班,2025-09-01,40\n"   // by name within the school: ok
                          "C3,11,2025-09-01,40\n"          // class 11 is school C5's
                          "C3,C5/七年级1班,2025-09-01,40\n",
                          Bureau());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 1);
  ASSERT_EQ(report->problems.size(), 2u);
  for (const ImportProblem& p : report->problems) {
    EXPECT_NE(p.reason_zh.find("不属于本行填写的学校"), std::string::npos) << p.reason_zh;
    EXPECT_NE(p.reason_en.find("another school"), std::string::npos);
  }
}

TEST_P(ImportTest, ASchoolCannotImportAnotherSchoolsRows) {
  auto report = ImportCsv(std::string(kHeader) + "10,2025-09-01,40,否,,,\n"
                                                  "11,2025-09-01,40,否,,,\n"
                                                  "C5/七年级1班,2025-09-01,40,否,,,\n",
                          School3());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rows_ok, 1);
  EXPECT_EQ(report->rows_rejected, 2);
  for (const ImportProblem& p : report->problems) {
    EXPECT_NE(p.reason_zh.find("不在您的管辖范围内"), std::string::npos);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE org_path <> '/1/2/3/'"), 0);
  // The bureau sees the school's import; the other school's principal does not.
  EXPECT_TRUE(GetImport(conn(), Bureau(), report->import_id).ok());
  accounts::Principal school5{.user_id = 3, .username = "s5", .role = accounts::Role::kSchool,
                              .org_id = 5, .org_path = "/1/4/5/"};
  EXPECT_EQ(GetImport(conn(), school5, report->import_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(WriteAnnotatedCsv(conn(), school5, report->import_id).status().code(),
            StatusCode::kNotFound);
}

TEST_P(ImportTest, ResubmittingAKeyReplacesTheStoredRowAndKeepsItsId) {
  ASSERT_TRUE(ImportCsv("班级,日期,书面作业分钟\n10,2025-09-01,40\n12,2025-09-01,30\n", Bureau()).ok());
  clock_.Advance(std::chrono::hours(1));
  auto second = ImportCsv("班级,日期,书面作业分钟\n10,2025-09-01,45\n10,2025-09-02,20\n", Bureau());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->rows_ok, 2);
  EXPECT_EQ(second->rows_updated, 1);
  EXPECT_EQ(second->rows_inserted, 1);
  auto rs = conn().Query("SELECT row_id, written_minutes, submitted_at FROM ds_homework "
                         "WHERE class_id = 10 AND date = '2025-09-01'");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_EQ(rs->GetInt(0, 0), 1);
  EXPECT_EQ(rs->GetInt(0, 1), 45);
  EXPECT_EQ(rs->GetInt(0, 2), clock_.Now().time_since_epoch().count());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), 3);
  auto rec = GetImport(conn(), Bureau(), second->import_id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->rows_updated, 1);
}

TEST_P(ImportTest, MissingRequiredColumnFailsTheFileAndWritesNothing) {
  auto report = ImportCsv("班级,书面作业分钟\n10,40\n", Bureau());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message_zh().find("表头缺少"), std::string::npos);
  EXPECT_NE(report.status().message_zh().find("日期"), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM imports"), 0);
}

TEST_P(ImportTest, APrincipalWithoutAnOrgIsRefused) {
  accounts::Principal nobody{.user_id = 9, .username = "nobody", .role = accounts::Role::kSchool};
  auto report = ImportCsv("班级,日期,书面作业分钟\n10,2025-09-01,40\n", nobody);
  EXPECT_EQ(report.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), 0);
}

TEST_P(ImportTest, DuplicateHeaderColumnFailsTheFile) {
  auto report = ImportCsv("班级,class_id,日期,书面作业分钟\n10,10,2025-09-01,40\n", Bureau());
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message_zh().find("出现了两次"), std::string::npos);
}

TEST_P(ImportTest, UnknownColumnsAreIgnoredAndListed) {
  auto report = ImportCsv("班级,日期,书面作业分钟,备注\n10,2025-09-01,40,好\n", Bureau());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->ignored_columns, std::vector<std::string>{"备注"});
  EXPECT_EQ(report->rows_ok, 1);
}

TEST_P(ImportTest, AFailureMidImportLeavesNothingHalfWritten) {
  std::string csv = "班级,日期,书面作业分钟\n";
  Date d = Date::FromYmd(2025, 1, 1);
  for (int i = 0; i < 20000; ++i) {
    csv += (i % 2 ? "10," : "12,") + d.AddDays(i / 2).ToString() + (i % 7 ? ",40\n" : ",abc\n");
  }
  ImportOptions options;
  int batches = 0;
  options.after_batch = [&](int64_t rows) -> Status {
    if (++batches == 2) return InternalError("injected failure", "注入的故障");
    return OkStatus();
  };
  auto report = ImportCsv(csv, Bureau(), options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message_en(), "injected failure");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM imports"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM quarantine"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 0);
  // The bulk load into the empty table dropped its indexes; the rollback
  // brought them back.
  EXPECT_EQ(Count(GetParam() == Backend::kSqlite
                      ? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ds_homework_key'"
                      : "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ds_homework_key'"),
            1);
  // The same file without the failure lands.
  auto again = ImportCsv(csv, Bureau());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_total, 20000);
  EXPECT_EQ(again->rows_rejected, 20000 / 7 + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), again->rows_ok);
}

TEST_P(ImportTest, AMalformedFileFailsWithItsRowAndWritesNothing) {
  auto report = ImportCsv("班级,日期,书面作业分钟\n10,2025-09-01,40\n10,\"2025-09-02,40\n", Bureau());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), 0);
}

std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string in = utf8, out(utf8.size() * 2 + 16, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

TEST_P(ImportTest, GbkCsv) {
  const std::string gbk = ToGbk("班级,日期,书面作业分钟,手机布置\r\nC3/三年级1班,2025/9/1,40,否\r\n"
                                "C3/三年级2班,2025/9/1,50,是\r\n");
  ASSERT_EQ(gbk.find("班"), std::string::npos);
  auto report = ImportCsv(gbk, Bureau());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 2);
  auto rec = GetImport(conn(), Bureau(), report->import_id);
  EXPECT_EQ(rec->encoding, "GB18030");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE class_id = 12 AND phone_based = 1"), 1);
}

TEST_P(ImportTest, Xlsx) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("edugov_import_" + std::to_string(::getpid()) + ".xlsx")).string();
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "作业");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* time = workbook_add_format(wb);
  format_set_num_format(time, "h:mm");
  const char* header[] = {"班级", "日期", "书面作业分钟", "手机布置", "公示时间"};
  for (int c = 0; c < 5; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  lxw_datetime d = {2025, 9, 1, 0, 0, 0};
  lxw_datetime t = {0, 0, 0, 16, 30, 0};
  worksheet_write_number(ws, 1, 0, 10, nullptr);
  worksheet_write_datetime(ws, 1, 1, &d, date);
  worksheet_write_number(ws, 1, 2, 40, nullptr);
  worksheet_write_boolean(ws, 1, 3, 0, nullptr);
  worksheet_write_datetime(ws, 1, 4, &t, time);
  worksheet_write_string(ws, 3, 0, "C3/三年级2班", nullptr);  // row 4; row 3 is blank
  worksheet_write_string(ws, 3, 1, "2025-09-01", nullptr);    // a date typed as text
  worksheet_write_number(ws, 3, 2, 700, nullptr);             // over the max
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);

  auto xlsx = tabular::OpenXlsxFile(path);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().ToString();
  auto report = Import(conn(), Bureau(), clock_, schema_, **xlsx,
                       {.file_name = "作业.xlsx", .format = "xlsx"}, nullptr);
  std::filesystem::remove(path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 1);
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].row_number, 4);
  EXPECT_EQ(report->problems[0].column, "书面作业分钟");
  auto rs = conn().Query("SELECT date, published_at, phone_based FROM ds_homework");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_EQ(rs->GetText(0, 0), "2025-09-01");
  EXPECT_EQ(rs->GetText(0, 1), "16:30");
  EXPECT_EQ(rs->GetInt(0, 2), 0);
}

TEST_P(ImportTest, AnnotatedCsvListsRejectedRowsWithTheirReasons) {
  auto report = ImportCsv("班级,日期,书面作业分钟\n"
                          "10,2025-09-01,40\n"
                          "10,2025-09-31,abc\n"
                          "\"C3/三年级2班\",2025-09-01,\"7,0\"\n",
                          Bureau());
  ASSERT_TRUE(report.ok());
  auto csv = WriteAnnotatedCsv(conn(), Bureau(), report->import_id);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv,
            "\xEF\xBB\xBF"
            "班级,日期,书面作业分钟,错误列,错误原因\r\n"
            "10,2025-09-31,abc,日期；书面作业分钟,第 3 行：「日期」不是有效日期（应为 YYYY-MM-DD）；"
            "「书面作业分钟」应为整数\r\n"
            "C3/三年级2班,2025-09-01,\"7,0\",书面作业分钟,第 4 行：「书面作业分钟」应为整数\r\n");
  // The annotated file reads back as a CSV with the same rows.
  auto again = tabular::OpenCsvBytes(std::string(*csv));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->header().size(), 5u);
}

TEST_P(ImportTest, CollectLandedReturnsStoredRowsForTheImage) {
  MemoryRowSource form({"class_id", "date", "written_minutes"}, {{"10", "2025-09-01", "40"}});
  auto report = Import(conn(), Bureau(), clock_, schema_, form,
                       {.file_name = "form", .format = "form", .collect_landed = true}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->landed.size(), 1u);
  EXPECT_EQ(report->landed[0].row_id, 1);
  ASSERT_EQ(report->landed[0].values.size(), schema_.columns.size());
  EXPECT_EQ(std::get<int64_t>(report->landed[0].values[0]), 10);
  EXPECT_EQ(std::get<std::string>(report->landed[0].values[1]), "2025-09-01");
  // A correction of the same key reports the stored row's id.
  MemoryRowSource fix({"class_id", "date", "written_minutes"}, {{"10", "2025-09-01", "35"}});
  auto second = Import(conn(), Bureau(), clock_, schema_, fix,
                       {.file_name = "form", .format = "form", .collect_landed = true}, nullptr);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->landed.size(), 1u);
  EXPECT_EQ(second->landed[0].row_id, 1);
  EXPECT_EQ(second->rows_updated, 1);
}

// A form row (MemoryRowSource, validated on the calling thread with registry
// entries fetched one by one) must be judged exactly as the same row in a
// file (the whole subtree preloaded): same verdict, same reasons, same scope.
TEST_P(ImportTest, AFormRowIsJudgedAsTheSameRowInAFile) {
  struct Case {
    std::vector<std::string> header;
    std::vector<std::string> row;
    accounts::Principal who;
  };
  const std::vector<std::string> h = {"班级", "日期", "书面作业分钟"};
  const Case cases[] = {
      {h, {"10", "2025-10-01", "40"}, Bureau()},
      {h, {"C3/三年级2班", "2025-10-01", "40"}, Bureau()},
      {h, {"C5/七年级1班", "2025-10-01", "40"}, School3()},  // outside the school
      {h, {"11", "2025-10-02", "40"}, School3()},             // outside, by id
      {h, {"12", "2025-10-02", "40"}, School3()},
      {h, {"99", "2025-10-03", "40"}, Bureau()},
      {h, {"C9/三年级1班", "2025-10-03", "40"}, Bureau()},
      {h, {"三年级1班", "2025-10-03", "40"}, Bureau()},
      {h, {"10", "2025-10-04", "四十"}, Bureau()},
      {{"学校代码", "班级", "日期", "书面作业分钟"}, {"C3", "三年级1班", "2025-10-05", "40"}, Bureau()},
      {{"学校代码", "班级", "日期", "书面作业分钟"}, {"C3", "11", "2025-10-05", "40"}, Bureau()},
      {{"学校代码", "班级", "日期", "书面作业分钟"}, {"C5", "三年级1班", "2025-10-05", "40"}, Bureau()},
      {{"学校代码", "班级", "日期", "书面作业分钟"}, {"C3", "三年级1班", "2025-10-06", "40"}, School3()},
      {{"学校代码", "班级", "日期", "书面作业分钟"}, {"C1", "三年级1班", "2025-10-06", "40"}, School3()},
  };
  for (const Case& c : cases) {
    std::string line;
    for (const std::string& cell : c.row) line += (line.empty() ? "" : ",") + cell;
    SCOPED_TRACE(line + " as " + c.who.username);
    MemoryRowSource form(c.header, {c.row});
    auto by_form = Import(conn(), c.who, clock_, schema_, form,
                          {.file_name = "form", .format = "form", .collect_landed = true}, nullptr);
    ASSERT_TRUE(by_form.ok()) << by_form.status().ToString();
    std::string header;
    for (const std::string& cell : c.header) header += (header.empty() ? "" : ",") + cell;
    auto by_file = ImportCsv(header + "\n" + line + "\n", c.who);
    ASSERT_TRUE(by_file.ok()) << by_file.status().ToString();
    EXPECT_EQ(by_form->rows_ok, by_file->rows_ok);
    EXPECT_EQ(by_form->rows_rejected, by_file->rows_rejected);
    // The file comes second: a row the form landed, it replaces.
    EXPECT_EQ(by_form->rows_inserted, by_form->rows_ok);
    EXPECT_EQ(by_file->rows_updated, by_file->rows_ok);
    ASSERT_EQ(by_form->problems.size(), by_file->problems.size());
    for (size_t i = 0; i < by_form->problems.size(); ++i) {
      EXPECT_EQ(by_form->problems[i].column, by_file->problems[i].column);
      EXPECT_EQ(by_form->problems[i].reason_zh, by_file->problems[i].reason_zh);
      EXPECT_EQ(by_form->problems[i].reason_en, by_file->problems[i].reason_en);
    }
    if (by_form->rows_ok == 1) {
      ASSERT_EQ(by_form->landed.size(), 1u);
      auto rs = conn().Query("SELECT org_path FROM ds_homework WHERE row_id = $1", {by_form->landed[0].row_id});
      ASSERT_TRUE(rs.ok());
      ASSERT_EQ(rs->size(), 1u);
      EXPECT_EQ(rs->GetText(0, 0).rfind(c.who.org_path, 0), 0u) << rs->GetText(0, 0);
    }
  }
  // Each submission is its own import with its own audit entry.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM imports WHERE format = 'form'"), static_cast<int64_t>(std::size(cases)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'dataset.import'"),
            2 * static_cast<int64_t>(std::size(cases)));
}

// An enum declared with zh labels takes the label or the value, from a file
// or a form; anything else is rejected with every allowed value listed.
TEST_P(ImportTest, EnumAcceptsItsZhLabelOrItsValue) {
  auto ds = ParseDatasets(YAML::Load(R"(
- name: inspections
  label_zh: 检查记录
  entity: school_id
  period: date
  key: [school_id, date, mode]
  columns:
    - {name: school_id, type: ref, ref: school, required: true, label_zh: 学校}
    - {name: date, type: date, required: true, label_zh: 检查日期}
    - {name: mode, type: enum, required: true, label_zh: 检查方式,
       values: [{value: full, label_zh: 全面检查}, {value: spot, label_zh: 抽查}, other]}
)"), "test-pack.yaml");
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  const DatasetSchema& insp = (*ds)[0];
  ASSERT_TRUE(EnsureDatasetTables(conn(), {insp}).ok());
  auto csv = tabular::OpenCsvBytes(std::string("学校,检查日期,检查方式\n"
                                               "C3,2025-09-01,全面检查\n"
                                               "C3,2025-09-02,SPOT\n"
                                               "C3,2025-09-03,抽查\n"
                                               "C3,2025-09-04,other\n"
                                               "C3,2025-09-05,全面\n"));
  ASSERT_TRUE(csv.ok());
  auto report = Import(conn(), Bureau(), clock_, insp, **csv, {.file_name = "检查.csv"}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 4);
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].row_number, 6);
  EXPECT_EQ(report->problems[0].column, "检查方式");
  EXPECT_EQ(report->problems[0].reason_zh, "「检查方式」应为以下取值之一：全面检查（full）、抽查（spot）、other");
  EXPECT_EQ(report->problems[0].reason_en, "mode must be one of: full (全面检查), spot (抽查), other");
  auto rs = conn().Query("SELECT mode FROM ds_inspections ORDER BY date");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 4u);
  EXPECT_EQ(rs->GetText(0, 0), "full");
  EXPECT_EQ(rs->GetText(1, 0), "spot");
  EXPECT_EQ(rs->GetText(2, 0), "spot");
  EXPECT_EQ(rs->GetText(3, 0), "other");

  MemoryRowSource form({"school_id", "date", "mode"}, {{"C3", "2025-09-10", "全面检查"}});
  auto by_form = Import(conn(), School3(), clock_, insp, form,
                        {.file_name = "web form", .format = "form", .collect_landed = true}, nullptr);
  ASSERT_TRUE(by_form.ok()) << by_form.status().ToString();
  ASSERT_EQ(by_form->landed.size(), 1u);
  EXPECT_EQ(std::get<std::string>(by_form->landed[0].values[2]), "full");
}

TEST(CanonicalClassNameTest, ReadsTheWaysSchoolsWriteAClass) {
  using internal::CanonicalClassName;
  EXPECT_EQ(CanonicalClassName("七年级1班"), "7#1");
  EXPECT_EQ(CanonicalClassName("7年级1班"), "7#1");
  EXPECT_EQ(CanonicalClassName("初一(1)班"), "7#1");
  EXPECT_EQ(CanonicalClassName("初一（01）班"), "7#1");
  EXPECT_EQ(CanonicalClassName("初三年级12班"), "9#12");
  EXPECT_EQ(CanonicalClassName("高二3班"), "11#3");
  EXPECT_EQ(CanonicalClassName("三年级2"), "3#2");
  EXPECT_EQ(CanonicalClassName("小班"), "");
  EXPECT_EQ(CanonicalClassName("七年级"), "");
  EXPECT_EQ(CanonicalClassName("七年级1班A"), "");
  EXPECT_EQ(CanonicalClassName("初四1班"), "");
}

// Issue 13: a school user's own file needs no 学校代码 column — the school
// is the importer's; classes are named as written in the school.
TEST_P(ImportTest, ASchoolUserNeedsNoSchoolColumn) {
  auto report = ImportCsv("班级,日期,书面作业分钟\n"
                          "三年级1班,2025-09-01,40\n"
                          "3年级2班,2025-09-01,30\n"
                          "三年级（1）班,2025-09-02,35\n"
                          "七年级1班,2025-09-01,40\n"   // school C5's name: not in this school
                          "C5/七年级1班,2025-09-02,40\n",
                          School3());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 3);
  ASSERT_EQ(report->problems.size(), 2u);
  EXPECT_EQ(report->problems[0].row_number, 5);
  EXPECT_EQ(report->problems[0].column, "班级");
  EXPECT_EQ(report->problems[0].reason_zh, "班级「七年级1班」不存在或不在您的管辖范围内");
  EXPECT_NE(report->problems[0].reason_en.find("unknown class"), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE class_id = 10"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE class_id = 12"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE org_path <> '/1/2/3/'"), 0);

  // The bureau still has to say which school a bare class name is in.
  auto bureau = ImportCsv("班级,日期,书面作业分钟\n三年级1班,2025-09-03,40\n", Bureau());
  ASSERT_TRUE(bureau.ok());
  ASSERT_EQ(bureau->problems.size(), 1u);
  EXPECT_NE(bureau->problems[0].reason_zh.find("学校代码"), std::string::npos);

  // A school-level dataset: the 学校 column may be left out, or left empty.
  auto ds = ParseDatasets(YAML::Load(R"(
- name: trainings
  label_zh: 培训
  entity: school_id
  period: date
  key: [school_id, date]
  columns:
    - {name: school_id, type: ref, ref: school, required: true, label_zh: 学校}
    - {name: date, type: date, required: true, label_zh: 培训日期}
)"), "test-pack.yaml");
  ASSERT_TRUE(ds.ok());
  ASSERT_TRUE(EnsureDatasetTables(conn(), {(*ds)[0]}).ok());
  auto no_column = tabular::OpenCsvBytes(std::string("培训日期\n2025-09-01\n2025-09-02\n"));
  ASSERT_TRUE(no_column.ok());
  auto r2 = Import(conn(), School3(), clock_, (*ds)[0], **no_column, {.file_name = "t.csv"}, nullptr);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->rows_ok, 2);
  auto empty_cell = tabular::OpenCsvBytes(std::string("学校,培训日期\n,2025-09-03\nC5,2025-09-04\n"));
  ASSERT_TRUE(empty_cell.ok());
  auto r3 = Import(conn(), School3(), clock_, (*ds)[0], **empty_cell, {.file_name = "t.csv"}, nullptr);
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ(r3->rows_ok, 1);
  EXPECT_EQ(r3->rows_rejected, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_trainings WHERE school_id = 3 AND org_path = '/1/2/3/'"), 3);
  // The bureau must still name the school.
  auto bureau_file = tabular::OpenCsvBytes(std::string("培训日期\n2025-09-05\n"));
  ASSERT_TRUE(bureau_file.ok());
  auto r4 = Import(conn(), Bureau(), clock_, (*ds)[0], **bureau_file, {.file_name = "t.csv"}, nullptr);
  EXPECT_EQ(r4.status().code(), StatusCode::kInvalidArgument);

  // A form row (the on-demand lookup) reads the class name the same way.
  MemoryRowSource form({"class_id", "date", "written_minutes"}, {{"3年级2班", "2025-09-09", "20"}});
  auto by_form = Import(conn(), School3(), clock_, schema_, form,
                        {.file_name = "web form", .format = "form", .collect_landed = true}, nullptr);
  ASSERT_TRUE(by_form.ok()) << by_form.status().ToString();
  EXPECT_EQ(by_form->rows_ok, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework WHERE class_id = 12"), 2);
}

// 下载导入模板: a school's template has no school column, its classes
// pre-filled, and imports back once filled; above a school, 学校代码 comes first.
TEST_P(ImportTest, TheTemplateOfASchoolListsItsClassesAndImportsBack) {
  auto read = [](std::string bytes) {
    std::vector<std::vector<std::string>> rows;
    auto src = tabular::OpenXlsxBytes(std::move(bytes), {});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    if (!src.ok()) return rows;
    rows.push_back((*src)->header());
    tabular::Row row;
    while (true) {
      auto more = (*src)->Next(row);
      if (!more.ok() || !*more) break;
      rows.emplace_back(row.cells.begin(), row.cells.end());
    }
    return rows;
  };
  auto school = WriteImportTemplate(conn(), School3(), schema_);
  ASSERT_TRUE(school.ok()) << school.status().ToString();
  auto rows = read(*school);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"班级", "日期", "书面作业分钟", "手机布置", "学科", "公示时间", "比例"}));
  EXPECT_EQ(rows[1][0], "三年级1班");
  EXPECT_EQ(rows[2][0], "三年级2班");
  // Filled as a clerk would (the same header, the pre-filled names).
  auto csv = tabular::OpenCsvBytes("班级,日期,书面作业分钟\n" + rows[1][0] + ",2025-09-01,40\n" + rows[2][0] +
                                   ",2025-09-01,30\n");
  ASSERT_TRUE(csv.ok());
  auto report = Import(conn(), School3(), clock_, schema_, **csv, {.file_name = "模板.csv"}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 2);

  auto bureau = WriteImportTemplate(conn(), Bureau(), schema_);
  ASSERT_TRUE(bureau.ok());
  auto brows = read(*bureau);
  ASSERT_EQ(brows.size(), 1u);
  EXPECT_EQ(brows[0][0], "学校代码");
  EXPECT_EQ(brows[0][1], "班级");
}

TEST_P(ImportTest, ConcurrentImportsIntoOneDatasetBothLand) {
  // Two imports of disjoint keys at once into the empty table: one of them
  // bulk-loads, the other waits for it and then upserts; row ids never clash.
  auto make = [](int32_t first_day) {
    std::string csv = "班级,日期,书面作业分钟\n";
    for (int i = 0; i < 3000; ++i) {
      csv += (i % 2 ? "10," : "12,") + Date::FromDaysSinceEpoch(first_day + i / 2).ToString() + ",30\n";
    }
    return csv;
  };
  const int32_t d0 = Date::FromYmd(2025, 1, 1).DaysSinceEpoch();
  StatusOr<ImportReport> results[2] = {InternalError("not run"), InternalError("not run")};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto conn = db_->db().Acquire();
      if (!conn.ok()) {
        results[t] = conn.status();
        return;
      }
      auto csv = tabular::OpenCsvBytes(make(d0 + t * 5000));
      if (!csv.ok()) {
        results[t] = csv.status();
        return;
      }
      results[t] = Import(**conn, Bureau(), clock_, schema_, **csv, {.file_name = "t.csv"}, nullptr);
    });
  }
  for (std::thread& th : threads) th.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rows_ok, 3000);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ds_homework"), 6000);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT row_id) FROM ds_homework"), 6000);
}

// Issue 15: every bad cell of a rejected row keeps the whole raw row, so a
// small file of wide, all-bad rows could write far more than it holds.
TEST_P(ImportTest, QuarantineIsBoundedNamingTheBound) {
  ImportOptions options;
  options.max_quarantine_bytes = 4096;
  std::string csv = kHeader;
  for (int i = 0; i < 100; ++i) csv += "999,not-a-date,x,x,x,x,x\n";
  auto r = ImportCsv(csv, Bureau(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message_en().find("(limit max_quarantine_bytes = 4096)"), std::string::npos)
      << r.status().message_en();
  EXPECT_NE(r.status().message_zh().find("上限"), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM quarantine"), 0);  // nothing written

  options = {};
  options.max_quarantine_row_bytes = 16;
  r = ImportCsv(std::string(kHeader) + "999," + std::string(100, 'x') + ",1,否,math,,\n", Bureau(),
                options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message_en().find("limit max_quarantine_row_bytes = 16)"),
            std::string::npos)
      << r.status().message_en();
  EXPECT_EQ(r.status().field(), "row 2");
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::datasets
