# Shared by bin/perf and bin/perf-million: three `baton server` processes on loopback, with
# fsync on (the default of `baton cluster init`) and HEAP (1 GiB) each, in a fresh directory.
# Needs java, curl and python3.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baton="$root/bin/baton"
heap="${HEAP:-1g}"
servers="127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072"
work="$(mktemp -d /tmp/baton-perf.XXXXXX)"
pids=()

say() {
  echo "perf: $*" >&2
}

stop_all() {
  for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

start_cluster() {
  if curl -s -o /dev/null http://127.0.0.1:7070/ 2>/dev/null; then
    say "something already listens on 127.0.0.1:7070; stop it first"
    exit 3
  fi
  rm -rf "$work/cluster"
  "$baton" cluster init --nodes 3 --out "$work/cluster" >/dev/null
  pids=()
  for n in 1 2 3; do
    BATON_JAVA_OPTS="-Xmx$heap" "$baton" server --config "$work/cluster/n$n.yaml" \
      > "$work/n$n.log" 2>&1 &
    pids+=("$!")
  done
  # Ready when a write goes through.
  for _ in $(seq 1 150); do
    if curl -sf -X POST -H 'Content-Type: application/json' -d '{"subject":"ready?"}' \
        http://127.0.0.1:7070/v1/queues/perf-ready/tasks >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  say "the cluster did not come up; logs in $work"
  exit 3
}
