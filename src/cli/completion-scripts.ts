// The scripts `neighborbid completion bash|zsh|fish` prints. Each is a thin
// shim: it hands the words typed so far to `neighborbid __complete`, which
// works the candidates out from the program (completion.ts), and shows what
// comes back: one candidate a line, `value<TAB>description`, or `:files` for
// a path the shell should complete itself.

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

function bash(name: string, fn: string): string {
  return `# bash completion for ${name}; install with
#   echo 'source <(${name} completion bash)' >> ~/.bashrc
_${fn}() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    if [[ $line == ':files' ]]; then
      compopt -o default 2>/dev/null
      COMPREPLY=()
      return 0
    fi
    COMPREPLY+=("\${line%%$'\\t'*}")
  done < <(${name} __complete bash -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  return 0
}
complete -F _${fn} ${name}
`;
}

function zsh(name: string, fn: string): string {
  return `#compdef ${name}
# zsh completion for ${name}; install with
#   echo 'source <(${name} completion zsh)' >> ~/.zshrc    (after compinit)
# or save it as _${name} in a directory on $fpath.
_${fn}() {
  local line
  local -a values shown
  while IFS= read -r line; do
    if [[ $line == ':files' ]]; then
      _files
      return
    fi
    values+=("\${line%%$'\\t'*}")
    if [[ $line == *$'\\t'* ]]; then
      shown+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}")
    else
      shown+=("$line")
    fi
  done < <(${name} __complete zsh -- "\${(@)words[2,CURRENT]}" 2>/dev/null)
  (( \${#values} )) && compadd -l -d shown -a values
}
if [[ "\${funcstack[1]}" == "_${fn}" ]]; then
  _${fn} "$@"
else
  compdef _${fn} ${name}
fi
`;
}

function fish(name: string, fn: string): string {
  return `# fish completion for ${name}; install with
#   ${name} completion fish > ~/.config/fish/completions/${name}.fish
function __${fn}_complete
    set -l current (commandline -ct)
    set -l words (commandline -opc) "$current"
    set -e words[1]
    set -l out (${name} __complete fish -- $words 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path "$current"
        return
    end
    printf '%s\\n' $out
end
complete -c ${name} -f -a '(__${fn}_complete)'
`;
}

/** The completion script for a shell, for the program called `name`. */
export function completionScript(shell: Shell, name: string): string {
  const fn = name.replace(/[^A-Za-z0-9_]/g, '_');
  return { bash, zsh, fish }[shell](name, fn);
}
