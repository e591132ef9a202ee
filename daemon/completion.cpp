// SPDX-License-Identifier: MIT
// The shell completion scripts, written from CommandTable so that they know
// every command and option there is. The parts that depend on the running
// cluster call back into the program: `clustr-qt complete-words KIND`.
#include "completion.h"

#include "cli.h"
#include "commandtable.h"

#include <QtCore/QCoreApplication>

namespace Completion {

using CommandTable::Value;

namespace {

// How the scripts name a kind of word (Value::None and Text: nothing to offer).
QString kindName(Value value)
{
    switch (value) {
    case Value::ClusterFile: return QStringLiteral("clusterfile");
    case Value::File: return QStringLiteral("file");
    case Value::Directory: return QStringLiteral("directory");
    case Value::ClusterName: return QStringLiteral("clusters");
    case Value::Group: return QStringLiteral("groups");
    case Value::Pid: return QStringLiteral("pids");
    case Value::GroupOrPid: return QStringLiteral("grouporpid");
    case Value::Shell: return QStringLiteral("shell");
    case Value::None:
    case Value::Text: break;
    }
    return QString();
}

QList<CommandTable::Command> offered()
{
    QList<CommandTable::Command> list;
    for (const CommandTable::Command &command : CommandTable::commands()) {
        if (!command.hidden)
            list.append(command);
    }
    return list;
}

QStringList optionNames(const CommandTable::Command &command, bool valuedOnly)
{
    QStringList names;
    for (const CommandTable::Option &option : command.options) {
        if (!valuedOnly || option.value != Value::None)
            names.append(option.name);
    }
    return names;
}

// Helpers that bash and zsh share (POSIX shell syntax): the table as case statements.
QString tableFunctions()
{
    QString options;
    QString valued;
    QString arguments;
    QString values;
    for (const CommandTable::Command &command : offered()) {
        options += QStringLiteral("        %1) echo \"%2\" ;;\n").arg(command.name, (optionNames(command, false) << QStringLiteral("--help")).join(QLatin1Char(' ')));
        valued += QStringLiteral("        %1) echo \"%2\" ;;\n").arg(command.name, optionNames(command, true).join(QLatin1Char(' ')));
        if (const QString kind = kindName(command.argument); !kind.isEmpty())
            arguments += QStringLiteral("        %1) echo %2 ;;\n").arg(command.name, kind);
        for (const CommandTable::Option &option : command.options) {
            if (const QString kind = kindName(option.value); !kind.isEmpty())
                values += QStringLiteral("        \"%1 %2\") echo %3 ;;\n").arg(command.name, option.name, kind);
        }
    }
    return QStringLiteral(
               "_clustr_qt_commands() {\n"
               "    echo \"%1\"\n"
               "}\n"
               "\n"
               "# The options of command $1 (with --help); fails for an unknown command.\n"
               "_clustr_qt_options() {\n"
               "    case $1 in\n"
               "%2"
               "        *) return 1 ;;\n"
               "    esac\n"
               "}\n"
               "\n"
               "# The options of command $1 that take a value.\n"
               "_clustr_qt_valued() {\n"
               "    case $1 in\n"
               "%3"
               "    esac\n"
               "}\n"
               "\n"
               "# What the first argument of command $1 is.\n"
               "_clustr_qt_argument_kind() {\n"
               "    case $1 in\n"
               "%4"
               "    esac\n"
               "}\n"
               "\n"
               "# What the value of option $2 of command $1 is.\n"
               "_clustr_qt_value_kind() {\n"
               "    case \"$1 $2\" in\n"
               "%5"
               "    esac\n"
               "}\n")
        .arg(CommandTable::names().join(QLatin1Char(' ')), options, valued, arguments, values);
}

QString bashScript()
{
    return QStringLiteral(
               "# bash completion for clustr-qt, written by `clustr-qt completion bash` (%1).\n"
               "# Load it with: source <(clustr-qt completion bash)\n"
               "\n"
               "%2"
               "\n"
               "# Words of the running cluster (clusters, groups, pids) from clustr-qt itself.\n"
               "_clustr_qt_words() {\n"
               "    local program=${_clustr_qt_program/#\\~/$HOME}\n"
               "    \"$program\" complete-words \"$@\" 2>/dev/null\n"
               "}\n"
               "\n"
               "_clustr_qt() {\n"
               "    # The line split at blanks only: bash's own words break at '=' and ':',\n"
               "    # which would cut a Redis URL into pieces.\n"
               "    local -a words\n"
               "    if [[ -n ${COMP_LINE-} ]]; then\n"
               "        local line=${COMP_LINE:0:COMP_POINT}\n"
               "        read -ra words <<<\"$line\"\n"
               "        [[ $line == *[[:blank:]] || ${#words[@]} -eq 0 ]] && words+=(\"\")\n"
               "    else\n"
               "        words=(\"${COMP_WORDS[@]:0:COMP_CWORD+1}\")\n"
               "    fi\n"
               "    local cword=$((${#words[@]} - 1))\n"
               "    local cur=${words[cword]} _clustr_qt_program=${words[0]}\n"
               "    local IFS=$'\\n'\n"
               "    COMPREPLY=()\n"
               "    if ((cword == 1)); then\n"
               "        COMPREPLY=($(compgen -W \"$(_clustr_qt_commands | tr ' ' '\\n')\"$'\\n--help\\n--version' -- \"$cur\"))\n"
               "        return 0\n"
               "    fi\n"
               "    local command=${words[1]} options valued\n"
               "    options=$(_clustr_qt_options \"$command\") || return 0\n"
               "    valued=$(_clustr_qt_valued \"$command\")\n"
               "    # --redis and --cluster so far say which cluster to ask; count the arguments.\n"
               "    local -a target=()\n"
               "    local i word arguments=0\n"
               "    for ((i = 2; i < cword; i++)); do\n"
               "        word=${words[i]}\n"
               "        case $word in\n"
               "            --redis | --cluster) target+=(\"$word\" \"${words[i + 1]}\") ;;\n"
               "            --redis=* | --cluster=*) target+=(\"$word\") ;;\n"
               "        esac\n"
               "        if [[ \" $valued \" == *\" $word \"* ]]; then\n"
               "            ((i++))\n"
               "        elif [[ $word != -* ]]; then\n"
               "            ((arguments++))\n"
               "        fi\n"
               "    done\n"
               "    # An option's value: \"--cluster NAME\", or \"--cluster=NAME\" (bash completes what follows '=').\n"
               "    local option= value=$cur kind\n"
               "    if [[ $cur == --*=* ]]; then\n"
               "        option=${cur%%=*} value=${cur#*=}\n"
               "    elif ((cword > 2)); then\n"
               "        option=${words[cword - 1]}\n"
               "    fi\n"
               "    kind=$(_clustr_qt_value_kind \"$command\" \"$option\")\n"
               "    if [[ -z $kind && $cur != --*=* ]]; then\n"
               "        if [[ $cur == -* ]]; then\n"
               "            COMPREPLY=($(compgen -W \"$(echo \"$options\" | tr ' ' '\\n')\" -- \"$cur\"))\n"
               "            return 0\n"
               "        fi\n"
               "        ((arguments == 0)) && kind=$(_clustr_qt_argument_kind \"$command\")\n"
               "    fi\n"
               "    case $kind in\n"
               "        clusterfile)\n"
               "            compopt -o filenames 2>/dev/null\n"
               "            COMPREPLY=($(compgen -d -- \"$value\") $(compgen -f -X '!*.json' -- \"$value\")) ;;\n"
               "        file)\n"
               "            compopt -o filenames 2>/dev/null\n"
               "            COMPREPLY=($(compgen -f -- \"$value\")) ;;\n"
               "        directory)\n"
               "            compopt -o filenames 2>/dev/null\n"
               "            COMPREPLY=($(compgen -d -- \"$value\")) ;;\n"
               "        clusters | groups | pids)\n"
               "            COMPREPLY=($(compgen -W \"$(_clustr_qt_words \"$kind\" \"${target[@]}\")\" -- \"$value\")) ;;\n"
               "        grouporpid)\n"
               "            COMPREPLY=($(compgen -W \"all\"$'\\n'\"$(_clustr_qt_words groups \"${target[@]}\")\"$'\\n'\"$(_clustr_qt_words pids \"${target[@]}\")\" -- \"$value\")) ;;\n"
               "        shell)\n"
               "            COMPREPLY=($(compgen -W \"$(echo %3 | tr ' ' '\\n')\" -- \"$value\")) ;;\n"
               "    esac\n"
               "    return 0\n"
               "}\n"
               "\n"
               "complete -F _clustr_qt clustr-qt\n")
        .arg(QCoreApplication::applicationVersion(), tableFunctions(), CommandTable::shells().join(QLatin1Char(' ')));
}

QString zshScript()
{
    return QStringLiteral(
               "#compdef clustr-qt\n"
               "# zsh completion for clustr-qt, written by `clustr-qt completion zsh` (%1).\n"
               "# Save it as _clustr-qt in a directory of $fpath, or load it after compinit\n"
               "# with: source <(clustr-qt completion zsh)\n"
               "\n"
               "%2"
               "\n"
               "# Words of the running cluster (clusters, groups, pids) from clustr-qt itself.\n"
               "_clustr_qt_words() {\n"
               "    local program=${words[1]/#\\~/$HOME}\n"
               "    \"$program\" complete-words \"$@\" 2>/dev/null\n"
               "}\n"
               "\n"
               "_clustr_qt() {\n"
               "    local cur=${words[CURRENT]}\n"
               "    if (( CURRENT == 2 )); then\n"
               "        compadd -- ${=$(_clustr_qt_commands)} --help --version\n"
               "        return\n"
               "    fi\n"
               "    local command=${words[2]} options valued\n"
               "    options=$(_clustr_qt_options $command) || return 1\n"
               "    valued=$(_clustr_qt_valued $command)\n"
               "    # --redis and --cluster so far say which cluster to ask; count the arguments.\n"
               "    local -a target\n"
               "    local i word arguments=0\n"
               "    for (( i = 3; i < CURRENT; i++ )); do\n"
               "        word=${words[i]}\n"
               "        case $word in\n"
               "            --redis|--cluster) target+=($word ${words[i+1]}) ;;\n"
               "            --redis=*|--cluster=*) target+=($word) ;;\n"
               "        esac\n"
               "        if [[ \" $valued \" == *\" $word \"* ]]; then\n"
               "            (( i++ ))\n"
               "        elif [[ $word != -* ]]; then\n"
               "            (( arguments++ ))\n"
               "        fi\n"
               "    done\n"
               "    local option= kind\n"
               "    if [[ $cur == --*=* ]]; then\n"
               "        option=${cur%%=*}\n"
               "        compset -P '*='\n"
               "    elif (( CURRENT > 3 )); then\n"
               "        option=${words[CURRENT-1]}\n"
               "    fi\n"
               "    kind=$(_clustr_qt_value_kind $command $option)\n"
               "    if [[ -z $kind && $cur != --*=* ]]; then\n"
               "        if [[ $cur == -* ]]; then\n"
               "            compadd -- ${=options}\n"
               "            return\n"
               "        fi\n"
               "        (( arguments == 0 )) && kind=$(_clustr_qt_argument_kind $command)\n"
               "    fi\n"
               "    case $kind in\n"
               "        clusterfile) _files -g '*.json' ;;\n"
               "        file) _files ;;\n"
               "        directory) _files -/ ;;\n"
               "        clusters|groups|pids) compadd -- ${(f)\"$(_clustr_qt_words $kind $target)\"} ;;\n"
               "        grouporpid) compadd -- all ${(f)\"$(_clustr_qt_words groups $target)\"} ${(f)\"$(_clustr_qt_words pids $target)\"} ;;\n"
               "        shell) compadd -- %3 ;;\n"
               "    esac\n"
               "}\n"
               "\n"
               "if [[ ${funcstack[1]} == _clustr-qt ]]; then\n"
               "    _clustr_qt \"$@\"\n"
               "else\n"
               "    compdef _clustr_qt clustr-qt\n"
               "fi\n")
        .arg(QCoreApplication::applicationVersion(), tableFunctions(), CommandTable::shells().join(QLatin1Char(' ')));
}

// fish: one `complete` line per command, option and argument.
QString fishScript()
{
    QStringList valuedOptions;
    QString lines;
    QString arguments;
    for (const CommandTable::Command &command : offered()) {
        lines += QStringLiteral("complete -c clustr-qt -n __fish_use_subcommand -a %1\n").arg(command.name);
        for (const CommandTable::Option &option : command.options) {
            const QString condition = QStringLiteral("complete -c clustr-qt -n '__fish_seen_subcommand_from %1' -l %2")
                                          .arg(command.name, option.name.mid(2));
            if (option.value != Value::None && !valuedOptions.contains(option.name))
                valuedOptions.append(option.name);
            switch (option.value) {
            case Value::None: lines += condition + QLatin1Char('\n'); break;
            case Value::File: lines += condition + QStringLiteral(" -r -F\n"); break;
            case Value::Directory: lines += condition + QStringLiteral(" -x -a '(__fish_complete_directories)'\n"); break;
            case Value::ClusterName: lines += condition + QStringLiteral(" -x -a '(__clustr_qt_words clusters)'\n"); break;
            default: lines += condition + QStringLiteral(" -x\n"); break;
            }
        }
        QString words;
        switch (command.argument) {
        case Value::ClusterFile: words = QStringLiteral("(__fish_complete_suffix .json)"); break;
        case Value::Group: words = QStringLiteral("(__clustr_qt_words groups)"); break;
        case Value::Pid: words = QStringLiteral("(__clustr_qt_words pids)"); break;
        case Value::GroupOrPid: words = QStringLiteral("all (__clustr_qt_words groups) (__clustr_qt_words pids)"); break;
        case Value::Shell: words = CommandTable::shells().join(QLatin1Char(' ')); break;
        default: break;
        }
        if (!words.isEmpty())
            arguments += QStringLiteral("complete -c clustr-qt -n '__clustr_qt_first_argument %1' -a '%2'\n").arg(command.name, words);
    }
    return QStringLiteral(
               "# fish completion for clustr-qt, written by `clustr-qt completion fish` (%1).\n"
               "# Save it as ~/.config/fish/completions/clustr-qt.fish\n"
               "\n"
               "# Words of the running cluster (clusters, groups, pids) from clustr-qt itself,\n"
               "# asked with the --redis and --cluster of the command line.\n"
               "function __clustr_qt_words\n"
               "    set -l tokens (commandline -opc)\n"
               "    set -l target\n"
               "    for i in (seq 3 (count $tokens))\n"
               "        switch $tokens[$i]\n"
               "            case --redis --cluster\n"
               "                set -l next (math $i + 1)\n"
               "                test $next -le (count $tokens); and set -a target $tokens[$i] $tokens[$next]\n"
               "            case '--redis=*' '--cluster=*'\n"
               "                set -a target $tokens[$i]\n"
               "        end\n"
               "    end\n"
               "    $tokens[1] complete-words $argv $target 2>/dev/null\n"
               "end\n"
               "\n"
               "# True while the command is $argv[1] and its first argument is being typed.\n"
               "function __clustr_qt_first_argument\n"
               "    set -l tokens (commandline -opc)\n"
               "    test (count $tokens) -ge 2; and test $tokens[2] = $argv[1]; or return 1\n"
               "    test (count $tokens) -ge 3; or return 0\n"
               "    set -l skip 0\n"
               "    for token in $tokens[3..-1]\n"
               "        if test $skip = 1\n"
               "            set skip 0\n"
               "        else if contains -- $token %2\n"
               "            set skip 1\n"
               "        else if not string match -q -- '-*' $token\n"
               "            return 1\n"
               "        end\n"
               "    end\n"
               "    # Not while the value of an option is being typed.\n"
               "    test $skip = 0\n"
               "end\n"
               "\n"
               "complete -c clustr-qt -f\n"
               "complete -c clustr-qt -l help\n"
               "complete -c clustr-qt -n __fish_use_subcommand -l version\n"
               "%3"
               "%4")
        .arg(QCoreApplication::applicationVersion(), valuedOptions.join(QLatin1Char(' ')), lines, arguments);
}

} // namespace

QString help()
{
    return QStringLiteral(
        "usage: clustr-qt completion bash|zsh|fish\n"
        "\n"
        "Prints a completion script for the shell: commands, their options, cluster\n"
        "files (*.json) for run, check, acl and unit, and, asked of the running cluster\n"
        "(with the --redis and --cluster typed so far), cluster names for --cluster,\n"
        "groups for group/stop/start/scale/restart and pids for send/kill/restart.\n"
        "\n"
        "  bash  source <(clustr-qt completion bash)       (e.g. in ~/.bashrc)\n"
        "  zsh   clustr-qt completion zsh > ~/.zfunc/_clustr-qt   (a directory in $fpath)\n"
        "  fish  clustr-qt completion fish > ~/.config/fish/completions/clustr-qt.fish\n"
        "\n"
        "Installed, clustr-qt brings them along (share/bash-completion/completions,\n"
        "share/zsh/vendor-completions, share/fish/vendor_completions.d).\n"
        "Exit code: 0, or 2 for a shell it does not know.");
}

QString script(const QString &shell)
{
    if (shell == QLatin1String("bash"))
        return bashScript();
    if (shell == QLatin1String("zsh"))
        return zshScript();
    if (shell == QLatin1String("fish"))
        return fishScript();
    return QString();
}

int run(QStringList args)
{
    const QString shells = CommandTable::shells().join(QStringLiteral(", "));
    if (args.size() != 1 || args.constFirst().startsWith(QLatin1Char('-'))) {
        Cli::err(QStringLiteral("completion: which shell? usage: clustr-qt completion bash|zsh|fish"));
        return Cli::Usage;
    }
    const QString text = script(args.constFirst());
    if (text.isEmpty()) {
        Cli::err(QStringLiteral("completion: no completion for the shell \"%1\" (supported: %2)").arg(args.constFirst(), shells));
        return Cli::Usage;
    }
    Cli::out(text.chopped(1)); // out() adds the last newline
    return Cli::Ok;
}

} // namespace Completion
