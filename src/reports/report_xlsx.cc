// The report as an Excel workbook, one sheet per section, for the bureau's
// staff who re-cut the figures. libxlsxwriter only writes files, so the
// workbook goes through a private temporary file.
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/internal/text.h"
#include "reports/report_formats.h"

namespace edugov::reports {
namespace {

struct Sheet {
  lxw_worksheet* ws;
  lxw_format* title;
  lxw_format* header;
  lxw_format* cell;
  lxw_format* text;
  lxw_row_t row = 0;

  void Title(const std::string& s, int width) {
    worksheet_set_row(ws, row, 28, nullptr);
    if (width > 1) {
      worksheet_merge_range(ws, row, 0, row, static_cast<lxw_col_t>(width - 1), s.c_str(), title);
    } else {
      worksheet_write_string(ws, row, 0, s.c_str(), title);
    }
    ++row;
  }
  void Header(const std::vector<std::string>& cols) {
    for (size_t c = 0; c < cols.size(); ++c) {
      worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), cols[c].c_str(), header);
    }
    ++row;
  }
  void Text(lxw_col_t c, const std::string& s) { worksheet_write_string(ws, row, c, s.c_str(), text); }
  void Num(lxw_col_t c, double v) { worksheet_write_number(ws, row, c, v, cell); }
  void OptNum(lxw_col_t c, const std::optional<double>& v) {
    if (v) {
      Num(c, *v);
    } else {
      worksheet_write_blank(ws, row, c, cell);
    }
  }
  void Next() { ++row; }
  void Line(const std::string& s) {
    worksheet_write_string(ws, row, 0, s.c_str(), nullptr);
    ++row;
  }
};

class Book {
 public:
  explicit Book(lxw_workbook* wb) : wb_(wb) {
    title_ = workbook_add_format(wb);
    format_set_bold(title_);
    format_set_font_name(title_, "黑体");
    format_set_font_size(title_, 14);
    format_set_align(title_, LXW_ALIGN_CENTER);
    format_set_align(title_, LXW_ALIGN_VERTICAL_CENTER);
    auto bordered = [wb] {
      lxw_format* f = workbook_add_format(wb);
      format_set_border(f, LXW_BORDER_THIN);
      format_set_font_name(f, "宋体");
      format_set_font_size(f, 11);
      format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
      return f;
    };
    header_ = bordered();
    format_set_bold(header_);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_align(header_, LXW_ALIGN_CENTER);
    format_set_text_wrap(header_);
    cell_ = bordered();
    text_ = bordered();
    format_set_text_wrap(text_);
  }

  Sheet Add(const std::string& name, const std::vector<double>& widths) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    for (size_t c = 0; c < widths.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
    }
    worksheet_set_paper(ws, 9);  // A4
    worksheet_fit_to_pages(ws, 1, 0);
    return Sheet{ws, title_, header_, cell_, text_};
  }

 private:
  lxw_workbook* wb_;
  lxw_format *title_, *header_, *cell_, *text_;
};

const std::vector<std::string> kCountsHeader = {"本期受理", "上期受理", "重复投诉", "已办结", "在办",
                                                "超期",     "已回访",   "满意(4-5分)", "满意度均分"};

void CountsRow(Sheet& s, lxw_col_t c, const Counts& k, int64_t previous) {
  s.Num(c, static_cast<double>(k.received));
  s.Num(c + 1, static_cast<double>(previous));
  s.Num(c + 2, static_cast<double>(k.repeats));
  s.Num(c + 3, static_cast<double>(k.closed));
  s.Num(c + 4, static_cast<double>(k.open));
  s.Num(c + 5, static_cast<double>(k.overdue));
  s.Num(c + 6, static_cast<double>(k.rated));
  s.Num(c + 7, static_cast<double>(k.satisfied));
  s.OptNum(c + 8, k.rated ? std::optional<double>(k.satisfaction_avg) : std::nullopt);
}

void UnitSheet(Book& book, const std::string& name, const std::string& title, const std::vector<Unit>& units) {
  Sheet s = book.Add(name, {26, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 12, 12});
  s.Title(title, 13);
  std::vector<std::string> cols = {"单位", "所属乡镇", "学生数"};
  cols.insert(cols.end(), kCountsHeader.begin(), kCountsHeader.end());
  cols.push_back("每千名学生");
  s.Header(cols);
  for (const Unit& u : units) {
    s.Text(0, u.name);
    s.Text(1, u.township_name);
    s.Num(2, static_cast<double>(u.students));
    CountsRow(s, 3, u.current, u.previous_received);
    s.OptNum(12, u.rate_per_1000);
    s.Next();
  }
}

