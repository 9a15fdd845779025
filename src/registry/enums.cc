// Names and Chinese labels of the registry's enums. The snake_case names are
// stored in the database and used in JSON; never rename one.
#include <array>
#include <string_view>

#include "registry/registry.h"

namespace edugov::registry {
namespace {

template <typename E>
struct EnumEntry {
  E value;
  std::string_view name;
  // Chinese labels accepted on input; the first one is used for display.
  std::array<std::string_view, 4> labels;
};

template <typename E, size_t N>
std::string_view NameOf(const std::array<EnumEntry<E>, N>& table, E value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<EnumEntry<E>, N>& table, std::string_view text) {
  for (const auto& e : table) {
    if (text == e.name) return e.value;
    for (std::string_view label : e.labels) {
      if (!label.empty() && text == label) return e.value;
    }
  }
  return std::nullopt;
}

constexpr std::array<EnumEntry<OrgKind>, 5> kOrgKinds{{
    {OrgKind::kProvince, "province", {"省", "省教育厅"}},
    {OrgKind::kCity, "city", {"市", "市教育局"}},
    {OrgKind::kCounty, "county", {"县", "县教育局", "区县"}},
    {OrgKind::kTownship, "township", {"乡镇中心学校", "中心学校", "乡镇"}},
    {OrgKind::kSchool, "school", {"学校"}},
}};

constexpr std::array<EnumEntry<Stage>, 8> kStages{{
    {Stage::kKindergarten, "kindergarten", {"幼儿园", "学前"}},
    {Stage::kPrimary, "primary", {"小学", "完小"}},
    {Stage::kNineYear, "nine_year", {"九年一贯制", "九年一贯制学校"}},
    {Stage::kJunior, "junior", {"初中", "初级中学"}},
    {Stage::kCompleteSecondary, "complete_secondary", {"完全中学", "完中"}},
    {Stage::kSenior, "senior", {"高中", "高级中学", "普通高中"}},
    {Stage::kVocational, "vocational", {"职业学校", "中职", "职业高中"}},
    {Stage::kSpecial, "special", {"特殊教育", "特殊教育学校", "特教"}},
}};

constexpr std::array<EnumEntry<Post>, 6> kPosts{{
    {Post::kPrincipal, "principal", {"校长", "园长"}},
    {Post::kPartySecretary, "party_secretary", {"党组织书记", "书记", "党支部书记", "党总支书记"}},
    {Post::kVicePrincipal, "vice_principal", {"副校长", "副园长"}},
    {Post::kTeacher, "teacher", {"教师", "专任教师"}},
    {Post::kSubstituteTeacher, "substitute_teacher", {"代课教师"}},
    {Post::kStaff, "staff", {"职工", "工勤人员"}},
}};

constexpr std::array<EnumEntry<HireKind>, 7> kHireKinds{{
    {HireKind::kFundedNormal, "funded_normal", {"统招", "公费"}},
    {HireKind::kSpecialPost, "special_post", {"特岗", "特岗教师"}},
    {HireKind::kShortageTalent, "shortage_talent", {"紧缺人才", "人才引进"}},
    {HireKind::kTransfer, "transfer", {"调入"}},
    {HireKind::kNationalProgramme, "national_programme", {"公费师范生", "定向师范生"}},
    {HireKind::kSubstitute, "substitute", {"代课"}},
    {HireKind::kOther, "other", {"其他"}},
}};

constexpr std::array<EnumEntry<Gender>, 2> kGenders{{
    {Gender::kMale, "male", {"男"}},
    {Gender::kFemale, "female", {"女"}},
}};

}  // namespace

std::string_view OrgKindName(OrgKind kind) { return NameOf(kOrgKinds, kind); }
std::optional<OrgKind> ParseOrgKind(std::string_view text) { return Parse(kOrgKinds, text); }
std::string_view StageName(Stage stage) { return NameOf(kStages, stage); }
std::string_view StageLabelZh(Stage stage) {
  for (const auto& e : kStages) {
    if (e.value == stage) return e.labels[0];
  }
  return "?";
}
std::optional<Stage> ParseStage(std::string_view text) { return Parse(kStages, text); }
std::string_view PostName(Post post) { return NameOf(kPosts, post); }
std::optional<Post> ParsePost(std::string_view text) { return Parse(kPosts, text); }
std::string_view HireKindName(HireKind kind) { return NameOf(kHireKinds, kind); }
std::optional<HireKind> ParseHireKind(std::string_view text) { return Parse(kHireKinds, text); }
std::string_view GenderName(Gender gender) { return NameOf(kGenders, gender); }
std::optional<Gender> ParseGender(std::string_view text) { return Parse(kGenders, text); }

std::pair<int, int> GradeRange(Stage stage) {
  switch (stage) {
    case Stage::kKindergarten: return {-2, 0};
    case Stage::kPrimary: return {1, 6};
    case Stage::kNineYear: return {1, 9};
    case Stage::kJunior: return {7, 9};
    case Stage::kCompleteSecondary: return {7, 12};
    case Stage::kSenior: return {10, 12};
    case Stage::kVocational: return {10, 12};
    case Stage::kSpecial: return {1, 12};
  }
  return {1, 12};
}

bool IsCompulsory(Stage stage) {
  return stage == Stage::kPrimary || stage == Stage::kNineYear || stage == Stage::kJunior ||
         stage == Stage::kSpecial;
}

}  // namespace edugov::registry
