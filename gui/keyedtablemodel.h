#pragma once
// The base of the monitor's three tables: rows keyed by a string and brought
// up to date against a fresh list with the fewest model signals, so a burst
// of events costs one remove per contiguous range of gone rows, one
// dataChanged per contiguous range of changed rows and one insert for the
// new ones, and never a reset. Persistent indexes (selection, current row)
// survive every update because rows are never reset or reordered: new rows
// are appended and the views sort through a proxy.

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

namespace dfm::gui {

/// Roles every monitor table answers besides Qt's own.
enum Role {
    SortRole = Qt::UserRole + 1, /* the raw value a column sorts by (numbers as numbers) */
    KeyRole,                     /* the row's key: stable across updates */
    LogRole,                     /* completions: the task's log file, "" when unknown */
};

template <typename Row>
class KeyedTableModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }

    /// The row at `row` (source model order).
    const Row &rowAt(int row) const { return m_rows.at(row).row; }
    /// The key of the row at `row`.
    const QString &keyAt(int row) const { return m_rows.at(row).key; }

protected:
    struct Entry {
        QString key;
        Row row;
    };

    /// Makes the rows equal to `fresh` (keys from keyOf; equal keys are told
    /// apart by their order) with the signals described above. `same(a, b)`
    /// says two rows with one key show the same thing.
    template <typename KeyOf, typename Same>
    void syncRows(const QList<Row> &fresh, KeyOf keyOf, Same same)
    {
        QHash<QString, int> freshIndex;
        freshIndex.reserve(fresh.size());
        QList<QString> freshKeys;
        freshKeys.reserve(fresh.size());
        for (int i = 0; i < fresh.size(); ++i) {
            QString key = keyOf(fresh.at(i));
            for (int n = 1; freshIndex.contains(key); ++n)
                key = keyOf(fresh.at(i)) + QLatin1Char('#') + QString::number(n);
            freshIndex.insert(key, i);
            freshKeys.append(key);
        }

        // Rows gone: removed in contiguous ranges, from the back.
        for (int last = int(m_rows.size()) - 1; last >= 0;) {
            if (freshIndex.contains(m_rows.at(last).key)) {
                --last;
                continue;
            }
            int first = last;
            while (first > 0 && !freshIndex.contains(m_rows.at(first - 1).key))
                --first;
            beginRemoveRows(QModelIndex(), first, last);
            m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
            endRemoveRows();
            last = first - 1;
        }

        // Rows kept: changed ones announced in contiguous ranges.
        QSet<QString> kept;
        kept.reserve(m_rows.size());
        int changedFrom = -1;
        for (int r = 0; r <= int(m_rows.size()); ++r) {
            bool changed = false;
            if (r < int(m_rows.size())) {
                Entry &e = m_rows[r];
                kept.insert(e.key);
                const Row &now = fresh.at(freshIndex.value(e.key));
                if (!same(e.row, now)) {
                    e.row = now;
                    changed = true;
                }
            }
            if (changed && changedFrom < 0)
                changedFrom = r;
            if (!changed && changedFrom >= 0) {
                Q_EMIT this->dataChanged(this->index(changedFrom, 0), this->index(r - 1, columnCount() - 1));
                changedFrom = -1;
            }
        }

        // Rows new: appended in one insert, in `fresh` order.
        QList<Entry> added;
        for (int i = 0; i < fresh.size(); ++i) {
            if (!kept.contains(freshKeys.at(i)))
                added.append(Entry{freshKeys.at(i), fresh.at(i)});
        }
        if (!added.isEmpty()) {
            const int at = int(m_rows.size());
            beginInsertRows(QModelIndex(), at, at + int(added.size()) - 1);
            m_rows.append(added);
            endInsertRows();
        }
    }

    /// Announces that one column changed in every row (a ticking clock).
    void touchColumn(int column)
    {
        if (!m_rows.isEmpty())
            Q_EMIT this->dataChanged(this->index(0, column), this->index(int(m_rows.size()) - 1, column),
                                     {Qt::DisplayRole, SortRole});
    }

    QList<Entry> m_rows;
};

} // namespace dfm::gui
