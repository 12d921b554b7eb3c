#include "flow/ynode.h"

#include <QHash>

#include <yaml.h>

namespace dfm::flow {

namespace {

constexpr size_t kMaxDepth = 200;
/// Nodes that aliases may add in all. Every other node costs at least a
/// byte of input, so this bounds the tree an input can make: a "billion
/// laughs" document (aliases of aliases of aliases) is refused, not built.
constexpr size_t kMaxAliasNodes = 1000000;

/// Owns a libyaml parser and event for the length of a parse.
struct Parser {
    yaml_parser_t parser;
    yaml_event_t event;
    bool haveEvent = false;
    Parser() { yaml_parser_initialize(&parser); }
    ~Parser()
    {
        if (haveEvent)
            yaml_event_delete(&event);
        yaml_parser_delete(&parser);
    }
    bool next()
    {
        if (haveEvent)
            yaml_event_delete(&event);
        haveEvent = yaml_parser_parse(&parser, &event) != 0;
        return haveEvent;
    }
};

QString fromYaml(const yaml_char_t *s, size_t n)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(s), qsizetype(n));
}

bool isNullScalar(const QString &s)
{
    return s.isEmpty() || s == QLatin1String("~") || s == QLatin1String("null") || s == QLatin1String("Null")
           || s == QLatin1String("NULL");
}

/// The nodes in N's tree, N included.
size_t treeSize(const YNode &n)
{
    size_t count = 1;
    for (const YNode &item : n.items)
        count += treeSize(item);
    return count;
}

/// An anchored node and the size of its tree.
struct Anchored {
    YNode node;
    size_t size = 1;
};

} // namespace

const YNode *YNode::get(const char *key) const
{
    for (size_t i = 0; i < pairs(); ++i) {
        if (items[2 * i].kind == Scalar && items[2 * i].text == QLatin1String(key))
            return &items[2 * i + 1];
    }
    return nullptr;
}

bool parseYaml(const QByteArray &text, YNode *root, int *line, QString *err)
{
    return parseYamlFast(text, root) || parseYamlEvents(text, root, line, err);
}

bool parseYamlEvents(const QByteArray &text, YNode *root, int *line, QString *err)
{
    Parser p;
    yaml_parser_set_input_string(&p.parser, reinterpret_cast<const unsigned char *>(text.constData()), size_t(text.size()));
    // Open containers; each is the last item of its parent, which grows no
    // further while it is open, so the pointers stay valid.
    std::vector<YNode *> stack;
    std::vector<QString> anchors; /* the anchor of each open container */
    QHash<QString, Anchored> anchored;
    size_t aliasNodes = 0;
    YNode doc;
    bool haveRoot = false;
    const auto fail = [&](int l, const QString &msg) {
        *line = l;
        *err = msg;
        return false;
    };
    const auto place = [&](YNode &&n) -> YNode * {
        if (stack.empty()) {
            doc = std::move(n);
            haveRoot = true;
            return &doc;
        }
        stack.back()->items.push_back(std::move(n));
        return &stack.back()->items.back();
    };
    while (true) {
        if (!p.next()) {
            const int l = int(p.parser.problem_mark.line) + 1;
            QString msg = QString::fromUtf8(p.parser.problem ? p.parser.problem : "unknown error");
            if (p.parser.context)
                msg = QString::fromUtf8(p.parser.context) + QStringLiteral(", ") + msg;
            return fail(l, msg);
        }
        const yaml_event_t &e = p.event;
        const int l = int(e.start_mark.line) + 1;
        switch (e.type) {
        case YAML_STREAM_END_EVENT:
            *root = haveRoot ? std::move(doc) : YNode();
            return true;
        case YAML_DOCUMENT_START_EVENT:
            if (haveRoot)
                return fail(l, QStringLiteral("more than one YAML document"));
            break;
        case YAML_SCALAR_EVENT: {
            YNode n;
            n.line = l;
            n.text = fromYaml(e.data.scalar.value, e.data.scalar.length);
            n.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !e.data.scalar.tag;
            n.kind = n.plain && isNullScalar(n.text) ? YNode::Null : YNode::Scalar;
            if (e.data.scalar.anchor)
                anchored.insert(QString::fromUtf8(reinterpret_cast<const char *>(e.data.scalar.anchor)), {n, 1});
            place(std::move(n));
            break;
        }
        case YAML_ALIAS_EVENT: {
            const QString name = QString::fromUtf8(reinterpret_cast<const char *>(e.data.alias.anchor));
            const auto it = anchored.constFind(name);
            if (it == anchored.constEnd())
                return fail(l, QStringLiteral("unknown alias '*%1'").arg(name));
            aliasNodes += it->size;
            if (aliasNodes > kMaxAliasNodes)
                return fail(l, QStringLiteral("aliases expand to more than %1 nodes").arg(kMaxAliasNodes));
            YNode copy = it->node;
            copy.line = l;
            place(std::move(copy));
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (stack.size() >= kMaxDepth)
                return fail(l, QStringLiteral("nested more than %1 levels deep").arg(kMaxDepth));
            YNode n;
            n.line = l;
            n.kind = e.type == YAML_SEQUENCE_START_EVENT ? YNode::Seq : YNode::Map;
            const yaml_char_t *anchor = e.type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.anchor
                                                                              : e.data.mapping_start.anchor;
            anchors.push_back(anchor ? QString::fromUtf8(reinterpret_cast<const char *>(anchor)) : QString());
            stack.push_back(place(std::move(n)));
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (!anchors.back().isEmpty())
                anchored.insert(anchors.back(), {*stack.back(), treeSize(*stack.back())});
            anchors.pop_back();
            stack.pop_back();
            break;
        default:
            break;
        }
    }
}

} // namespace dfm::flow
