#include "storage/internal/pool.h"

#include <cstdio>
#include <utility>

namespace edugov::storage::internal {

void LogWarning(const std::string& message) {
  std::fprintf(stderr, "edugov storage: %s\n", message.c_str());
}

PooledDatabase::PooledDatabase(Backend backend, std::string redacted_url, int pool_size,
                               ConnectionFactory factory,
                               std::unique_ptr<PooledConnection> first)
    : backend_(backend),
      redacted_url_(std::move(redacted_url)),
      pool_size_(pool_size),
      factory_(std::move(factory)) {
  if (first) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }
}

PooledDatabase::~PooledDatabase() {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_ != static_cast<int>(idle_.size())) {
    // A handle outlives its Database: its release will touch freed memory.
    LogWarning("Database destroyed while " + std::to_string(open_ - static_cast<int>(idle_.size())) +
               " connection(s) are still borrowed (" + redacted_url_ + ")");
  }
}

int PooledDatabase::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

StatusOr<ConnectionHandle> PooledDatabase::Acquire() {
  std::unique_ptr<PooledConnection> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (idle_.empty() && open_ >= pool_size_) {
      ++waiting_;
      available_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
      --waiting_;
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // reserve the slot; the connection is opened below, unlocked
    }
  }
  // A broken connection keeps its slot and is replaced in it.
  if (conn && conn->broken()) conn.reset();
  if (!conn) {
    StatusOr<std::unique_ptr<PooledConnection>> made = factory_();
    if (!made.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
      available_.notify_one();
      return made.status();
    }
    conn = std::move(made).value();
  }
  return ConnectionHandle(std::move(conn),
                          [this](std::unique_ptr<Connection> c) { Release(std::move(c)); });
}

void PooledDatabase::Release(std::unique_ptr<Connection> released) {
  // Only this pool made the connection, so the downcast is exact.
  std::unique_ptr<PooledConnection> conn(static_cast<PooledConnection*>(released.release()));
  if (!conn->broken() && conn->in_transaction()) {
    // A handle dropped mid-transaction (early return without
    // RunInTransaction): never lend out a connection with work half done.
    LogWarning("connection returned to the pool inside a transaction; rolling back");
    conn->Rollback();
  }
  std::unique_ptr<PooledConnection> doomed;  // closed after the lock is released
  std::lock_guard<std::mutex> lock(mu_);
  if (conn->broken()) {
    doomed = std::move(conn);
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

}  // namespace edugov::storage::internal
