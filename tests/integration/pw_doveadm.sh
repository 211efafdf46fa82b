#!/bin/bash
# pw_doveadm.sh - "postwarden pw" against the real "doveadm pw" (Dovecot
# 2.3): for every scheme both know and several passwords,
#   - a hash postwarden makes must pass "doveadm pw -t" and fail with a
#     wrong password (Debian 12's doveadm exits 75 on a mismatch),
#   - a hash doveadm makes must pass "postwarden pw -t" (exit 0) and fail
#     with a wrong password (exit 1).
# doveadm runs with -O (no config file), so the machine's Dovecot config
# neither helps nor breaks it. Skips (77) without doveadm.
set -u

POSTWARDEN=${POSTWARDEN:-$top_builddir/cli/postwarden}
DOVEADM=$(command -v doveadm) || { echo "SKIP: doveadm not installed"; exit 77; }
[ -x "$POSTWARDEN" ] || { echo "postwarden not built: $POSTWARDEN" >&2; exit 99; }

doveadm_pw() { "$DOVEADM" -O pw "$@" 2>/dev/null; }

long=$(printf 'x%.0s' {1..997})
passwords=(
	'secret'
	'pässwörd ünïcödé'
	"sp ace \"dq\" 'sq' back\\slash \\\\ end "
	''
	"L${long}ng"
)
agree=0 disagree=0 skipped=0

fail() {
	disagree=$((disagree + 1))
	echo "DISAGREE: $*" >&2
}

# check NAME WANT CMD... - run CMD, compare "0" / "nonzero" / an exact status
check() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	case $want in
	nonzero) [ "$rc" -ne 0 ] ;;
	*) [ "$rc" -eq "$want" ] ;;
	esac && { agree=$((agree + 1)); return 0; }
	fail "$name: exit $rc, want $want"
	return 1
}

schemes=$("$POSTWARDEN" pw -l) || { echo "postwarden pw -l failed" >&2; exit 1; }
dove_schemes=" $("$DOVEADM" -O pw -l 2>/dev/null) "

for s in $schemes; do
	case $dove_schemes in
	*" $s "*) ;;
	*) echo "note: doveadm does not list $s"; skipped=$((skipped + 1)); continue ;;
	esac
	users=("")
	[ "$s" = DIGEST-MD5 ] && users=(testuser1 user@example.com a@b@example.org)
	for u in "${users[@]}"; do
		uopt=()
		[ -n "$u" ] && uopt=(-u "$u")
		for pw in "${passwords[@]}"; do
			wrong="X$pw"
			label="$s pw#${#pw}${u:+ user $u}"
			case $s in
			SHA256-CRYPT | SHA512-CRYPT | DES-CRYPT)
				if [ "${#pw}" -gt 511 ]; then
					# crypt(3) takes at most 511 bytes:
					# doveadm prints "*0", we refuse
					check "$label: too long for crypt(3)" \
						65 "$POSTWARDEN" pw -s "$s" -p "$pw"
					h=$(doveadm_pw -s "$s" -p "$pw")
					check "$label: doveadm's \"$h\"" \
						65 "$POSTWARDEN" pw -t "$h" -p "$pw"
					continue
				fi
				;;
			PLAIN-TRUNC)
				# "0-" keeps 0 bytes: any password matches,
				# in Dovecot as here
				[ -z "$pw" ] && wrong=anything
				;;
			esac

			# postwarden makes, doveadm checks
			if h=$("$POSTWARDEN" pw -s "$s" -p "$pw" "${uopt[@]}"); then
				check "$label: doveadm -t ours" 0 \
					doveadm_pw -t "$h" -p "$pw" "${uopt[@]}"
				check "$label: doveadm -t ours, wrong password" \
					"$([ "$s$pw" = PLAIN-TRUNC ] && echo 0 ||
					   echo nonzero)" \
					doveadm_pw -t "$h" -p "$wrong" "${uopt[@]}"
				# and we read back our own
				check "$label: postwarden -t ours" 0 "$POSTWARDEN" \
					pw -t "$h" -p "$pw" "${uopt[@]}"
			else
				fail "$label: postwarden pw -s failed"
			fi

			# doveadm makes, postwarden checks
			h=$(doveadm_pw -s "$s" -p "$pw" "${uopt[@]}") ||
				{ fail "$label: doveadm pw -s failed"; continue; }
			if [ "$s" = PLAIN-TRUNC ]; then
				# doveadm writes no "<N>-" prefix, and then
				# rejects its own output: so must we
				check "$label: doveadm's own PLAIN-TRUNC" \
					nonzero doveadm_pw -t "$h" -p "$pw"
				check "$label: postwarden -t doveadm's" 65 \
					"$POSTWARDEN" pw -t "$h" -p "$pw"
				continue
			fi
			check "$label: postwarden -t doveadm's" 0 \
				"$POSTWARDEN" pw -t "$h" -p "$pw" "${uopt[@]}"
			check "$label: postwarden -t doveadm's, wrong password" \
				1 "$POSTWARDEN" pw -t "$h" -p "$wrong" "${uopt[@]}"
		done
	done
done

# Schemes doveadm lists that we do not know would be a gap.
for s in $dove_schemes; do
	case " $schemes " in
	*" $s "*) ;;
	*) fail "doveadm lists $s, postwarden pw -l does not" ;;
	esac
done

echo "pw_doveadm: $agree checks agree, $disagree disagree," \
	"$skipped schemes only we know"
[ "$disagree" -eq 0 ]
