#include "cases/internal/core.h"

#include <cmath>
#include <regex>

#include "cases/internal/util.h"
#include "registry/registry.h"

namespace edugov::cases::internal {

using json = nlohmann::json;
using storage::Connection;

Status FieldError(const FieldSpec& f, const std::string& en, const std::string& zh) {
  return InvalidArgumentError(f.name + ": " + en, f.label.zh + "（" + f.name + "）：" + zh)
      .WithField("fields." + f.name);
}

// One field value, checked against its spec and put in canonical form.
StatusOr<json> NormalizeField(Connection& conn, const Actor& a, const FieldSpec& f, const json& v) {
  auto as_int = [&](int64_t* out) -> bool {
    if (v.is_number_integer()) {
      *out = v.get<int64_t>();
      return true;
    }
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (d != std::floor(d)) return false;
      *out = static_cast<int64_t>(d);
      return true;
    }
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      static const std::regex re("-?[0-9]{1,15}");
      if (!std::regex_match(s, re)) return false;
      *out = std::stoll(s);
      return true;
    }
    return false;
  };
  switch (f.type) {
    case FieldType::kText:
    case FieldType::kLongText: {
      if (!v.is_string()) return FieldError(f, "must be text", "应为文本");
      const std::string s = v.get<std::string>();
      const size_t max = f.type == FieldType::kText ? 1000 : 20000;
      if (s.size() > max) {
        return FieldError(f, "is longer than " + std::to_string(max) + " bytes",
                          "超过 " + std::to_string(max) + " 字节");
      }
      return json(s);
    }
    case FieldType::kPhone: {
      if (!v.is_string()) return FieldError(f, "must be a phone number", "应为电话号码");
      static const std::regex re("[0-9+\\- ]{5,20}");
      const std::string s = v.get<std::string>();
      if (!std::regex_match(s, re)) return FieldError(f, "'" + s + "' is not a phone number", "'" + s + "' 不是电话号码");
      return json(s);
    }
    case FieldType::kInt: {
      int64_t n = 0;
      if (!as_int(&n)) return FieldError(f, "must be an integer", "应为整数");
      return json(n);
    }
    case FieldType::kDecimal: {
      if (v.is_number()) return json(v.get<double>());
      if (v.is_string()) {
        try {
          size_t used = 0;
          const std::string s = v.get<std::string>();
          double d = std::stod(s, &used);
          if (used == s.size()) return json(d);
        } catch (const std::exception&) {
        }
      }
      return FieldError(f, "must be a number", "应为数字");
    }
    case FieldType::kDate: {
      if (!v.is_string() || !Date::Parse(v.get<std::string>()).ok()) {
        return FieldError(f, "must be a date YYYY-MM-DD", "应为日期 YYYY-MM-DD");
      }
      return json(v.get<std::string>());
    }
    case FieldType::kBool: {
      if (v.is_boolean()) return v;
      if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) return json(v.get<int64_t>() == 1);
      return FieldError(f, "must be true or false", "应为是或否");
    }
    case FieldType::kEnum: {
      if (v.is_string()) {
        for (const auto& [k, _] : f.options) {
          if (k == v.get<std::string>()) return v;
        }
      }
      std::string keys;
      for (const auto& [k, _] : f.options) keys += (keys.empty() ? "" : ", ") + k;
      return FieldError(f, "must be one of " + keys, "应为以下之一：" + keys);
    }
    case FieldType::kOrg:
    case FieldType::kStaff: {
      int64_t id = 0;
      if (!as_int(&id) || id <= 0) return FieldError(f, "must be an id", "应为编号");
      const RefTarget target = f.type == FieldType::kOrg ? RefTarget::kOrg : RefTarget::kStaff;
      ASSIGN_OR_RETURN(bool may, MayReference(conn, a, target, id));
      if (!may) return ReferenceNotFound("fields." + f.name, target);
      return json(id);
    }
  }
  return FieldError(f, "unsupported type", "不支持的类型");
}

// Checks every given field and splits the confidential ones off. A null
// value clears the field.
StatusOr<SplitFields> NormalizeFields(Connection& conn, const Actor& a, const CaseType& type, const json& in) {
  SplitFields out;
  if (in.is_null()) return out;
  if (!in.is_object()) {
    return InvalidArgumentError("fields must be an object", "fields 应为对象").WithField("fields");
  }
  for (auto it = in.begin(); it != in.end(); ++it) {
    const FieldSpec* f = type.FindField(it.key());
    if (!f) {
      return InvalidArgumentError("unknown field '" + it.key() + "' for case type " + type.id,
                                  "案件类型 " + type.label.zh + " 没有字段 '" + it.key() + "'")
          .WithField("fields." + it.key());
    }
    json v = json();
    if (!it.value().is_null() && !(it.value().is_string() && it.value().get<std::string>().empty())) {
      ASSIGN_OR_RETURN(v, NormalizeField(conn, a, *f, it.value()));
    }
    (f->confidential ? out.secret : out.plain)[f->name] = v;
  }
  return out;
}

