#pragma once
// Members of a JSON object found in its text, without building a document:
// for the messages the daemon handles once per task (core/wirescan.h) and
// for passing a client's bytes on as they came (task.execute is
// task.submit's params less three keys). It takes strict JSON only, and
// only what Qt's parser takes too: on anything else it answers false and
// the caller parses the text with Qt instead. Declined: a raw control
// character or an unknown escape in a string and "1." (Qt takes them, but
// they must not reach a worker as they came); malformed UTF-8 and numbers
// that may not fit a double (Qt refuses them); a key written with escapes;
// nesting deeper than 256.

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>

#include <initializer_list>
#include <type_traits>

namespace dfm::proto {

/// One member of an object as it stands in the text.
struct JsonMember {
    QByteArrayView key;   /* between the quotes, as written */
    QByteArrayView value; /* the value's text, no surrounding whitespace */
    bool escapedKey = false; /* the key holds an escape: it may spell any name */
};

/// Calls f(member) for each top-level member of the one JSON object that
/// `object` holds, in order; false when the text is not that (strict JSON,
/// nesting at most 256 deep, nothing after the object) or f returns false.
template <typename F>
bool forEachMember(QByteArrayView object, F &&f);

/// As forEachMember(), in the same single pass: when the member `nestedKey`
/// holds an object, its members go to nested(member) first, then the
/// member itself to f(member). For a message whose params are read with
/// it (core/wirescan.h).
template <typename F, typename G>
bool forEachMember(QByteArrayView object, F &&f, QLatin1String nestedKey, G &&nested);

/// The members given, as `"key":value` joined by commas, without braces:
/// a block of its exact size.
QByteArray joinMembers(const JsonMember *members, qsizetype count);

/// The text of the value of the top-level member `key` of the JSON object
/// `object` (no surrounding whitespace). False when there is no such member
/// or the text is not what it expects.
bool findMember(QByteArrayView object, QLatin1String key, QByteArrayView *value);

/// The members of the JSON object `object` less those named in `drop`, as
/// `"key":value` joined by commas, without braces, into *out: a block of its
/// exact size. False when the text is not what it expects.
bool membersExcept(QByteArrayView object, std::initializer_list<QLatin1String> drop, QByteArray *out);

namespace detail {
using MemberCall = bool (*)(void *, const JsonMember &);
bool forEachMember(QByteArrayView object, MemberCall call, void *f, QLatin1String nestedKey = {},
                   MemberCall nestedCall = nullptr, void *nestedF = nullptr);

template <typename F>
MemberCall callOf()
{
    return [](void *fn, const JsonMember &m) -> bool { return (*static_cast<std::remove_reference_t<F> *>(fn))(m); };
}

template <typename F>
void *addressOf(F &f)
{
    return const_cast<void *>(static_cast<const void *>(&f));
}
} // namespace detail

template <typename F>
bool forEachMember(QByteArrayView object, F &&f)
{
    return detail::forEachMember(object, detail::callOf<F>(), detail::addressOf(f));
}

template <typename F, typename G>
bool forEachMember(QByteArrayView object, F &&f, QLatin1String nestedKey, G &&nested)
{
    return detail::forEachMember(object, detail::callOf<F>(), detail::addressOf(f), nestedKey,
                                 detail::callOf<G>(), detail::addressOf(nested));
}

} // namespace dfm::proto
