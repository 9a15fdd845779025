// `edugov backup --db URL --out DIR` and `edugov restore --from DIR --db URL
// --key-out FILE`: thin callers of src/backup (docs/operations.md). The
// passphrase comes from --passphrase-file or $EDUGOV_BACKUP_PASSPHRASE,
// never from the command line, where `ps` shows it to everyone.
#include <cstdio>

#include "backup/backup.h"
#include "cli/case_services.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace edugov::cli {

void RegisterBackupCommands(CLI::App& app, int* exit_code) {
  auto* backup = app.add_subcommand(
      "backup", "Back up the database and the sealed secret key into a directory / 备份数据库和加密的密钥");
  struct BackupArgs {
    std::string db = DefaultDbUrl();
    std::string out;
    std::string secret_key_file;
    std::string passphrase_file;
  };
  auto b = std::make_shared<BackupArgs>();
  backup->add_option("--db", b->db, "sqlite:PATH or postgresql://… (default $EDUGOV_DB or sqlite:var/edugov.db)");
  backup->add_option("--out", b->out, "a new directory for this backup / 本次备份的新目录")->required();
  backup->add_option("--secret-key-file", b->secret_key_file,
                     "the server's key file (default: secret.key beside a SQLite database, else var/secret.key)");
  backup->add_option("--passphrase-file", b->passphrase_file,
                     "seals the key copy; else $EDUGOV_BACKUP_PASSPHRASE / 加密密钥副本的口令文件");
  backup->callback([b, exit_code] {
    auto passphrase = backup::ReadPassphrase(b->passphrase_file);
    if (!passphrase.ok()) { *exit_code = ReportError(passphrase.status()); return; }
    auto summary = backup::Backup(
        {.db_url = b->db, .out_dir = b->out,
         .secret_key_file = b->secret_key_file.empty() ? DefaultSecretKeyPath(b->db) : b->secret_key_file,
         .passphrase = *passphrase},
        RealClock(), SecureRandom());
    if (!summary.ok()) { *exit_code = ReportError(summary.status()); return; }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    for (const backup::BackedUpFile& f : summary->files) {
      std::printf("edugov: %s/%s  %lld %s  sha256 %s\n", b->out.c_str(), f.name.c_str(),
                  static_cast<long long>(f.bytes), zh ? "字节" : "bytes", f.sha256.c_str());
    }
    std::printf(zh ? "edugov: %s 数据库已备份到 %s（结构版本 %d）\n"
                   : "edugov: %s database backed up to %s (schema version %d)\n",
                summary->backend.c_str(), b->out.c_str(), summary->schema_version);
    *exit_code = 0;
  });

  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into an empty database / 把备份恢复到空数据库");
  struct RestoreArgs {
    std::string from;
    std::string db;
    std::string key_out;
    std::string passphrase_file;
  };
  auto r = std::make_shared<RestoreArgs>();
  restore->add_option("--from", r->from, "the backup directory / 备份目录")->required();
  restore->add_option("--db", r->db, "an EMPTY database: sqlite:PATH or postgresql://… / 空数据库")->required();
  restore->add_option("--key-out", r->key_out,
                      "where the secret key file is written (must not exist) / 密钥文件写到哪里(不得已存在)")
      ->required();
  restore->add_option("--passphrase-file", r->passphrase_file,
                      "the backup's passphrase; else $EDUGOV_BACKUP_PASSPHRASE / 备份口令文件");
  restore->callback([r, exit_code] {
    auto passphrase = backup::ReadPassphrase(r->passphrase_file);
    if (!passphrase.ok()) { *exit_code = ReportError(passphrase.status()); return; }
    auto summary = backup::Restore(
        {.from_dir = r->from, .db_url = r->db, .key_out = r->key_out, .passphrase = *passphrase});
    if (!summary.ok()) { *exit_code = ReportError(summary.status()); return; }
    std::printf(LangFromEnvironment() == Lang::kZh
                    ? "edugov: %s 的备份（%s，结构版本 %d）已恢复；密钥文件已写入 %s\n"
                    : "edugov: backup of %s (%s, schema version %d) restored; key file written to %s\n",
                summary->created_at.c_str(), summary->backend.c_str(), summary->schema_version,
                r->key_out.c_str());
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
