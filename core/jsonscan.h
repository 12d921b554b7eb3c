#pragma once
// Members of a JSON object found in its text, without building a document:
// for passing a client's bytes on as they came where the daemon only drops
// a few keys (task.execute is task.submit's params less three). Meant for
// text Qt's parser has accepted already. It takes strict JSON only: on
// anything else (a raw control character or an unknown escape in a string,
// "1.", all of which Qt's parser lets through; a key written with escapes;
// nesting deeper than 256) it answers false, and the caller encodes from
// the parsed object instead, which writes strict JSON.

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>

#include <initializer_list>

namespace dfm::proto {

/// The text of the value of the top-level member `key` of the JSON object
/// `object` (no surrounding whitespace). False when there is no such member
/// or the text is not what it expects.
bool findMember(QByteArrayView object, QLatin1String key, QByteArrayView *value);

/// The members of the JSON object `object` less those named in `drop`, as
/// `"key":value` joined by commas, without braces, into *out: a block of its
/// exact size. False when the text is not what it expects.
bool membersExcept(QByteArrayView object, std::initializer_list<QLatin1String> drop, QByteArray *out);

} // namespace dfm::proto
