#!/bin/bash
# Prove that the README's two set-up commands work on a clean Debian bookworm.
#
#   tools/fresh_check.sh [--keep] [--no-host-ca] [DIR]
#   tools/fresh_check.sh [--no-host-ca] --reuse DIR
#
# Needs root. Bootstraps a minimal Debian bookworm (python3, ca-certificates)
# with debootstrap into DIR (default: a new directory under /var/tmp), copies
# the committed tree of this repository (git archive HEAD) to
# /root/chainsight in it, and runs there, with an empty environment, the
# commands of the README's first two ```sh blocks, each as
#   cd /root/chainsight && <command>
# It prints each command's exit code and last lines, unmounts everything it
# mounted even on failure, deletes the root it made (unless --keep), and exits
# 1 if either command failed (2 if the check itself could not run).
#
#   --keep         keep the bootstrapped root for inspection
#   --reuse DIR    use an existing bootstrapped root (skip debootstrap); it is
#                  never deleted. /root/chainsight in it is replaced, but what
#                  earlier runs installed there (Debian packages) stays, so only
#                  a root kept straight after debootstrap is a fresh machine.
#   --no-host-ca   never copy this host's extra CA certificates into the root
#                  (by default they are copied only if https://pypi.org cannot
#                  be verified with Debian's stock certificates, e.g. behind a
#                  TLS-intercepting proxy)
#
# The mirror is the first bookworm one in /etc/apt/sources.list*, else
# http://deb.debian.org/debian.
set -eu

SUITE=bookworm
TAIL_LINES=20
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf 'fresh_check: %s\n' "$*"; }
die() { printf 'fresh_check: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

keep=0
reuse=0
host_ca=1
root=""
while [ $# -gt 0 ]; do
    case $1 in
        --keep) keep=1 ;;
        --no-host-ca) host_ca=0 ;;
        --reuse) [ $# -ge 2 ] || die "--reuse needs a directory"; reuse=1; root=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [ -z "$root" ] || die "only one directory, please"; root=$1 ;;
    esac
    shift
done

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mount)"
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || die "not inside a git repository"
head=$(git -C "$repo" rev-parse --verify HEAD) || die "the repository has no commit"

# ---------------------------------------------------------------- README commands
if git -C "$repo" cat-file -e HEAD:README.md 2>/dev/null; then
    readme=$(git -C "$repo" show HEAD:README.md)
    readme_from="README.md at HEAD"
elif [ -f "$repo/README.md" ]; then
    readme=$(cat "$repo/README.md")
    readme_from="README.md in the working tree"
    say "WARNING: README.md is not committed: the copied tree has none; reading the commands from the working tree"
else
    die "no README.md"
fi
sh_block() {  # the Nth ```sh block of the README, blank lines dropped
    printf '%s\n' "$readme" | awk -v want="$1" '
        /^```sh[[:space:]]*$/ { n++; if (n == want) { inb = 1; next } }
        inb && /^```/ { exit }
        inb && NF { print }'
}
cmd1=$(sh_block 1)
cmd2=$(sh_block 2)
if [ -z "$cmd1" ] || [ -z "$cmd2" ]; then
    die "could not find two \`\`\`sh blocks in $readme_from"
fi

# ---------------------------------------------------------------- root, cleanup
created=0  # 1 once this run owns the root's content (bootstrapped it into an empty directory)
made_dir=0
if [ -z "$root" ]; then
    root=$(mktemp -d /var/tmp/chainsight-fresh.XXXXXX)
    made_dir=1
fi
case $root in *[[:space:]]*) die "the root path must not contain white space: $root" ;; esac
[ -d "$root" ] || made_dir=1
mkdir -p "$root"
root=$(cd "$root" && pwd -P)
[ "$root" != / ] || die "refusing to use / as the root"
logdir=$(mktemp -d /var/tmp/chainsight-fresh-logs.XXXXXX)

