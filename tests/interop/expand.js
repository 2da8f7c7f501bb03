#!/usr/bin/env node
// Expand the recurring events of an iCalendar file with ical.js, as
// Thunderbird does (exceptions related to their master by UID, the feed's
// own VTIMEZONEs registered), and print the occurrences that start in
// [FROM, TO) as JSON: [{uid, start, status, recurrence}], start and
// recurrence (the RECURRENCE-ID, null for a plain one) in Unix seconds.
// An override whose master is missing is listed as an event of its own.
// Usage: node expand.js FILE FROM TO
'use strict';

const fs = require('fs');
const ICAL = require('ical.js');

const [file, fromArg, toArg] = process.argv.slice(2);
if (!file || !fromArg || !toArg) {
  process.stderr.write('usage: node expand.js FILE FROM TO\n');
  process.exit(2);
}
const from = Number(fromArg);
const to = Number(toArg);
const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));
for (const vtz of comp.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}

const masters = new Map();
const overrides = [];
for (const ve of comp.getAllSubcomponents('vevent')) {
  const tzid = ve.getFirstProperty('dtstart').getParameter('tzid');
  if (tzid && !ICAL.TimezoneService.has(tzid)) throw new Error('unknown TZID ' + tzid);
  if (ve.hasProperty('recurrence-id')) overrides.push(ve);
  else masters.set(ve.getFirstPropertyValue('uid'), new ICAL.Event(ve));
}
const out = [];
function add(uid, start, item, recurrence) {
  if (start >= from && start < to) {
    out.push({ uid, start, status: item.component.getFirstPropertyValue('status'), recurrence });
  }
}
for (const ve of overrides) {
  const master = masters.get(ve.getFirstPropertyValue('uid'));
  if (master) master.relateException(ve);
  else {
    const ev = new ICAL.Event(ve);
    add(ev.uid, ev.startDate.toUnixTime(), ev, ev.recurrenceId.toUnixTime());
  }
}
for (const [uid, ev] of masters) {
  if (!ev.isRecurring()) {
    add(uid, ev.startDate.toUnixTime(), ev, null);
    continue;
  }
  const it = ev.iterator();
  // A moved occurrence may start before its original time: walk a year past TO.
  for (let t = it.next(), n = 0; t && t.toUnixTime() < to + 366 * 86400 && n < 5000;
    t = it.next(), n++) {
    const d = ev.getOccurrenceDetails(t);
    add(uid, d.startDate.toUnixTime(), d.item, t.toUnixTime());
  }
}
out.sort((a, b) => a.start - b.start);
process.stdout.write(JSON.stringify(out) + '\n');
