// Backups of an edugov database and its case key, and restores into an
// empty database (docs/operations.md, "Backups").
//
//   ASSIGN_OR_RETURN(BackupSummary b, backup::Backup({.db_url = url, .out_dir = "/srv/backup/2025-03-03",
//                                                     .secret_key_file = "var/secret.key",
//                                                     .passphrase = pass}, RealClock(), SecureRandom()));
//   ASSIGN_OR_RETURN(RestoreSummary r, backup::Restore({.from_dir = "/srv/backup/2025-03-03",
//                                                       .db_url = new_url, .key_out = "var/secret.key",
//                                                       .passphrase = pass}));
//
// A backup directory holds the database copy (SQLite: a copy taken with the
// online backup API, one consistent snapshot while the server keeps writing;
// PostgreSQL: `pg_dump --format=custom`, one consistent snapshot too), the
// case key sealed under a passphrase (passphrase_seal.h), and manifest.json
// naming the backend, the time, the schema version and each file's size and
// SHA-256. The manifest is written last: a directory without one is not a
// backup. Every file is created mode 0600.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup/passphrase_seal.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace edugov::backup {

inline constexpr const char* kManifestName = "manifest.json";

struct BackupRequest {
  std::string db_url;           // sqlite:PATH or postgresql://…
  std::string out_dir;          // created (mode 0700) if absent; must not hold a backup already
  std::string secret_key_file;  // the key that seals complainants' identities
  std::string passphrase;       // seals the key copy; at least kMinPassphraseBytes
  KdfCost kdf_cost = ModerateKdfCost();
};

struct BackedUpFile {
  std::string name;  // within the backup directory
  std::string role;  // "database" or "secret_key"
  int64_t bytes = 0;
  std::string sha256;  // lowercase hex
};

struct BackupSummary {
  std::string backend;  // "sqlite" or "postgresql"
  int schema_version = 0;
  std::vector<BackedUpFile> files;
};

// Takes the backup; on failure removes whatever it wrote. kAlreadyExists if
// out_dir already holds a manifest, kFailedPrecondition for a missing key
// file or pg_dump, kUnavailable when the database cannot be read.
StatusOr<BackupSummary> Backup(const BackupRequest& request, const Clock& clock, Random& random);

struct RestoreRequest {
  std::string from_dir;    // a directory written by Backup()
  std::string db_url;      // an empty database of the backup's backend
  std::string key_out;     // where the case key is written (must not exist)
  std::string passphrase;  // the one the backup was taken with
};

struct RestoreSummary {
  std::string backend;
  int schema_version = 0;
  std::string created_at;  // the manifest's time
};

// Checks every file against the manifest, opens the key with the passphrase,
// and only then fills the database and writes the key file. Refuses a
// database that holds any table (kFailedPrecondition, naming it) and an
// existing key_out; never writes half a database (SQLite: one backup-API
// transaction; PostgreSQL: pg_restore --single-transaction).
StatusOr<RestoreSummary> Restore(const RestoreRequest& request);

// The passphrase from `passphrase_file` (its first line) when given, else
// from $EDUGOV_BACKUP_PASSPHRASE; never from the command line, where other
// users of the machine could read it. kInvalidArgument when neither is set.
StatusOr<std::string> ReadPassphrase(const std::string& passphrase_file);

}  // namespace edugov::backup
