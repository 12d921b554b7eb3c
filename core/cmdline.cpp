#include "cmdline.h"

#include "spellcheck.h"

#include <algorithm>

namespace dfm::cli {

namespace {

constexpr int kWidth = 79;     /* help text is wrapped to fit an 80-column terminal */
constexpr int kMaxLeft = 26;   /* widest option column before the help moves below it */

const OptionSpec kHelpOption{QStringLiteral("h"), QStringLiteral("help"), QString(),
                             QStringLiteral("Show this help and exit; nothing else is done.")};

const OptionSpec *findLong(const CommandSpec &spec, const QString &name)
{
    if (name == kHelpOption.longName)
        return &kHelpOption;
    for (const OptionSpec &o : spec.options)
        if (!o.longName.isEmpty() && o.longName == name)
            return &o;
    return nullptr;
}

const OptionSpec *findShort(const CommandSpec &spec, QChar c)
{
    if (kHelpOption.shortName == c)
        return &kHelpOption;
    for (const OptionSpec &o : spec.options)
        if (o.shortName.size() == 1 && o.shortName[0] == c)
            return &o;
    return nullptr;
}

bool isHelpWord(const QString &a)
{
    return a == QLatin1String("-h") || a == QLatin1String("--help");
}

// The visible long option names, without dashes.
QStringList longNames(const CommandSpec &spec)
{
    QStringList names;
    for (const OptionSpec &o : spec.options)
        if (!o.hidden && !o.longName.isEmpty())
            names << o.longName;
    names << kHelpOption.longName;
    return names;
}

// The option an unknown `--word` most likely meant, with its dashes; "" if none.
QString suggestLong(const CommandSpec &spec, const QString &word)
{
    const QStringList names = longNames(spec);
    QStringList extending; // --pool for --pool-size
    QString prefix;        // --help for --help-all
    for (const QString &n : names) {
        if (n.startsWith(word))
            extending << n;
        if (word.startsWith(n) && n.size() > prefix.size())
            prefix = n;
    }
    if (extending.size() == 1)
        return QStringLiteral("--") + extending.first();
    const QString close = closestMatch(word, names);
    if (!close.isEmpty())
        return QStringLiteral("--") + close;
    return prefix.isEmpty() ? QString() : QStringLiteral("--") + prefix;
}

QString unknownOption(const CommandSpec &spec, const QString &word, const QString &suggestion)
{
    QString msg = QStringLiteral("unknown option '%1'").arg(word);
    if (!suggestion.isEmpty())
        msg += QStringLiteral("; did you mean '%1'?").arg(suggestion);
    msg += QStringLiteral("\n  valid options: ") + optionNames(spec).join(QStringLiteral(", "));
    return usageError(spec, msg);
}

// Parses the option word args[*i] (which starts with '-'), advancing *i past
// any separate value. False with *text on an error.
bool parseOption(const CommandSpec &spec, const QStringList &args, int *i, ParsedArgs *out, QString *text)
{
    const QString a = args.at(*i);
    auto takeValue = [&](const OptionSpec &o, const QString &shown, QString *value) {
        if (*i + 1 >= args.size()) {
            *text = usageError(spec, QStringLiteral("option '%1' needs a value (%2)").arg(shown, o.valueName));
            return false;
        }
        *value = args.at(++*i);
        return true;
    };
    if (a.startsWith(QLatin1String("--"))) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        const QString name = a.mid(2, eq < 0 ? -1 : eq - 2);
        const OptionSpec *o = findLong(spec, name);
        if (!o) {
            *text = unknownOption(spec, a.left(eq < 0 ? a.size() : eq), suggestLong(spec, name));
            return false;
        }
        QString value;
        if (o->valueName.isEmpty()) {
            if (eq >= 0) {
                *text = usageError(spec, QStringLiteral("option '--%1' takes no value").arg(name));
                return false;
            }
        } else if (eq >= 0) {
            value = a.mid(eq + 1);
        } else if (!takeValue(*o, QStringLiteral("--") + name, &value)) {
            return false;
        }
        out->add(o->key(), value);
        return true;
    }
    // One dash: a cluster of short options, the last of which may take the
    // rest of the word or the next word as its value.
    const QString body = a.mid(1);
    const QString bodyName = body.left(body.indexOf(QLatin1Char('=')));
    if (body.size() > 1 && findLong(spec, bodyName.isEmpty() ? body : bodyName)) {
        *text = unknownOption(spec, a, QStringLiteral("--") + (bodyName.isEmpty() ? body : bodyName));
        return false;
    }
    for (qsizetype k = 0; k < body.size(); ++k) {
        const OptionSpec *o = findShort(spec, body[k]);
        if (!o || o->hidden) {
            const QString word = QStringLiteral("-") + body[k];
            const QString suggestion = body.size() > 1 ? suggestLong(spec, body) : QString();
            if (body.size() == 1 || !suggestion.isEmpty())
                *text = unknownOption(spec, a, suggestion);
            else
                *text = unknownOption(spec, QStringLiteral("%1' in '%2").arg(word, a), QString());
            return false;
        }
        if (o->valueName.isEmpty()) {
            out->add(o->key(), QString());
            continue;
        }
        QString value = body.mid(k + 1);
        if (value.isEmpty() && !takeValue(*o, QStringLiteral("-") + o->shortName, &value))
            return false;
        out->add(o->key(), value);
        return true;
    }
    return true;
}

void appendOptions(const CommandSpec &spec, QString *s)
{
    std::vector<const OptionSpec *> shown;
    for (const OptionSpec &o : spec.options)
        if (!o.hidden)
            shown.push_back(&o);
    shown.push_back(&kHelpOption);
    auto left = [](const OptionSpec &o) {
        QString l = o.shortName.isEmpty() ? QStringLiteral("    ") : QStringLiteral("-%1, ").arg(o.shortName);
        if (!o.longName.isEmpty())
            l += QStringLiteral("--") + o.longName;
        else
            l.chop(2);
        if (!o.valueName.isEmpty())
            l += QLatin1Char(' ') + o.valueName;
        return QStringLiteral("  ") + l;
    };
    int col = 0;
    for (const OptionSpec *o : shown)
        col = std::max(col, int(left(*o).size()));
    col = std::min(col, kMaxLeft) + 2;
    *s += QStringLiteral("\nOptions:\n");
    for (const OptionSpec *o : shown) {
        QString l = left(*o);
        if (l.size() + 2 > col)
            *s += l + QLatin1Char('\n') + QString(col, QLatin1Char(' '));
        else
            *s += l.leftJustified(col);
        *s += wrap(o->help, kWidth, col) + QLatin1Char('\n');
    }
}

} // namespace

