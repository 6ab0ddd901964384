#!/bin/sh
# Install nianbao as a service on this machine, from the checkout this script is in (after
# `make setup`): the nianbao user, its directories, /etc/nianbao/env, the systemd units (or the
# cron job) and log rotation. Idempotent: run it again after `git pull`; files that did not
# change are left alone, and an existing /etc/nianbao/env is never overwritten.
#
#   sudo deploy/install.sh          # systemd: nianbao-crawl.timer (+ nianbao-reparse.service)
#   sudo deploy/install.sh --cron   # /etc/cron.d/nianbao instead of the timer
#
# DESTDIR=/some/dir installs into that staging root instead of / (no user is created and
# nothing is started).
set -eu

home=$(cd "$(dirname "$0")/.." && pwd)
root=${DESTDIR:-}
user=nianbao
mode=systemd
case "${1:-}" in
    --cron) mode=cron ;;
    "") ;;
    *) echo "usage: $0 [--cron]" >&2; exit 2 ;;
esac

if [ ! -x "$home/.venv/bin/nianbao" ]; then
    echo "install.sh: $home/.venv/bin/nianbao is missing: run 'make setup' in $home first" >&2
    exit 1
fi
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
    echo "install.sh: run it as root (or with DESTDIR=... for a staging root)" >&2
    exit 1
fi

say() { echo "install.sh: $*"; }

# place FILE PATH PERMISSIONS: put the (rendered) FILE at PATH unless PATH has the same content
place() {
    if [ -f "$root$2" ] && cmp -s "$1" "$root$2"; then
        say "$2 unchanged"
        return 1
    fi
    install -D -m "$3" "$1" "$root$2"
    say "$2 installed"
}

# a deploy/ file with the checkout's path in place of /opt/nianbao
render() {
    sed "s#/opt/nianbao#$home#g" "$home/deploy/$1" > "$tmp/render"
    echo "$tmp/render"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$root" ] && ! id "$user" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/nianbao --shell /usr/sbin/nologin "$user"
    say "user $user created"
fi
for dir in /var/lib/nianbao /var/log/nianbao; do
    if [ ! -d "$root$dir" ]; then
        install -d -m 0750 "$root$dir"
        say "$dir created"
    fi
    [ -n "$root" ] || chown "$user:$user" "$dir"
done
# systemd opens the units' log files as root: they must exist already, owned by the service user
for log in crawl.log reparse.log; do
    if [ ! -f "$root/var/log/nianbao/$log" ]; then
        install -m 0640 /dev/null "$root/var/log/nianbao/$log"
        [ -n "$root" ] || chown "$user:$user" "/var/log/nianbao/$log"
    fi
done

if [ -f "$root/etc/nianbao/env" ]; then
    say "/etc/nianbao/env kept (compare with deploy/env.example after an upgrade)"
else
    install -D -m 0640 "$home/deploy/env.example" "$root/etc/nianbao/env"
    [ -n "$root" ] || chgrp "$user" /etc/nianbao/env
    say "/etc/nianbao/env created from deploy/env.example: set the database URL and contact page in it"
fi

place "$(render logrotate/nianbao)" /etc/logrotate.d/nianbao 0644 || true

changed=no
if [ "$mode" = cron ]; then
    place "$(render cron/nianbao)" /etc/cron.d/nianbao 0644 || true
    if [ -f "$root/etc/systemd/system/nianbao-crawl.timer" ]; then  # one schedule only
        if [ -z "$root" ] && [ -d /run/systemd/system ]; then
            systemctl disable --now nianbao-crawl.timer
        fi
        rm -f "$root/etc/systemd/system/nianbao-crawl.timer" "$root/etc/systemd/system/nianbao-crawl.service" \
              "$root/etc/systemd/system/nianbao-reparse.service"
        say "systemd units removed (the cron job replaces the timer)"
    fi
else
    for unit in nianbao-crawl.service nianbao-crawl.timer nianbao-reparse.service; do
        place "$(render "systemd/$unit")" "/etc/systemd/system/$unit" 0644 && changed=yes
    done
    if [ -f "$root/etc/cron.d/nianbao" ]; then  # switched from cron to the timer: one schedule only
        rm -f "$root/etc/cron.d/nianbao"
        say "/etc/cron.d/nianbao removed (the timer replaces it)"
    fi
fi

if [ -n "$root" ]; then
    say "staged in $root; nothing started"
elif [ "$mode" = systemd ] && [ -d /run/systemd/system ]; then
    [ "$changed" = no ] || systemctl daemon-reload
    systemctl enable --now nianbao-crawl.timer
    say "nianbao-crawl.timer enabled: systemctl list-timers nianbao-crawl.timer"
elif [ "$mode" = systemd ]; then
    say "systemd is not running here: 'systemctl daemon-reload && systemctl enable --now nianbao-crawl.timer' once it is"
fi
