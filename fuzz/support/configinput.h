// For the configuration harnesses: the input as a file (the readers take paths), then the
// whole loader (reading, validation, error messages) over it.
#pragma once

#include "config/config.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>

namespace latchkey::fuzz {

enum class ConfigFile { Yaml, Env };

inline void loadConfigFrom(ConfigFile kind, const uint8_t *data, size_t size)
{
    static const QTemporaryDir dir;
    const QString path = dir.filePath(kind == ConfigFile::Yaml ? QStringLiteral("config.yml")
                                                               : QStringLiteral(".env"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        std::abort();
    }
    file.close();
    ConfigSources sources;
    (kind == ConfigFile::Yaml ? sources.configFile : sources.envFile) = path;
    const Result<Config> config = loadConfig(sources);
    if (!config && config.error().message.isEmpty()) {
        std::fprintf(stderr, "a refusal without a message\n");
        std::abort();
    }
}

} // namespace latchkey::fuzz
