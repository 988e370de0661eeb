#!/usr/bin/env bash
# Issue 10: docker-compose.yml on a real Docker engine. Called by .ci/run; runs by hand as root too: bash deploy/compose-e2e.sh
#
# Starts a private dockerd (own data root, exec root, pid file and socket; no bridge, no iptables, no forwarding: the
# host's network settings do not change and all traffic stays on loopback), builds local images (this machine reaches
# no registry: a debootstrap minbase bookworm base, Debian's postgresql for the database, the self-contained CLI for the
# nodes), runs the real docker-compose.yml with deploy/ci/compose.e2e.yml (host networking, those images, a free port
# per node), submits a sweep from the host with `sweep submit --wait`, kills one worker container mid-sweep, scales to
# four workers, and checks with DuckDB that every job is in summary ∪ failures exactly once, that more than one worker
# container ran jobs, and that the metric columns equal an embedded run's. A trap removes everything it started.
#
# Prints a few lines; the full log is shown only on failure. Where dockerd cannot start, one line says so and it exits 0.
# Caches (the base root file systems) live in .ci/cache/compose-e2e/, ignored by git, never in any docker state.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
started=$(date +%s)

cache=$repo/.ci/cache/compose-e2e
work=$(mktemp -d /tmp/fluidsim-compose-e2e.XXXXXX)
log=$work/e2e.log
project=fluidsim-e2e-$$
docker_bin=/usr/bin/docker # Debian's client, the daemon's own version (another client may sit earlier on PATH)
export DOCKER_HOST=unix://$work/docker.sock
dockerd_pid=
etc_docker_existed=0; [ -e /etc/docker ] && etc_docker_existed=1
key_existed=0; [ -e /etc/docker/key.json ] && key_existed=1

say() { echo "compose-e2e: $*"; }
note() { echo "== $*" >>"$log"; }
d() { "$docker_bin" "$@"; }
compose_file=$work/docker-compose.e2e.yml # written below from docker-compose.yml + deploy/ci/compose.e2e.yml
compose() { docker-compose --ansi never -p "$project" -f "$compose_file" "$@"; }

cleanup() {
  local status=$?
  set +e
  # Cleanup logs apart, so a failure's log ends with the failure, not with the teardown.
  local clog=$work/cleanup.log
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    [ -s "$compose_file" ] && compose down --volumes --remove-orphans --timeout 30 >>"$clog" 2>&1
    # Anything else this daemon holds (a container of a half-finished step, the images): removed by id.
    d ps -aq | xargs -r "$docker_bin" rm -f >>"$clog" 2>&1
    # By tag, newest first: children (the node image) go before the base they were built on.
    d images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | xargs -r "$docker_bin" rmi -f >>"$clog" 2>&1
    d images -q | xargs -r "$docker_bin" rmi -f >>"$clog" 2>&1
    d volume ls -q | xargs -r "$docker_bin" volume rm -f >>"$clog" 2>&1
    d network ls -q --filter type=custom | xargs -r "$docker_bin" network rm >>"$clog" 2>&1
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$dockerd_pid" 2>/dev/null
  fi
  # containerd, started by that dockerd under its exec root, normally stops with it.
  local containerd_pid
  containerd_pid=$(cat "$work/exec/containerd/containerd.pid" 2>/dev/null)
  [ -n "$containerd_pid" ] && kill -0 "$containerd_pid" 2>/dev/null && kill -KILL "$containerd_pid" 2>/dev/null
  # dockerd leaves mounts under its roots (the network-namespace mount under the exec root): innermost first.
  awk -v root="$work" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  [ "$key_existed" = 0 ] && rm -f /etc/docker/key.json
  [ "$etc_docker_existed" = 0 ] && rmdir /etc/docker 2>/dev/null
  if [ "$status" != 0 ]; then
    echo "compose-e2e: FAILED (exit $status); its log:" >&2
    tail -n 150 "$log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools -------------------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || { say "skipped: needs root to start its own dockerd"; exit 0; }
missing=()
for pkg in docker.io docker-compose debootstrap; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  note "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1
  say "installed ${missing[*]}"
fi

# ---- a private dockerd -------------------------------------------------------------------------------------------
note "dockerd"
/usr/sbin/dockerd --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/docker.pid" \
  -H "$DOCKER_HOST" --bridge=none --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
  --storage-driver=overlay2 >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 150); do
  d version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.2
done
if ! d version >/dev/null 2>&1; then
  reason=$(grep -m1 -iE 'failed|error' "$work/dockerd.log" | sed -E 's/^.*(msg=)?//' | cut -c1-160)
  say "skipped: dockerd could not start here (${reason:-no answer on its socket}); no privileges or kernel support for containers"
  log=/dev/null # the skip is not a failure: nothing to show
  exit 0
fi