QString ParsedArgs::value(const QString &key) const
{
    const auto it = m_values.constFind(key);
    return it == m_values.cend() || it->isEmpty() ? QString() : it->last();
}

ParseResult parseCommandLine(const CommandSpec &spec, const QStringList &args, ParsedArgs *out, QString *text)
{
    // Help first, wherever it is: asking for help never acts, even beside an error.
    for (const QString &a : args) {
        if (a == QLatin1String("--"))
            break;
        if (isHelpWord(a)) {
            *text = helpText(spec);
            return ParseResult::Help;
        }
        if (!spec.subcommands.empty() && !a.startsWith(QLatin1Char('-')))
            break; // a group's subcommand: the rest is its business
    }
    bool endOfOptions = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (!endOfOptions && a == QLatin1String("--")) {
            endOfOptions = true;
            continue;
        }
        if (endOfOptions || a == QLatin1String("-") || !a.startsWith(QLatin1Char('-'))) {
            if (!spec.subcommands.empty()) {
                // A group: the first word names the subcommand, the rest is its own.
                bool known = false;
                for (const SubcommandSpec &c : spec.subcommands)
                    known = known || c.name == a;
                if (!known) {
                    *text = unknownSubcommandError(spec, a);
                    return ParseResult::Error;
                }
                out->positionals = args.mid(i);
                return ParseResult::Ok;
            }
            out->positionals << a;
            continue;
        }
        if (!parseOption(spec, args, &i, out, text))
            return ParseResult::Error;
    }
    if (spec.maxPositionals >= 0 && spec.subcommands.empty() && out->positionals.size() > spec.maxPositionals) {
        *text = usageError(spec, QStringLiteral("unexpected argument '%1'").arg(out->positionals.at(spec.maxPositionals)));
        return ParseResult::Error;
    }
    return ParseResult::Ok;
}

QString usageLine(const CommandSpec &spec)
{
    return QStringLiteral("Usage: %1%2\n").arg(spec.path, spec.synopsis.isEmpty() ? QString() : QLatin1Char(' ') + spec.synopsis);
}

QString wrap(const QString &text, int width, int indent)
{
    QString out;
    int col = indent;
    bool first = true;
    for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!first && col + 1 + word.size() > width) {
            out += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            col = indent;
            first = true;
        }
        if (!first) {
            out += QLatin1Char(' ');
            ++col;
        }
        out += word;
        col += int(word.size());
        first = false;
    }
    return out;
}

QString helpText(const CommandSpec &spec)
{
    QString s = usageLine(spec);
    if (!spec.description.isEmpty()) {
        for (const QString &para : spec.description.split(QStringLiteral("\n\n")))
            s += QLatin1Char('\n') + wrap(QString(para).replace(QLatin1Char('\n'), QLatin1Char(' ')), kWidth, 0)
                 + QLatin1Char('\n');
    }
    if (!spec.subcommands.empty()) {
        int col = 0;
        for (const SubcommandSpec &c : spec.subcommands)
            col = std::max(col, int(c.name.size()));
        col += 4;
        s += QStringLiteral("\nCommands:\n");
        for (const SubcommandSpec &c : spec.subcommands)
            if (!c.hidden)
                s += (QStringLiteral("  ") + c.name).leftJustified(col) + wrap(c.summary, kWidth, col)
                     + QLatin1Char('\n');
    }
    appendOptions(spec, &s);
    if (!spec.footer.isEmpty())
        s += QLatin1Char('\n') + spec.footer;
    return s;
}

