// The report as JSON: every figure, for the UI's charts and for scripts.
#include "reports/internal/text.h"
#include "reports/report_formats.h"

namespace edugov::reports {
namespace {

using nlohmann::json;

json BilingualJson(const Bilingual& b) { return {{"zh", b.zh}, {"en", b.en}}; }

json CountsJson(const Counts& c) {
  return {{"received", c.received}, {"repeats", c.repeats}, {"closed", c.closed}, {"open", c.open},
          {"overdue", c.overdue}, {"rated", c.rated}, {"satisfied", c.satisfied},
          {"satisfaction_avg", c.rated ? json(c.satisfaction_avg) : json()}};
}

json UnitJson(const Unit& u) {
  return {{"org_id", u.org_id ? json(u.org_id) : json()},
          {"name", u.name},
          {"kind", u.kind},
          {"township", u.township_id ? json{{"id", u.township_id}, {"name", u.township_name}} : json()},
          {"students", u.students},
          {"current", CountsJson(u.current)},
          {"previous_received", u.previous_received},
          {"rate_per_1000", u.rate_per_1000 ? json(*u.rate_per_1000) : json()}};
}

json RefJson(const CaseRef& c) {
  return {{"id", c.id},           {"ref", c.ref},       {"category", c.category},
          {"org_id", c.org_id},   {"org_name", c.org_name}, {"township_id", c.township_id},
          {"opened_on", c.opened_on}, {"due_on", c.due_on}, {"days_overdue", c.days_overdue}};
}

json WeakLinkJson(const WeakLink& w) {
  return {{"kind", internal::WeakLinkKindKey(w.kind)},
          {"org_id", w.org_id ? json(w.org_id) : json()},
          {"org_name", w.org_name},
          {"township_id", w.township_id ? json(w.township_id) : json()},
          {"category", w.category},
          {"current", w.current},
          {"previous", w.previous},
          {"refs", w.refs},
          {"text", BilingualJson(w.text)}};
}

json RecommendationJson(const Recommendation& r) {
  return {{"kind", internal::RecommendationKindKey(r.kind)},
          {"org_id", r.org_id ? json(r.org_id) : json()},
          {"org_name", r.org_name},
          {"township_id", r.township_id ? json(r.township_id) : json()},
          {"due_working_days", r.due_working_days},
          {"text", BilingualJson(r.text)}};
}

template <typename T, typename F>
json Array(const std::vector<T>& v, F f) {
  json a = json::array();
  for (const T& x : v) a.push_back(f(x));
  return a;
}

}  // namespace

json ReportJson(const ComplaintReport& r) {
  json j = {
      {"kind", ReportKindName(r.kind)},
      {"title", BilingualJson(r.title)},
      {"period", {{"from", r.from.ToString()}, {"to", r.to.ToString()}}},
      {"previous_period", {{"from", r.previous_from.ToString()}, {"to", r.previous_to.ToString()}}},
      {"as_of", internal::AsOfText(r.as_of_us)},
      {"scope", {{"org_id", r.scope_org_id}, {"name", r.scope_name}, {"kind", r.scope_kind}, {"county_wide", r.county_wide}}},
      {"distribution", {{"to", Array(r.send_to, BilingualJson)}, {"cc", Array(r.copy_to, BilingualJson)}}},
      {"current", CountsJson(r.current)},
      {"previous_received", r.previous_received},
      {"students", r.students},
      {"rate_per_1000", r.rate_per_1000 ? json(*r.rate_per_1000) : json()},
      {"months", r.months},
      {"categories", Array(r.categories, [](const CategoryRow& c) {
         return json{{"key", c.key}, {"label", BilingualJson(c.label)}, {"current", c.current},
                     {"previous", c.previous}, {"by_month", c.by_month}};
       })},
      {"townships", Array(r.townships, UnitJson)},
      {"schools", Array(r.schools, UnitJson)},
      {"weak_links", Array(r.weak_links, WeakLinkJson)},
      {"recommendations", Array(r.recommendations, RecommendationJson)},
      {"feedback", Array(r.feedback, [](const Feedback& f) {
         return json{{"unit", UnitJson(f.unit)},
                     {"weak_links", Array(f.weak_links, WeakLinkJson)},
                     {"recommendations", Array(f.recommendations, RecommendationJson)}};
       })},
  };
  if (r.topic) {
    const TopicSection& t = *r.topic;
    j["topic"] = {{"key", t.key},
                  {"label", BilingualJson(t.label)},
                  {"current", CountsJson(t.current)},
                  {"previous", t.previous},
                  {"by_month", t.by_month},
                  {"by_school", Array(t.by_school, UnitJson)},
                  {"repeat_targets", Array(t.repeat_targets, RefJson)},
                  {"overdue", Array(t.overdue, RefJson)},
                  {"satisfaction_histogram", t.satisfaction_histogram}};
  } else {
    j["topic"] = nullptr;
  }
  return j;
}

}  // namespace edugov::reports
