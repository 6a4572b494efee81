// Reads an iCalendar object on stdin and prints what the tests compare, as JSON:
// method, and per VEVENT uid, sequence, status, dtstart (UTC), summary, location,
// description, organizer and attendees with their parameters.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

function address(property) {
  const params = {};
  for (const [name, value] of Object.entries(property.toJSON()[1])) {
    params[name.toUpperCase()] = String(value);
  }
  return { value: property.getFirstValue(), params };
}

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const organizer = vevent.getFirstProperty("organizer");
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    dtstart: event.startDate.toJSDate().toISOString(),
    dtend: event.endDate.toJSDate().toISOString(),
    summary: event.summary,
    location: event.location,
    description: event.description,
    organizer: organizer ? address(organizer) : null,
    attendees: vevent.getAllProperties("attendee").map(address),
  };
});
process.stdout.write(JSON.stringify({ method: root.getFirstPropertyValue("method"), events }));
