#!/usr/bin/env bash
# Storage benchmark (issue 3): uploads then downloads a 1 GiB generated file
# through the HTTP API of `relais` (all targets in one process, SQLite), as
# data.gouv.fr's clients send it — one request with `file`, then chunked in
# 20 000 000-byte parts with the front end's fields in its order (uuid,
# filename, file, partindex, partbyteoffset, totalparts, chunksize) and the
# final call — and 8 concurrent uploads of 100 MiB. Prints MB/s (10^6
# bytes/s of file) and the relais process's peak RSS during each step (its
# VmHWM, reset before the step), checks every checksum, and first runs
#   dd if=/dev/zero of=X bs=1M count=1024 conv=fdatasync
# on the same disk: the ceiling an fs upload is compared to.
#   scripts/bench-storage.sh [fs|s3]...   (default: fs; s3 starts a MinIO)
#   BENCH_SIZE_MB=1024 BENCH_DIR=/tmp (where the data and the file go)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"
size_mb="${BENCH_SIZE_MB:-1024}"
backends=("$@")
[[ ${#backends[@]} -gt 0 ]] || backends=(fs)
chunk=20000000

work="$(mktemp -d "${BENCH_DIR:-/tmp}/relais-bench-storage.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [[ -d "$work/minio" ]] && scripts/minio.sh stop "$work/minio" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
kib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
reset_peak() { echo 5 >"/proc/$pid/clear_refs"; base=$(rss); }
peak() { local hwm; hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status"); echo "peak RSS $(kib "$hwm") (+$(kib $((hwm - base))) over $(kib "$base") before)"; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

echo "building relais…"
nice -n 10 go build -o "$work/relais" ./services/relais/cmd/relais

echo "generating a ${size_mb} MiB file…"
big="$work/big.csv"
head -c "$((size_mb << 20))" /dev/urandom >"$big"
size=$(stat -c %s "$big")
sha=$(sha1sum "$big" | cut -d' ' -f1)
mkdir "$work/parts"
split -b "$chunk" -d -a 3 "$big" "$work/parts/part-"
parts=("$work"/parts/part-*)
for i in 1 2 3 4 5 6 7 8; do head -c $((100 << 20)) /dev/urandom >"$work/small-$i.csv"; done

# ceiling writes 1 GiB as dd does, on the disk of the data: a virtual
# disk's speed varies, so it runs before and after the uploads.
ceiling() {
  echo
  echo "=== ceiling ($1): dd if=/dev/zero of=X bs=1M count=1024 conv=fdatasync (same disk) ==="
  dd if=/dev/zero of="$work/dd.out" bs=1M count=1024 conv=fdatasync 2>&1 | tail -1
  rm -f "$work/dd.out"
}
ceiling before

for backend in "${backends[@]}"; do
  echo
  echo "=== $backend ==="
  data="$work/data-$backend"
  base_url=http://127.0.0.1:18180
  args=(-data_dir="$data" -gateway.addr=127.0.0.1:18180 -gateway.public_url=$base_url
        -catalog.grpc_addr=127.0.0.1:19191 -storage.grpc_addr=127.0.0.1:19192 -gateway.storage_addr=127.0.0.1:19192
        -admin_addr=127.0.0.1:19190 -log.level=warn)
  if [[ "$backend" == s3 ]]; then
    read -r endpoint access secret <<<"$(scripts/minio.sh start "$work/minio")"
    args+=(-storage.blob.backend=s3 "-storage.blob.s3.endpoint=$endpoint" "-storage.blob.s3.access_key=$access"
           "-storage.blob.s3.secret_key=$secret" -storage.blob.s3.bucket=bench -storage.blob.s3.create_bucket=true)
  fi
  token="$("$work/relais" admin create-user --email bench@relais.localhost --sysadmin "${args[@]}" | sed -n 's/^API token.*: //p')"
  "$work/relais" "${args[@]}" >"$work/relais-$backend.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base_url/readyz" >/dev/null && break; sleep 0.2; done
  hdr=(-H "X-API-KEY: $token")
  org=$(curl -sf "${hdr[@]}" -H 'Content-Type: application/json' -d '{"name":"Banc d essai","description":"x"}' "$base_url/api/1/organizations/" | json 'd["id"]')
  ds=$(curl -sf "${hdr[@]}" -H 'Content-Type: application/json' -d "{\"title\":\"Gros fichiers\",\"description\":\"x\",\"organization\":\"$org\"}" "$base_url/api/1/datasets/" | json 'd["id"]')
  upload="$base_url/api/1/datasets/$ds/upload/"

  reset_peak; t0=$(now)
  res=$(curl -sf "${hdr[@]}" -F "file=@$big" "$upload")
  t=$(elapsed "$t0")
  [[ $(json 'd["checksum"]["value"]' <<<"$res") == "$sha" ]] || { echo "single upload: wrong checksum: $res"; exit 1; }
  echo "upload, one request:        $(mbps "$size" "$t") ($t s), $(peak)"
  url=$(json 'd["url"]' <<<"$res")

  reset_peak; t0=$(now)
  uuid=$(cat /proc/sys/kernel/random/uuid)
  for i in "${!parts[@]}"; do
    p="${parts[$i]}"
    curl -sf "${hdr[@]}" -F "uuid=$uuid" -F "filename=big.csv" -F "file=@$p;filename=blob" -F "partindex=$i" \
      -F "partbyteoffset=$((i * chunk))" -F "totalparts=${#parts[@]}" -F "chunksize=$(stat -c %s "$p")" "$upload" >/dev/null
  done
  res=$(curl -sf "${hdr[@]}" -F "uuid=$uuid" -F "filename=big.csv" -F "totalparts=${#parts[@]}" "$upload")
  t=$(elapsed "$t0")
  [[ $(json 'd["checksum"]["value"]' <<<"$res") == "$sha" ]] || { echo "chunked upload: wrong checksum: $res"; exit 1; }
  echo "upload, ${#parts[@]} chunks of 20 MB:   $(mbps "$size" "$t") ($t s), $(peak)"

  reset_peak; t0=$(now)
  got=$(curl -sfL -o /dev/null -w '%{size_download}' "$url")
  t=$(elapsed "$t0")
  [[ "$got" == "$size" ]] || { echo "download: $got bytes of $size"; exit 1; }
  echo "download:                   $(mbps "$size" "$t") ($t s), $(peak)"
  [[ $(curl -sfL "$url" | sha1sum | cut -d' ' -f1) == "$sha" ]] || { echo "download: wrong bytes"; exit 1; }

  reset_peak; t0=$(now)
  curls=()
  for i in 1 2 3 4 5 6 7 8; do
    curl -sf "${hdr[@]}" -F "file=@$work/small-$i.csv" "$upload" >"$work/small-$i.json" &
    curls+=($!)
  done
  for c in "${curls[@]}"; do wait "$c" || { echo "a concurrent upload failed"; exit 1; }; done
  t=$(elapsed "$t0")
  for i in 1 2 3 4 5 6 7 8; do
    [[ $(json 'd["checksum"]["value"]' <"$work/small-$i.json") == $(sha1sum "$work/small-$i.csv" | cut -d' ' -f1) ]] ||
      { echo "concurrent upload $i: wrong checksum"; exit 1; }
  done
  echo "8 concurrent 100 MiB uploads: $(mbps $((8 * 100 << 20)) "$t") together ($t s), checksums ok, $(peak)"

  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if [[ "$backend" == s3 ]]; then scripts/minio.sh stop "$work/minio" >/dev/null; fi
  rm -rf "$data"
done
ceiling after
