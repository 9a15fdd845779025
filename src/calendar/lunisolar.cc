#include "calendar/lunisolar.h"

#include <cassert>
#include <cmath>
#include <vector>

namespace edugov::calendar {
namespace astro {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kJdUnixEpoch = 2440587.5;  // 1970-01-01T00:00Z
constexpr double kJ2000 = 2451545.0;
constexpr double kSynodicMonth = 29.530588861;

double Rad(double deg) { return deg * kPi / 180.0; }
double SinD(double deg) { return std::sin(Rad(deg)); }

double Normalize360(double deg) {
  deg = std::fmod(deg, 360.0);
  return deg < 0 ? deg + 360.0 : deg;
}

}  // namespace

double NewMoonJde(int k_int) {
  // Meeus, Astronomical Algorithms (2nd ed.), ch. 49, new moon (phase 0).
  const double k = k_int;
  const double t = k / 1236.85;
  const double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
  double jde = 2451550.09766 + kSynodicMonth * k + 0.00015437 * t2 - 0.000000150 * t3 +
               0.00000000073 * t4;
  const double e = 1 - 0.002516 * t - 0.0000074 * t2;
  const double m = 2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3;
  const double mp = 201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 -
                    0.000000058 * t4;
  const double f = 160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 +
                   0.000000011 * t4;
  const double om = 124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3;
  jde += -0.40720 * SinD(mp) + 0.17241 * e * SinD(m) + 0.01608 * SinD(2 * mp) +
         0.01039 * SinD(2 * f) + 0.00739 * e * SinD(mp - m) - 0.00514 * e * SinD(mp + m) +
         0.00208 * e * e * SinD(2 * m) - 0.00111 * SinD(mp - 2 * f) -
         0.00057 * SinD(mp + 2 * f) + 0.00056 * e * SinD(2 * mp + m) - 0.00042 * SinD(3 * mp) +
         0.00042 * e * SinD(m + 2 * f) + 0.00038 * e * SinD(m - 2 * f) -
         0.00024 * e * SinD(2 * mp - m) - 0.00017 * SinD(om) - 0.00007 * SinD(mp + 2 * m) +
         0.00004 * SinD(2 * mp - 2 * f) + 0.00004 * SinD(3 * m) +
         0.00003 * SinD(mp + m - 2 * f) + 0.00003 * SinD(2 * mp + 2 * f) -
         0.00003 * SinD(mp + m + 2 * f) + 0.00003 * SinD(mp - m + 2 * f) -
         0.00002 * SinD(mp - m - 2 * f) - 0.00002 * SinD(3 * mp + m) + 0.00002 * SinD(4 * mp);
  // The planetary arguments A1..A14 and their coefficients.
  const double a[14] = {299.77 + 0.107408 * k - 0.009173 * t2,
                        251.88 + 0.016321 * k,
                        251.83 + 26.651886 * k,
                        349.42 + 36.412478 * k,
                        84.66 + 18.206239 * k,
                        141.74 + 53.303771 * k,
                        207.14 + 2.453732 * k,
                        154.84 + 7.306860 * k,
                        34.52 + 27.261239 * k,
                        207.19 + 0.121824 * k,
                        291.34 + 1.844379 * k,
                        161.72 + 24.198154 * k,
                        239.56 + 25.513099 * k,
                        331.55 + 3.592518 * k};
  const double c[14] = {0.000325, 0.000165, 0.000164, 0.000126, 0.000110, 0.000062, 0.000060,
                        0.000056, 0.000047, 0.000042, 0.000040, 0.000037, 0.000035, 0.000023};
  for (int i = 0; i < 14; ++i) jde += c[i] * SinD(a[i]);
  return jde;
}

double SunApparentLongitude(double jde) {
  // Meeus ch. 25, "low accuracy" (~0.01°): mean longitude plus the equation
  // of the centre, then aberration and the main term of nutation.
  const double t = (jde - kJ2000) / 36525.0;
  const double l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t;
  const double m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t;
  const double c = (1.914602 - 0.004817 * t - 0.000014 * t * t) * SinD(m) +
                   (0.019993 - 0.000101 * t) * SinD(2 * m) + 0.000289 * SinD(3 * m);
  const double omega = 125.04 - 1934.136 * t;
  return Normalize360(l0 + c - 0.00569 - 0.00478 * SinD(omega));
}

double DeltaTSeconds(double y) {
  // Espenak & Meeus, "Polynomial expressions for Delta T" (NASA, 2006).
  if (y < 1986) {  // 1961..1986 branch is enough for what we ask of it
    const double t = y - 1975;
    return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
  }
  if (y < 2005) {
    const double t = y - 2000;
    return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t +
           0.000651814 * t * t * t * t + 0.00002373599 * t * t * t * t * t;
  }
  if (y < 2050) {
    const double t = y - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t * t;
  }
  if (y < 2150) {
    const double u = (y - 1820) / 100;
    return -20 + 32 * u * u - 0.5628 * (2150 - y);
  }
  const double u = (y - 1820) / 100;
  return -20 + 32 * u * u;
}

Date ChinaDateOfJde(double jde) {
  const double decimal_year = 2000.0 + (jde - kJ2000) / 365.25;
  const double jd_ut = jde - DeltaTSeconds(decimal_year) / 86400.0;
  const double days = jd_ut - kJdUnixEpoch + 8.0 / 24.0;  // UTC+8
  return Date::FromDaysSinceEpoch(static_cast<int32_t>(std::floor(days)));
}

}  // namespace astro

