// The fast path of parseYaml(): a reader for the plain subset of YAML that
// flow files are written in, several times cheaper than libyaml's event
// parser on large flows. It makes exactly the tree libyaml's path makes
// (kinds, styles, text, lines) or declines, and then libyaml reads the text
// and gives the verdict and any error. fuzz/fuzz_yaml.cpp checks that the
// two agree on every input the fast path takes.
//
// Taken: ASCII text without tabs or control characters; block mappings with
// plain keys, block sequences (indentless ones too), plain scalars on one
// line, single- and double-quoted scalars on one line (no backslash
// escapes), literal block scalars `|` and `|-`, flow sequences and mappings
// on one line, comments. Declined: anything else (anchors, aliases, tags,
// folded or kept block scalars, multi-line plain or quoted scalars, empty
// values, documents markers, directives), and every error.

#include "flow/ynode.h"

#include <deque>
#include <iterator>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dfm::flow {

namespace {

constexpr int kMaxDepth = 100; /* deeper: declined; libyaml caps at 200 with an error */
constexpr int kMaxKey = 1000;  /* libyaml refuses simple keys over 1024 characters */

struct Line {
    int begin = 0;  /* offset of the first byte */
    int end = 0;    /* offset past the last byte, '\n' excluded */
    int indent = 0; /* leading spaces */
    bool skip = false; /* blank or a comment: no content */
};

bool isNullText(const QString &s)
{
    return s.isEmpty() || s == QLatin1String("~") || s == QLatin1String("null") || s == QLatin1String("Null")
           || s == QLatin1String("NULL");
}

bool keyStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
           || c == '/' || c == '$';
}

bool keyChar(char c)
{
    return keyStart(c) || c == '-' || c == '+' || c == ' ';
}

class FastYaml
{
public:
    explicit FastYaml(const QByteArray &text) : m_s(text.constData()), m_n(int(text.size())) {}

    bool parse(YNode *root)
    {
        if (!split())
            return false;
        int li = nextContent(0);
        if (li == lineCount()) {
            *root = YNode();
            return true;
        }
        int next = 0;
        YNode doc;
        if (!node(li, m_lines[li].indent, -1, &doc, &next) || nextContent(next) != lineCount())
            return false;
        *root = std::move(doc);
        return true;
    }

private:
    const char *m_s;
    int m_n;
    bool m_lastHasBreak = true;
    int m_depth = 0;
    std::vector<Line> m_lines;
    std::unordered_map<std::string_view, QString> m_keys; /* keys seen, pointing into the text */
    static constexpr size_t kMaxSharedKeys = 256;
    std::deque<std::vector<YNode>> m_buffers; /* Items' buffers, one per open map or sequence */
    size_t m_open = 0;                       /* maps and sequences being read */

    /// The items of a map or sequence being read, gathered in a buffer
    /// that each nesting level reuses, then moved into the node at their
    /// exact count: one allocation per node rather than one per doubling.
    class Items {
    public:
        Items(FastYaml *p, YNode *out) : m_p(p), m_out(out)
        {
            if (p->m_buffers.size() <= p->m_open)
                p->m_buffers.emplace_back();
            m_buf = &p->m_buffers[p->m_open++];
        }
        ~Items()
        {
            m_buf->clear();
            --m_p->m_open;
        }
        Items(const Items &) = delete;
        Items &operator=(const Items &) = delete;
        void push(YNode &&n) { m_buf->push_back(std::move(n)); }
        void done() { m_out->items.assign(std::make_move_iterator(m_buf->begin()), std::make_move_iterator(m_buf->end())); }

    private:
        FastYaml *m_p;
        YNode *m_out;
        std::vector<YNode> *m_buf;
    };

    int lineCount() const { return int(m_lines.size()); }

    /// Splits the text into lines; false on a byte outside the subset.
    bool split()
    {
        m_lines.reserve(size_t(m_n / 16 + 1));
        int i = 0;
        while (i < m_n) {
            Line l;
            l.begin = i;
            while (i < m_n && m_s[i] != '\n') {
                const unsigned char c = static_cast<unsigned char>(m_s[i]);
                if (c < 0x20 || c >= 0x7f)
                    return false;
                ++i;
            }
            l.end = i;
            int k = l.begin;
            while (k < l.end && m_s[k] == ' ')
                ++k;
            l.indent = k - l.begin;
            l.skip = k == l.end || m_s[k] == '#';
            if (l.indent == 0 && k < l.end && (m_s[k] == '%' || startsMarker(k, l.end)))
                return false;
            m_lastHasBreak = i < m_n;
            m_lines.push_back(l);
            if (i < m_n)
                ++i; /* the '\n' */
        }
        return true;
    }

