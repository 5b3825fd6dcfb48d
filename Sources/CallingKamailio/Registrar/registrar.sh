#!/usr/bin/env bash
# The tests' SIP registrar: Kamailio on 127.0.0.1 with kamailio.cfg beside this script.
#   registrar.sh start PORT RUNDIR [-A NAME=VALUE ...]  starts it; returns once it answers (non-zero on failure)
#   registrar.sh stop RUNDIR                            stops it and waits until it is gone
#   registrar.sh dump RUNDIR                            prints its bindings (kamcmd ul.dump)
#   registrar.sh rpc RUNDIR COMMAND [ARG ...]           runs one kamcmd command (htable.seti ctl silent 1, ul.rm location bob)
# Needs kamailio and kamcmd (Debian: apt-get install kamailio; .ci/run installs it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

case "${1:-}" in
start)
    port=$2 run=$3
    shift 3
    rm -rf "$run" && mkdir -p "$run"
    user=()
    if [ "$(id -u)" = 0 ]; then
        chown kamailio:kamailio "$run"
        user=(-u kamailio -g kamailio)
    fi
    kamailio -f "$here/kamailio.cfg" -A "SIP_PORT=$port" "$@" -Y "$run" -P "$run/kamailio.pid" "${user[@]}" -m 32 -M 8 -E \
        >"$run/kamailio.log" 2>&1 || { cat "$run/kamailio.log" >&2; exit 1; }
    for _ in $(seq 1 100); do
        kamcmd -s "unix:$run/kamailio_ctl" core.uptime >/dev/null 2>&1 && exit 0
        sleep 0.05
    done
    echo "the registrar did not answer" >&2
    cat "$run/kamailio.log" >&2
    exit 1
    ;;
stop)
    run=$2
    # Every process of this run (the main one and its workers), by its run directory; one that
    # has not stopped after 2 s is killed.
    pkill -TERM -f -- "-Y $run " 2>/dev/null || true
    for _ in $(seq 1 40); do
        pgrep -f -- "-Y $run " >/dev/null || exit 0
        sleep 0.05
    done
    pkill -KILL -f -- "-Y $run " 2>/dev/null || true
    ;;
dump)
    kamcmd -s "unix:$2/kamailio_ctl" ul.dump
    ;;
rpc)
    run=$2
    shift 2
    kamcmd -s "unix:$run/kamailio_ctl" "$@"
    ;;
*)
    echo "usage: registrar.sh start PORT RUNDIR [-A NAME=VALUE ...] | stop RUNDIR | dump RUNDIR | rpc RUNDIR COMMAND [ARG ...]" >&2
    exit 2
    ;;
esac
