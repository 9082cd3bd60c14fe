# bash completion for pyshm: commands, options, layouts and the names of
# blocks. The candidates come from the tool itself (pyshm __complete), so
# this file names no command and cannot fall behind the installed version.
_pyshm() {
    local line
    COMPREPLY=()
    while IFS= read -r line; do
        COMPREPLY+=("$line")
    done < <(command "${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -F _pyshm pyshm
