// Printed PDFs kept by the HTML they were printed from, so the same report
// over unchanged data is a memory read instead of seconds of Chromium.
//
//   static reports::PdfCache cache({.max_bytes = 64 << 20});
//   ASSIGN_OR_RETURN(reports::PdfCache::Printed p, cache.Print(reports::ReportHtml(report)));
//   resp.body = *p.pdf;   // p.source: kPrinted, kCached or kJoined
//
// Why the key is the page itself and not (kind, period, scope, a data
// version): the HTML is a pure function of the report, and the report of
// the data and the request (complaint_analysis.h), so equal HTML is the one
// and only condition under which the PDF bytes are the same. Every input
// that changes the bytes — cases written by this process, by `edugov` from
// cron or straight into the database, a registry edit, the caller's scope,
// the period, the as-of instant, the labels of the case type — changes the
// HTML, so no invalidation signal can be forgotten and none needs to cross
// processes: the caller runs the analysis (tens of ms) each time, only the
// print is saved. Nor can a report reach another subtree: a hit hands out
// exactly the bytes the caller's own page would print to (its scope's name
// and figures are on the page). Lookups compare the whole page, not a hash.
//
// Bounded: least recently used entries go once the PDFs and their pages
// exceed max_bytes; a PDF larger than the bound on its own is not kept.
// Errors are never kept. Concurrent requests for the same page share one
// print (the later ones wait for it and get its result, kJoined).
// Thread-safe. The printer must be a pure function of the page for the
// lifetime of the cache (the same browser and fonts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace edugov::reports {

class PdfCache {
 public:
  using Printer = std::function<StatusOr<std::string>(const std::string& html)>;

  struct Options {
    // PDFs plus the pages they came from; 0 keeps nothing (every call
    // prints, concurrent calls for the same page still share one print).
    size_t max_bytes = 64 << 20;
    // Empty: HtmlToPdf with default PdfOptions (report_formats.h).
    Printer printer;
  };

  enum class Source { kPrinted, kCached, kJoined };
  struct Printed {
    std::shared_ptr<const std::string> pdf;
    Source source = Source::kPrinted;
  };

  struct Stats {
    int64_t printed = 0, cached = 0, joined = 0, evicted = 0;
    size_t entries = 0, bytes = 0;
  };

  explicit PdfCache(Options options);
  PdfCache(const PdfCache&) = delete;
  PdfCache& operator=(const PdfCache&) = delete;

  // The PDF of `html`: from memory when printed before and still kept,
  // else printed (or joined to a print of the same page under way). The
  // printer's error as is when the print fails.
  StatusOr<Printed> Print(const std::string& html);

  Stats stats() const;

 private:
  struct Entry {
    std::string html;  // the key; index_ views it (list nodes never move)
    std::shared_ptr<const std::string> pdf;
    size_t Bytes() const { return html.size() + pdf->size(); }
  };
  struct Flight;
  void InsertLocked(const std::string& html, std::shared_ptr<const std::string> pdf);

  const size_t max_bytes_;
  const Printer printer_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views Entry::html
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;   // prints under way
  Stats stats_;
};

std::string_view PdfSourceName(PdfCache::Source source);  // "miss", "hit", "joined"

}  // namespace edugov::reports
