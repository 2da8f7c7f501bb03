/*
 * cv_ical.h: libical for the plugins, opened the first time it is needed.
 *
 * libical with what it brings (ICU, libstdc++) is about 3 MB of a bot's
 * resident memory (bench/README.md, "Loading libical lazily"), and a bot
 * whose database holds no event never needs it. So the plugins do not link
 * it: every libical function they call is in the list below, and a call
 * `icalfoo(...)` reads `(cv_ical()->icalfoo)(...)`, through a table filled
 * by dlopen(CV_ICAL_SONAME) and dlsym at the first call (plugins/common/
 * cv_ical.c, compiled into each plugin that uses it). This header is the one
 * way plugin code includes libical; a function missing from the list is a
 * link error (the plugins link with -z defs), not a crash at run time.
 *
 * cv_ical_ready() opens libical and says whether it could be: an operation
 * that may be the first to need libical calls it and fails cleanly when it
 * cannot (a broken install; the reason is logged once). Calling through the
 * table when libical cannot be opened logs the reason and aborts.
 */
#ifndef CV_ICAL_H
#define CV_ICAL_H

#include <stdbool.h>

#include <libical/ical.h>

#pragma GCC visibility push(hidden)

#define CV_ICAL_SONAME "libical.so.3"

/* The libical functions the plugins call, each once. */
#define CV_ICAL_FUNCTIONS(X)                       \
	X(icalcomponent_add_property)              \
	X(icalcomponent_as_ical_string_r)          \
	X(icalcomponent_free)                      \
	X(icalcomponent_get_description)           \
	X(icalcomponent_get_first_component)       \
	X(icalcomponent_get_first_property)        \
	X(icalcomponent_get_location)              \
	X(icalcomponent_get_next_component)        \
	X(icalcomponent_get_next_property)         \
	X(icalcomponent_get_parent)                \
	X(icalcomponent_get_sequence)              \
	X(icalcomponent_get_status)                \
	X(icalcomponent_get_summary)               \
	X(icalcomponent_get_timezone)              \
	X(icalcomponent_get_uid)                   \
	X(icalcomponent_isa)                       \
	X(icalcomponent_new_clone)                 \
	X(icalcomponent_new_vcalendar)             \
	X(icalcomponent_new_vevent)                \
	X(icalcomponent_remove_property)           \
	X(icalcomponent_set_sequence)              \
	X(icalcomponent_set_status)                \
	X(icalcomponent_strip_errors)              \
	X(icaldurationtype_as_int)                 \
	X(icaldurationtype_is_bad_duration)        \
	X(icaldurationtype_null_duration)          \
	X(icalparameter_get_tzid)                  \
	X(icalparameter_new_tzid)                  \
	X(icalparser_parse_string)                 \
	X(icalperiodtype_null_period)              \
	X(icalproperty_add_parameter)              \
	X(icalproperty_free)                       \
	X(icalproperty_get_dtend)                  \
	X(icalproperty_get_dtstart)                \
	X(icalproperty_get_duration)               \
	X(icalproperty_get_exdate)                 \
	X(icalproperty_get_first_parameter)        \
	X(icalproperty_get_rdate)                  \
	X(icalproperty_get_rrule)                  \
	X(icalproperty_get_tzid)                   \
	X(icalproperty_get_url)                    \
	X(icalproperty_get_value_as_string)        \
	X(icalproperty_get_x_name)                 \
	X(icalproperty_get_xlicerror)              \
	X(icalproperty_isa)                        \
	X(icalproperty_new_calscale)               \
	X(icalproperty_new_created)                \
	X(icalproperty_new_description)            \
	X(icalproperty_new_dtend)                  \
	X(icalproperty_new_dtstamp)                \
	X(icalproperty_new_dtstart)                \
	X(icalproperty_new_exdate)                 \
	X(icalproperty_new_lastmodified)           \
	X(icalproperty_new_location)               \
	X(icalproperty_new_name)                   \
	X(icalproperty_new_prodid)                 \
	X(icalproperty_new_rdate)                  \
	X(icalproperty_new_recurrenceid)           \
	X(icalproperty_new_refreshinterval)        \
	X(icalproperty_new_rrule)                  \
	X(icalproperty_new_sequence)               \
	X(icalproperty_new_source)                 \
	X(icalproperty_new_status)                 \
	X(icalproperty_new_summary)                \
	X(icalproperty_new_transp)                 \
	X(icalproperty_new_tzid)                   \
	X(icalproperty_new_uid)                    \
	X(icalproperty_new_url)                    \
	X(icalproperty_new_version)                \
	X(icalproperty_new_x)                      \
	X(icalproperty_set_dtstart)                \
	X(icalproperty_set_rrule)                  \
	X(icalproperty_set_uid)                    \
	X(icalproperty_set_x_name)                 \
	X(icalrecur_freq_to_string)                \
	X(icalrecur_iterator_free)                 \
	X(icalrecur_iterator_new)                  \
	X(icalrecur_iterator_next)                 \
	X(icalrecurrencetype_day_day_of_week)      \
	X(icalrecurrencetype_day_position)         \
	X(icalrecurrencetype_from_string)          \
	X(icaltime_as_timet)                       \
	X(icaltime_as_timet_with_zone)             \
	X(icaltime_day_of_week)                    \
	X(icaltime_from_timet_with_zone)           \
	X(icaltime_is_null_time)                   \
	X(icaltime_is_utc)                         \
	X(icaltime_is_valid_time)                  \
	X(icaltime_null_time)                      \
	X(icaltimezone_get_builtin_timezone)       \
	X(icaltimezone_get_component)              \
	X(icaltimezone_get_utc_offset_of_utc_time) \
	X(icaltimezone_get_utc_timezone)           \
	X(icaltimezone_truncate_vtimezone)

