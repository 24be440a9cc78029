# SPDX-License-Identifier: GPL-2.0
# The documentation's examples, as a shell script that runs them.
#
#   awk -v kind=uml -f tests/docs/examples.awk FILE...
#
# An example is the code block after a marker naming where it runs (uml:
# the test kernel with the controller; machine: the Debian 12 machine, with
# systemd, podman and libvirt):
#   Markdown  <!-- example: KIND -->      then a ``` fenced block
#   reST      .. example: KIND            then the next literal block (::)
#   troff     .\" example: KIND           then the lines from .nf to .fi
# In a block, "# CMD" is a command as root (a line ending in a backslash
# goes on on the next), other lines are its output and are not run. A block
# whose first line is "# /PATH" and that has no command is the content of
# the file PATH. Each example becomes
#   example FILE:LINE <<'...'            (commands, for sh -e)
#   example_file FILE:LINE PATH <<'...'  (a file's content)
# for the suite (tests/docs/run.sh) to define. The script ends with
# "examples N M": N examples written, M markers of KIND found (a marker
# with no block after it makes them differ).

function reset() { inblock = 0; want = 0; nlines = 0; waitlit = 0; indent = -1 }

BEGIN { n = 0; m = 0; reset() }

FNR == 1 { reset(); fmt = FILENAME ~ /\.md$/ ? "md" : FILENAME ~ /\.rst$/ ? "rst" : "troff" }

function unroff(s) {
	gsub(/\\-/, "-", s); gsub(/\\\(aq/, "'", s); gsub(/\\\(dq/, "\"", s)
	gsub(/\\&/, "", s); gsub(/\\e/, "\\", s)
	return s
}

function lead(s) { match(s, /^[ \t]*/); return RLENGTH }

# emit the block held in lines[1..nlines]
function emit(    i, j, cmd, out, first, path, files) {
	n++
	first = lines[1]
	files = (first ~ /^# \//)
	for (i = 2; i <= nlines && files; i++)
		if (lines[i] ~ /^# /) files = 0
	if (files) {
		path = substr(first, 3)
		printf "example_file '%s:%d' '%s' <<'IOASID_EXAMPLE_EOF'\n", FILENAME, where, path
		for (i = 2; i <= nlines; i++) print lines[i]
		print "IOASID_EXAMPLE_EOF"
		return
	}
	printf "example '%s:%d' <<'IOASID_EXAMPLE_EOF'\n", FILENAME, where
	for (i = 1; i <= nlines; i++) {
		if (lines[i] !~ /^# /) continue
		cmd = substr(lines[i], 3)
		print cmd
		while (cmd ~ /\\$/ && i < nlines) { i++; cmd = lines[i]; print cmd }
	}
	print "IOASID_EXAMPLE_EOF"
}

# the end of a reST literal block: the first line indented less
fmt == "rst" && inblock && !/^[ \t]*$/ && lead($0) < indent {
	while (nlines > 0 && lines[nlines] == "") nlines--
	emit(); reset()
}

# a marker: the next block is an example if KIND is ours
fmt == "md" && /^[ \t]*<!-- example: [a-z]+ -->[ \t]*$/ {
	k = $0; sub(/.*example: /, "", k); sub(/ -->.*/, "", k); want = (k == kind); m += want; where = FNR; next
}
fmt == "rst" && /^\.\. example: [a-z]+[ \t]*$/ {
	k = $3; want = (k == kind); m += want; where = FNR; waitlit = 0; next
}
fmt == "troff" && /^\.\\" example: [a-z]+[ \t]*$/ {
	k = $3; want = (k == kind); m += want; where = FNR; next
}

fmt == "md" && want && !inblock && /^[ \t]*```/ { inblock = 1; indent = lead($0); nlines = 0; next }
fmt == "md" && inblock && /^[ \t]*```[ \t]*$/ { emit(); reset(); next }
fmt == "md" && inblock { lines[++nlines] = substr($0, indent + 1); next }

fmt == "rst" && want && !inblock && !waitlit && /::[ \t]*$/ { waitlit = 1; next }
fmt == "rst" && waitlit && !inblock && /^[ \t]*$/ { next }
fmt == "rst" && waitlit && !inblock { inblock = 1; indent = lead($0) }
fmt == "rst" && inblock && /^[ \t]*$/ { lines[++nlines] = ""; next }
fmt == "rst" && inblock { lines[++nlines] = substr($0, indent + 1); next }

fmt == "troff" && want && !inblock && /^\.nf/ { inblock = 1; nlines = 0; next }
fmt == "troff" && inblock && /^\.fi/ { emit(); reset(); next }
fmt == "troff" && inblock && /^\./ { next }
fmt == "troff" && inblock { lines[++nlines] = unroff($0); next }

END {
	if (inblock && fmt == "rst") {
		while (nlines > 0 && lines[nlines] == "") nlines--
		emit()
	}
	printf "examples %d %d\n", n, m
}