    bool startsMarker(int k, int end) const
    {
        if (end - k < 3)
            return false;
        return (m_s[k] == '-' && m_s[k + 1] == '-' && m_s[k + 2] == '-')
               || (m_s[k] == '.' && m_s[k + 1] == '.' && m_s[k + 2] == '.');
    }

    int nextContent(int li) const
    {
        while (li < lineCount() && m_lines[li].skip)
            ++li;
        return li;
    }

    /// The byte at column COL of line LI; '\0' past its end.
    char at(int li, int col) const
    {
        const Line &l = m_lines[size_t(li)];
        return col >= 0 && l.begin + col < l.end ? m_s[l.begin + col] : '\0';
    }

    /// The first column at or after COL that is not a space.
    int skipSpaces(int li, int col) const
    {
        while (at(li, col) == ' ')
            ++col;
        return col;
    }

    int width(int li) const { return m_lines[size_t(li)].end - m_lines[size_t(li)].begin; }

    QString textOf(int li, int from, int to) const
    {
        const char *b = m_s + m_lines[size_t(li)].begin;
        return QString::fromLatin1(b + from, to - from);
    }

    /// A key's text. Flow files repeat a few keys (name, run, needs, ...)
    /// once per task: those share one string rather than each allocating.
    QString keyText(int li, int from, int to)
    {
        const std::string_view key(m_s + m_lines[size_t(li)].begin + from, size_t(to - from));
        const auto it = m_keys.find(key);
        if (it != m_keys.end())
            return it->second;
        QString text = textOf(li, from, to);
        if (m_keys.size() < kMaxSharedKeys)
            m_keys.emplace(key, text);
        return text;
    }

    /// Nothing but spaces and perhaps a comment from COL to the end of line LI.
    bool restIsEmpty(int li, int col) const
    {
        const int k = skipSpaces(li, col);
        return k == width(li) || (at(li, k) == '#' && k > col);
    }

    bool seqEntryAt(int li, int col) const
    {
        return at(li, col) == '-' && (at(li, col + 1) == ' ' || col + 1 == width(li));
    }

    /// The column of the ':' ending a plain key at COL, or -1.
    int keyEnd(int li, int col) const
    {
        if (!keyStart(at(li, col)))
            return -1;
        const int w = width(li);
        for (int k = col + 1; k < w && k - col <= kMaxKey; ++k) {
            const char c = at(li, k);
            if (c == ':')
                return (k + 1 == w || at(li, k + 1) == ' ') && at(li, k - 1) != ' ' ? k : -1;
            if (!keyChar(c))
                return -1;
        }
        return -1;
    }

    static YNode scalar(QString text, int line, bool plain)
    {
        YNode n;
        n.line = line;
        n.plain = plain;
        n.kind = plain && isNullText(text) ? YNode::Null : YNode::Scalar;
        n.text = std::move(text);
        return n;
    }

    /// A block node whose content starts at (LI, COL), inside a block
    /// indented PARENT; *next is the line after it.
    bool node(int li, int col, int parent, YNode *out, int *next)
    {
        if (++m_depth > kMaxDepth)
            return false;
        bool ok;
        if (seqEntryAt(li, col))
            ok = blockSeq(li, col, out, next);
        else if (keyEnd(li, col) >= 0)
            ok = blockMap(li, col, out, next);
        else
            ok = inlineValue(li, col, parent, out, next);
        --m_depth;
        return ok;
    }

    /// The value after "key:" or "-" when nothing follows on its line.
    bool valueBelow(int li, int col, bool inMap, YNode *out, int *next)
    {
        const int nl = nextContent(li + 1);
        if (nl == lineCount())
            return false; /* an empty value */
        const int ind = m_lines[size_t(nl)].indent;
        if (ind > col)
            return node(nl, ind, col, out, next);
        if (inMap && ind == col && seqEntryAt(nl, col))
            return blockSeq(nl, col, out, next); /* an indentless sequence */
        return false;
    }

