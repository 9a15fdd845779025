// The printable report: one self-contained Chinese page laid out for A4, in
// the shape of a bureau's written report (title, distribution, numbered
// sections). Charts are CSS bars with print-color-adjust so they survive
// printing to PDF without JavaScript.
#include <algorithm>
#include <cmath>
#include <string>

#include "reports/internal/text.h"
#include "reports/report_formats.h"

namespace edugov::reports {
namespace {

using internal::AvgText;
using internal::ChangeText;
using internal::RateText;
using internal::SatisfiedText;

std::string Esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string N(int64_t v) { return std::to_string(v); }

constexpr const char* kStyle = R"css(
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
body { font-family: "AR PL UMing CN", "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimSun",
       "Noto Serif CJK SC", serif; font-size: 11pt; line-height: 1.6; color: #111; margin: 0 auto; max-width: 180mm; }
/* Emphasis is set in 黑体 at normal weight, as official documents do. It also
   keeps the PDF small: Chromium embeds a TrueType face once as a subset but
   draws synthetic bold (and any CFF face, such as Noto CJK) as per-page
   Type 3 glyph programs — a 47-page report was 2.3 MB that way. */
h1, h2, h3, th, b, strong, .up { font-weight: normal;
  font-family: "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 20pt; text-align: center; margin: 4mm 0 2mm; letter-spacing: 1px; }
h2 { font-size: 14pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
h3 { font-size: 12pt; margin: 4mm 0 1mm; }
.sub { text-align: center; color: #333; margin: 0; }
.dist { border: 1px solid #555; padding: 2mm 3mm; margin: 3mm 0; font-size: 10.5pt; }
.dist b { display: inline-block; min-width: 3.5em; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; font-size: 10pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #777; padding: 1mm 1.5mm; text-align: center; }
th { background: #e4e9f2; }
td.l { text-align: left; }
.bar { position: relative; height: 9pt; background: #eef0f4; min-width: 30mm; }
.bar span { position: absolute; left: 0; top: 0; bottom: 0; background: #2f5597; }
.bar.prev span { background: #a6a6a6; }
.up { color: #c00000; }
.chart { display: flex; align-items: flex-end; height: 40mm; gap: 1.5mm; border-bottom: 1px solid #555;
         margin: 2mm 0 0; padding: 0 1mm; }
.chart div { flex: 1; background: #2f5597; position: relative; }
.chart div i { position: absolute; top: -12pt; width: 100%; text-align: center; font-style: normal;
               font-size: 8pt; }
.axis { display: flex; gap: 1.5mm; padding: 0 1mm; font-size: 8pt; }
.axis span { flex: 1; text-align: center; }
ol.items li { margin: 1mm 0; }
.tag { display: inline-block; border: 1px solid #555; padding: 0 1mm; font-size: 9pt; margin-right: 1mm; }
.tag.acc { border-color: #c00000; color: #c00000; }
.feedback { page-break-before: always; }
.unit { page-break-inside: avoid; border-top: 1px dashed #999; margin-top: 3mm; padding-top: 1mm; }
.note { font-size: 9pt; color: #444; }
)css";

// A horizontal bar, `value` of `max`.
std::string Bar(int64_t value, int64_t max, bool previous = false) {
  const double pct = max > 0 ? 100.0 * static_cast<double>(value) / static_cast<double>(max) : 0;
  return std::string("<div class=\"bar") + (previous ? " prev" : "") + "\"><span style=\"width:" +
         internal::Fixed(pct, 1) + "%\"></span></div>";
}

std::string BarD(double value, double max) {
  const double pct = max > 0 ? 100.0 * value / max : 0;
  return "<div class=\"bar\"><span style=\"width:" + internal::Fixed(pct, 1) + "%\"></span></div>";
}

// Vertical bars by month.
std::string MonthChart(const std::vector<std::string>& months, const std::vector<int64_t>& values) {
  int64_t max = 1;
  for (int64_t v : values) max = std::max(max, v);
  std::string h = "<div class=\"chart\">";
  for (int64_t v : values) {
    h += "<div style=\"height:" + internal::Fixed(100.0 * static_cast<double>(v) / static_cast<double>(max), 1) +
         "%\"><i>" + N(v) + "</i></div>";
  }
  h += "</div><div class=\"axis\">";
  for (const std::string& m : months) h += "<span>" + Esc(m.substr(2)) + "</span>";
  return h + "</div>";
}

std::string CountsTable(const Counts& c, int64_t previous, int64_t students, const std::optional<double>& rate) {
  std::string h = "<table><tr><th>本期受理</th><th>上期受理</th><th>环比</th><th>重复投诉</th><th>已办结</th>"
                  "<th>在办</th><th>超期</th><th>满意度均分</th><th>满意率</th>";
  if (students > 0) h += "<th>学生数</th><th>每千名学生</th>";
  h += "</tr><tr><td>" + N(c.received) + "</td><td>" + N(previous) + "</td><td" +
       (c.received > previous ? " class=\"up\"" : "") + ">" + ChangeText(c.received, previous) + "</td><td>" +
       N(c.repeats) + "</td><td>" + N(c.closed) + "</td><td>" + N(c.open) + "</td><td" +
       (c.overdue ? " class=\"up\"" : "") + ">" + N(c.overdue) + "</td><td>" + AvgText(c) + "</td><td>" +
       SatisfiedText(c) + "</td>";
  if (students > 0) h += "<td>" + N(students) + "</td><td>" + RateText(rate) + "</td>";
  return h + "</tr></table>";
}

std::string UnitTable(const std::vector<Unit>& units, bool show_township) {
  double max_rate = 0;
  for (const Unit& u : units) max_rate = std::max(max_rate, u.rate_per_1000.value_or(0));
  std::string h = "<table><tr><th>单位</th>";
  if (show_township) h += "<th>所属乡镇</th>";
  h += "<th>学生数</th><th>本期</th><th>上期</th><th>环比</th><th>超期</th><th>满意度</th><th>每千名学生</th>"
       "<th style=\"width:32mm\"></th></tr>";
  for (const Unit& u : units) {
    h += "<tr><td class=\"l\">" + Esc(u.name) + "</td>";
    if (show_township) h += "<td class=\"l\">" + Esc(u.township_name) + "</td>";
    h += "<td>" + N(u.students) + "</td><td>" + N(u.current.received) + "</td><td>" + N(u.previous_received) +
         "</td><td" + (u.current.received > u.previous_received ? " class=\"up\"" : "") + ">" +
         ChangeText(u.current.received, u.previous_received) + "</td><td>" + N(u.current.overdue) + "</td><td>" +
         AvgText(u.current) + "</td><td>" + RateText(u.rate_per_1000) + "</td><td>" +
         BarD(u.rate_per_1000.value_or(0), max_rate) + "</td></tr>";
  }
  return h + "</table>";
}

std::string RefTable(const std::vector<CaseRef>& refs, bool overdue, const ComplaintReport& r) {
  std::string h = "<table><tr><th>编号</th><th>单位</th><th>类别</th><th>受理日期</th>";
  h += overdue ? "<th>办理期限</th><th>超期天数</th></tr>" : "</tr>";
  for (const CaseRef& c : refs) {
    std::string cat = c.category;
    for (const CategoryRow& row : r.categories) {
      if (row.key == c.category) cat = row.label.zh;
    }
    h += "<tr><td>" + Esc(c.ref) + "</td><td class=\"l\">" + Esc(c.org_name) + "</td><td>" + Esc(cat) + "</td><td>" +
         Esc(c.opened_on) + "</td>";
    if (overdue) h += "<td>" + Esc(c.due_on) + "</td><td>" + N(c.days_overdue) + "</td>";
    h += "</tr>";
  }
  return h + "</table>";
}

std::string WeakLinkList(const std::vector<WeakLink>& links) {
  if (links.empty()) return "<p>本期未发现突出的薄弱环节。</p>";
  std::string h = "<ol class=\"items\">";
  for (const WeakLink& w : links) {
    h += "<li><span class=\"tag\">" + std::string(internal::WeakLinkKindZh(w.kind)) + "</span>" + Esc(w.text.zh) + "</li>";
  }
  return h + "</ol>";
}

std::string RecommendationList(const std::vector<Recommendation>& recs) {
  if (recs.empty()) return "<p>本期无须专项整改或问责,继续保持常态化办理。</p>";
  std::string h = "<ol class=\"items\">";
  for (const Recommendation& rec : recs) {
    const bool acc = rec.kind == Recommendation::Kind::kAccountability;
    h += std::string("<li><span class=\"tag") + (acc ? " acc" : "") + "\">" + internal::RecommendationKindZh(rec.kind) +
         "</span>" + Esc(rec.text.zh) + "</li>";
  }
  return h + "</ol>";
}

const char* kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

class Writer {
 public:
  explicit Writer(const ComplaintReport& r) : r_(r) {}

  std::string Page() {
    h_ = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + Esc(r_.title.zh) +
         "</title><style>" + kStyle + "</style></head><body>";
    Header();
    Section("总体情况");
    h_ += CountsTable(r_.current, r_.previous_received, r_.students, r_.rate_per_1000);
    h_ += "<p>" + Esc(Summary()) + "</p>";
    switch (r_.kind) {
      case ReportKind::kRoutine: Routine(); break;
      case ReportKind::kRegional: Regional(); break;
      case ReportKind::kTopical: Topical(); break;
    }
    Section("发现的薄弱环节");
    h_ += WeakLinkList(r_.weak_links);
    Section("整改与问责建议");
    h_ += RecommendationList(r_.recommendations);
    Feedbacks();
    h_ += "<p class=\"note\">说明:本报告由 edugov 依据信访投诉举报案件自动生成;不含投诉人身份及联系方式等保密信息。"
          "受理数含重复投诉;每千名学生投诉率 = 本期受理数 ÷ 在册学生数 × 1000;上升指本期不少于 " +
          N(r_.thresholds.rising_min_count) + " 件且较上期增加 " +
          N(std::llround((r_.thresholds.rising_min_ratio - 1) * 100)) + "% 以上(至少 " +
          N(r_.thresholds.rising_min_increase) + " 件)。</p>";
    h_ += "</body></html>";
    return std::move(h_);
  }

 private:
  void Section(const std::string& title) {
    h_ += "<h2>" + std::string(kNumerals[std::min<size_t>(section_++, 9)]) + "、" + Esc(title) + "</h2>";
  }

  void Header() {
    h_ += "<h1>" + Esc(r_.title.zh) + "</h1>";
    h_ += "<p class=\"sub\">统计期间:" + r_.from.ToString() + " 至 " + r_.to.ToString() + "(上期:" +
          r_.previous_from.ToString() + " 至 " + r_.previous_to.ToString() + ")</p>";
    h_ += "<p class=\"sub\">数据截至:" + Esc(internal::AsOfText(r_.as_of_us)) + "</p>";
    h_ += "<div class=\"dist\">";
    if (r_.county_wide) {
      h_ += "<div><b>报送:</b>";
      for (size_t i = 0; i < r_.send_to.size(); ++i) h_ += (i ? "、" : "") + Esc(r_.send_to[i].zh);
      h_ += "</div><div><b>抄送:</b>";
      for (size_t i = 0; i < r_.copy_to.size(); ++i) h_ += (i ? "、" : "") + Esc(r_.copy_to[i].zh);
      h_ += "</div><div><b>反馈:</b>各乡镇中心学校、各学校(点对点反馈,各单位仅收到本单位部分,见第" +
            std::string(kNumerals[FeedbackSectionIndex()]) + "部分)</div>";
    } else {
      h_ += "<div><b>点对点反馈:</b>" + Esc(r_.scope_name) + "(本报告仅含本单位部分)</div>";
    }
    h_ += "</div>";
  }

  size_t FeedbackSectionIndex() const {
    // 总体, kind sections, 薄弱环节, 建议, then feedback.
    size_t kind_sections = r_.kind == ReportKind::kRoutine ? 2 : r_.kind == ReportKind::kRegional ? 2 : 1;
    return std::min<size_t>(1 + kind_sections + 2, 9);
  }

  std::string Summary() const {
    std::string s = r_.scope_name + "本期共受理信访投诉举报 " + N(r_.current.received) + " 件,上期 " +
                    N(r_.previous_received) + " 件,环比" + ChangeText(r_.current.received, r_.previous_received) +
                    ";其中重复投诉 " + N(r_.current.repeats) + " 件,已办结 " + N(r_.current.closed) + " 件,在办 " +
                    N(r_.current.open) + " 件,超期 " + N(r_.current.overdue) + " 件。";
    if (!r_.categories.empty() && r_.categories.front().current > 0) {
      s += "投诉最多的类别为“" + r_.categories.front().label.zh + "”(" + N(r_.categories.front().current) + " 件)。";
    }
    if (r_.current.rated) s += "回访满意度均分 " + AvgText(r_.current) + ",满意率 " + SatisfiedText(r_.current) + "。";
    return s;
  }

  void Routine() {
    Section("分类别环比分析");
    int64_t max = 1;
    for (const CategoryRow& c : r_.categories) max = std::max({max, c.current, c.previous});
    h_ += "<table><tr><th>类别</th><th>本期</th><th>上期</th><th>环比</th><th style=\"width:45mm\">本期/上期</th></tr>";
    for (const CategoryRow& c : r_.categories) {
      h_ += "<tr><td class=\"l\">" + Esc(c.label.zh) + "</td><td>" + N(c.current) + "</td><td>" + N(c.previous) +
            "</td><td" + (c.current > c.previous ? " class=\"up\"" : "") + ">" + ChangeText(c.current, c.previous) +
            "</td><td>" + Bar(c.current, max) + Bar(c.previous, max, true) + "</td></tr>";
    }
    h_ += "</table>";
    Section("按月分布");
    std::vector<int64_t> totals(r_.months.size(), 0);
    for (const CategoryRow& c : r_.categories) {
      for (size_t m = 0; m < totals.size() && m < c.by_month.size(); ++m) totals[m] += c.by_month[m];
    }
    h_ += MonthChart(r_.months, totals);
    h_ += "<table><tr><th>类别</th>";
    for (const std::string& m : r_.months) h_ += "<th>" + Esc(m.substr(5)) + "月</th>";
    h_ += "</tr>";
    for (const CategoryRow& c : r_.categories) {
      if (c.current == 0) continue;
      h_ += "<tr><td class=\"l\">" + Esc(c.label.zh) + "</td>";
      for (int64_t v : c.by_month) h_ += "<td>" + (v ? N(v) : std::string()) + "</td>";
      h_ += "</tr>";
    }
    h_ += "<tr><th>合计</th>";
    for (int64_t v : totals) h_ += "<th>" + N(v) + "</th>";
    h_ += "</tr></table>";
  }

  void Regional() {
    Section("分乡镇分析");
    if (r_.townships.empty()) {
      h_ += "<p>本范围内无乡镇。</p>";
    } else {
      h_ += UnitTable(r_.townships, false);
    }
    Section("分学校分析");
    if (r_.schools.empty()) {
      h_ += "<p>本期及上期均无投诉。</p>";
    } else {
      h_ += UnitTable(r_.schools, true);
    }
  }

  void Topical() {
    const TopicSection& t = *r_.topic;
    Section("专题:" + t.label.zh);
    h_ += CountsTable(t.current, t.previous, 0, std::nullopt);
    h_ += "<h3>按月分布</h3>" + MonthChart(r_.months, t.by_month);
    h_ += "<h3>按学校</h3>";
    h_ += t.by_school.empty() ? "<p>本期无此类投诉。</p>" : UnitTable(t.by_school, true);
    h_ += "<h3>重复投诉</h3>";
    h_ += t.repeat_targets.empty() ? "<p>无。</p>" : RefTable(t.repeat_targets, false, r_);
    h_ += "<h3>超期未办结</h3>";
    h_ += t.overdue.empty() ? "<p>无。</p>" : RefTable(t.overdue, true, r_);
    h_ += "<h3>满意度回访</h3><table><tr><th>评分</th>";
    int64_t max = 1;
    for (int64_t v : t.satisfaction_histogram) max = std::max(max, v);
    for (int i = 1; i <= 5; ++i) h_ += "<th>" + N(i) + " 分</th>";
    h_ += "</tr><tr><td>件数</td>";
    for (int64_t v : t.satisfaction_histogram) h_ += "<td>" + N(v) + Bar(v, max) + "</td>";
    h_ += "</tr></table>";
  }

  void Feedbacks() {
    h_ += "<div class=\"feedback\">";
    Section("点对点反馈");
    if (r_.feedback.empty()) h_ += "<p>本期无须向各单位反馈的事项。</p>";
    for (const Feedback& f : r_.feedback) {
      h_ += "<div class=\"unit\"><h3>" + Esc(f.unit.name) + "</h3>";
      h_ += CountsTable(f.unit.current, f.unit.previous_received, f.unit.students, f.unit.rate_per_1000);
      if (!f.weak_links.empty()) h_ += "<p><b>薄弱环节</b></p>" + WeakLinkList(f.weak_links);
      if (!f.recommendations.empty()) h_ += "<p><b>整改与问责要求</b></p>" + RecommendationList(f.recommendations);
      h_ += "</div>";
    }
    h_ += "</div>";
  }

  const ComplaintReport& r_;
  std::string h_;
  size_t section_ = 0;
};

}  // namespace

std::string ReportHtml(const ComplaintReport& report) { return Writer(report).Page(); }

}  // namespace edugov::reports
