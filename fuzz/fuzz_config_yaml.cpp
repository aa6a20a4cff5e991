// config.yml: any bytes through the YAML reader and the whole validation; a refusal must say
// why, nothing may crash (yaml-cpp throws on bad YAML: the reader must catch it).
#include "configinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    latchkey::fuzz::loadConfigFrom(latchkey::fuzz::ConfigFile::Yaml, data, size);
    return 0;
}