    bool blockMap(int li, int col, YNode *out, int *next)
    {
        out->kind = YNode::Map;
        out->line = li + 1;
        Items items(this, out);
        while (true) {
            const int ke = keyEnd(li, col);
            if (ke < 0)
                return false;
            items.push(scalar(keyText(li, col, ke), li + 1, true));
            YNode value;
            int after = 0;
            const int vc = skipSpaces(li, ke + 1);
            if (restIsEmpty(li, ke + 1)) {
                if (!valueBelow(li, col, true, &value, &after))
                    return false;
            } else if (!inlineValue(li, vc, col, &value, &after)) {
                return false;
            }
            items.push(std::move(value));
            li = nextContent(after);
            if (li == lineCount() || m_lines[size_t(li)].indent < col)
                break;
            if (m_lines[size_t(li)].indent > col)
                return false;
        }
        items.done();
        *next = li;
        return true;
    }

    bool blockSeq(int li, int col, YNode *out, int *next)
    {
        out->kind = YNode::Seq;
        out->line = li + 1;
        Items items(this, out);
        while (true) {
            YNode item;
            int after = 0;
            const int ic = skipSpaces(li, col + 1);
            if (restIsEmpty(li, col + 1)) {
                if (!valueBelow(li, col, false, &item, &after))
                    return false;
            } else if (!node(li, ic, col, &item, &after)) {
                return false;
            }
            items.push(std::move(item));
            li = nextContent(after);
            if (li == lineCount())
                break;
            const int ind = m_lines[size_t(li)].indent;
            if (ind > col)
                return false;
            if (ind < col || !seqEntryAt(li, col))
                break;
        }
        items.done();
        *next = li;
        return true;
    }

    /// A value that starts on line LI at COL (a scalar or a flow
    /// collection), inside a block indented PARENT.
    bool inlineValue(int li, int col, int parent, YNode *out, int *next)
    {
        const char c = at(li, col);
        int end = col;
        switch (c) {
        case '[':
        case '{':
            if (!flow(li, col, out, &end))
                return false;
            break;
        case '\'':
        case '"':
            if (!quoted(li, col, out, &end))
                return false;
            break;
        case '|':
            return literal(li, col, parent, out, next);
        case '-':
            if (at(li, col + 1) == ' ' || col + 1 == width(li))
                return false;
            return plainBlock(li, col, out, next);
        case '>': case '&': case '*': case '!': case '%': case '@': case '`':
        case '?': case ':': case ',': case ']': case '}': case '#':
            return false;
        default:
            return plainBlock(li, col, out, next);
        }
        if (!restIsEmpty(li, end))
            return false;
        *next = li + 1;
        return true;
    }

    /// A plain scalar to the end of the line or a comment.
    bool plainBlock(int li, int col, YNode *out, int *next)
    {
        const int w = width(li);
        int end = col;
        for (int k = col; k < w; ++k) {
            const char c = at(li, k);
            if (c == '#' && at(li, k - 1) == ' ')
                break;
            if (c == ':' && (k + 1 == w || at(li, k + 1) == ' '))
                return false;
            end = k + 1;
        }
        while (end > col && at(li, end - 1) == ' ')
            --end;
        *out = scalar(textOf(li, col, end), li + 1, true);
        *next = li + 1;
        return true;
    }

    /// A quoted scalar closed on its own line; *end is the column after it.
    bool quoted(int li, int col, YNode *out, int *end)
    {
        const char q = at(li, col);
        const int w = width(li);
        QString text;
        int k = col + 1;
        int from = k;
        while (true) {
            if (k >= w)
                return false; /* continues on the next line */
            const char c = at(li, k);
            if (q == '"' && c == '\\')
                return false;
            if (c == q) {
                text += textOf(li, from, k);
                if (q == '\'' && at(li, k + 1) == '\'') { /* '' is one quote */
                    text += QLatin1Char('\'');
                    k += 2;
                    from = k;
                    continue;
                }
                break;
            }
            ++k;
        }
        *out = scalar(std::move(text), li + 1, false);
        *end = k + 1;
        return true;
    }

