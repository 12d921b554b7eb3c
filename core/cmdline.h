#pragma once
// The command-line layer of every `dfm` subcommand: a declared command (its
// usage, description and options) parsed into values, its --help text, and
// usage errors with "did you mean" in one style. Pure: it prints nothing and
// exits nothing; cli/ prints what it returns. Tested in tst_cmdline.cpp.
//
// Rules: `--name VALUE`, `--name=VALUE`, `-x VALUE`, `-xVALUE`, clustered
// short flags (`-vq`), `--` ends the options. `-h`/`--help` anywhere before
// `--` asks for help and nothing else happens. A single-dash word spelling a
// long option (`-clean`) is an error naming `--clean`, never a cluster.

#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

namespace dfm::cli {

/// One option of a command.
struct OptionSpec {
    QString shortName;   /* "j", or "" for none */
    QString longName;    /* "jobs", or "" for none; the option's key when set */
    QString valueName;   /* "N"; "" makes the option a flag */
    QString help;        /* one sentence or more; wrapped in --help */
    bool hidden = false; /* internal: accepted, never shown or suggested */

    /// The key values are stored under: the long name, else the short one.
    QString key() const { return longName.isEmpty() ? shortName : longName; }
};

/// A subcommand listed by a command group (`dfm`, `dfm daemon`).
struct SubcommandSpec {
    QString name;
    QString summary;     /* one line */
    bool hidden = false;
};

/// A command: a leaf (`dfm run`) or a group of subcommands (`dfm daemon`).
struct CommandSpec {
    QString path;                         /* "dfm run", "dfm daemon start" */
    QString synopsis;                     /* after the path: "[options] [TASK...]" */
    QString description;                  /* paragraphs split by "\n\n"; wrapped */
    std::vector<OptionSpec> options;      /* -h/--help is implicit */
    std::vector<SubcommandSpec> subcommands; /* non-empty for a group */
    int maxPositionals = 0;               /* -1: any number */
    QString footer;                       /* preformatted sections after the options */
};

/// What a command line said.
class ParsedArgs {
public:
    /// True when option `key` (its long name, else short) was given.
    bool isSet(const QString &key) const { return m_values.contains(key); }
    /// The last value given for `key`; "" for a flag or an unset option.
    QString value(const QString &key) const;
    /// Every value given for `key`, in order.
    QStringList values(const QString &key) const { return m_values.value(key); }
    /// The words that are not options, in order.
    QStringList positionals;

    void add(const QString &key, const QString &value) { m_values[key].append(value); }

private:
    QHash<QString, QStringList> m_values;
};

/// How parsing ended.
enum class ParseResult {
    Ok,    /* act on *out */
    Help,  /* print *text to stdout and exit 0; nothing else */
    Error, /* print *text to stderr and exit 2 */
};

/// Parses `args` (the words after the command's path) against `spec`. For
/// Help, *text is helpText(spec); for Error, a usageError() text.
ParseResult parseCommandLine(const CommandSpec &spec, const QStringList &args, ParsedArgs *out,
                             QString *text);

/// "Usage: dfm run [options] [TASK...]\n".
QString usageLine(const CommandSpec &spec);

/// The full --help text: usage, description, subcommands, options, footer.
QString helpText(const CommandSpec &spec);

/// A usage error, newline-terminated: "dfm run: MESSAGE\n", the usage line,
/// and "Run 'dfm run --help' for details.\n".
QString usageError(const CommandSpec &spec, const QString &message);

/// For a group: the error for an unknown subcommand `word`, with the
/// closest one ("did you mean 'daemon'?") and the valid choices.
QString unknownSubcommandError(const CommandSpec &spec, const QString &word);

/// The visible option names of `spec`, "--jobs"/"-j" style, sorted, --help last.
QStringList optionNames(const CommandSpec &spec);

/// A manual page (roff, man(7) macros) made of `top`'s help and every
/// command of `commands` as a subsection: what `--help` says, in man form.
/// `summary` is the NAME line's ("DV Flow Manager ..."), `version` the
/// page's source ("dfm 0.1.0").
QString manPage(const CommandSpec &top, const std::vector<CommandSpec> &commands, const QString &summary,
                const QString &version);

/// `text` wrapped at `width` columns, every line after the first indented
/// by `indent` spaces (the first line is not indented). No trailing newline.
QString wrap(const QString &text, int width, int indent);

} // namespace dfm::cli
