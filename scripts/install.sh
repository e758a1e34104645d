#!/usr/bin/env bash
# Installs what wirelab needs on Debian 12 (as root): the kernel tools it
# drives, then its npm dependencies, then builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  iproute2       # ip, tc, bridge: namespaces, vEth, bridges, routes
  iputils-ping   # validate
  procps         # sysctl (forwarding)
  util-linux     # setpriv: children die with wirelab; flock: the lab lock
  tcpdump        # capture, and the integration tests
  traceroute     # for exploring labs (wirelab exec h1 -- traceroute -n …)
  time           # GNU time: peak RSS in the benchmark
  qemu-system-x86  # VM nodes
  kmod           # depmod: module order of the guest image
  cpio           # packs the guest initramfs
  e2fsprogs      # mke2fs -d: the guest's read-only tools disk
  binutils       # readelf: checks the guest's shared libraries are complete
  python3-minimal  # raw frames (LLDP, LACP) in the integration tests
  tshark         # decodes captures in the tests
  socat          # joins namespace interfaces to the wire daemon (raw frames ↔ UDP)
  ethtool        # checksums in software on interfaces socat reads (tx offload off)
  shellcheck     # checks the exported setup.sh/cleanup.sh in the tests
  libvirt-clients  # virt-xml-validate: checks the libvirt export in the tests
  libxml2-utils  # xmllint, which virt-xml-validate runs
  ruby           # ruby -c: checks the exported Vagrantfile in the tests
  frr            # router nodes (device: frr): FRR's daemons, vtysh, its start script
  frr-pythontools  # frr-reload.py: FRR's own configuration reload
  graphviz       # dot: wirelab graph --format svg and the live page's layout, and the graph tests
  chromium       # headless browser for the live graph page's test (playwright-core drives it)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  # tshark's package asks whether non-root users may capture: no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build

# Wireshark and tshark list and capture the interfaces of running labs
# (wirelab:LAB:NODE:IFNAME) through wirelab's extcap program.
node dist/cli/bin.js extcap install

# The guest image for VM nodes is built from Debian packages (apt-get
# download): apt's package lists must be there.
if ! apt-cache policy linux-image-cloud-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  apt-get update -qq
fi
node dist/cli/bin.js image build