QString usageError(const CommandSpec &spec, const QString &message)
{
    return QStringLiteral("%1: %2\n%3Run '%1 --help' for details.\n").arg(spec.path, message, usageLine(spec));
}

QString unknownSubcommandError(const CommandSpec &spec, const QString &word)
{
    QStringList names;
    for (const SubcommandSpec &c : spec.subcommands)
        if (!c.hidden)
            names << c.name;
    const QString close = closestMatch(word, names);
    QString msg = QStringLiteral("unknown command '%1'").arg(word);
    if (!close.isEmpty())
        msg += QStringLiteral("; did you mean '%1'?").arg(close);
    msg += QStringLiteral("\n  valid commands: ") + names.join(QStringLiteral(", "));
    return usageError(spec, msg);
}

QStringList optionNames(const CommandSpec &spec)
{
    std::vector<std::pair<QString, QString>> named; // sort key, shown form
    for (const OptionSpec &o : spec.options) {
        if (o.hidden)
            continue;
        QStringList forms;
        if (!o.shortName.isEmpty())
            forms << QLatin1Char('-') + o.shortName;
        if (!o.longName.isEmpty())
            forms << QStringLiteral("--") + o.longName;
        named.emplace_back(o.key(), forms.join(QLatin1Char('/')));
    }
    std::sort(named.begin(), named.end());
    QStringList names;
    for (const auto &n : named)
        names << n.second;
    names << QStringLiteral("-h/--help");
    return names;
}

} // namespace dfm::cli

namespace dfm::cli {

namespace {

// Text safe in roff: backslashes escaped, a leading '.' or '\'' defused,
// dashes as minus signs so options can be searched and copied.
QString roff(const QString &text)
{
    QString out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        QString l = line;
        l.replace(QLatin1Char('\\'), QStringLiteral("\\e")).replace(QLatin1Char('-'), QStringLiteral("\\-"));
        if (l.startsWith(QLatin1Char('.')) || l.startsWith(QLatin1Char('\'')))
            l.prepend(QStringLiteral("\\&"));
        out += l + QLatin1Char('\n');
    }
    return out;
}

void manSection(const CommandSpec &spec, QString *s)
{
    for (const QString &para : spec.description.split(QStringLiteral("\n\n"), Qt::SkipEmptyParts))
        *s += QStringLiteral(".PP\n") + roff(QString(para).replace(QLatin1Char('\n'), QLatin1Char(' ')));
    if (!spec.subcommands.empty()) {
        *s += QStringLiteral(".PP\nCommands:\n");
        for (const SubcommandSpec &c : spec.subcommands)
            if (!c.hidden)
                *s += QStringLiteral(".TP\n.B %1\n").arg(c.name) + roff(c.summary);
    }
    *s += QStringLiteral(".PP\nOptions:\n");
    std::vector<OptionSpec> shown;
    for (const OptionSpec &o : spec.options)
        if (!o.hidden)
            shown.push_back(o);
    shown.push_back(kHelpOption);
    for (const OptionSpec &o : shown) {
        QStringList forms;
        if (!o.shortName.isEmpty())
            forms << QStringLiteral("\\fB\\-%1\\fR").arg(o.shortName);
        if (!o.longName.isEmpty())
            forms << QStringLiteral("\\fB\\-\\-%1\\fR").arg(QString(o.longName).replace(QLatin1Char('-'), QStringLiteral("\\-")));
        QString head = forms.join(QStringLiteral(", "));
        if (!o.valueName.isEmpty())
            head += QStringLiteral(" \\fI%1\\fR").arg(o.valueName);
        *s += QStringLiteral(".TP\n") + head + QLatin1Char('\n') + roff(o.help);
    }
    if (!spec.footer.isEmpty())
        *s += QStringLiteral(".PP\n.nf\n") + roff(spec.footer.trimmed()) + QStringLiteral(".fi\n");
}

} // namespace

QString manPage(const CommandSpec &top, const std::vector<CommandSpec> &commands, const QString &summary,
                const QString &version)
{
    const QString title = top.path.toUpper();
    QString s = QStringLiteral(".TH %1 1 \"\" \"%2\" \"User Commands\"\n").arg(title, version);
    s += QStringLiteral(".SH NAME\n%1 \\- %2").arg(top.path, roff(summary));
    s += QStringLiteral(".SH SYNOPSIS\n");
    s += QStringLiteral(".B %1\n").arg(top.path) + roff(top.synopsis);
    for (const CommandSpec &c : commands)
        s += QStringLiteral(".br\n.B %1\n").arg(c.path) + roff(c.synopsis);
    s += QStringLiteral(".SH DESCRIPTION\n");
    manSection(top, &s);
    s += QStringLiteral(".SH COMMANDS\n");
    for (const CommandSpec &c : commands) {
        s += QStringLiteral(".SS \"%1%2\"\n").arg(c.path, c.synopsis.isEmpty() ? QString() : QLatin1Char(' ') + c.synopsis);
        manSection(c, &s);
    }
    return s;
}

} // namespace dfm::cli
