#include "cases/case_figures.h"

namespace edugov::cases {

StatusOr<std::vector<CaseFigures>> ListCaseFigures(storage::Connection& conn, const CaseFiguresQuery& q) {
  // Deliberately no confidential, fields_json or title column.
  ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      conn.Query("SELECT c.id, c.ref, c.category, c.org_id, c.org_path, c.opened_at, c.state, c.due_at, "
                 "c.closed_at, c.satisfaction, c.merged_into, m.ref "
                 "FROM cases c LEFT JOIN cases m ON m.id = c.merged_into "
                 "WHERE c.case_type = $1 AND c.org_path LIKE $2 AND c.opened_at < $3 "
                 "AND (c.opened_at >= $4 OR (c.merged_into IS NULL AND c.due_at IS NOT NULL "
                 "AND c.due_at < $5 AND (c.closed_at IS NULL OR c.closed_at > $5))) "
                 "ORDER BY c.opened_at, c.id",
                 {q.case_type, q.subtree + "%", q.opened_before_us, q.opened_from_us, q.overdue_at_us}));
  std::vector<CaseFigures> out;
  out.reserve(rs.size());
  for (size_t i = 0; i < rs.size(); ++i) {
    CaseFigures f;
    f.id = rs.GetInt(i, 0);
    f.ref = rs.GetText(i, 1);
    f.category = rs.GetText(i, 2);
    f.org_id = rs.GetInt(i, 3);
    f.org_path = rs.GetText(i, 4);
    f.opened_at_us = rs.GetInt(i, 5);
    f.state = rs.GetText(i, 6);
    f.due_at_us = rs.GetOptionalInt(i, 7);
    f.closed_at_us = rs.GetOptionalInt(i, 8);
    if (std::optional<int64_t> s = rs.GetOptionalInt(i, 9)) f.satisfaction = static_cast<int>(*s);
    f.merged_into = rs.GetOptionalInt(i, 10);
    f.merged_into_ref = rs.GetText(i, 11);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edugov::cases
