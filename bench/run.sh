#!/usr/bin/env bash
# Benchmarks of whpg-dr-sync against the physical floor; see bench/README.md. Not part of `mvn verify`.
#   bench/run.sh                              # everything: N = 1,4,8,16, local (+ SSH when the sandbox has --hosts)
#   bench/run.sh --n 1,4 --reps 2 --wal-mb 0  # a quick partial run
#   bench/run.sh --help                       # every option
# Writes bench/results/results.json, results.md and cycle.png.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$home/target/whpg-dr-sync.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$home/src/main" "$home/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "bench: building $jar ..." >&2
  (cd "$home" && mvn -B -o -q package -DskipTests) >&2
fi
[ -x /usr/lib/postgresql/15/bin/postgres ] || { echo "bench: PostgreSQL 15 server binaries missing (apt-get install -y postgresql-15)" >&2; exit 2; }
python3 -c "import matplotlib" 2>/dev/null || /usr/bin/python3 -c "import matplotlib" 2>/dev/null || echo "bench: no matplotlib, cycle.png will be skipped (apt-get install -y python3-matplotlib)" >&2
py=python3; /usr/bin/python3 -c "import matplotlib" 2>/dev/null && py=/usr/bin/python3
exec "$py" "$home/bench/bench.py" "$@"
