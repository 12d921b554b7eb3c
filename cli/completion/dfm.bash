# bash completion for dfm. Installed as
# <prefix>/share/bash-completion/completions/dfm; or `source` it.
#
# It asks dfm itself, so new commands and options need no change here:
#   - commands and options come from `dfm [COMMAND...] --help` (the
#     "Commands:" and "Options:" sections; --help never acts);
#   - task names (after run, graph and show task) come from
#     `dfm run --list-tasks` (with the line's --root and --tasks-from).

# The help text of the command path "$@".
_dfm_help()
{
    "$_dfm_bin" "$@" --help 2>/dev/null
}

# The subcommands a command group lists under "Commands:".
_dfm_subcommands()
{
    _dfm_help "$@" | sed -n '/^Commands:$/,/^$/s/^  \([a-z][-a-z]*\) .*/\1/p'
}

# Every option form ("-j", "--jobs") under "Options:".
_dfm_options()
{
    _dfm_help "$@" | sed -n '/^Options:$/,/^$/p' | grep -oE '^ +(-[A-Za-z], )?--[a-z][-a-z]*' |
        tr -d ',' | tr ' ' '\n' | grep -e '^-'
}

# True when option $1 of command path "${@:2}" takes a value ("--jobs N").
_dfm_takes_value()
{
    local opt=$1
    shift
    _dfm_help "$@" | sed -n '/^Options:$/,/^$/p' |
        sed -nE 's/^ +(-([A-Za-z]), )?--([a-z][-a-z]*) [A-Z][A-Z=:]*( .*)?$/-\2 --\3/p' |
        tr ' ' '\n' | grep -qx -- "$opt"
}

_dfm()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    _dfm_bin=${COMP_WORDS[0]}
    COMPREPLY=()

    # The command path: the leading words that name (sub)commands. `dfm help
    # X Y` completes like `dfm X Y`.
    local path=() root=() tasks_from=() i w skip=0 help=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((skip)); then
            skip=0
            continue
        fi
        case $w in
        --root) root=(--root "${COMP_WORDS[i + 1]}") ;;
        --root=*) root=("$w") ;;
        --tasks-from) tasks_from=(--tasks-from "${COMP_WORDS[i + 1]}") ;;
        --tasks-from=*) tasks_from=("$w") ;;
        esac
        if [[ $w == -* ]]; then
            [[ $w != *=* ]] && _dfm_takes_value "$w" "${path[@]}" && skip=1
            continue
        fi
        if ((${#path[@]} == 0)) && [[ $w == help ]] && ((!help)); then
            help=1
            continue
        fi
        if _dfm_subcommands "${path[@]}" | grep -qx -- "$w"; then
            path+=("$w")
        else
            break
        fi
    done

    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    elif [[ $prev != -* ]] || ! _dfm_takes_value "$prev" "${path[@]}"; then
        prev=
    fi
    case $prev in
    --root | --rundir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --json | --tasks-from | --token-file | --output | -o) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --color) mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur"); return ;;
    --runner) mapfile -t COMPREPLY < <(compgen -W "local lsf slurm" -- "$cur"); return ;;
    -?*) return ;; # a value nobody can guess
    esac

    if [[ $cur == -* ]] && ((!help)); then
        mapfile -t COMPREPLY < <(compgen -W "$(_dfm_options "${path[@]}")" -- "$cur")
        return
    fi
    local subs
    subs=$(_dfm_subcommands "${path[@]}")
    if [[ -n $subs ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    elif [[ ${path[*]} == run || ${path[*]} == graph || ${path[*]} == "show task" ]] && ((!help)); then
        mapfile -t COMPREPLY < <(compgen -W "$("$_dfm_bin" run --list-tasks "${root[@]}" "${tasks_from[@]}" 2>/dev/null)" -- "$cur")
    fi
}

complete -F _dfm dfm
