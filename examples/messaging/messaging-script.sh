#!/usr/bin/env bash
# Spawned by messaging-master with `command: "bash"` and `register: false`:
# a program that knows nothing of the cluster. It gets the --cluster-*
# options like every child and its output is forwarded with the prefix
# "[bashscript <pid>] ". It exits with 0, so it is not respawned.
master_pid=unknown
for arg in "$@"; do
    case "$arg" in
        --cluster-master-pid=*) master_pid=${arg#*=} ;;
    esac
done
echo "bash script $$: started by master $master_pid with $# arguments, exiting with 0 (not respawned)"
