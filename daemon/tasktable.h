#pragma once
// The engine's outstanding tasks (queued or running), kept small: 100,000
// queued tasks must fit in a few tens of MiB (docs/performance.md,
// "Queued-task memory").
//
// A task is a slot in one vector, reused through a free list; its TaskKey is
// the slot index with the slot's generation above it, so a key of a finished
// task never finds the task that reuses its slot. Per task the table holds
// one 48-byte slot, one 4-byte bucket of the (owner, request_id) index, and
// one heap block with the request_id and name (UTF-8) and the encoded
// params of its task.execute line. Names and resource classes are QStrings
// only when asked for, on the rare events that report them.

#include "pool.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <vector>

namespace dfm {

class TaskTable {
public:
    /// What a caller may change of a live task.
    struct Task {
        quint64 owner = 0;    /* 0 once the owner is gone: the result is dropped */
        quint16 attempts = 0; /* dispatches, for the RESULT's `attempts` */
        bool cancelRequested = false;
        bool notifyStarted = false; /* the owner asked for taskStarted() */
    private:
        friend class TaskTable;
        quint32 cls = 0; /* into m_classes; here, it fills what would be padding */
    };

    TaskTable();
    ~TaskTable();
    TaskTable(const TaskTable &) = delete;
    TaskTable &operator=(const TaskTable &) = delete;

    /// Adds a task; `params` are its task.execute params as
    /// proto::encodeTaskExecuteParams wrote them. 0 when `owner` already has
    /// an outstanding task named `requestId`.
    TaskKey add(quint64 owner, const QString &requestId, const QString &name, const QString &resourceClass,
                QByteArrayView params, const QJsonValue &tag, bool notifyStarted);
    /// Forgets a task (its owner's index entry too).
    void remove(TaskKey key);
    /// The owner went away: its tasks stay (with owner 0) until removed,
    /// and are returned in submit order.
    std::vector<TaskKey> disown(quint64 owner);

    /// The live task of `key`, nullptr for a key that is gone.
    Task *find(TaskKey key);
    const Task *find(TaskKey key) const;
    /// The owner's outstanding task named `requestId`, 0 if none.
    TaskKey find(quint64 owner, const QString &requestId) const;

    QString requestId(TaskKey key) const;
    QString name(TaskKey key) const;
    /// Whether the task's request_id is `utf8` (a worker's result names it).
    bool hasRequestId(TaskKey key, QByteArrayView utf8) const;
    QString resourceClass(TaskKey key) const;
    QJsonValue tag(TaskKey key) const;
    /// The whole task.execute line, newline included.
    QByteArray executeLine(TaskKey key) const;

    size_t size() const { return m_live; }
    bool empty() const { return m_live == 0; }
    /// Calls f(key, task) for every live task, in slot order.
    template <typename F>
    void forEach(F &&f) const
    {
        for (size_t i = 0; i < m_slots.size(); ++i)
            if (m_slots[i].data)
                f(keyOf(quint32(i)), m_slots[i].task);
    }

    /// Drops the slot vector and the index while empty, so their memory can
    /// go back to the system. No-op when tasks are left.
    void releaseMemory();
    /// Slots allocated, live or free (tests).
    size_t slotCapacity() const { return m_slots.capacity(); }

private:
    static constexpr quint32 kNone = 0xffffffffu;
    enum TagKind : quint8 { TagUndefined, TagNull, TagInteger, TagOther };
    struct Slot {
        Task task;
        char *data = nullptr; /* malloc'd Header + request_id + name + params; null when free */
        qint64 tag = 0;       /* TagInteger: the value */
        quint32 gen = 1;
        quint32 next = kNone; /* the owner's next task, or the next free slot */
        quint32 prev = kNone; /* the owner's previous task */
        TagKind tagKind = TagUndefined;
    };
    struct Header {
        quint32 ridSize, nameSize, paramsSize; /* bytes; nameSize kNone: the name is the request_id */
    };
    struct OwnerList {
        quint32 head = kNone, tail = kNone;
    };

    static TaskKey keyOf(quint32 index, quint32 gen) { return (TaskKey(gen) << 32) | index; }
    TaskKey keyOf(quint32 index) const { return keyOf(index, m_slots[index].gen); }
    /// The slot of a live key, kNone otherwise.
    quint32 indexOf(TaskKey key) const;
    static quint32 hashOf(quint64 owner, QByteArrayView rid);
    static QByteArrayView ridOf(const Slot &s);
    static QByteArrayView nameOf(const Slot &s);
    static QByteArrayView paramsOf(const Slot &s);

    // The (owner, request_id) index: open addressing with linear probing
    // over slot indices, at most half full; deletion shifts back.
    quint32 lookup(quint64 owner, QByteArrayView rid, quint32 hash) const;
    void indexInsert(quint32 index);
    void indexErase(quint32 index);
    void indexGrow();

    std::vector<Slot> m_slots;
    quint32 m_free = kNone; /* first free slot */
    quint32 m_genFloor = 1; /* generation of a new slot: above all given up by releaseMemory() */
    size_t m_live = 0;
    std::vector<quint32> m_index; /* kNone: empty bucket; size a power of two */
    QHash<quint64, OwnerList> m_owners;
    QStringList m_classes;             /* resource classes seen, never forgotten (few) */
    QHash<QString, quint32> m_classIds;
    QHash<quint32, QJsonValue> m_otherTags; /* by slot: tags that are not integers (rare) */
};

} // namespace dfm