void RefRows(Sheet& s, const std::vector<CaseRef>& refs, const ComplaintReport& r) {
  s.Header({"编号", "单位", "类别", "受理日期", "办理期限", "超期天数"});
  for (const CaseRef& c : refs) {
    s.Text(0, c.ref);
    s.Text(1, c.org_name);
    std::string label = c.category;
    for (const CategoryRow& row : r.categories) {
      if (row.key == c.category) label = row.label.zh;
    }
    s.Text(2, label);
    s.Text(3, c.opened_on);
    s.Text(4, c.due_on);
    s.Num(5, static_cast<double>(c.days_overdue));
    s.Next();
  }
}

void WriteBook(lxw_workbook* wb, const ComplaintReport& r) {
  Book book(wb);
  {
    Sheet s = book.Add("概况", {18, 60});
    s.Title(r.title.zh, 2);
    auto kv = [&](const std::string& k, const std::string& v) {
      s.Text(0, k);
      s.Text(1, v);
      s.Next();
    };
    kv("统计期间", r.from.ToString() + " 至 " + r.to.ToString());
    kv("上期", r.previous_from.ToString() + " 至 " + r.previous_to.ToString());
    kv("数据截至", internal::AsOfText(r.as_of_us));
    kv("范围", r.scope_name);
    if (r.county_wide) {
      std::string to, cc;
      for (const Bilingual& b : r.send_to) to += (to.empty() ? "" : "、") + b.zh;
      for (const Bilingual& b : r.copy_to) cc += (cc.empty() ? "" : "、") + b.zh;
      kv("报送", to);
      kv("抄送", cc);
      kv("反馈", "各乡镇中心学校、各学校(点对点,仅本单位部分)");
    } else {
      kv("点对点反馈", r.scope_name + "(仅含本单位部分)");
    }
    kv("本期受理", std::to_string(r.current.received));
    kv("上期受理", std::to_string(r.previous_received));
    kv("环比", internal::ChangeText(r.current.received, r.previous_received));
    kv("重复投诉", std::to_string(r.current.repeats));
    kv("已办结", std::to_string(r.current.closed));
    kv("在办", std::to_string(r.current.open));
    kv("超期", std::to_string(r.current.overdue));
    kv("满意度均分", internal::AvgText(r.current));
    kv("满意率", internal::SatisfiedText(r.current));
    kv("学生数", std::to_string(r.students));
    kv("每千名学生投诉", internal::RateText(r.rate_per_1000));
  }
  {
    Sheet s = book.Add("分类别", {28, 10, 10, 10});
    s.Title("分类别环比", 4);
    s.Header({"类别", "本期", "上期", "环比"});
    for (const CategoryRow& c : r.categories) {
      s.Text(0, c.label.zh);
      s.Num(1, static_cast<double>(c.current));
      s.Num(2, static_cast<double>(c.previous));
      s.Text(3, internal::ChangeText(c.current, c.previous));
      s.Next();
    }
  }
  {
    std::vector<double> widths = {28};
    widths.resize(r.months.size() + 1, 9);
    Sheet s = book.Add("按月", widths);
    s.Title("按月分布(本期)", static_cast<int>(widths.size()));
    std::vector<std::string> cols = {"类别"};
    cols.insert(cols.end(), r.months.begin(), r.months.end());
    s.Header(cols);
    for (const CategoryRow& c : r.categories) {
      s.Text(0, c.label.zh);
      for (size_t m = 0; m < c.by_month.size(); ++m) s.Num(static_cast<lxw_col_t>(m + 1), static_cast<double>(c.by_month[m]));
      s.Next();
    }
  }
  UnitSheet(book, "分乡镇", "分乡镇(按每千名学生投诉率)", r.townships);
  UnitSheet(book, "分学校", "分学校(按每千名学生投诉率)", r.schools);
  if (r.topic) {
    const TopicSection& t = *r.topic;
    Sheet s = book.Add("专题", {20, 26, 20, 12, 12, 10, 10, 10, 10, 10, 10, 12, 12});
    s.Title("专题:" + t.label.zh, 9);
    s.Header(kCountsHeader);
    CountsRow(s, 0, t.current, t.previous);
    s.Next();
    s.Next();
    s.Header({"月份", "件数"});
    for (size_t m = 0; m < r.months.size() && m < t.by_month.size(); ++m) {
      s.Text(0, r.months[m]);
      s.Num(1, static_cast<double>(t.by_month[m]));
      s.Next();
    }
    s.Next();
    s.Line("满意度回访(1-5 分件数)");
    s.Header({"1 分", "2 分", "3 分", "4 分", "5 分"});
    for (size_t i = 0; i < t.satisfaction_histogram.size(); ++i) {
      s.Num(static_cast<lxw_col_t>(i), static_cast<double>(t.satisfaction_histogram[i]));
    }
    s.Next();
    s.Next();
    s.Line("重复投诉(所重复的事项)");
    RefRows(s, t.repeat_targets, r);
    s.Next();
    s.Line("超期未办结");
    RefRows(s, t.overdue, r);
    UnitSheet(book, "专题-分学校", "专题:" + t.label.zh + "(按学校)", t.by_school);
  }
  {
    Sheet s = book.Add("薄弱环节", {16, 24, 8, 8, 80});
    s.Title("发现的薄弱环节", 5);
    s.Header({"类型", "单位", "本期", "上期", "说明"});
    for (const WeakLink& w : r.weak_links) {
      s.Text(0, internal::WeakLinkKindZh(w.kind));
      s.Text(1, w.org_name);
      s.Num(2, static_cast<double>(w.current));
      s.Num(3, static_cast<double>(w.previous));
      s.Text(4, w.text.zh);
      s.Next();
    }
  }
  {
    Sheet s = book.Add("整改问责建议", {10, 24, 12, 90});
    s.Title("整改与问责建议", 4);
    s.Header({"类型", "责任单位", "期限(工作日)", "内容"});
    for (const Recommendation& rec : r.recommendations) {
      s.Text(0, internal::RecommendationKindZh(rec.kind));
      s.Text(1, rec.org_id ? rec.org_name : std::string("教育局"));
      s.Num(2, rec.due_working_days);
      s.Text(3, rec.text.zh);
      s.Next();
    }
  }
  {
    Sheet s = book.Add("点对点反馈", {24, 10, 10, 10, 10, 90});
    s.Title("点对点反馈", 6);
    s.Header({"单位", "本期", "上期", "超期", "重复", "薄弱环节与整改问责要求"});
    for (const Feedback& f : r.feedback) {
      std::string text;
      for (const WeakLink& w : f.weak_links) text += (text.empty() ? "" : "\n") + std::string("【") + internal::WeakLinkKindZh(w.kind) + "】" + w.text.zh;
      for (const Recommendation& rec : f.recommendations) {
        text += (text.empty() ? "" : "\n") + std::string("【") + internal::RecommendationKindZh(rec.kind) + "】" + rec.text.zh;
      }
      s.Text(0, f.unit.name);
      s.Num(1, static_cast<double>(f.unit.current.received));
      s.Num(2, static_cast<double>(f.unit.previous_received));
      s.Num(3, static_cast<double>(f.unit.current.overdue));
      s.Num(4, static_cast<double>(f.unit.current.repeats));
      s.Text(5, text);
      s.Next();
    }
  }
}

}  // namespace

StatusOr<std::string> ReportXlsx(const ComplaintReport& report) {
  std::string path = (std::filesystem::temp_directory_path() / "edugov-report-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return Status(StatusCode::kUnavailable, "cannot create a temporary file", "无法创建临时文件", "xlsx");
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } cleanup{path};
  lxw_workbook_options opts{};
  const std::string tmp = std::filesystem::temp_directory_path().string();
  opts.tmpdir = const_cast<char*>(tmp.c_str());
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &opts);
  if (!wb) return Status(StatusCode::kUnavailable, "cannot create " + path, "无法创建文件 " + path, "xlsx");
  WriteBook(wb, report);
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    return Status(StatusCode::kUnavailable, std::string("cannot write the workbook: ") + lxw_strerror(err),
                  std::string("无法写入工作簿:") + lxw_strerror(err), "xlsx");
  }
  std::ifstream file(path, std::ios::binary);
  std::stringstream ss;
  ss << file.rdbuf();
  if (!file) return Status(StatusCode::kUnavailable, "cannot read back the workbook", "无法读取生成的工作簿", "xlsx");
  return ss.str();
}

}  // namespace edugov::reports