struct cv_ical_fns {
#define CV_ICAL_SLOT(f) __typeof__(f) *(f);
	CV_ICAL_FUNCTIONS(CV_ICAL_SLOT)
#undef CV_ICAL_SLOT
};

extern struct cv_ical_fns cv_ical_table;
extern bool cv_ical_loaded;

/* Fills the table, or logs why it cannot and aborts (see above). */
const struct cv_ical_fns *cv_ical_load(void);

static inline const struct cv_ical_fns *
cv_ical(void)
{
	return __builtin_expect(cv_ical_loaded, 1) ? &cv_ical_table : cv_ical_load();
}

/* Opens libical if it is not yet: true when its functions can be called. */
bool cv_ical_ready(void);

struct cv_host;
struct cv_plugin;

/*
 * The plugin whose log hears why libical cannot be opened (said once): set
 * at init, NULLs at fini (then stderr).
 */
void cv_ical_attach(const struct cv_host *h, struct cv_plugin *p);

#pragma GCC visibility pop

/* From here on, icalfoo(...) is a call through the table (cv_ical.c names the functions). */
#ifndef CV_ICAL_NO_CALLS
#define icalcomponent_add_property (cv_ical()->icalcomponent_add_property)
#define icalcomponent_as_ical_string_r (cv_ical()->icalcomponent_as_ical_string_r)
#define icalcomponent_free (cv_ical()->icalcomponent_free)
#define icalcomponent_get_description (cv_ical()->icalcomponent_get_description)
#define icalcomponent_get_first_component (cv_ical()->icalcomponent_get_first_component)
#define icalcomponent_get_first_property (cv_ical()->icalcomponent_get_first_property)
#define icalcomponent_get_location (cv_ical()->icalcomponent_get_location)
#define icalcomponent_get_next_component (cv_ical()->icalcomponent_get_next_component)
#define icalcomponent_get_next_property (cv_ical()->icalcomponent_get_next_property)
#define icalcomponent_get_parent (cv_ical()->icalcomponent_get_parent)
#define icalcomponent_get_sequence (cv_ical()->icalcomponent_get_sequence)
#define icalcomponent_get_status (cv_ical()->icalcomponent_get_status)
#define icalcomponent_get_summary (cv_ical()->icalcomponent_get_summary)
#define icalcomponent_get_timezone (cv_ical()->icalcomponent_get_timezone)
#define icalcomponent_get_uid (cv_ical()->icalcomponent_get_uid)
#define icalcomponent_isa (cv_ical()->icalcomponent_isa)
#define icalcomponent_new_clone (cv_ical()->icalcomponent_new_clone)
#define icalcomponent_new_vcalendar (cv_ical()->icalcomponent_new_vcalendar)
#define icalcomponent_new_vevent (cv_ical()->icalcomponent_new_vevent)
#define icalcomponent_remove_property (cv_ical()->icalcomponent_remove_property)
#define icalcomponent_set_sequence (cv_ical()->icalcomponent_set_sequence)
#define icalcomponent_set_status (cv_ical()->icalcomponent_set_status)
#define icalcomponent_strip_errors (cv_ical()->icalcomponent_strip_errors)
#define icaldurationtype_as_int (cv_ical()->icaldurationtype_as_int)
#define icaldurationtype_is_bad_duration (cv_ical()->icaldurationtype_is_bad_duration)
#define icaldurationtype_null_duration (cv_ical()->icaldurationtype_null_duration)
#define icalparameter_get_tzid (cv_ical()->icalparameter_get_tzid)
#define icalparameter_new_tzid (cv_ical()->icalparameter_new_tzid)
#define icalparser_parse_string (cv_ical()->icalparser_parse_string)
#define icalperiodtype_null_period (cv_ical()->icalperiodtype_null_period)
#define icalproperty_add_parameter (cv_ical()->icalproperty_add_parameter)
#define icalproperty_free (cv_ical()->icalproperty_free)
#define icalproperty_get_dtend (cv_ical()->icalproperty_get_dtend)
#define icalproperty_get_dtstart (cv_ical()->icalproperty_get_dtstart)
#define icalproperty_get_duration (cv_ical()->icalproperty_get_duration)
#define icalproperty_get_exdate (cv_ical()->icalproperty_get_exdate)
#define icalproperty_get_first_parameter (cv_ical()->icalproperty_get_first_parameter)
#define icalproperty_get_rdate (cv_ical()->icalproperty_get_rdate)
#define icalproperty_get_rrule (cv_ical()->icalproperty_get_rrule)
#define icalproperty_get_tzid (cv_ical()->icalproperty_get_tzid)
#define icalproperty_get_url (cv_ical()->icalproperty_get_url)
#define icalproperty_get_value_as_string (cv_ical()->icalproperty_get_value_as_string)
#define icalproperty_get_x_name (cv_ical()->icalproperty_get_x_name)
#define icalproperty_get_xlicerror (cv_ical()->icalproperty_get_xlicerror)
#define icalproperty_isa (cv_ical()->icalproperty_isa)
#define icalproperty_new_calscale (cv_ical()->icalproperty_new_calscale)
#define icalproperty_new_created (cv_ical()->icalproperty_new_created)
#define icalproperty_new_description (cv_ical()->icalproperty_new_description)
#define icalproperty_new_dtend (cv_ical()->icalproperty_new_dtend)
#define icalproperty_new_dtstamp (cv_ical()->icalproperty_new_dtstamp)
#define icalproperty_new_dtstart (cv_ical()->icalproperty_new_dtstart)
#define icalproperty_new_exdate (cv_ical()->icalproperty_new_exdate)
#define icalproperty_new_lastmodified (cv_ical()->icalproperty_new_lastmodified)
#define icalproperty_new_location (cv_ical()->icalproperty_new_location)
#define icalproperty_new_name (cv_ical()->icalproperty_new_name)
#define icalproperty_new_prodid (cv_ical()->icalproperty_new_prodid)
#define icalproperty_new_rdate (cv_ical()->icalproperty_new_rdate)
#define icalproperty_new_recurrenceid (cv_ical()->icalproperty_new_recurrenceid)
#define icalproperty_new_refreshinterval (cv_ical()->icalproperty_new_refreshinterval)
#define icalproperty_new_rrule (cv_ical()->icalproperty_new_rrule)
#define icalproperty_new_sequence (cv_ical()->icalproperty_new_sequence)
#define icalproperty_new_source (cv_ical()->icalproperty_new_source)
#define icalproperty_new_status (cv_ical()->icalproperty_new_status)
#define icalproperty_new_summary (cv_ical()->icalproperty_new_summary)
#define icalproperty_new_transp (cv_ical()->icalproperty_new_transp)
#define icalproperty_new_tzid (cv_ical()->icalproperty_new_tzid)
#define icalproperty_new_uid (cv_ical()->icalproperty_new_uid)
#define icalproperty_new_url (cv_ical()->icalproperty_new_url)
#define icalproperty_new_version (cv_ical()->icalproperty_new_version)
#define icalproperty_new_x (cv_ical()->icalproperty_new_x)
#define icalproperty_set_dtstart (cv_ical()->icalproperty_set_dtstart)
#define icalproperty_set_rrule (cv_ical()->icalproperty_set_rrule)
#define icalproperty_set_uid (cv_ical()->icalproperty_set_uid)
#define icalproperty_set_x_name (cv_ical()->icalproperty_set_x_name)
#define icalrecur_freq_to_string (cv_ical()->icalrecur_freq_to_string)
#define icalrecur_iterator_free (cv_ical()->icalrecur_iterator_free)
#define icalrecur_iterator_new (cv_ical()->icalrecur_iterator_new)
#define icalrecur_iterator_next (cv_ical()->icalrecur_iterator_next)
#define icalrecurrencetype_day_day_of_week (cv_ical()->icalrecurrencetype_day_day_of_week)
#define icalrecurrencetype_day_position (cv_ical()->icalrecurrencetype_day_position)
#define icalrecurrencetype_from_string (cv_ical()->icalrecurrencetype_from_string)
#define icaltime_as_timet (cv_ical()->icaltime_as_timet)
#define icaltime_as_timet_with_zone (cv_ical()->icaltime_as_timet_with_zone)
#define icaltime_day_of_week (cv_ical()->icaltime_day_of_week)
#define icaltime_from_timet_with_zone (cv_ical()->icaltime_from_timet_with_zone)
#define icaltime_is_null_time (cv_ical()->icaltime_is_null_time)
#define icaltime_is_utc (cv_ical()->icaltime_is_utc)
#define icaltime_is_valid_time (cv_ical()->icaltime_is_valid_time)
#define icaltime_null_time (cv_ical()->icaltime_null_time)
#define icaltimezone_get_builtin_timezone (cv_ical()->icaltimezone_get_builtin_timezone)
#define icaltimezone_get_component (cv_ical()->icaltimezone_get_component)
#define icaltimezone_get_utc_offset_of_utc_time \
	(cv_ical()->icaltimezone_get_utc_offset_of_utc_time)
#define icaltimezone_get_utc_timezone (cv_ical()->icaltimezone_get_utc_timezone)
#define icaltimezone_truncate_vtimezone (cv_ical()->icaltimezone_truncate_vtimezone)
#endif

#endif
