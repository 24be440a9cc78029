# shellcheck shell=sh
# The libvirt suites' domain (tests/e2e/libvirt.sh in the test kernel,
# tests/systemd/libvirt.sh in the Debian 12 machine). The suite sets $t.

# vmxml NAME [LIMIT]: $t/NAME-qemu.xml, a diskless TCG guest, its limit
# in <metadata> as the hook reads it
vmxml() {
	meta=
	[ -z "$2" ] ||
		meta="<metadata><ioasids:max xmlns:ioasids='urn:ioasidctl:libvirt:1'>$2</ioasids:max></metadata>"
	cat >"$t/$1-qemu.xml" <<-XML
	<domain type='qemu'>
	  <name>$1</name>
	  <memory unit='MiB'>64</memory>
	  <os><type arch='x86_64' machine='pc'>hvm</type></os>
	  $meta
	  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
	</domain>
	XML
}
