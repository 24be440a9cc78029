# bash completion for ioasidctl(8)
_ioasidctl_cgroups()
{
	local mnt=${IOASIDCTL_CGROUP_ROOT:-/sys/fs/cgroup} cur=$1 dir
	dir=${cur%/*}
	[[ $cur == */* ]] || dir=
	compgen -d -- "$mnt${dir:+$dir/}${cur##*/}" 2>/dev/null |
		sed -e "s|^$mnt||" -e 's|$|/|'
}

_ioasidctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd= i
	local commands="show set info watch top apply enable oci-hook"
	local options="-r --recursive -J --json --format -o --output -d --delay -n --iterations -u --unit --runtime -h --help -V --version"

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		show | set | info | watch | top | apply | enable | oci-hook) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ ${COMP_WORDS[COMP_CWORD - 1]} == @(-u|--unit) ]]; then
		# running services, scopes and slices, from systemd
		mapfile -t COMPREPLY < <(compgen -W "$(systemctl list-units --plain --no-legend \
			--type=service,scope,slice 2>/dev/null | cut -d' ' -f1)" -- "$cur")
		return
	fi
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	--format)
		mapfile -t COMPREPLY < <(compgen -W "table json prometheus" -- "$cur")
		return
		;;
	-o | --output)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
		return
	fi
	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		;;
	set)
		# set CGROUP VALUE: a cgroup first, then a value
		local args=0
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} == -* ]] || args=$((args + 1))
		done
		if ((args == 0)); then
			mapfile -t COMPREPLY < <(_ioasidctl_cgroups "$cur")
			compopt -o nospace 2>/dev/null
		elif ((args == 1)); then
			mapfile -t COMPREPLY < <(compgen -W "max infinity 10%" -- "$cur")
		fi
		;;
	show | watch | top | enable)
		mapfile -t COMPREPLY < <(_ioasidctl_cgroups "$cur")
		compopt -o nospace 2>/dev/null
		;;
	esac
}
complete -F _ioasidctl ioasidctl
