#!/bin/bash
# The documentation's examples runner (tests/docs/), on documents made for
# it: it finds the examples of each format, runs them as printed, and
# fails the one that fails, so a wrong example in the real documents fails
# make check. TAP on stdout.
# Usage: tests/unit/docs-host.sh TOP
top=$1
t=$(mktemp -d)
# shellcheck disable=SC1091
. "$top/tests/lib/tap.sh"
echo "TAP version 13"

d=$t/docs
mkdir -p "$d/doc" "$d/Documentation/admin-guide" "$d/tools/ioasidctl" "$d/tools/systemd" "$d/tools/libvirt"
cat >"$d/README.md" <<'MD'
Text.

<!-- example: test -->
```
# echo one >TMP/one
one
# test "$(cat TMP/one)" = one
```

<!-- example: other -->
```
# false
```
MD
cat >"$d/doc/operator-guide.md" <<'MD'
<!-- example: test -->
```
# TMP/conf.d/x.conf
[Service]
IOASIDMax=64
```

  <!-- example: test -->
  ```
  # grep -qx IOASIDMax=64 TMP/conf.d/x.conf && \
      echo continued
  ```
MD
cat >"$d/Documentation/admin-guide/cgroup-v2-ioasid.rst" <<'RST'
.. example: test

A wrong one::

  # cat TMP/does-not-exist
  what it would print

Text again.
RST
cat >"$d/tools/ioasidctl/ioasidctl.8" <<'MAN'
.\" example: test
.PP
.nf
.RS
# printf \(aq%s\en\(aq \-x >TMP/dash
.RE
.fi
.\" example: test
MAN
: >"$d/tools/systemd/ioasid-generator.8"
: >"$d/tools/systemd/ioasid-metrics.service.8"
: >"$d/tools/libvirt/ioasid-libvirt-hook.8"
sed -i "s|TMP|$t|g" "$d"/README.md "$d"/doc/*.md "$d"/Documentation/admin-guide/*.rst "$d"/tools/ioasidctl/*.8

TMPDIR=$t "$top/tests/docs/run.sh" test "$d" >"$t/tap" 2>&1
sed 's/^/# /' "$t/tap"
grep -q "^ok 1 README.md:3: echo one" "$t/tap"
result $? "a Markdown example runs, its output lines left out"
grep -q "^ok 2 doc/operator-guide.md:1: wrote $t/conf.d/x.conf" "$t/tap" &&
	[ "$(cat "$t/conf.d/x.conf")" = "$(printf '[Service]\nIOASIDMax=64')" ]
result $? "a block naming a file is written to it"
grep -q "^ok 3 doc/operator-guide.md:8: grep" "$t/tap"
result $? "an indented block runs, a command continued with a backslash whole"
grep -q "^not ok 4 Documentation/admin-guide/cgroup-v2-ioasid.rst:1: cat $t/does-not-exist" "$t/tap"
result $? "a reST example that fails is a failure, named by file and line"
grep -qF "ok 5 tools/ioasidctl/ioasidctl.8:1: printf '%s\\n' -x" "$t/tap" && [ "$(cat "$t/dash")" = "-x" ]
result $? "a man page's example runs with troff's escapes undone"
grep -q "^not ok 6 5 examples of kind test, one for each of the 6 markers" "$t/tap"
result $? "a marker with no example after it is a failure"
! grep -q 'false' "$t/tap"
result $? "an example of another kind is not run"
rm -rf "$t"
tap_end
