#include "registry/internal/csv.h"

#include "tabular/csv_reader.h"

namespace edugov::registry::internal {

// One CSV reader for the whole project: the registry reads its files with
// src/tabular, which also decodes GBK/GB18030 and UTF-16 exports and detects
// ';' and tab delimiters. The registry needs the whole file in memory anyway
// (an all-or-nothing import reports every bad row), so this copies the rows.
StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  ASSIGN_OR_RETURN(std::unique_ptr<tabular::CsvSource> source,
                   tabular::OpenCsvBytes(std::string(text)));
  std::vector<CsvRecord> out;
  out.push_back({static_cast<int>(source->header_row_number()), source->header()});
  tabular::Row row;
  while (true) {
    ASSIGN_OR_RETURN(bool more, source->Next(row));
    if (!more) break;
    CsvRecord rec;
    rec.row = static_cast<int>(row.number);
    rec.fields.reserve(row.cells.size());
    for (std::string_view cell : row.cells) rec.fields.emplace_back(cell);
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace edugov::registry::internal
