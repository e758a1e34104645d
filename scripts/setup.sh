#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root) to a running lab:
# installs everything, then builds and validates the six-router example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
node dist/cli/bin.js up examples/six-routers.yml
node dist/cli/bin.js validate examples/six-routers.yml
cat <<'MSG'

The six-router lab is up. Try:
  node dist/cli/bin.js status
  node dist/cli/bin.js exec h1 -- traceroute -n 10.20.60.2   (or: ping, ip route, tcpdump)
  node dist/cli/bin.js down examples/six-routers.yml
MSG
