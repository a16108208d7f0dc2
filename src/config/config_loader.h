/* Private to the config loader (src/config*.c): the state of one load,
 * the key table's types, and what each part of the loader offers the
 * others. The rest of initc sees config.h only. */
#ifndef INITC_CONFIG_LOADER_H
#define INITC_CONFIG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "parse.h"

/* Keys per section, at most (struct keyset); config_keys.c checks its
 * tables against it when it is compiled. */
#define KEYS_MAX 24

enum section_kind { SEC_NONE, SEC_BAD, SEC_INITC, SEC_MAIN, SEC_STEP };

enum key_kind {
	KEY_COMMAND,	  /* step action: argv with sh-like quoting */
	KEY_SHELL,	  /* step action: /bin/sh -c script */
	KEY_WAIT_TCP,	  /* step action: host:port */
	KEY_WAIT_FILE,	  /* step action: path */
	KEY_TEMPLATE,	  /* step action: the template's path */
	KEY_OUTPUT,	  /* a template step's output path */
	KEY_WAIT,	  /* step action: a probe (probe.h) */
	KEY_MAIN_COMMAND, /* [main] command */
	KEY_DURATION,
	KEY_UINT,
	KEY_BOOL,
	KEY_FACTOR,
	KEY_SIGNAL,
	KEY_PATH,     /* a string with ${VAR} expansion */
	KEY_RAW_PATH, /* a string taken as written */
	KEY_ENV,
	KEY_USER,
	KEY_MODE,
	KEY_ON_FAILURE,
	KEY_LOG_FORMAT,
	KEY_SUCCESS_CODES,
	KEY_RESTART_LIMIT, /* a number, or unlimited / infinite */
	KEY_FILE_ENV,
};

/* One row of a key table (config_keys.c), packed into 16 bytes. */
struct key_def {
	const char *name;
	uint8_t kind;	 /* enum key_kind */
	uint16_t offset; /* into the section's struct */
	uint32_t max;	 /* KEY_UINT */
};
_Static_assert(sizeof(struct plan) <= UINT16_MAX && sizeof(struct step) <= UINT16_MAX &&
		       sizeof(struct main_app) <= UINT16_MAX,
	       "key_def.offset is 16 bits");

/* Where each key of one section was last set, to tell a duplicate in one
 * file (an error) from an override in a later drop-in (allowed). */
struct keyset {
	const char *file[KEYS_MAX];
	int line[KEYS_MAX];
	const char *opened_in; /* file that last opened this section */
	int opened_line;
};

struct loader {
	struct plan *plan;
	env_lookup_fn lookup;
	/* --check at image build time: a variable set only when the container
	 * runs is a warning, kept as ${NAME}, not an error. */
	bool defer_unset;
	/* the file being read */
	const char *file;
	const char *text;
	size_t size;
	size_t pos;
	int line;
	bool stop;
	/* the current line, as written (no line ending) */
	const char *raw;
	size_t raw_len;
	bool indented;
	int bad_header_line; /* a '[' line without ']', already reported */
	/* the current section */
	enum section_kind sec;
	size_t step;
	char last_key[64]; /* for continuation lines; "" after a header */
	/* bookkeeping */
	struct keyset initc_set, main_set;
	struct keyset *step_sets;
	size_t steps_cap; /* of plan->steps and step_sets */
	int errors;
	char *first_error;
	size_t first_len;
};

/* Where ${VAR} is looked up: the step's own environment first, when it is
 * the step's action being expanded (that is the environment it runs with),
 * then initc's. */
struct var_scope {
	struct loader *l;
	const struct strv *env; /* NULL: initc's environment only */
	int line;
	const char *what; /* "" or "creates: ", as the error would say */
	bool deferred; /* a variable was unset and kept as ${NAME} (--check) */
	char kept[80];
};

/* config.c */
void config_error(struct loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *config_scope_lookup(const char *name, bool has_default, void *ctx);
int config_expand(struct loader *l, const struct strv *env, int line, const char *what,
		  const char *in, char **out, char *err, bool *deferred);
const char *config_intern_file(struct loader *l, const char *name);
void config_loader_init(struct loader *l, struct plan *plan, char *first_error, size_t len);
int config_loader_finish(struct loader *l);

/* config_keys.c */
void config_plan_defaults(struct plan *plan);
void config_step_defaults(struct step *s);
const struct key_def *config_section_keys(enum section_kind sec);
int config_key_index(const struct key_def *keys, const char *name);
void config_unknown_key(struct loader *l, const char *name);
int config_set_value(struct loader *l, const struct key_def *k, const char *value);
const char *config_looks_like_key(const char *value, bool need_space);

/* config_ini.c */
void config_parse_text(struct loader *l, const char *file, const char *text, size_t size);

/* config_plan.c */
void config_finish_plan(struct loader *l);

#endif
