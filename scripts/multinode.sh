#!/usr/bin/env bash
# Runs a command with mpirun across N separate network hosts on this one machine: each host is a
# network namespace with its own address on a private bridge; OpenMPI reaches them over TCP and
# starts its daemons through a small rsh agent that enters the namespace (no sshd needed).
# Everything is torn down on exit, also on failure.
#
#   scripts/multinode.sh [--hosts N] [--slots S] [--netem "delay 100us rate 1gbit"] [--rate 1gbit] [--launch] -- PROGRAM ARGS...
# --rate caps each host's link with a token bucket (tbf), for kernels without the netem module.
#
# PROGRAM runs as N×S ranks (S per host), e.g.
#   scripts/multinode.sh --hosts 2 -- .build/release/cohort train --max-steps 20 --threads 1
#
# --launch runs COMMAND itself instead of under mpirun, for a launcher that starts mpirun on its own
# (`cohort launch`): COHORT_HOSTFILE names a hostfile of the hosts (`ADDRESS slots=S`), the MCA
# settings given to mpirun here are exported as OMPI_MCA_* variables, and COHORT_NETNS_MAP names a
# file of `ADDRESS NAMESPACE` lines. Host i (1-based) is namespace NAMESPACE, whose eth0 is joined to
# the bridge by the veth NAMESPACE with its trailing h<i> replaced by v<i>, so `ip link set
# ${NAMESPACE%h*}v<i> down` (or `ip -n NAMESPACE link set eth0 down`) cuts host i off, e.g.
#   scripts/multinode.sh --hosts 3 --launch -- .build/release/cohort launch -- train --checkpoint-dir /tmp/ckpt
# Needs root and iproute2 (`ip`, `tc`).
set -euo pipefail
hosts=2 slots=1 netem="" rate="" launch=0
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --slots) slots=$2; shift 2 ;;
    --netem) netem=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --launch) launch=1; shift ;;
    --) shift; break ;;
    *) echo "multinode.sh: unknown option $1 (program arguments go after --)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "multinode.sh: no program given (put it after --)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "multinode.sh: needs root (it creates network namespaces)" >&2; exit 1; }
command -v ip >/dev/null || { echo "multinode.sh: needs iproute2 (ip)" >&2; exit 1; }

tag=c$$                       # unique per run: names stay within the 15-character interface limit
subnet=10.213.$(( $$ % 250 ))
bridge=${tag}br
work=$(mktemp -d)
namespaces=()
cleanup() {
  for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  ip link delete "$bridge" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip link add "$bridge" type bridge
ip addr add "$subnet.1/24" dev "$bridge"
ip link set "$bridge" up
: > "$work/hostfile"
: > "$work/hosts.map"
for i in $(seq 1 "$hosts"); do
  ns=${tag}h$i address=$subnet.$((10 + i))
  ip netns add "$ns"
  namespaces+=("$ns")
  ip link add "${tag}v$i" type veth peer name "${tag}p$i"
  ip link set "${tag}p$i" netns "$ns"
  ip -n "$ns" link set "${tag}p$i" name eth0
  ip -n "$ns" addr add "$address/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip link set "${tag}v$i" master "$bridge"
  ip link set "${tag}v$i" up
  if [ -n "$netem" ]; then
    # shellcheck disable=SC2086
    ip netns exec "$ns" tc qdisc add dev eth0 root netem $netem
  elif [ -n "$rate" ]; then
    ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst 256kb latency 100ms
  fi
  echo "$address slots=$slots" >> "$work/hostfile"
  echo "$address $ns" >> "$work/hosts.map"
done

# OpenMPI calls the agent as: AGENT [options] HOST COMMAND...; run COMMAND inside HOST's namespace.
# The namespaces share the hostname and /tmp, so daemons starting at once would race to create the
# same session directory (/tmp/ompi.HOSTNAME.UID/jf.N: "mkdir ... File exists"); each host gets its own.
cat > "$work/agent" <<AGENT
#!/usr/bin/env bash
while [ \$# -gt 0 ] && [ "\${1#-}" != "\$1" ]; do shift; done
host=\$1; shift
ns=\$(awk -v h="\$host" '\$1 == h { print \$2 }' "$work/hosts.map")
[ -n "\$ns" ] || { echo "multinode agent: unknown host \$host" >&2; exit 1; }
mkdir -p "$work/tmp-\$ns"
export OMPI_MCA_orte_tmpdir_base="$work/tmp-\$ns"
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
chmod +x "$work/agent"

echo "multinode.sh: $hosts hosts ($(cut -d' ' -f1 "$work/hostfile" | paste -sd' ')), $slots slot(s) each${netem:+, netem $netem}${rate:+, rate $rate}" >&2
status=0
if [ "$launch" = 1 ]; then
  # The settings of the mpirun below, as environment for a launcher's own mpirun.
  export COHORT_HOSTFILE="$work/hostfile" COHORT_NETNS_MAP="$work/hosts.map" \
    OMPI_MCA_plm_rsh_agent="$work/agent" OMPI_MCA_btl=tcp,self \
    OMPI_MCA_btl_tcp_if_include="$subnet.0/24" OMPI_MCA_oob_tcp_if_include="$subnet.0/24" \
    OMPI_MCA_hwloc_base_binding_policy=none
  "$@" || status=$?
  exit $status
fi
# --bind-to none: every namespace host sees all of this machine's cores, so each daemon would bind
# its first rank to the same core 0.
mpirun --allow-run-as-root --hostfile "$work/hostfile" -np $((hosts * slots)) --bind-to none \
  --mca plm_rsh_agent "$work/agent" --mca btl tcp,self \
  --mca btl_tcp_if_include "$subnet.0/24" --mca oob_tcp_if_include "$subnet.0/24" \
  -x PATH ${LD_LIBRARY_PATH:+-x LD_LIBRARY_PATH} "$@" || status=$?
exit $status
