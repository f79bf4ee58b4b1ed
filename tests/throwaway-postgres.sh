#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests and the benchmarks, from the machine's own binaries.
#
#   source tests/throwaway-postgres.sh
#   start_throwaway_postgres   # exports CNI_DASHBOARD_TEST_POSTGRES (a superuser on a loopback port)
#   stop_throwaway_postgres    # stops the server and deletes its folder
#
# initdb + pg_ctl in a temp dir, a free port on 127.0.0.1, scram-sha-256 with a generated password
# (the socket is trust, in the temp dir only), fsync off (nothing here outlives the run). Installs
# Debian's postgresql package with apt-get only when no initdb/pg_ctl is found. As root, the server
# runs as the postgres user (or nobody): PostgreSQL refuses to run as root.

throwaway_postgres_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}

start_throwaway_postgres() {
  local bin
  if ! bin=$(throwaway_postgres_bin); then
    echo "== installing Debian postgresql for the store tests"
    local sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq postgresql >/dev/null \
      || { echo "!! could not install postgresql; the PostgreSQL tests will fail"; return 1; }
    bin=$(throwaway_postgres_bin) || { echo "!! no initdb/pg_ctl after installing postgresql"; return 1; }
  fi

  THROWAWAY_PG_DIR=$(mktemp -d /tmp/cni-dashboard-pg.XXXXXX)
  THROWAWAY_PG_BIN=$bin
  THROWAWAY_PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$THROWAWAY_PG_DIR"
    THROWAWAY_PG_AS=(runuser -u "$user" --)
  fi
  chmod 700 "$THROWAWAY_PG_DIR"

  local password port
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  printf '%s\n' "$password" > "$THROWAWAY_PG_DIR/pwfile"
  chown --reference="$THROWAWAY_PG_DIR" "$THROWAWAY_PG_DIR/pwfile"

  if ! "${THROWAWAY_PG_AS[@]}" "$bin/initdb" -D "$THROWAWAY_PG_DIR/data" -U cni -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$THROWAWAY_PG_DIR/pwfile" > "$THROWAWAY_PG_DIR/initdb.log" 2>&1; then
    echo "!! initdb failed:"; tail -20 "$THROWAWAY_PG_DIR/initdb.log"; return 1
  fi
  rm -f "$THROWAWAY_PG_DIR/pwfile"
  if ! "${THROWAWAY_PG_AS[@]}" "$bin/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$THROWAWAY_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
        start > /dev/null; then
    echo "!! PostgreSQL did not start:"; tail -20 "$THROWAWAY_PG_DIR/server.log"; return 1
  fi

  export CNI_DASHBOARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Database=postgres;Username=cni;Password=$password"
  echo "== throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($THROWAWAY_PG_DIR)"
}

stop_throwaway_postgres() {
  [ -n "${THROWAWAY_PG_DIR:-}" ] && [ -d "$THROWAWAY_PG_DIR" ] || return 0
  "${THROWAWAY_PG_AS[@]}" "$THROWAWAY_PG_BIN/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m immediate -w stop > /dev/null 2>&1
  rm -rf "$THROWAWAY_PG_DIR"
  unset THROWAWAY_PG_DIR CNI_DASHBOARD_TEST_POSTGRES
}
