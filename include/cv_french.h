/*
 * cv_french.h: the French words of dates, for every plugin that writes one
 * (header-only; plugins never link each other). The abbreviations are the
 * Office québécois de la langue française's; README, "Languages".
 */
#ifndef CV_FRENCH_H
#define CV_FRENCH_H

#include <string.h>

/* "dim." ... "sam.", for tm_wday 0 to 6. */
static inline const char *
cv_fr_weekday(int wday)
{
	static const char *const days[] = { "dim.", "lun.", "mar.", "mer.", "jeu.",
		"ven.", "sam." };

	return days[((wday % 7) + 7) % 7];
}

/* "janv." ... "déc.", for tm_mon 0 to 11. */
static inline const char *
cv_fr_month(int mon)
{
	static const char *const months[] = { "janv.", "févr.", "mars", "avr.", "mai",
		"juin", "juil.", "août", "sept.", "oct.", "nov.", "déc." };

	return months[((mon % 12) + 12) % 12];
}

/*
 * The French name of a zone's city (the IANA name's last part, with its
 * underscores) where it differs, else the name itself.
 */
static inline const char *
cv_fr_city(const char *city)
{
	static const char *const names[][2] = {
		{ "Algiers", "Alger" },
		{ "Athens", "Athènes" },
		{ "Beirut", "Beyrouth" },
		{ "Brussels", "Bruxelles" },
		{ "Bucharest", "Bucarest" },
		{ "Copenhagen", "Copenhague" },
		{ "Lisbon", "Lisbonne" },
		{ "London", "Londres" },
		{ "Mexico_City", "Mexico" },
		{ "Montreal", "Montréal" },
		{ "Moscow", "Moscou" },
		{ "Sao_Paulo", "São Paulo" },
		{ "Vienna", "Vienne" },
		{ "Warsaw", "Varsovie" },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(city, names[i][0]) == 0)
			return names[i][1];
	return city;
}

#endif
