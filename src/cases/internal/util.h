// Small pure helpers of the workflow engine, apart so they can be tested
// alone: attachment sniffing, tracking codes, text similarity for merging,
// redaction of what a complainant types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"

namespace edugov::cases::internal {

constexpr int64_t kMaxAttachmentBytes = 5 * 1024 * 1024;
constexpr int kMaxAttachments = 5;

// The content type the bytes' signature says ("image/png", "image/jpeg",
// "image/gif", "image/webp", "application/pdf"), or "" for anything else.
std::string SniffContentType(std::string_view bytes);

// 16 characters of Crockford base32 (80 random bits).
std::string NewTrackingCode(Random& random);
// Upper-cases, drops spaces and dashes and maps the look-alikes Crockford
// allows (I, L → 1; O → 0). "" when the result is not 16 valid characters.
std::string NormalizeTrackingCode(std::string_view code);
// BLAKE2b-256 (libsodium crypto_generichash) of the normalised code, hex.
std::string TrackingHash(std::string_view normalized_code);

// Jaccard similarity of the sets of character bigrams (UTF-8 code points,
// whitespace and punctuation dropped): 1 for equal texts, 0 for disjoint.
double BigramJaccard(std::string_view a, std::string_view b);

// What a complainant typed, as someone other than the complaint office sees
// it (docs/security.md, "Identity sealed at rest"): every occurrence of
// `known` (their own sealed name and phone; single characters ignored)
// and every phone-like number — a run of digits (ASCII or full-width) joined
// by single spaces, dashes or dots that holds 7 digits in a row, or that
// reads as a mainland mobile (1[3-9] + 9 digits) or a landline with its area
// code (0 + 9–11 digits), an ID number's trailing X included — becomes
// kRedacted. Dates (2025-09-01) and year ranges (2024-2025) stay.
inline constexpr std::string_view kRedacted = "***";
std::string RedactIdentity(std::string_view text, const std::vector<std::string>& known);

// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view bytes);

}  // namespace edugov::cases::internal
