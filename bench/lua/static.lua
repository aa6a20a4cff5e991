-- GET of a fixed path (nginx ceiling); same response() accounting as the server scenarios.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
