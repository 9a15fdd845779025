// The provisional (Hunan) semester rule: it must reproduce the semesters the
// Anhua pack declares for 2025, and give plausible ones for later years,
// early and late Spring Festivals alike.
#include "calendar/school_semesters.h"

#include <gtest/gtest.h>

namespace edugov::calendar {
namespace {

std::string Span(const SchoolSemester& s) { return s.name + " " + s.from.ToString() + ".." + s.to.ToString(); }

TEST(SchoolSemesters, ReproducesTheDeclared2025Semesters) {
  // Spring Festival 2025-01-29 (early), 2026-02-17 (late).
  EXPECT_EQ(Span(HunanSpring(2025)), "2025-spring 2025-02-17..2025-07-05");
  EXPECT_EQ(Span(HunanAutumn(2025)), "2025-autumn 2025-09-01..2026-01-23");
}

TEST(SchoolSemesters, SchoolYear2026To2027) {
  // After a late Spring Festival (2026-02-17) spring still opens on the
  // first Monday of March; 2027's Spring Festival is 2027-02-06 (a Saturday).
  EXPECT_EQ(Span(HunanSpring(2026)), "2026-spring 2026-03-02..2026-07-04");
  EXPECT_EQ(Span(HunanAutumn(2026)), "2026-autumn 2026-09-01..2027-01-22");
  EXPECT_EQ(Span(HunanSpring(2027)), "2027-spring 2027-02-22..2027-07-03");
  EXPECT_TRUE(HunanAutumn(2026).provisional);
}

TEST(SchoolSemesters, EarlyAndLateSpringFestival) {
  // 2028-01-26, early: the autumn semester ends ten days before the festival
  // week's Monday (2028-01-24), not on the late-January Friday (01-21).
  EXPECT_EQ(Span(HunanAutumn(2027)), "2027-autumn 2027-09-01..2028-01-14");
  EXPECT_EQ(Span(HunanSpring(2028)), "2028-spring 2028-02-14..2028-07-01");
  // 2029-02-13, late: the autumn semester ends on the Friday in 20–26
  // January; spring opens on the first Monday of March.
  EXPECT_EQ(Span(HunanAutumn(2028)), "2028-autumn 2028-09-01..2029-01-26");
  EXPECT_EQ(Span(HunanSpring(2029)), "2029-spring 2029-03-05..2029-07-07");
  // A 1 September on a Sunday (2024 would be; 2030 is too) still names the
  // 1st: the weekend is no school day, so school opens on Monday the 2nd.
  EXPECT_EQ(HunanAutumn(2030).from.ToString(), "2030-09-01");
  EXPECT_EQ(HunanAutumn(2030).from.IsoWeekday(), 7);
}

TEST(SchoolSemesters, ProvisionalOnesFollowTheDeclared) {
  std::vector<SchoolSemester> declared = {
      {"2025-spring", Date::FromYmd(2025, 2, 17), Date::FromYmd(2025, 7, 5), false},
      {"2025-autumn", Date::FromYmd(2025, 9, 1), Date::FromYmd(2026, 1, 23), false}};
  const auto none = WithProvisionalSemesters(declared, ProvisionalRule::kNone);
  EXPECT_EQ(none.size(), 2u);
  const auto all = WithProvisionalSemesters(declared, ProvisionalRule::kHunan);
  ASSERT_GT(all.size(), 4u);
  EXPECT_FALSE(all[1].provisional);
  EXPECT_EQ(Span(all[2]), "2026-spring 2026-03-02..2026-07-04");
  EXPECT_TRUE(all[2].provisional);
  EXPECT_EQ(Span(all[3]), "2026-autumn 2026-09-01..2027-01-22");
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].to, all[i].from) << Span(all[i]);
  EXPECT_LE(all.back().to.year(), 2099);
  EXPECT_TRUE(WithProvisionalSemesters({}, ProvisionalRule::kHunan).empty());
  ProvisionalRule r = ProvisionalRule::kNone;
  EXPECT_TRUE(ParseProvisionalRule("hunan", &r));
  EXPECT_EQ(r, ProvisionalRule::kHunan);
  EXPECT_FALSE(ParseProvisionalRule("guangdong", &r));
}

}  // namespace
}  // namespace edugov::calendar