void MergeInto(json& target, const json& changes) {
  for (auto it = changes.begin(); it != changes.end(); ++it) {
    if (it.value().is_null()) {
      target.erase(it.key());
    } else {
      target[it.key()] = it.value();
    }
  }
}

StatusOr<std::vector<CheckedAttachment>> CheckAttachments(const std::vector<AttachmentInput>& in) {
  if (static_cast<int>(in.size()) > internal::kMaxAttachments) {
    return InvalidArgumentError(
               "at most " + std::to_string(internal::kMaxAttachments) + " attachments per request",
               "每次最多上传 " + std::to_string(internal::kMaxAttachments) + " 个附件")
        .WithField("attachments");
  }
  std::vector<CheckedAttachment> out;
  for (size_t i = 0; i < in.size(); ++i) {
    std::string name = in[i].filename;
    if (size_t slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
    if (name.size() > 200) name = name.substr(0, 200);
    if (name.empty()) name = "attachment-" + std::to_string(i + 1);
    if (static_cast<int64_t>(in[i].bytes.size()) > internal::kMaxAttachmentBytes) {
      // kInvalidArgument, not kResourceExhausted: the latter is a rate limit
      // (429) at the HTTP edge; the server answers 413 for bodies itself.
      return InvalidArgumentError(name + " is larger than 5 MiB", name + " 超过 5 MiB 的大小限制")
          .WithField(name);
    }
    const std::string type = internal::SniffContentType(in[i].bytes);
    if (type.empty()) {
      return InvalidArgumentError(
                 name + " is not an image (PNG, JPEG, GIF, WebP) or a PDF",
                 name + " 不是图片（PNG、JPEG、GIF、WebP）或 PDF 文件")
          .WithField(name);
    }
    out.push_back({name, type, &in[i].bytes});
  }
  return out;
}

Status StoreAttachments(const EngineDeps& d, Connection& tx, int64_t case_id, int64_t event_id,
                        const std::vector<CheckedAttachment>& files, bool confidential,
                        const std::string& by, int64_t now) {
  for (const CheckedAttachment& a : files) {
    // Sealed before it reaches the database: neither the bytes nor the name
    // (which may be a phone number) nor a checksum to confirm a guess.
    const json meta = {{"name", a.filename}, {"sha256", internal::Sha256Hex(*a.bytes)}};
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO case_attachments (case_id, event_id, filename, content_type, size_bytes, "
        "sha256, bytes, confidential, uploaded_by, uploaded_at, sealed_meta) "
        "VALUES ($1, $2, '', $3, $4, '', $5, $6, $7, $8, $9)",
        {case_id, event_id, a.content_type, static_cast<int64_t>(a.bytes->size()),
         storage::Blob{d.box->Seal(*a.bytes, *d.random)}, int64_t{confidential ? 1 : 0}, by, now,
         storage::Blob{d.box->Seal(meta.dump(), *d.random)}}));
  }
  return OkStatus();
}

StatusOr<AttachmentMeta> OpenAttachmentMeta(const EngineDeps& d, const storage::ResultSet& rs, size_t r,
                                            size_t filename_col, size_t sha256_col, size_t sealed_meta_col) {
  AttachmentMeta m;
  if (rs.IsNull(r, sealed_meta_col)) {
    // Written before migration 012 and not sealed yet (serve seals on start).
    m.filename = rs.GetText(r, filename_col);
    m.sha256 = rs.GetText(r, sha256_col);
    return m;
  }
  ASSIGN_OR_RETURN(std::string plain, d.box->Open(rs.GetBlob(r, sealed_meta_col)));
  const json meta = json::parse(plain, nullptr, false);
  if (!meta.is_object() || !meta.contains("name") || !meta["name"].is_string() || !meta.contains("sha256") ||
      !meta["sha256"].is_string()) {
    return InternalError("a sealed attachment's metadata is malformed", "附件的加密元数据格式错误");
  }
  m.filename = meta["name"].get<std::string>();
  m.sha256 = meta["sha256"].get<std::string>();
  m.sealed = true;
  return m;
}

}  // namespace edugov::cases::internal
