"""The platform's figures: which charts there are, the days a chart's range covers, and the service the admin's
console and the daily digest read them through. Pure rules and ports only; the roll-ups live in `storage.stats`."""
