#pragma once
// A small YAML tree for flow files, with the line of every node. The plain
// YAML most flows are written in is read by a fast path of our own
// (fastyaml.cpp); anything else, and every error, by libyaml's event parser,
// which is several times faster than yaml-cpp on large flows. Anchors and
// aliases are expanded within a bound; nesting is capped, so no input can
// exhaust the stack or memory. Internal to core/flow/.

#include <QByteArray>
#include <QString>

#include <vector>

namespace dfm::flow {

struct YNode {
    enum Kind : unsigned char { Null, Scalar, Seq, Map };
    Kind kind = Null;
    bool plain = true;        /* a plain scalar (typed by YAML's rules); false: quoted, a string */
    int line = 1;             /* 1-based */
    QString text;             /* a scalar's text */
    std::vector<YNode> items; /* Seq: the items; Map: key, value, key, value... */

    bool isNull() const { return kind == Null; }
    bool isScalar() const { return kind == Scalar; }
    bool isSeq() const { return kind == Seq; }
    bool isMap() const { return kind == Map; }
    /// Pairs in a Map.
    size_t pairs() const { return kind == Map ? items.size() / 2 : 0; }
    const YNode &key(size_t i) const { return items[2 * i]; }
    const YNode &value(size_t i) const { return items[2 * i + 1]; }
    /// The value of KEY in a Map; nullptr when absent.
    const YNode *get(const char *key) const;
};

/// Parses one YAML document. False with *line and *err ("did not find
/// expected key") when it is not valid YAML or nests deeper than 200.
/// Tries parseYamlFast() first, then libyaml.
bool parseYaml(const QByteArray &text, YNode *root, int *line, QString *err);

/// The fast path: the tree libyaml's path would make, for the plain subset
/// of YAML flow files use (fastyaml.cpp says which); false, leaving *root
/// alone, for anything else, valid or not.
bool parseYamlFast(const QByteArray &text, YNode *root);

/// The libyaml path alone (what parseYaml() falls back to).
bool parseYamlEvents(const QByteArray &text, YNode *root, int *line, QString *err);

} // namespace dfm::flow
