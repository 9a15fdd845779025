// The connection pool behind every Database, and the hooks a backend
// implements to plug into it. Internal to edugov_storage (and its tests).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/database.h"

namespace edugov::storage::internal {

// A Connection the pool can health-check before handing it out again.
class PooledConnection : public Connection {
 public:
  // True when the session can no longer be used (PostgreSQL: the server
  // closed it). The pool then drops it and opens a replacement.
  virtual bool broken() const = 0;
};

// Opens one new connection; called without the pool lock held.
using ConnectionFactory = std::function<StatusOr<std::unique_ptr<PooledConnection>>()>;

// A Database made of at most `pool_size` connections from `factory`.
// Connections are opened lazily, kept until the Database is destroyed, and
// replaced when broken. Thread-safe.
class PooledDatabase final : public Database {
 public:
  // `first` is an already-open connection (Open() makes one to report a bad
  // URL or unreachable server at once rather than on first use).
  PooledDatabase(Backend backend, std::string redacted_url, int pool_size,
                 ConnectionFactory factory, std::unique_ptr<PooledConnection> first);
  ~PooledDatabase() override;

  Backend backend() const override { return backend_; }
  const std::string& redacted_url() const override { return redacted_url_; }
  StatusOr<ConnectionHandle> Acquire() override;

  // Callers currently blocked in Acquire(); lets tests observe blocking
  // without sleeping.
  int waiting() const;

 private:
  void Release(std::unique_ptr<Connection> conn);

  const Backend backend_;
  const std::string redacted_url_;
  const int pool_size_;
  const ConnectionFactory factory_;

  mutable std::mutex mu_;
  std::condition_variable available_;  // signalled when idle_ grows or open_ shrinks
  std::vector<std::unique_ptr<PooledConnection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;     // GUARDED_BY(mu_): idle + lent out + being opened
  int waiting_ = 0;  // GUARDED_BY(mu_)
};

// Logs a storage problem no caller can act on (a failed rollback).
void LogWarning(const std::string& message);

}  // namespace edugov::storage::internal
