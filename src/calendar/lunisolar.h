// The Chinese lunisolar calendar's dates that China's statutory holidays hang
// on — 春节 (正月初一) and 除夕, 端午 (五月初五), 中秋 (八月十五) and the 清明
// solar term — COMPUTED from the sun and the moon, not tabulated, so that a
// year without a published State Council notice still gets its festivals
// (working_calendar.h, "provisional years").
//
//   LunarYear y = ComputeLunarYear(2027);
//   y.new_year;   // 2027-02-06 (正月初一)
//   SolarTermDate(2027, 15);  // 清明: 2027-04-05
//
// How (docs/calendar.md, "The algorithm"): new moons from Meeus, Astronomical
// Algorithms ch. 49 (with the planetary corrections; error well under a
// minute), the sun's apparent longitude from Meeus ch. 25 (low precision,
// ~0.01°, i.e. a solar term's instant to within ~15 minutes), both in
// Terrestrial Time and converted with ΔT (Espenak–Meeus polynomials), then
// taken as dates in China Standard Time (UTC+8), as GB/T 33661-2017 《农历的编算
// 和颁行》 prescribes. Months are numbered by the rules of that standard: the
// month containing the winter solstice is the 11th; a 岁 (solstice to
// solstice) with 13 months has a leap month, the first one containing no
// principal term (中气). Verified in lunisolar_test.cc against published dates
// 2020–2035 (春节, 清明) and the 2025/2026 notices; the formulas are good for
// centuries around 2000, but the dates are only promised for the tested range
// and the calendar uses them for 2025–2099 (working_calendar.h).
#pragma once

#include "common/date.h"

namespace edugov::calendar {

// A Gregorian year's festivals of the lunar year that starts in it.
struct LunarYear {
  Date new_year;      // 正月初一 (春节); 除夕 is the day before
  Date dragon_boat;   // 五月初五 (端午)
  Date mid_autumn;    // 八月十五 (中秋)
  int leap_month = 0; // the leap month of the 岁 ending at this year's winter solstice, 0 if none
};

// Requires 1900 <= year <= 2200 (outside it ΔT is a guess).
LunarYear ComputeLunarYear(int year);

// The China Standard Time date on which the sun's apparent ecliptic longitude
// reaches `longitude_deg` (a multiple of 15: the 24 solar terms) in `year`.
// 清明 is 15, the winter solstice 270.
Date SolarTermDate(int year, int longitude_deg);

// The lower-level pieces, exposed for the tests.
namespace astro {
// Julian Ephemeris Day (TT) of the new moon with Meeus's lunation number k
// (k = 0 is the new moon of 2000-01-06).
double NewMoonJde(int k);
// The sun's apparent geometric longitude in degrees [0, 360) at `jde` (TT).
double SunApparentLongitude(double jde);
// ΔT = TT − UT in seconds for a decimal year.
double DeltaTSeconds(double decimal_year);
// The China Standard Time date of an instant given as JDE (TT).
Date ChinaDateOfJde(double jde);
}  // namespace astro

}  // namespace edugov::calendar
