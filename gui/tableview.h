#pragma once
// The monitor's tables are all alike: read-only, whole-row selection,
// sorted by a column's raw value and filtered on task names through a proxy.

#include <qnamespace.h>

class QAbstractItemModel;
class QObject;
class QSortFilterProxyModel;
class QTableView;
class QWidget;

namespace dfm::gui {

/// A proxy over `source` that sorts by SortRole and filters (case
/// insensitive, fixed string) on `filterColumn`, owned by `parent`.
QSortFilterProxyModel *makeProxy(QAbstractItemModel *source, int filterColumn, QObject *parent);

/// A read-only table view over `proxy`, sorted by `sortColumn`.
QTableView *makeTableView(QSortFilterProxyModel *proxy, int sortColumn, Qt::SortOrder order, QWidget *parent);

} // namespace dfm::gui
