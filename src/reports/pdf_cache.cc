#include "reports/pdf_cache.h"

#include <exception>
#include <future>
#include <string_view>
#include <utility>

#include "reports/report_formats.h"

namespace edugov::reports {

struct PdfCache::Flight {
  std::promise<StatusOr<std::shared_ptr<const std::string>>> done;
  std::shared_future<StatusOr<std::shared_ptr<const std::string>>> result = done.get_future().share();
};

PdfCache::PdfCache(Options options)
    : max_bytes_(options.max_bytes),
      printer_(options.printer ? std::move(options.printer)
                               : Printer([](const std::string& html) { return HtmlToPdf(html); })) {}

StatusOr<PdfCache::Printed> PdfCache::Print(const std::string& html) {
  std::shared_ptr<Flight> flight;
  bool mine = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(std::string_view(html)); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++stats_.cached;
      return Printed{it->second->pdf, Source::kCached};
    }
    auto [f, inserted] = flights_.try_emplace(html);
    if (inserted) f->second = std::make_shared<Flight>();
    flight = f->second;
    mine = inserted;
  }
  if (!mine) {
    // Someone is printing this very page: wait for theirs rather than start
    // a second browser on the same bytes.
    const auto& r = flight->result.get();
    if (!r.ok()) return r.status();
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.joined;
    return Printed{*r, Source::kJoined};
  }

  // Whatever happens, the flight must land: joiners are waiting on it.
  StatusOr<std::string> printed = Status(StatusCode::kInternal, "the PDF print failed", "PDF 打印失败", "format");
  try {
    printed = printer_(html);
  } catch (const std::exception& e) {
    printed = Status(StatusCode::kInternal, std::string("the PDF print failed: ") + e.what(),
                     std::string("PDF 打印失败:") + e.what(), "format");
  }
  StatusOr<std::shared_ptr<const std::string>> result =
      printed.ok() ? StatusOr<std::shared_ptr<const std::string>>(
                         std::make_shared<const std::string>(std::move(*printed)))
                   : StatusOr<std::shared_ptr<const std::string>>(printed.status());
  {
    std::lock_guard<std::mutex> lock(mu_);
    flights_.erase(html);
    ++stats_.printed;
    if (result.ok()) InsertLocked(html, *result);
  }
  // After the flight left the map: a caller arriving now finds the entry
  // (or, after an error, starts a print of its own).
  flight->done.set_value(result);
  if (!result.ok()) return result.status();
  return Printed{*result, Source::kPrinted};
}

void PdfCache::InsertLocked(const std::string& html, std::shared_ptr<const std::string> pdf) {
  Entry entry{html, std::move(pdf)};
  const size_t bytes = entry.Bytes();
  if (bytes > max_bytes_) return;
  while (!lru_.empty() && stats_.bytes + bytes > max_bytes_) {
    stats_.bytes -= lru_.back().Bytes();
    index_.erase(std::string_view(lru_.back().html));
    lru_.pop_back();
    ++stats_.evicted;
  }
  lru_.push_front(std::move(entry));
  index_.emplace(std::string_view(lru_.front().html), lru_.begin());
  stats_.bytes += bytes;
  stats_.entries = lru_.size();
}

PdfCache::Stats PdfCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

std::string_view PdfSourceName(PdfCache::Source source) {
  switch (source) {
    case PdfCache::Source::kPrinted: return "miss";
    case PdfCache::Source::kCached: return "hit";
    case PdfCache::Source::kJoined: return "joined";
  }
  return "miss";
}

}  // namespace edugov::reports
