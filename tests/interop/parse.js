#!/usr/bin/env node
// Parse an iCalendar file with one of the independent parsers and print what
// it understood as JSON: {"name": ..., "events": [{uid, summary, description,
// location, url, status, sequence, start, end}]}, start and end in Unix
// seconds. Usage: node parse.js ical.js|node-ical FILE
'use strict';

const fs = require('fs');

function text(v) {
  // node-ical gives {params, val} when a property has parameters.
  if (v === undefined || v === null) return null;
  if (typeof v === 'object' && 'val' in v) return String(v.val);
  return String(v);
}

function withIcalJs(file) {
  const ICAL = require('ical.js');
  const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));
  // As Thunderbird does: the feed's own zones, so TZIDs resolve to instants.
  for (const vtz of comp.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const events = comp.getAllSubcomponents('vevent').map((ve) => {
    const ev = new ICAL.Event(ve);
    const tzid = ve.getFirstProperty('dtstart').getParameter('tzid');
    if (tzid && !ICAL.TimezoneService.has(tzid)) throw new Error('unknown TZID ' + tzid);
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      url: ve.getFirstPropertyValue('url'),
      status: ve.getFirstPropertyValue('status'),
      sequence: ev.sequence,
      start: ev.startDate.toUnixTime(),
      end: ev.endDate.toUnixTime(),
    };
  });
  return { name: comp.getFirstPropertyValue('x-wr-calname'), events };
}

function withNodeIcal(file) {
  const ical = require('node-ical');
  const data = ical.sync.parseFile(file);
  let name = null;
  const events = [];
  for (const k of Object.keys(data)) {
    const c = data[k];
    if (c.type === 'VCALENDAR') name = text(c['WR-CALNAME']);
    if (c.type !== 'VEVENT') continue;
    events.push({
      uid: c.uid,
      summary: text(c.summary),
      description: text(c.description),
      location: text(c.location),
      url: text(c.url),
      status: c.status || null,
      sequence: c.sequence === undefined ? null : Number(c.sequence),
      start: Math.round(c.start.getTime() / 1000),
      end: Math.round(c.end.getTime() / 1000),
    });
  }
  return { name, events };
}

const [parser, file] = process.argv.slice(2);
const parsers = { 'ical.js': withIcalJs, 'node-ical': withNodeIcal };
if (!parsers[parser] || !file) {
  process.stderr.write('usage: node parse.js ical.js|node-ical FILE\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(parsers[parser](file)) + '\n');