# ---- images ------------------------------------------------------------------------------------------------------
# The debootstrap root file systems are cached as tar files, named by their recipe (bump it when the steps below
# change); docker import takes ~2 s.
recipe_key=bookworm-minbase-libssl3-postgresql-2
mkdir -p "$cache"
if [ ! -s "$cache/base-$recipe_key.tar" ] || [ ! -s "$cache/db-$recipe_key.tar" ]; then
  note "debootstrap"
  rm -f "$cache"/base-*.tar "$cache"/db-*.tar
  rootfs=$work/rootfs
  # libssl3: .NET's networking (Kestrel, the control client) loads it at start-up.
  debootstrap --variant=minbase --include=libssl3 bookworm "$rootfs" http://deb.debian.org/debian >>"$log" 2>&1
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -cf "$cache/base-$recipe_key.tar.part" . && mv "$cache/base-$recipe_key.tar.part" "$cache/base-$recipe_key.tar"
  # The database's root file system: the same base plus Debian's postgresql (no default cluster, no service started).
  mkdir -p "$rootfs/etc/postgresql-common"
  echo "create_main_cluster = false" >"$rootfs/etc/postgresql-common/createcluster.conf"
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" && chmod +x "$rootfs/usr/sbin/policy-rc.d"
  chroot "$rootfs" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql && apt-get clean && rm -rf /var/lib/apt/lists/*' >>"$log" 2>&1
  tar -C "$rootfs" -cf "$cache/db-$recipe_key.tar.part" . && mv "$cache/db-$recipe_key.tar.part" "$cache/db-$recipe_key.tar"
  rm -rf "$rootfs"
fi
note "docker import, build"
d import - fluidsim-e2e/base:local <"$cache/base-$recipe_key.tar" >>"$log"
d import - fluidsim-e2e/db-rootfs:local <"$cache/db-$recipe_key.tar" >>"$log"
d build -q -t fluidsim-e2e/postgres:local -f deploy/ci/postgres.Dockerfile deploy/ci >>"$log" 2>&1

note "dotnet publish (self-contained)"
publish=$cache/publish
dotnet publish src/FluidSim.Cli -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=false -o "$publish" \
  --verbosity quiet -clp:NoSummary >>"$log" 2>&1
cp deploy/ci/node.Dockerfile "$publish/Dockerfile.e2e"
d build -q -t fluidsim-e2e/node:local -f "$publish/Dockerfile.e2e" "$publish" >>"$log" 2>&1
fluidsim=$publish/fluidsim
q() { "$fluidsim" query --format csv "$1" | tail -n +2; } # one DuckDB query, its rows as CSV without the header

# ---- the cluster -------------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
E2E_PG_PORT=$(free_port); E2E_NODE_PORT=$(free_port); E2E_HTTP_PORT=$(free_port)
E2E_RESULTS=$work/results
export E2E_PG_PORT E2E_NODE_PORT E2E_HTTP_PORT E2E_RESULTS
mkdir -p "$E2E_RESULTS" && chown 10001:10001 "$E2E_RESULTS" # the nodes run as the image's non-root user
unset FLUIDSIM_POSTGRES_PASSWORD                               # the file's development default, as a developer gets it

# The real docker-compose.yml merged with the machine's override by docker-compose itself; then one key dropped that
# docker-compose 1.29 cannot combine with host networking and an override cannot remove: the coordinator's published
# port (on the host's network it is the host's port anyway; compose v2 would only warn).
docker-compose -p "$project" -f docker-compose.yml -f deploy/ci/compose.e2e.yml config >"$work/compose.config.yml" 2>>"$log"
python3 - "$work/compose.config.yml" "$compose_file" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
for service in config["services"].values():
    if service.get("network_mode") == "host":
        service.pop("ports", None)
yaml.safe_dump(config, open(sys.argv[2], "w"), sort_keys=False)
PY

note "compose up: postgres, 1 coordinator, 3 workers"
compose up -d --no-build --scale worker=3 >>"$log" 2>&1
wait_for_log() { # SERVICE TEXT COUNT: until COUNT lines of the service's containers hold TEXT, 120 s at most
  local deadline=$(( $(date +%s) + 120 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(compose logs --no-color "$1" 2>/dev/null | grep -c "$2")" -ge "$3" ] && return 0
    sleep 0.5
  done
  echo "timed out waiting for '$2' x$3 in $1" >>"$log"; compose logs --no-color >>"$log" 2>&1; return 1
}
wait_for_log coordinator "control endpoint listening" 1
wait_for_log worker "node joined cluster" 3

# Workers name themselves HOST:PID (the `worker` column); with the host's pid namespace (the override) each container's
# node has its own pid, mapped here to its container (tini is the container's first process, the node its child).
workers_map=$work/workers.tsv
map_workers() {
  local id pid child name
  for id in $(compose ps -q worker); do
    pid=$(d inspect -f '{{.State.Pid}}' "$id"); name=$(d inspect -f '{{.Name}}' "$id")
    [ "$pid" -gt 0 ] 2>/dev/null || continue
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null) "$pid"; do echo -e "$child\t${name#/}"; done
  done >>"$workers_map"
}
map_workers

sweep=$work/compose-e2e.yaml
cat >"$sweep" <<'EOF'
name: compose-e2e
description: deploy/compose-e2e.sh, 160 jobs of 60,000 requests
workload:
  generate: {scenario: normal, num_requests: 60000, arrival_rate: 0.5}
base:
  B: 2000
  d_0: 1.0
  d_1: 0.001
  mode: swap
grid:
  M_total: [3000, 5000, 8000, 12000]
  victim_policy: [LIFO, FIFO, LRU, random]
replications: 10
EOF
jobs=160

note "submit --wait from the host"
sweep_started=$(date +%s)
"$fluidsim" sweep submit "$sweep" --cluster "127.0.0.1:$E2E_HTTP_PORT" --wait >"$work/submit.out" 2>"$work/submit.err" &
submit_pid=$!
# Jobs done so far, as the coordinator counts them (committed or not): the `succeeded` + `failed` columns of status.
done_jobs() {
  "$fluidsim" sweep status compose-e2e --cluster "127.0.0.1:$E2E_HTTP_PORT" --format tsv 2>/dev/null |
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i } NR == 2 { print $col["succeeded"] + $col["failed"] }' || true
}
for _ in $(seq 600); do
  n=$(done_jobs); [ "${n:-0}" -ge 20 ] && break
  kill -0 "$submit_pid" 2>/dev/null || break
  sleep 0.2
done
victim=$(compose ps -q worker | sed -n 1p) # sed reads to the end: no SIGPIPE under pipefail
victim_name=$(d inspect -f '{{.Name}}' "$victim"); victim_name=${victim_name#/}
# The kill must land mid-sweep, or this run proves nothing about a worker dying.
[ "${n:-0}" -lt "$jobs" ] && kill -0 "$submit_pid" 2>/dev/null ||
  { echo "the sweep finished (${n:-0} of $jobs jobs) before a worker could be killed mid-sweep" >>"$log"; exit 1; }
note "docker kill $victim_name after ${n:-0} jobs"
d kill "$victim" >>"$log"
note "scale to 4 workers"
compose up -d --no-build --no-recreate --scale worker=4 >>"$log" 2>&1
wait_for_log worker "node joined cluster" 4 || true
map_workers

set +e
wait "$submit_pid"; submit_status=$?
set -e
sweep_seconds=$(( $(date +%s) - sweep_started ))
cat "$work/submit.out" "$work/submit.err" >>"$log"
[ "$submit_status" = 0 ] || { echo "sweep submit --wait exited $submit_status" >>"$log"; exit 1; }

# ---- checks with DuckDB (fluidsim query: DuckDB in process) ------------------------------------------------------
parts="'$E2E_RESULTS/compose-e2e/summary/*.parquet'"
failures="$E2E_RESULTS/compose-e2e/failures"
union="SELECT job_id FROM read_parquet($parts)"
[ -d "$failures" ] && union="$union UNION ALL SELECT job_id FROM read_parquet('$failures/*.parquet')"
read -r rows distinct_ids < <(q "SELECT count(*), count(DISTINCT job_id) FROM ($union)" | tr ',' ' ')
note "rows $rows, distinct job ids $distinct_ids, jobs $jobs"
[ "$rows" = "$jobs" ] && [ "$distinct_ids" = "$jobs" ] || { echo "summary ∪ failures holds $rows rows, $distinct_ids job ids; expected $jobs once each" >>"$log"; exit 1; }

per_node=$work/per-node.csv
q "SELECT split_part(worker, '/', 1) AS node, count(*) FROM read_parquet($parts) GROUP BY ALL ORDER BY 2 DESC" >"$per_node"
per_container=$(while IFS=, read -r node count; do
    pid=${node##*:}
    name=$(awk -F'\t' -v p="$pid" '$1 == p { print $2; exit }' "$workers_map")
    echo "${name:-$node}=$count"
  done <"$per_node" | sort | tr '\n' ' ')
containers=$(wc -l <"$per_node")
note "jobs per worker container: $per_container"
[ "$containers" -gt 1 ] || { echo "only one worker container ran jobs: $per_container" >>"$log"; exit 1; }

note "embedded run of the same sweep"
"$fluidsim" sweep run "$sweep" --results "$work/embedded" --workers 2 >>"$log" 2>&1
metrics="SELECT * EXCLUDE (attempt, worker, wall_time_s, finished_at)"
differing=$(q "SELECT count(*) FROM (($metrics FROM read_parquet($parts) EXCEPT $metrics FROM read_parquet('$work/embedded/compose-e2e/summary/*.parquet'))
  UNION ALL ($metrics FROM read_parquet('$work/embedded/compose-e2e/summary/*.parquet') EXCEPT $metrics FROM read_parquet($parts)))")
[ "$differing" = 0 ] || { echo "$differing summary rows differ from the embedded run in their metric columns" >>"$log"; exit 1; }

say "ok: $jobs jobs once each in summary ∪ failures, metric columns equal the embedded run's; sweep ${sweep_seconds}s, whole script $(( $(date +%s) - started ))s"
say "jobs per worker container ($victim_name killed after ${n:-0} jobs, then --scale worker=4): $per_container"
