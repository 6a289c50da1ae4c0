#!/usr/bin/env bash
# The notifier benchmark: the same N subscriptions, the same 200-byte payload and the same local
# sink (nginx answering 201 on 127.0.0.1, HTTP/1.1 keep-alive), sent by
#   (a) notifier-service end to end, from Notify through its queue (Redis Streams on PostgreSQL,
#       the database queue on PostgreSQL, the database queue on SQLite), and
#   (b) Node's web-push 3.6 with 64 requests in flight,
# one after the other on this machine. Prints one JSON line per run and a table with the ratio.
#
#   bench/run.sh                     # N = 5000 and 20000
#   N_LIST="5000" bench/run.sh
#   REPEAT=3 bench/run.sh            # each setup three times, in turn; the table adds medians
#
# Needs: cargo, node + npm, nginx (`apt-get install -y nginx-light`), redis-server, and
# PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432) for the
# PostgreSQL runs (VARIANTS="database-sqlite" skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N_LIST=${N_LIST:-"5000 20000"}
REPEAT=${REPEAT:-1}
VARIANTS=${VARIANTS:-"redis-postgres database-postgres database-sqlite"}
POSTGRES=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
RESULTS=$WORK/results.jsonl
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2; return 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

echo "building (release)…" >&2
cargo build --release --quiet -p notifier-service --bin notifier-service --example bench_fanout
(cd bench/node && npm ci --silent --no-audit --no-fund)
NOTIFIER=${NOTIFIER:-$TARGET/release/notifier-service}
DRIVER=$TARGET/release/examples/bench_fanout
VAPID_PRIVATE_KEY=$(node -e "console.log(require('$ROOT/bench/node/node_modules/web-push').generateVAPIDKeys().privateKey)")

# Starts a fresh sink; sets SINK_PID, SINK_ORIGIN, SINK_LOG.
start_sink() {
    local dir port
    dir=$(mktemp -d -p "$WORK" sink.XXXX)
    port=$(free_port)
    sed -e "s|@PORT@|$port|" -e "s|@DIR@|$dir|" bench/nginx.conf.template >"$dir/nginx.conf"
    nginx -p "$dir" -c "$dir/nginx.conf" &
    SINK_PID=$!; PIDS+=("$SINK_PID")
    wait_port "$port"
    SINK_ORIGIN=http://127.0.0.1:$port
    SINK_LOG=$dir/access.log
}

run_notifier() {
    local n=$1 variant=$2 queue=${2%%-*} database=${2#*-} port database_url server_pids="" server_commands="" redis_pid=""
    start_sink
    case $database in
        postgres)
            local name="bench_$(date +%s%N)"
            psql -q "$POSTGRES/postgres" -c "CREATE DATABASE $name" >/dev/null
            database_url=$POSTGRES/$name
            # Its backends start when the notifier connects: the driver finds them by name.
            server_commands=postgres ;;
        sqlite) database_url=sqlite://$(mktemp -d -p "$WORK")/notifier.db ;;
    esac
    local queue_env=(QUEUE_ENABLED=false)
    if [ "$queue" = redis ]; then
        local redis_port; redis_port=$(free_port)
        redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
        redis_pid=$!; PIDS+=("$redis_pid")
        wait_port "$redis_port"
        queue_env=(QUEUE_ENABLED=true REDIS_URL=redis://127.0.0.1:$redis_port)
        server_pids=$redis_pid
    fi
    port=$(free_port)
    env "${queue_env[@]}" PORT="$port" DATABASE_URL="$database_url" VAPID_PRIVATE_KEY="$VAPID_PRIVATE_KEY" \
        PUSH_ALLOWED_ORIGINS="$SINK_ORIGIN" RUST_LOG=warn "$NOTIFIER" >"$WORK/notifier-$variant-$n.log" 2>&1 &
    local notifier_pid=$!; PIDS+=("$notifier_pid")
    wait_port "$port"
    NOTIFIER_URL=http://127.0.0.1:$port NOTIFIER_PID=$notifier_pid SINK_ORIGIN=$SINK_ORIGIN SINK_LOG=$SINK_LOG \
        N=$n LABEL="notifier-$variant" SERVER_PIDS="$server_pids" SERVER_COMMANDS="$server_commands" \
        "$DRIVER" | tee -a "$RESULTS"
    stop "$notifier_pid"; stop "$SINK_PID"
    [ -n "$redis_pid" ] && stop "$redis_pid"
    if [ "$database" = postgres ]; then psql -q "$POSTGRES/postgres" -c "DROP DATABASE $name" >/dev/null; fi
}

run_node() {
    local n=$1
    start_sink
    N=$n SINK_ORIGIN=$SINK_ORIGIN SINK_LOG=$SINK_LOG LABEL=node-web-push node bench/node/send.js | tee -a "$RESULTS"
    stop "$SINK_PID"
}

for n in $N_LIST; do
    for round in $(seq 1 "$REPEAT"); do
        echo "N = $n, round $round of $REPEAT (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        run_node "$n"
        for variant in $VARIANTS; do run_notifier "$n" "$variant"; done
    done
done

python3 - "$RESULTS" "$N_LIST" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"{'N':>6} {'sender':<28} {'pushes/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU s/1k':>9} {'peak MiB':>9} {'srv CPU s/1k':>12} {'load':>5} {'vs node':>8}")
for n in sys.argv[2].split():
    group = [r for r in rows if r["pushes"] == int(n)]
    node = [r["pushes_per_second"] for r in group if r["sender"] == "node-web-push"]
    node_median = statistics.median(node) if node else float("nan")
    for r in group:
        ratio = r["pushes_per_second"] / node_median
        print(f"{n:>6} {r['sender']:<28} {r['pushes_per_second']:>9.0f} {r['p50_ms']:>8.0f} {r['p99_ms']:>8.0f} "
              f"{r['cpu_seconds_per_1000']:>9.3f} {r['peak_rss_mib']:>9.1f} {r.get('server_cpu_seconds_per_1000', 0):>12.3f} "
              f"{r.get('load_average', float('nan')):>5.1f} {ratio:>7.2f}x")
    senders = sorted({r["sender"] for r in group}, key=lambda s: (s != "node-web-push", s))
    if len(group) > len(senders):
        print(f"{n:>6} medians:")
        for sender in senders:
            median = statistics.median(r["pushes_per_second"] for r in group if r["sender"] == sender)
            print(f"{n:>6}   {sender:<26} {median:>9.0f} {median / node_median:>26.2f}x")
PY
