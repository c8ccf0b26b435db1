#!/usr/bin/env bash
# A throwaway PostgreSQL server for the integration suite, CI and the benchmarks.
#
#   test/support/pg-server.sh start [--fast]   starts a fresh server; prints its URL on stdout
#   test/support/pg-server.sh url              prints the URL of the running server (exit 1 if none)
#   test/support/pg-server.sh stop             stops it and deletes its data
#   test/support/pg-server.sh log              prints the end of the server log (for failed runs)
#
#   DATABASE_URL=$(test/support/pg-server.sh start --fast) npm run test:pg
#
# The server lives in a temporary folder (data, log and unix socket together), trusts every local
# connection and listens on 127.0.0.1 only: it is for tests, never for data anyone wants to keep.
# --fast turns off fsync and synchronous commit: safe for a server that is thrown away, and it
# spares the tests disk flushes; the bench leaves them on so its figures include real commits.
#
# Environment:
#   PG_PORT         port to try first (default 55432)
#   PG_INSTANCE     names the instance (default: PG_PORT), so several can run side by side
#   PG_BIN          folder holding initdb and pg_ctl (default: newest /usr/lib/postgresql/*/bin)
#   PG_STATE_ROOT   where instances keep their state (default: ${TMPDIR:-/tmp})
#
# Running it twice is safe: `start` first stops the server an earlier run of this instance left
# behind, and if the port is held by anything else it takes the next free port instead.
set -euo pipefail

requested_port="${PG_PORT:-55432}"
instance="${PG_INSTANCE:-$requested_port}"
[[ "$instance" =~ ^[A-Za-z0-9_-]+$ ]] || {
  printf 'pg-server: PG_INSTANCE must be letters, digits, - or _\n' >&2
  exit 1
}
state_dir="${PG_STATE_ROOT:-${TMPDIR:-/tmp}}/countersign-pg-${instance}"
data_dir="$state_dir/data"
log_file="$state_dir/server.log"
port_file="$state_dir/port"

say() { printf 'pg-server: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

find_bin_dir() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] || die "PG_BIN=$PG_BIN has no initdb"
    printf '%s\n' "$PG_BIN"
    return
  fi
  # Debian keeps the server binaries off PATH, one folder per major version; take the newest.
  local newest
  newest="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$newest" && -x "$newest/initdb" ]]; then
    printf '%s\n' "$newest"
  elif command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
  elif command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
  else
    die "PostgreSQL server binaries not found: install them (Debian: apt-get install postgresql) or set PG_BIN"
  fi
}

# PostgreSQL refuses to run as root, so root runs it as the `postgres` user the Debian package creates.
as_server_user() {
  if [[ "$(id -u)" -eq 0 ]]; then
    getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user to run the server"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  # Bash's /dev/tcp connects if anything listens; no extra tool needed.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() { printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1"; }

is_running() {
  [[ -f "$port_file" && -f "$data_dir/postmaster.pid" ]] || return 1
  as_server_user "$(find_bin_dir)/pg_ctl" status -D "$data_dir" >/dev/null 2>&1
}

stop_server() {
  if [[ -f "$data_dir/postmaster.pid" ]]; then
    # Immediate: the data is about to be deleted, so there is nothing worth a clean shutdown.
    as_server_user "$(find_bin_dir)/pg_ctl" stop -D "$data_dir" -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$state_dir"
}

start_server() {
  local fast=false
  for arg in "$@"; do
    case "$arg" in
      --fast) fast=true ;;
      *) die "unknown option $arg (expected --fast)" ;;
    esac
  done
  local bin
  bin="$(find_bin_dir)"
  if [[ -d "$state_dir" ]]; then
    say "stopping the server a previous run left in $state_dir"
    stop_server
  fi

  local port="$requested_port"
  while port_in_use "$port"; do
    say "port $port is in use by something else; trying $((port + 1))"
    port=$((port + 1))
    ((port < requested_port + 50)) || die "no free port between $requested_port and $port"
  done

  mkdir -p "$state_dir"
  chmod 700 "$state_dir"
  [[ "$(id -u)" -eq 0 ]] && chown postgres: "$state_dir"
  as_server_user "$bin/initdb" -D "$data_dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$state_dir/initdb.log" 2>&1 || {
    cat "$state_dir/initdb.log" >&2
    die "initdb failed"
  }

  # Settings go in the config file rather than on the command line, so paths need no quoting.
  {
    printf "port = %s\n" "$port"
    printf "listen_addresses = '127.0.0.1'\n"
    printf "unix_socket_directories = '%s'\n" "$state_dir"
    # Each test node has its own connection pool, and several test files run at once.
    printf "max_connections = 300\n"
    if [[ "$fast" == true ]]; then
      printf "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
    fi
  } >>"$data_dir/postgresql.conf"
  as_server_user "$bin/pg_ctl" start -D "$data_dir" -l "$log_file" -w -t 60 >/dev/null || {
    tail -n 30 "$log_file" >&2 || true
    die "the server did not start"
  }
  printf '%s\n' "$port" >"$port_file"
  local durability='durable commits'
  [[ "$fast" == true ]] && durability='fsync off'
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($durability; data in $state_dir)"
  url_for "$port"
}

case "${1:-}" in
  start)
    shift
    start_server "$@"
    ;;
  stop)
    stop_server
    say "stopped (instance $instance)"
    ;;
  url)
    is_running || die "no server running for instance $instance"
    url_for "$(cat "$port_file")"
    ;;
  log)
    [[ -f "$log_file" ]] && tail -n "${2:-50}" "$log_file"
    ;;
  *)
    die "usage: $0 start [--fast] | url | stop | log"
    ;;
esac