# These three run from the EXIT trap (shellcheck cannot see that).
# shellcheck disable=SC2317
mounts_under_root() {  # mount points at or below $root, deepest first
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
# shellcheck disable=SC2317
unmount_all() {
    local m try
    for try in 1 2 3; do
        for m in $(mounts_under_root); do
            umount "$m" 2>/dev/null || [ "$try" -lt 3 ] || umount -l "$m" 2>/dev/null ||
                say "WARNING: could not unmount $m"
        done
    done
}
# shellcheck disable=SC2317
cleanup() {
    local rc=$? left
    trap - EXIT INT TERM
    set +e
    unmount_all
    left=$(mounts_under_root)
    if [ -n "$left" ]; then
        say "WARNING: still mounted, so $root is left in place: $left"
    elif [ "$created" = 1 ] && [ "$keep" = 0 ]; then
        rm -rf --one-file-system -- "$root"
        say "removed $root"
    elif [ "$created" = 0 ] && [ "$made_dir" = 1 ] && rmdir -- "$root" 2>/dev/null; then
        :
    else
        say "root kept: $root"
    fi
    rmdir -- "$logdir" 2>/dev/null || say "logs: $logdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- debootstrap
debian_mirror() {
    local f m=""
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        m=$(awk -v s="$SUITE" '$1 == "deb" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == s) { print $i; exit } }' "$f")
        [ -z "$m" ] || { echo "$m"; return; }
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        m=$(awk -v s="$SUITE" 'BEGIN { RS = "" } {
                types = uris = suites = ""; enabled = 1
                n = split($0, line, "\n")
                for (j = 1; j <= n; j++) {
                    if (line[j] ~ /^[[:space:]]*#/) continue
                    k = tolower(line[j]); sub(/:.*/, "", k); v = line[j]; sub(/^[^:]*:[[:space:]]*/, "", v)
                    if (k == "types") types = v; else if (k == "uris") uris = v
                    else if (k == "suites") suites = v; else if (k == "enabled" && tolower(v) == "no") enabled = 0
                }
                if (enabled && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " s " ")) {
                    split(uris, u, " "); print u[1]; exit }
            }' "$f")
        [ -z "$m" ] || { echo "$m"; return; }
    done
    echo http://deb.debian.org/debian
}

if [ "$reuse" = 1 ]; then
    if [ ! -f "$root/etc/debian_version" ] || [ ! -x "$root/usr/bin/python3" ]; then
        die "--reuse $root: not a bootstrapped Debian root with python3"
    fi
    say "reusing $root (Debian $(cat "$root/etc/debian_version"))"
else
    [ -z "$(ls -A "$root")" ] || die "$root is not empty (use --reuse to reuse a root)"
    created=1
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "installing debootstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    fi
    mirror=$(debian_mirror)
    say "debootstrap --variant=minbase --include=python3,ca-certificates $SUITE $root $mirror"
    start=$(date +%s)
    if ! debootstrap --variant=minbase --include=python3,ca-certificates \
            "$SUITE" "$root" "$mirror" >"$logdir/debootstrap.log" 2>&1; then
        tail -n "$TAIL_LINES" "$logdir/debootstrap.log" >&2
        die "debootstrap failed (log: $logdir/debootstrap.log)"
    fi
    say "debootstrap done in $(( $(date +%s) - start ))s: Debian $(cat "$root/etc/debian_version")"
fi

# ---------------------------------------------------------------- mounts, network
chmod 0755 "$root"  # it is /: mktemp made it 0700, which would lock out _apt and every other user
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

in_root() {  # run a command in the root with an empty environment, as a fresh login would
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
        PATH="$CHROOT_PATH" LANG=C.UTF-8 "$@"
}
say "in the root: $(in_root python3 --version 2>&1)"

pypi_ok() {
    in_root python3 -c 'import urllib.request
for u in ("https://pypi.org/simple/pip/", "https://files.pythonhosted.org/"):
    urllib.request.urlopen(u, timeout=30).read(1)' >"$logdir/pypi-probe.log" 2>&1
}
if pypi_ok; then
    say "PyPI is reachable over https from the root with its stock certificates"
else
    say "PyPI is NOT reachable from the root: $(tail -n 1 "$logdir/pypi-probe.log")"
    extra=$(find /usr/local/share/ca-certificates -name '*.crt' -type f 2>/dev/null | sort)
    if [ "$host_ca" = 1 ] && [ -n "$extra" ]; then
        say "host adaptation: copying this host's extra CA certificates into the root:" \
            "$(printf '%s\n' "$extra" | tr '\n' ' ')"
        for c in $extra; do
            mkdir -p "$root$(dirname "$c")"
            cp "$c" "$root$c"
        done
        in_root update-ca-certificates >"$logdir/update-ca.log" 2>&1 ||
            say "WARNING: update-ca-certificates failed (log: $logdir/update-ca.log)"
        if pypi_ok; then
            say "PyPI is reachable from the root with the host's CA certificates"
        else
            say "WARNING: PyPI is still unreachable: $(tail -n 1 "$logdir/pypi-probe.log")"
        fi
    else
        say "WARNING: continuing; the pip steps will fail the same way"
    fi
fi

# ---------------------------------------------------------------- the project
rm -rf --one-file-system -- "$root/root/chainsight"
mkdir -p "$root/root/chainsight"
git -C "$repo" archive HEAD | tar -x -C "$root/root/chainsight"
say "copied the committed tree at $head to /root/chainsight"
dirty=$(git -C "$repo" status --porcelain)
if [ -n "$dirty" ]; then
    say "WARNING: uncommitted changes, NOT part of the tested tree:"
    printf '%s\n' "$dirty" | sed 's/^/    /'
fi

# ---------------------------------------------------------------- the README's commands
cmds=("" "$cmd1" "$cmd2")
rcs=("" 2 2)
secs=("" 0 0)
say "README commands ($readme_from):"
printf '    %s\n' "$cmd1" "$cmd2"
for n in 1 2; do
    full="cd /root/chainsight && ${cmds[n]}"
    say "[$n] \$ $full"
    start=$(date +%s)
    set +e
    in_root /bin/sh -c "$full" 2>&1 | tee "$logdir/step$n.log"
    rcs[n]=${PIPESTATUS[0]}
    set -e
    secs[n]=$(( $(date +%s) - start ))
done

# ---------------------------------------------------------------- outcome
echo
say "==================== outcome ===================="
say "tree: $head ($(git -C "$repo" log -1 --format=%s HEAD | cut -c1-60))"
say "root: Debian $(cat "$root/etc/debian_version"), $(in_root python3 --version 2>&1)"
for n in 1 2; do
    if [ "${rcs[n]}" = 0 ]; then verdict=OK; else verdict=FAILED; fi
    say "[$n] $verdict exit=${rcs[n]} ${secs[n]}s: cd /root/chainsight && ${cmds[n]}"
    say "    last lines ($logdir/step$n.log):"
    tail -n "$TAIL_LINES" "$logdir/step$n.log" | sed 's/^/    | /'
done
if [ "${rcs[1]}" = 0 ] && [ "${rcs[2]}" = 0 ]; then
    say "PASS: both README commands succeed on a fresh Debian $SUITE"
    exit 0
fi
say "FAIL: a README command failed on a fresh Debian $SUITE"
exit 1
