#pragma once
// The monitor's colours, in one place so the tables, the chart and the tests
// agree on them.

#include <QColor>

namespace dfm::gui::palette {

inline QColor passed() { return QColor(0x1b, 0x7f, 0x3b); }     /* text of a passed result */
inline QColor failed() { return QColor(0xc6, 0x28, 0x28); }     /* text of a failed result */
inline QColor cancelled() { return QColor(0x8d, 0x6e, 0x00); }  /* text of a cancelled task */
inline QColor passedBack() { return QColor(0xe3, 0xf4, 0xe6); } /* background of a passed result */
inline QColor failedBack() { return QColor(0xfd, 0xe4, 0xe4); } /* background of a failed result */
inline QColor busy() { return QColor(0x15, 0x65, 0xc0); }       /* a busy worker's state */
inline QColor pending() { return QColor(0x8d, 0x6e, 0x00); }    /* a worker still being launched */
inline QColor idle() { return QColor(0x61, 0x61, 0x61); }       /* an idle worker's state */

} // namespace dfm::gui::palette
