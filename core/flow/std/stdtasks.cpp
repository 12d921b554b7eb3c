#include "flow/std/stdtasks.h"

#include "flow/std/stdimpl.h"

namespace dfm::flow {

QJsonObject fileSetItem(const QString &src, const QString &filetype, const QString &basedir, const QJsonArray &files,
                        const QJsonArray &incdirs)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")},
                       {QStringLiteral("filetype"), filetype},
                       {QStringLiteral("basedir"), basedir},
                       {QStringLiteral("name"), QString()},
                       {QStringLiteral("src"), src.isNull() ? QJsonValue() : QJsonValue(src)},
                       {QStringLiteral("seq"), -1},
                       {QStringLiteral("files"), files},
                       {QStringLiteral("incdirs"), incdirs},
                       {QStringLiteral("defines"), QJsonArray()},
                       {QStringLiteral("params"), QJsonObject()},
                       {QStringLiteral("attributes"), QJsonArray()}};
}

StdTaskFn findStdTask(const QString &callableSpec)
{
    static const struct {
        const char *spec;
        StdTaskFn fn;
    } table[] = {
        {"dv_flow.mgr.std.message.Message", &stdimpl::message},
        {"dv_flow.mgr.std.fileset.FileSet", &stdimpl::fileSet},
        {"dv_flow.mgr.std.create_file.CreateFile", &stdimpl::createFile},
        {"dv_flow.mgr.std.setenv.SetEnv", &stdimpl::setEnv},
        {"dv_flow.mgr.std.set_file_type.SetFileType", &stdimpl::setFileType},
        {"dv_flow.mgr.std.incdirs.IncDirs", &stdimpl::incDirs},
        {"dv_flow.mgr.std.run_tasks.RunTasks", &stdimpl::runTasks},
    };
    for (const auto &e : table) {
        if (callableSpec == QLatin1String(e.spec))
            return e.fn;
    }
    return nullptr;
}

} // namespace dfm::flow
