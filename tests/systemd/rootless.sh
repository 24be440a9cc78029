#!/bin/sh
# Rootless podman under user@.service, with systemd with patches/systemd/
# as PID 1 and as the user's manager: a drop-in adds ioasids to what
# user@.service delegates (Debian 12's says "Delegate=pids memory cpu"),
# the user's manager hands it to the scope podman asks for, and runc's
# unified key and the annotation hook both cap the container. TAP.
# What the host must grant a rootless user: its subordinate IDs, and
# /dev/ioasid, which is 0600 root:root by default. (TMPDIR and the tmpfs
# home: the test root is a hostfs directory, where what a user creates
# belongs to root.)
cg=/sys/fs/cgroup
t=/run/ioasid-tests/rootless
user=tenant
mkdir -p "$t"
chmod 0755 /run/ioasid-tests
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

base=$(cat $cg/ioasids.current)

id -u $user >/dev/null 2>&1 || useradd -m -s /bin/sh $user
uid=$(id -u $user)
# the test root is the host's directory through hostfs, where whatever a
# user creates belongs to root: the user's home is a tmpfs here
mkdir -p /home/$user
mountpoint -q /home/$user || mount -t tmpfs -o mode=0755,uid=$uid,gid=$uid tmpfs /home/$user
install -d -o $user -g $user /home/$user/.config /home/$user/.config/containers
grep -q "^$user:" /etc/subuid || echo "$user:100000:65536" >>/etc/subuid
grep -q "^$user:" /etc/subgid || echo "$user:100000:65536" >>/etc/subgid
chmod 0666 /dev/ioasid
mkdir -p /etc/systemd/system/user@.service.d
printf '[Service]\nDelegate=ioasids\n' >/etc/systemd/system/user@.service.d/ioasids.conf
systemctl daemon-reload
systemctl start user@$uid.service
ucg=$cg/user.slice/user-$uid.slice/user@$uid.service
grep -qw ioasids $ucg/cgroup.controllers
result $? "a drop-in Delegate=ioasids on user@.service: the user's manager gets ioasids"

as_user() {
	runuser -u $user -- env XDG_RUNTIME_DIR=/run/user/$uid TMPDIR=/run/user/$uid \
		DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus HOME=/home/$user "$@"
}
as_user sh -c 'printf "[storage]\ndriver = \"vfs\"\n" >$HOME/.config/containers/storage.conf'
[ "$(as_user podman info --format '{{.Host.CgroupManager}}' 2>&1)" = systemd ]
result $? "rootless podman uses the user's systemd as its cgroup manager"
as_user sh -c "tar -C /run/ioasid-tests/podman/img -c . | podman import --quiet - localhost/ioasid-test:1" \
	>"$t/out" 2>&1
result $? "  podman import, as $user"

prun() {
	name=$1
	shift
	as_user podman run --rm --network none --device /dev/ioasid "$@" localhost/ioasid-test:1 \
		/usr/bin/ioasid-alloc -n 5 --label "$name" >"$t/out" 2>"$t/err"
}
prun r1 --runtime runc --cgroup-conf ioasids.max=2
capped r1
result $? "rootless podman run --runtime runc --cgroup-conf ioasids.max=2: 2 of 5"
dmesg | grep -q "refused an IOASID by ioasids.max (2) of /user.slice/user-$uid.slice/user@$uid.service/user.slice/libpod-[0-9a-f]*.scope"
result $? "  the limit is on the scope the user's manager made"
prun r2 --runtime runc --annotation io.ioasids.max=2
capped r2
result $? "rootless podman run --runtime runc --annotation io.ioasids.max=2 (the hook, as $user): 2 of 5"

systemctl stop user@$uid.service
rm -f /etc/systemd/system/user@.service.d/ioasids.conf
systemctl daemon-reload
chmod 0600 /dev/ioasid
umount /home/$user
uncharged "$base"
result $? "nothing stays charged"
tap_end
