#include "tasktable.h"

#include "wirelines.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace dfm {

namespace {

// Whether `v` comes back the same from QJsonValue(qint64): what the RESULT's
// id is written from (JsonWriter writes an integral number as an integer).
bool integralTag(const QJsonValue &v, qint64 *out)
{
    if (!v.isDouble())
        return false;
    constexpr qint64 kNotInteger = std::numeric_limits<qint64>::min();
    *out = v.toInteger(kNotInteger);
    return *out != kNotInteger;
}

} // namespace

static_assert(sizeof(TaskTable::Task) == 16, "Task has no padding: cls fills it");

TaskTable::TaskTable()
{
    static_assert(sizeof(Slot) == 48, "a queued task's slot stays at 48 bytes");
}

TaskTable::~TaskTable()
{
    for (Slot &s : m_slots)
        std::free(s.data);
}

quint32 TaskTable::hashOf(quint64 owner, QByteArrayView rid)
{
    const size_t h = qHash(rid, size_t(owner) * 0x9e3779b97f4a7c15ull);
    return quint32(h ^ (h >> 32));
}

QByteArrayView TaskTable::ridOf(const Slot &s)
{
    Header h;
    std::memcpy(&h, s.data, sizeof h);
    return {s.data + sizeof h, qsizetype(h.ridSize)};
}

QByteArrayView TaskTable::nameOf(const Slot &s)
{
    Header h;
    std::memcpy(&h, s.data, sizeof h);
    if (h.nameSize == kNone)
        return ridOf(s);
    return {s.data + sizeof h + h.ridSize, qsizetype(h.nameSize)};
}

QByteArrayView TaskTable::paramsOf(const Slot &s)
{
    Header h;
    std::memcpy(&h, s.data, sizeof h);
    const quint32 nameSize = h.nameSize == kNone ? 0 : h.nameSize;
    return {s.data + sizeof h + h.ridSize + nameSize, qsizetype(h.paramsSize)};
}

quint32 TaskTable::indexOf(TaskKey key) const
{
    const quint32 i = quint32(key);
    if (i >= m_slots.size() || !m_slots[i].data || m_slots[i].gen != quint32(key >> 32))
        return kNone;
    return i;
}

TaskTable::Task *TaskTable::find(TaskKey key)
{
    const quint32 i = indexOf(key);
    return i == kNone ? nullptr : &m_slots[i].task;
}

const TaskTable::Task *TaskTable::find(TaskKey key) const
{
    const quint32 i = indexOf(key);
    return i == kNone ? nullptr : &m_slots[i].task;
}

// --- the (owner, request_id) index ------------------------------------------

quint32 TaskTable::lookup(quint64 owner, QByteArrayView rid, quint32 hash) const
{
    if (m_index.empty())
        return kNone;
    const size_t mask = m_index.size() - 1;
    for (size_t b = hash & mask;; b = (b + 1) & mask) {
        const quint32 i = m_index[b];
        if (i == kNone)
            return kNone;
        const Slot &s = m_slots[i];
        if (s.task.owner == owner && ridOf(s) == rid)
            return i;
    }
}

void TaskTable::indexGrow()
{
    std::vector<quint32> old;
    old.swap(m_index);
    m_index.assign(std::max<size_t>(64, old.size() * 2), kNone);
    const size_t mask = m_index.size() - 1;
    for (const quint32 i : old) {
        if (i == kNone)
            continue;
        size_t b = hashOf(m_slots[i].task.owner, ridOf(m_slots[i])) & mask;
        while (m_index[b] != kNone)
            b = (b + 1) & mask;
        m_index[b] = i;
    }
}

void TaskTable::indexInsert(quint32 index)
{
    // Indexed tasks are those with an owner: at most m_live of them.
    if (2 * (m_live + 1) > m_index.size())
        indexGrow();
    const size_t mask = m_index.size() - 1;
    size_t b = hashOf(m_slots[index].task.owner, ridOf(m_slots[index])) & mask;
    while (m_index[b] != kNone)
        b = (b + 1) & mask;
    m_index[b] = index;
}

void TaskTable::indexErase(quint32 index)
{
    const size_t mask = m_index.size() - 1;
    size_t b = hashOf(m_slots[index].task.owner, ridOf(m_slots[index])) & mask;
    while (m_index[b] != index)
        b = (b + 1) & mask;
    // Backward shift: entries after the hole that may move into it do, so a
    // probe never stops at a hole before its entry.
    for (size_t next = (b + 1) & mask;; next = (next + 1) & mask) {
        const quint32 i = m_index[next];
        if (i == kNone)
            break;
        const size_t home = hashOf(m_slots[i].task.owner, ridOf(m_slots[i])) & mask;
        // Movable unless its home lies cyclically in (b, next].
        const bool stays = b <= next ? (b < home && home <= next) : (b < home || home <= next);
        if (!stays) {
            m_index[b] = i;
            b = next;
        }
    }
    m_index[b] = kNone;
}

// --- tasks -------------------------------------------------------------------

