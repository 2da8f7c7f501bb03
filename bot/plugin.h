/*
 * plugin.h: loading plugins with dlopen(RTLD_NOW | RTLD_LOCAL), checking
 * their ABI, and unloading them with everything they registered.
 */
#ifndef CV_PLUGIN_H
#define CV_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "convene.h"

struct cv_plugin {
	char *name;
	char *path;
	void *dl;
	const struct cv_plugin_desc *desc;
};

/* Where plugins are looked up: never relative to the working directory. */
void plugin_set_dir(const char *dir);
const char *plugin_dir(void);
/* The default: build/plugins next to the executable, else the installed dir. */
char *plugin_default_dir(void);

/* Pure: may a host of ABI host_major.host_minor load this plugin? */
int plugin_abi_ok(unsigned host_major, unsigned host_minor, unsigned major,
    unsigned minor, char *err, size_t errlen);

/* A descriptor's typed keys (ABI 1.5), NULL for an older plugin or none. */
const struct cv_config_key *plugin_typed_keys(const struct cv_plugin_desc *d);

/* 0, or -1 with the reason in err, in English (the log's, --check's). */
int plugin_load(const char *name, char *err, size_t errlen);
int plugin_unload(const char *name, char *err, size_t errlen);
int plugin_reload(const char *name, char *err, size_t errlen);
/*
 * The reason the last of them failed, for a person who reads lang. A
 * detail written by the system (dlerror) or the plugin stays as written.
 */
void plugin_failure(const char *lang, char *buf, size_t n);
void plugin_unload_all(void);
struct cv_plugin *plugin_find(const char *name);
/* Loaded plugins in load order; NULL past the end. */
struct cv_plugin *plugin_at(size_t i);

/* Names of every plugin .so in the plugin dir (sorted), NULL-terminated; caller frees. */
char **plugin_available(void);
void plugin_names_free(char **names);

/*
 * Open a plugin only to read its descriptor (for --check): its section
 * name and keys. The handle stays open until plugin_peek_close().
 */
const struct cv_plugin_desc *plugin_peek(const char *name, char *err, size_t errlen);
void plugin_peek_close(void);

#endif
