# bench/lib.sh: what the benchmark scripts share. Source it; it defines:
#
# install_missing PKG...: installs Debian packages with apt-get (through sudo
# when not root), unless INSTALL=0, in which case it fails naming them.
# Callers define die.

install_missing() {
	(($#)) || return 0
	[[ ${INSTALL:-1} == 1 ]] || die "missing: $* (INSTALL=0, so not installing)"
	command -v apt-get >/dev/null || die "missing: $*, and no apt-get to install them"
	local sudo=()
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || die "missing: $*; not root and no sudo"
		sudo=(sudo)
	fi
	echo "== installing $*" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