namespace {

using astro::ChinaDateOfJde;
using astro::NewMoonJde;

// The JDE at which the sun's apparent longitude is `deg`, nearest `guess`.
double SolarLongitudeJde(double deg, double guess) {
  double jde = guess;
  for (int i = 0; i < 50; ++i) {
    double diff = deg - astro::SunApparentLongitude(jde);
    diff = std::remainder(diff, 360.0);  // into [-180, 180]
    // The sun moves ~0.9856° a day; the step converges in a few rounds.
    const double step = diff * 365.2422 / 360.0;
    jde += step;
    if (std::fabs(step) < 1e-7) break;
  }
  return jde;
}

double JdOfDate(Date d) { return d.DaysSinceEpoch() + 2440587.5; }

// The JDE of the winter solstice (270°) in December of `year`.
double WinterSolsticeJde(int year) {
  return SolarLongitudeJde(270, JdOfDate(Date::FromYmd(year, 12, 21)));
}

// The lunation number of the last new moon whose China date is <= `d`.
int NewMoonOnOrBefore(Date d) {
  int k = static_cast<int>(std::floor((JdOfDate(d) - 2451550.09766) / 29.530588861));
  while (ChinaDateOfJde(NewMoonJde(k + 1)) <= d) ++k;
  while (ChinaDateOfJde(NewMoonJde(k)) > d) --k;
  return k;
}

}  // namespace

Date SolarTermDate(int year, int longitude_deg) {
  // Longitude 0 (春分) is about 20 March; the terms follow every ~15.2 days.
  const double guess = JdOfDate(Date::FromYmd(year, 3, 20)) +
                       std::fmod(longitude_deg + 360.0, 360.0) * 365.2422 / 360.0 -
                       (longitude_deg >= 285 ? 365.2422 : 0.0);  // 小寒, 大寒 come in January
  return ChinaDateOfJde(SolarLongitudeJde(longitude_deg, guess));
}

LunarYear ComputeLunarYear(int year) {
  assert(year >= 1900 && year <= 2200);
  // The 岁 from the winter solstice of year-1 to that of year. Month 11 is
  // the month (new moon to new moon, by China date) containing a solstice.
  const double s1 = WinterSolsticeJde(year - 1), s2 = WinterSolsticeJde(year);
  const int k11 = NewMoonOnOrBefore(ChinaDateOfJde(s1));
  const int k11_next = NewMoonOnOrBefore(ChinaDateOfJde(s2));
  const int months = k11_next - k11;  // 12, or 13 with a leap month
  std::vector<Date> starts;
  for (int i = 0; i <= months; ++i) starts.push_back(ChinaDateOfJde(NewMoonJde(k11 + i)));

  // With 13 months, the first month after month 11 without a principal term
  // (中气: a multiple of 30° of the sun's longitude) is the leap month.
  int leap_index = -1;
  if (months == 13) {
    std::vector<Date> zhongqi;  // 大寒 (300°) through the next solstice
    for (int j = 1; j <= 12; ++j) {
      zhongqi.push_back(ChinaDateOfJde(SolarLongitudeJde(
          std::fmod(270.0 + 30.0 * j, 360.0), s1 + j * 365.2422 / 12.0)));
    }
    for (int i = 1; i < months && leap_index < 0; ++i) {
      bool has = false;
      for (Date z : zhongqi) has = has || (z >= starts[i] && z < starts[i + 1]);
      if (!has) leap_index = i;
    }
  }

  LunarYear out;
  int number = 11;
  for (int i = 0; i < months; ++i) {
    if (i > 0 && i != leap_index) number = number % 12 + 1;
    if (i == leap_index) {
      out.leap_month = number;
      continue;
    }
    if (number == 1 && out.new_year == Date()) out.new_year = starts[i];
    if (number == 5 && out.new_year != Date()) out.dragon_boat = starts[i].AddDays(4);
    if (number == 8 && out.new_year != Date()) out.mid_autumn = starts[i].AddDays(14);
  }
  return out;
}

}  // namespace edugov::calendar