    /// `|` or `|-`: the lines indented more than PARENT below line LI.
    bool literal(int li, int col, int parent, YNode *out, int *next)
    {
        const char chomp = at(li, col + 1);
        int k = col + 1;
        if (chomp == '-')
            ++k;
        else if (chomp != '\0' && chomp != ' ')
            return false;
        k = skipSpaces(li, k);
        if (k != width(li) || parent < 0 || col == m_lines[size_t(li)].indent)
            return false; /* a comment, an indentation indicator, `|` alone on its line: declined */
        const int first = li + 1;
        if (first == lineCount() || m_lines[size_t(first)].indent == width(first))
            return false; /* empty, or leading blank lines */
        const int m = m_lines[size_t(first)].indent;
        if (m <= parent)
            return false;
        QString text;
        int last = first; /* the last line with content */
        int l = first;
        for (; l < lineCount(); ++l) {
            const Line &ln = m_lines[size_t(l)];
            const bool blank = ln.indent == width(l);
            if (blank) {
                if (ln.indent > m)
                    return false;
                continue;
            }
            if (ln.indent < m)
                break;
            for (int b = last + 1; b < l; ++b)
                text += QLatin1Char('\n'); /* blank lines inside */
            if (l != first)
                text += QLatin1Char('\n');
            text += textOf(l, m, width(l));
            last = l;
        }
        if (last == lineCount() - 1 && !m_lastHasBreak)
            return false;
        if (chomp != '-')
            text += QLatin1Char('\n');
        *out = scalar(std::move(text), li + 1, false);
        *next = l;
        return true;
    }

    /// A flow sequence or mapping closed on line LI; *end is the column after it.
    bool flow(int li, int col, YNode *out, int *end)
    {
        if (++m_depth > kMaxDepth)
            return false;
        const bool map = at(li, col) == '{';
        const char close = map ? '}' : ']';
        out->kind = map ? YNode::Map : YNode::Seq;
        out->line = li + 1;
        int k = col + 1;
        k = skipSpaces(li, k);
        if (at(li, k) == close) {
            *end = k + 1;
            --m_depth;
            return true;
        }
        Items items(this, out);
        while (true) {
            if (map) {
                YNode key;
                if (!flowPlain(li, k, &key, &k) || at(li, k) != ':' || at(li, k + 1) != ' ')
                    return false;
                items.push(std::move(key));
                k += 2;
                k = skipSpaces(li, k);
            }
            YNode item;
            if (!flowItem(li, k, &item, &k))
                return false;
            items.push(std::move(item));
            k = skipSpaces(li, k);
            if (at(li, k) == close)
                break;
            if (at(li, k) != ',')
                return false;
            ++k;
            k = skipSpaces(li, k);
        }
        items.done();
        *end = k + 1;
        --m_depth;
        return true;
    }

    bool flowItem(int li, int col, YNode *out, int *end)
    {
        switch (at(li, col)) {
        case '[':
        case '{':
            return flow(li, col, out, end);
        case '\'':
        case '"':
            return quoted(li, col, out, end);
        default:
            return flowPlain(li, col, out, end);
        }
    }

    /// A plain scalar inside [] or {}: up to , [ ] { } or ':'; *end is its end.
    bool flowPlain(int li, int col, YNode *out, int *end)
    {
        const char c0 = at(li, col);
        if (c0 == '\0' || c0 == ' ' || c0 == '-' || c0 == '#' || c0 == '\'' || c0 == '"')
            return false;
        switch (c0) {
        case '>': case '|': case '&': case '*': case '!': case '%': case '@': case '`':
        case '?': case ':': case ',': case '[': case ']': case '{': case '}':
            return false;
        default:
            break;
        }
        const int w = width(li);
        int k = col;
        int last = col;
        for (; k < w; ++k) {
            const char c = at(li, k);
            if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':')
                break;
            if (c == '#' && at(li, k - 1) == ' ')
                return false; /* a comment inside brackets: declined */
            if (c != ' ')
                last = k + 1;
        }
        if (k == w)
            return false;
        *out = scalar(textOf(li, col, last), li + 1, true);
        *end = last;
        return true;
    }
};

} // namespace

bool parseYamlFast(const QByteArray &text, YNode *root)
{
    return FastYaml(text).parse(root);
}

} // namespace dfm::flow
