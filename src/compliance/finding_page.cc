#include "compliance/finding_page.h"

#include <set>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "compliance/service.h"
#include "datasets/store.h"
#include "registry/registry.h"

namespace edugov::compliance {
namespace {

// Names of referenced registry rows by id: a class as "school class", an
// org or a staff member by name.
StatusOr<std::map<int64_t, std::string>> RefLabels(storage::Connection& conn, datasets::RefKind kind,
                                                   const std::set<int64_t>& ids) {
  switch (kind) {
    case datasets::RefKind::kClass: {
      ASSIGN_OR_RETURN(auto classes, registry::ClassNames(conn, ids));
      std::map<int64_t, std::string> out;
      for (const auto& [id, c] : classes) out[id] = c.school_name + " " + c.name;
      return out;
    }
    case datasets::RefKind::kStaff: return registry::StaffNames(conn, ids);
    default: return registry::OrgNames(conn, ids);
  }
}

// The stored evidence's dataset and row ids ({dataset, row_ids, …} as the
// sweep saved it); anything else in it is the handler's to pass on.
struct EvidenceRef {
  std::string dataset;
  std::vector<int64_t> row_ids;
};
EvidenceRef ParseEvidenceRef(const std::string& evidence_json) {
  EvidenceRef ref;
  const nlohmann::json e = nlohmann::json::parse(evidence_json, nullptr, /*allow_exceptions=*/false);
  if (!e.is_object()) return ref;
  if (auto d = e.find("dataset"); d != e.end() && d->is_string()) ref.dataset = d->get<std::string>();
  if (auto ids = e.find("row_ids"); ids != e.end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_number_integer()) ref.row_ids.push_back(id.get<int64_t>());
    }
  }
  return ref;
}

StatusOr<EvidenceRows> ReadEvidence(storage::Connection& conn, const rules::bound::Pack& pack,
                                    const accounts::Principal& p, const std::string& evidence_json) {
  EvidenceRows out;
  const EvidenceRef ref = ParseEvidenceRef(evidence_json);
  for (const auto& s : pack.datasets) {
    if (s.name == ref.dataset) out.schema = &s;
  }
  if (!out.schema || ref.row_ids.empty()) return out;
  const datasets::DatasetSchema& schema = *out.schema;
  auto rows = datasets::ReadRowsInScope(conn, p, schema, ref.row_ids);
  if (!rows.ok()) {
    // The dataset table may be gone (a pack renamed it): the finding still shows.
    spdlog::warn("evidence rows of {}: {}", schema.TableName(), rows.status().ToString());
    return out;
  }
  // Reference columns get names beside their ids: one lookup per column.
  std::map<size_t, std::set<int64_t>> ref_ids;
  for (const datasets::StoredRow& row : *rows) {
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const auto* id = std::get_if<int64_t>(&row.cells[c]);
      if (schema.columns[c].type == datasets::ColumnType::kRef && id) ref_ids[c].insert(*id);
    }
  }
  std::map<size_t, std::map<int64_t, std::string>> names;
  for (const auto& [c, ids] : ref_ids) {
    ASSIGN_OR_RETURN(names[c], RefLabels(conn, schema.columns[c].ref, ids));
  }
  for (datasets::StoredRow& row : *rows) {
    EvidenceRows::Row r{.row_id = row.row_id, .cells = std::move(row.cells), .labels = {}};
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const auto* id = std::get_if<int64_t>(&r.cells[c]);
      if (schema.columns[c].type != datasets::ColumnType::kRef || !id) continue;
      auto it = names[c].find(*id);
      if (it != names[c].end()) r.labels[schema.columns[c].name] = it->second;
    }
    out.rows.push_back(std::move(r));
  }
  return out;
}

bool MayOpenRectification(const accounts::Principal& p) {
  return p.IsBureau() || p.role == accounts::Role::kTownship || p.role == accounts::Role::kInspector;
}

}  // namespace

StatusOr<std::optional<FindingPage>> ReadFindingPage(storage::Connection& conn, const ComplianceService* service,
                                                     cases::CaseEngine* engine, const accounts::Principal& principal,
                                                     int64_t id) {
  ASSIGN_OR_RETURN(std::optional<rules::FindingView> found, rules::GetFinding(conn, principal, id));
  if (!found) return std::optional<FindingPage>();
  FindingPage page;
  page.finding = std::move(*found);
  if (service) {
    page.pack = service->pack();
    const rules::bound::Pack& pack = page.pack->pack();
    for (const auto& r : pack.rules) {
      if (r.id == page.finding.rule_id) page.rule = &r;
    }
    ASSIGN_OR_RETURN(page.evidence, ReadEvidence(conn, pack, principal, page.finding.evidence_json));
  }
  if (engine) {
    ASSIGN_OR_RETURN(page.rectification, engine->RectificationOf(page.finding.id));
    const bool has_case = page.rectification && page.rectification->state != "cancelled";
    page.can_open_case = MayOpenRectification(principal) && !has_case && page.finding.status == "open";
  }
  return std::optional<FindingPage>(std::move(page));
}

}  // namespace edugov::compliance