TaskKey TaskTable::add(quint64 owner, const QString &requestId, const QString &name, const QString &resourceClass,
                       QByteArrayView params, const QJsonValue &tag, bool notifyStarted)
{
    Q_ASSERT(owner != 0);
    const QByteArray rid = requestId.toUtf8();
    if (lookup(owner, rid, hashOf(owner, rid)) != kNone)
        return 0;
    // Most tasks are named by their request_id: it is kept once.
    const QByteArray nm = name == requestId ? QByteArray() : name.toUtf8();
    Header h{quint32(rid.size()), name == requestId ? kNone : quint32(nm.size()), quint32(params.size())};
    const size_t bytes = sizeof h + size_t(rid.size()) + size_t(nm.size()) + size_t(params.size());
    char *data = static_cast<char *>(std::malloc(bytes));
    if (!data)
        qFatal("TaskTable: out of memory");
    char *p = data;
    std::memcpy(p, &h, sizeof h);
    p += sizeof h;
    std::memcpy(p, rid.constData(), size_t(rid.size()));
    p += rid.size();
    std::memcpy(p, nm.constData(), size_t(nm.size()));
    p += nm.size();
    std::memcpy(p, params.data(), size_t(params.size()));

    quint32 index = m_free;
    if (index != kNone) {
        m_free = m_slots[index].next;
    } else {
        index = quint32(m_slots.size());
        m_slots.emplace_back();
        m_slots.back().gen = m_genFloor;
    }
    Slot &s = m_slots[index];
    s.data = data;
    s.task = Task();
    s.task.owner = owner;
    s.task.notifyStarted = notifyStarted;
    auto cls = m_classIds.constFind(resourceClass);
    if (cls == m_classIds.cend()) {
        cls = m_classIds.insert(resourceClass, quint32(m_classes.size()));
        m_classes.append(resourceClass);
    }
    s.task.cls = *cls;
    if (tag.isUndefined()) {
        s.tagKind = TagUndefined;
    } else if (tag.isNull()) {
        s.tagKind = TagNull;
    } else if (integralTag(tag, &s.tag)) {
        s.tagKind = TagInteger;
    } else {
        s.tagKind = TagOther;
        m_otherTags.insert(index, tag);
    }
    // Last in its owner's list.
    OwnerList &list = m_owners[owner];
    s.prev = list.tail;
    s.next = kNone;
    if (list.tail != kNone)
        m_slots[list.tail].next = index;
    else
        list.head = index;
    list.tail = index;
    indexInsert(index);
    ++m_live;
    return keyOf(index);
}

void TaskTable::remove(TaskKey key)
{
    const quint32 index = indexOf(key);
    if (index == kNone)
        return;
    Slot &s = m_slots[index];
    if (s.task.owner) {
        indexErase(index);
        auto list = m_owners.find(s.task.owner);
        if (s.prev != kNone)
            m_slots[s.prev].next = s.next;
        else
            list->head = s.next;
        if (s.next != kNone)
            m_slots[s.next].prev = s.prev;
        else
            list->tail = s.prev;
        if (list->head == kNone)
            m_owners.erase(list);
    }
    if (s.tagKind == TagOther)
        m_otherTags.remove(index);
    std::free(s.data);
    s.data = nullptr;
    ++s.gen; // the key just removed finds nothing from now on
    s.prev = kNone;
    s.next = m_free;
    m_free = index;
    --m_live;
}

std::vector<TaskKey> TaskTable::disown(quint64 owner)
{
    std::vector<TaskKey> keys;
    const auto list = m_owners.constFind(owner);
    if (list == m_owners.cend())
        return keys;
    for (quint32 i = list->head; i != kNone;) {
        Slot &s = m_slots[i];
        const quint32 next = s.next;
        indexErase(i);
        s.task.owner = 0;
        s.prev = s.next = kNone;
        keys.push_back(keyOf(i));
        i = next;
    }
    m_owners.erase(list);
    return keys;
}

TaskKey TaskTable::find(quint64 owner, const QString &requestId) const
{
    if (!owner)
        return 0;
    const QByteArray rid = requestId.toUtf8();
    const quint32 i = lookup(owner, rid, hashOf(owner, rid));
    return i == kNone ? 0 : keyOf(i);
}

QString TaskTable::requestId(TaskKey key) const
{
    const quint32 i = indexOf(key);
    return i == kNone ? QString() : QString::fromUtf8(ridOf(m_slots[i]));
}

QString TaskTable::name(TaskKey key) const
{
    const quint32 i = indexOf(key);
    return i == kNone ? QString() : QString::fromUtf8(nameOf(m_slots[i]));
}

bool TaskTable::hasRequestId(TaskKey key, QByteArrayView utf8) const
{
    const quint32 i = indexOf(key);
    return i != kNone && ridOf(m_slots[i]) == utf8;
}

QString TaskTable::resourceClass(TaskKey key) const
{
    const quint32 i = indexOf(key);
    return i == kNone ? QString() : m_classes.at(qsizetype(m_slots[i].task.cls));
}

QJsonValue TaskTable::tag(TaskKey key) const
{
    const quint32 i = indexOf(key);
    if (i == kNone)
        return {};
    const Slot &s = m_slots[i];
    switch (s.tagKind) {
    case TagUndefined: return {};
    case TagNull: return QJsonValue(QJsonValue::Null);
    case TagInteger: return QJsonValue(s.tag);
    case TagOther: return m_otherTags.value(i);
    }
    return {};
}

QByteArray TaskTable::executeLine(TaskKey key) const
{
    const quint32 i = indexOf(key);
    if (i == kNone)
        return {};
    const Slot &s = m_slots[i];
    return proto::composeTaskExecute(paramsOf(s), ridOf(s), nameOf(s));
}

void TaskTable::releaseMemory()
{
    if (m_live)
        return;
    // Keys handed out so far must not come back: new slots start above
    // every generation used.
    for (const Slot &s : m_slots)
        m_genFloor = std::max(m_genFloor, s.gen + 1);
    // Swapped with empty ones: `= {}` would assign an empty list and keep
    // the capacity.
    std::vector<Slot>().swap(m_slots);
    std::vector<quint32>().swap(m_index);
    m_free = kNone;
    m_owners = {};
    m_otherTags = {};
}

} // namespace dfm
