# shellcheck shell=sh
# The image the podman suites run (tests/systemd/podman.sh, fallback.sh,
# and the documentation's examples): the test program and its libraries.

# test_image DIR: podman imports it as localhost/ioasid-test:1, built in
# DIR; podman's output in DIR/import.out
test_image() {
	rm -rf "$1/img"
	mkdir -p "$1/img/usr/bin"
	for d in bin lib lib64; do mkdir -p "$1/img/usr/$d"; ln -sfn usr/$d "$1/img/$d"; done
	cp /usr/lib/ioasid-tests/ioasid-alloc "$1/img/usr/bin/"
	for l in $(ldd /usr/lib/ioasid-tests/ioasid-alloc | grep -o '/[^ ]*'); do
		mkdir -p "$1/img$(dirname "$l")" && cp -L "$l" "$1/img$l"
	done
	tar -C "$1/img" -c . | podman import --quiet - localhost/ioasid-test:1 >"$1/import.out" 2>&1
}
