// .env: any bytes through the dotenv reader and the whole validation; a refusal must say why.
#include "configinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    latchkey::fuzz::loadConfigFrom(latchkey::fuzz::ConfigFile::Env, data, size);
    return 0;
}
