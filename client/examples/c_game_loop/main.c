/* A game loop in plain C99 against Latchkey's C API (latchkey/latchkey_c.h): sign in as a
 * guest, rename the player, list the sign-ins, log out, all from the frame loop. Every
 * callback runs inside latchkey_process_callbacks(), so the game's state needs no locks.
 *
 *   c_game_loop --server http://127.0.0.1:8000 [--client-id latchkey-demo] [--storage DIR]
 *
 * Exits 0 when every step succeeded, 1 otherwise (the tests run it against a server). */
#define _POSIX_C_SOURCE 199309L

#include <latchkey/latchkey_c.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

enum step { SIGNING_IN, RENAMING, LISTING, LOGGING_OUT, DONE, FAILED };

struct game {
    latchkey_client *client;
    enum step step;
    long long player_id;
};

static void fail(struct game *game, const char *what, const latchkey_result *result)
{
    fprintf(stderr, "%s failed: %s (%s)\n", what, result->message,
            latchkey_error_name(result->error));
    game->step = FAILED;
}

static void on_identities(const latchkey_result *result, void *user_data)
{
    struct game *game = user_data;
    size_t i;
    if (result->error != LATCHKEY_OK) {
        fail(game, "identities", result);
        return;
    }
    printf("sign-ins:");
    for (i = 0; i < result->identity_count; ++i)
        printf(" %s", result->identities[i].provider);
    printf("\n");
    game->step = LOGGING_OUT;
    latchkey_logout(game->client);
}

static void on_renamed(const latchkey_result *result, void *user_data)
{
    struct game *game = user_data;
    if (result->error != LATCHKEY_OK) {
        fail(game, "rename", result);
        return;
    }
    printf("renamed to %s\n", result->user->name);
    game->step = LISTING;
    latchkey_identities(game->client, on_identities, game);
}

static void on_login(const latchkey_result *result, void *user_data)
{
    struct game *game = user_data;
    char name[64];
    if (result->error != LATCHKEY_OK) {
        fail(game, "login", result);
        return;
    }
    game->player_id = (long long)result->user->id;
    printf("logged in as %s (id %lld%s)\n", result->user->name, game->player_id,
           result->user->is_guest ? ", guest" : "");
    snprintf(name, sizeof name, "c_player_%lld", game->player_id);
    game->step = RENAMING;
    latchkey_update_username(game->client, name, on_renamed, game);
}

static void on_logout(const latchkey_result *result, void *user_data)
{
    struct game *game = user_data;
    (void)result;
    printf("logged out\n");
    if (game->step == LOGGING_OUT)
        game->step = DONE;
}

static const char *option(int argc, char **argv, const char *name, const char *fallback)
{
    int i;
    for (i = 1; i + 1 < argc; ++i) {
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    }
    return fallback;
}

int main(int argc, char **argv)
{
    struct game game = {NULL, SIGNING_IN, 0};
    latchkey_config config;
    const struct timespec frame = {0, 16 * 1000 * 1000}; /* ~60 frames a second */
    int frames;

    memset(&config, 0, sizeof config);
    config.server_url = option(argc, argv, "--server", "http://127.0.0.1:8000");
    config.client_id = option(argc, argv, "--client-id", "latchkey-demo");
    config.organization = "Latchkey";
    config.application = "c_game_loop";
    config.storage_directory = option(argc, argv, "--storage", NULL);
    config.secret_storage = LATCHKEY_STORAGE_FILE;
    config.request_timeout_ms = 5000;

    game.client = latchkey_client_create(&config, on_logout, &game);
    if (!game.client) {
        fprintf(stderr, "latchkey_client_create: unusable configuration\n");
        return 1;
    }
    if (latchkey_login_as_guest(game.client, on_login, &game) != LATCHKEY_OK) {
        fprintf(stderr, "a login is already running\n");
        latchkey_client_free(game.client);
        return 1;
    }
    for (frames = 0; frames < 60 * 30 && game.step != DONE && game.step != FAILED; ++frames) {
        latchkey_process_callbacks(game.client); /* the game's update would follow */
        nanosleep(&frame, NULL);
    }
    if (game.step != DONE && game.step != FAILED)
        fprintf(stderr, "timed out at step %d\n", (int)game.step);
    latchkey_client_free(game.client);
    return game.step == DONE ? 0 : 1;
}
